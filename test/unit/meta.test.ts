import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allRuleMetas } from '../../server/src/rules/index';
import { FIXTURES, ROOT, listDir } from '../support/fixtures';

const changelog = fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('rule registry', () => {
  it('has unique kebab-case ids with the target prefix', () => {
    const ids = allRuleMetas.map((r) => r.id);
    assert.deepEqual(ids, [...new Set(ids)], 'ids are unique');
    for (const r of allRuleMetas) {
      assert.match(r.id, /^[a-z0-9]+(-[a-z0-9]+)+$/, r.id);
      const prefixes = r.target === 'domain-xml' ? /^(sev|snp|xml)-/ : /^(kata|toml)-/;
      assert.match(r.id, prefixes, `${r.id} has the prefix of ${r.target}`);
    }
  });

  for (const r of allRuleMetas) {
    describe(r.id, () => {
      it('has a summary and messages', () => {
        assert.ok(r.summary.length > 20 && !/TODO/.test(r.summary), r.summary);
        assert.ok(Object.keys(r.messages).length > 0);
        for (const m of Object.values(r.messages)) assert.ok(m.length > 20, m);
      });
      it('has a docs page with why, example and source', () => {
        const page = path.join(ROOT, 'docs', 'rules', `${r.id}.md`);
        assert.ok(fs.existsSync(page), `missing ${path.relative(ROOT, page)}`);
        const md = fs.readFileSync(page, 'utf8');
        assert.ok(md.startsWith(`# ${r.id}\n`), 'the page is titled with the id');
        for (const section of ['## Example', '## Source']) assert.ok(md.includes(section), `${section} in ${r.id}.md`);
        assert.match(md, /https?:\/\/|src\/|hw\/|arch\//, 'the source names a document or file');
      });
      it('has fixtures that fire and that must not fire', () => {
        const files = listDir(path.join(FIXTURES, r.target, r.id));
        assert.ok(files.some((f) => f.startsWith('invalid-') && !f.includes('.expected') && !f.includes('.fixed') && !f.endsWith('.json')), 'an invalid- case');
        assert.ok(files.some((f) => f.startsWith('valid-')), 'a valid- case');
      });
      it('is in the CHANGELOG and the README', () => {
        assert.ok(changelog.includes('`' + r.id + '`'), `CHANGELOG.md mentions \`${r.id}\``);
        assert.ok(readme.includes(`[\`${r.id}\`](docs/rules/${r.id}.md)`), `README.md links \`${r.id}\``);
      });
    });
  }

  it('has no docs page or fixture folder without a rule', () => {
    const ids = new Set(allRuleMetas.map((r) => r.id));
    for (const f of listDir(path.join(ROOT, 'docs', 'rules'))) {
      if (f.endsWith('.md') && f !== 'README.md') assert.ok(ids.has(f.slice(0, -3)), `docs/rules/${f} has no rule`);
    }
    for (const target of listDir(FIXTURES)) {
      for (const d of listDir(path.join(FIXTURES, target))) assert.ok(ids.has(d), `test/fixtures/${target}/${d} has no rule`);
    }
  });
});

describe('extension manifest', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    capabilities?: { untrustedWorkspaces?: { supported?: unknown; description?: string; restrictedConfigurations?: string[] }; virtualWorkspaces?: unknown };
    contributes: { configuration: { properties: Record<string, unknown> } };
  };

  it('supports untrusted workspaces in limited mode: only the virsh query is left out', () => {
    const u = pkg.capabilities?.untrustedWorkspaces;
    assert.equal(u?.supported, 'limited');
    assert.match(u?.description ?? '', /runs no program and reads no file/);
    assert.match(u?.description ?? '', /virsh domcapabilities/);
    assert.equal(pkg.capabilities?.virtualWorkspaces, true);
  });

  it('restricts every setting that names a file or a program (today none): a new setting must be placed here', () => {
    const restricted = pkg.capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? [];
    // Reviewed: none of these names a file, a path or a program, so a workspace may set them in Restricted Mode.
    const nameNoFileOrProgram = ['sevlint.enable', 'sevlint.rules', 'sevlint.target.qemu', 'sevlint.validate.debounceMs', 'sevlint.maxFileSize', 'sevlint.trace.server'];
    const settings = Object.keys(pkg.contributes.configuration.properties);
    assert.deepEqual(settings.filter((s) => !restricted.includes(s)).sort(), [...nameNoFileOrProgram].sort());
    for (const r of restricted) assert.ok(settings.includes(r), `${r} is restricted but not contributed`);
  });

  it('runs virsh only in a trusted workspace, and ships the language server worker', () => {
    const commands = fs.readFileSync(path.join(ROOT, 'client', 'src', 'commands.ts'), 'utf8');
    assert.equal(commands.match(/readHostSevCaps\(/g)?.length, 1, 'one call of readHostSevCaps');
    assert.match(commands, /vscode\.workspace\.isTrusted \? readHostSevCaps\(\) : undefined/);
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split(/\r?\n/);
    for (const f of ['dist/extension.js', 'dist/server.js', 'dist/lint-worker.js']) assert.ok(ignore.includes(`!${f}`), `.vscodeignore lets ${f} into the VSIX`);
  });
});
