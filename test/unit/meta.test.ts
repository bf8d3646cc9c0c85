import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILE_TYPES } from '../../server/src/file-types';
import { DEFAULT_SETTINGS, readSettings } from '../../server/src/lsp/settings';
import { allRuleMetas } from '../../server/src/rules/index';
import { FIXTURES, ROOT, listDir, type ExpectedDiagnostic } from '../support/fixtures';
import { withRuleTables } from '../support/rule-tables';

const changelog = fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('rule registry', () => {
  it('has unique kebab-case ids with the target prefix', () => {
    const ids = allRuleMetas.map((r) => r.id);
    assert.deepEqual(ids, [...new Set(ids)], 'ids are unique');
    for (const r of allRuleMetas) {
      assert.match(r.id, /^[a-z0-9]+(-[a-z0-9]+)+$/, r.id);
      const prefixes = FILE_TYPES[r.target].rulePrefixes;
      assert.ok(prefixes.some((p) => r.id.startsWith(p)), `${r.id} has a prefix of ${r.target}: ${prefixes.join(' ')}`);
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
    // test/fixtures/host holds what host- rules are checked against (capabilities, captured host trees), not rule cases.
    for (const target of listDir(FIXTURES).filter((t) => t !== 'host')) {
      for (const d of listDir(path.join(FIXTURES, target))) assert.ok(ids.has(d), `test/fixtures/${target}/${d} has no rule`);
    }
  });

  it('keeps every rule id ever published (docs/rules/published-ids.txt, append only)', () => {
    const published = fs
      .readFileSync(path.join(ROOT, 'docs', 'rules', 'published-ids.txt'), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    assert.deepEqual(published, [...new Set(published)], 'each id is listed once');
    const registered = allRuleMetas.map((r) => r.id);
    assert.deepEqual(
      published.filter((id) => !registered.includes(id)),
      [],
      'a published id is never removed: retire a rule with deprecated: true instead',
    );
    assert.deepEqual(
      registered.filter((id) => !published.includes(id)),
      [],
      'a new rule id is appended to docs/rules/published-ids.txt',
    );
    for (const r of allRuleMetas) {
      if (r.replacedBy) assert.ok(r.deprecated, `${r.id}: replacedBy only on a deprecated rule`);
      for (const id of r.replacedBy ?? []) assert.ok(registered.includes(id), `${r.id} is replaced by a registered rule (${id})`);
    }
  });

  it('declares fixable and hasSuggestions exactly as its fixtures show', () => {
    const seen = new Map<string, { preferred: boolean; other: boolean }>();
    for (const target of listDir(FIXTURES)) {
      for (const id of listDir(path.join(FIXTURES, target))) {
        for (const f of listDir(path.join(FIXTURES, target, id)).filter((n) => n.endsWith('.expected.json'))) {
          const text = fs.readFileSync(path.join(FIXTURES, target, id, f), 'utf8');
          const expected = JSON.parse(text) as (ExpectedDiagnostic & { message?: unknown })[];
          for (const d of expected) {
            assert.equal(d.message, undefined, `${f}: expected files match on messageId and data, not message text`);
            if (d.code !== id) continue;
            const s = seen.get(id) ?? { preferred: false, other: false };
            for (const x of d.fixes ?? []) {
              if (x.preferred) s.preferred = true;
              else s.other = true;
            }
            seen.set(id, s);
          }
        }
      }
    }
    for (const r of allRuleMetas) {
      const s = seen.get(r.id) ?? { preferred: false, other: false };
      assert.equal(r.fixable === true, s.preferred, `${r.id}: fixable ${r.fixable === true}, but the fixtures ${s.preferred ? 'have' : 'have no'} preferred fix`);
      assert.equal(r.hasSuggestions === true, s.other, `${r.id}: hasSuggestions ${r.hasSuggestions === true}, but the fixtures ${s.other ? 'have' : 'have no'} other fix`);
    }
  });

  it('has the README rule tables generated from the metadata (npm run readme:rules)', () => {
    assert.equal(readme, withRuleTables(readme), 'run npm run readme:rules');
  });
});

describe('settings', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { default?: unknown; scope?: string }> } };
  };
  const properties = manifest.contributes.configuration.properties;
  /** Settings the client alone reads (the language client's trace). */
  const CLIENT_ONLY = new Set(['sevlint.trace.server']);

  it('every setting the server reads is contributed with the same default, and documented', () => {
    const at = (obj: unknown, keys: readonly string[]): unknown => keys.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
    for (const [name, schema] of Object.entries(properties)) {
      assert.ok(readme.includes('`' + name + '`'), `README.md names \`${name}\``);
      assert.equal(schema.scope !== undefined, true, `${name} has a scope`);
      if (CLIENT_ONLY.has(name)) continue;
      const keys = name.split('.').slice(1);
      assert.deepEqual(at(DEFAULT_SETTINGS, keys), schema.default, `${name}: package.json default = DEFAULT_SETTINGS`);
      // (readSettings builds `rules` without a prototype; compare as JSON.)
      assert.deepEqual(JSON.parse(JSON.stringify(at(readSettings({}), keys))), schema.default, `${name}: readSettings falls back to the default`);
    }
  });

  it('every setting the server has is contributed', () => {
    const leaves = (o: Record<string, unknown>, prefix: string): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        typeof v === 'object' && v !== null && !Array.isArray(v) && k !== 'rules' ? leaves(v as Record<string, unknown>, `${prefix}.${k}`) : [`${prefix}.${k}`],
      );
    for (const name of leaves(DEFAULT_SETTINGS as unknown as Record<string, unknown>, 'sevlint')) assert.ok(name in properties, `package.json contributes ${name}`);
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
    const nameNoFileOrProgram = ['sevlint.enable', 'sevlint.rules', 'sevlint.target.qemu', 'sevlint.schema.enable', 'sevlint.validate.debounceMs', 'sevlint.maxFileSize', 'sevlint.trace.server'];
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
