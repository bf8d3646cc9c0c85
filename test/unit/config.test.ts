/**
 * .sevlintrc.json: the checked content and globs (pure), how it merges with
 * editor settings, its JSON schema, and the CLI with real folders (found
 * upwards, overridden by the command line, ignore globs, --print-config, a
 * malformed file).
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { run } from '../../server/src/cli/main';
import { CONFIG_FILE_NAME, globToRegExp, ignoredBy, parseConfig, type SevlintConfig } from '../../server/src/config';
import { DEFAULT_SETTINGS, readSettings, withConfig } from '../../server/src/lsp/settings';
import { allRuleMetas } from '../../server/src/rules/index';
import { FIXTURES, ROOT } from '../support/fixtures';
import { writeChecked } from '../support/write';

const config = (text: string): SevlintConfig => {
  const p = parseConfig(text);
  assert.ok(p.ok, p.ok ? '' : p.error);
  return p.config;
};
const error = (text: string): string => {
  const p = parseConfig(text);
  assert.ok(!p.ok, 'expected an error');
  return p.error;
};

describe('.sevlintrc.json content', () => {
  it('reads every key, each optional', () => {
    const c = config(
      '\uFEFF{"$schema": "./schemas/sevlintrc.schema.json", "rules": {"sev-virtio-iommu": "off", "sev-interface-rom": "error"}, "target": {"qemu": "8.2"}, "host": {"domainCapabilities": ["caps/genoa.xml"]}, "schema": {"enable": false}, "ignore": ["generated/"]}',
    );
    assert.deepEqual({ ...c, rules: { ...c.rules } }, {
      rules: { 'sev-virtio-iommu': 'off', 'sev-interface-rom': 'error' },
      qemu: '8.2',
      domainCapabilities: ['caps/genoa.xml'],
      schema: false,
      ignore: ['generated/'],
    });
    assert.deepEqual({ ...config('{}'), rules: {} }, { rules: {}, ignore: [] });
  });

  it('says what is wrong, and where', () => {
    assert.match(error('{"rules": '), /^not valid JSON: /);
    assert.equal(error('[]'), 'the file must hold a JSON object');
    assert.equal(error('{"rule": {}}'), 'unknown key "rule" (expected "$schema", "rules", "target", "host", "schema", "ignore")');
    assert.equal(error('{"rules": {"sev-virtio-iomu": "off"}}'), '"rules": unknown rule "sev-virtio-iomu"');
    assert.equal(error('{"rules": {"sev-virtio-iommu": "warn"}}'), '"rules"."sev-virtio-iommu" must be one of "error", "warning", "information", "hint", "off"');
    assert.equal(error('{"target": {"qemu": "eight"}}'), '"target"."qemu" must be a QEMU version such as "8.2", or ""');
    assert.equal(error('{"target": {"qemu": "8.2", "kata": "3"}}'), '"target": unknown key "kata" (expected "qemu")');
    assert.equal(error('{"schema": {"enable": "no"}}'), '"schema"."enable" must be true or false');
    assert.equal(error('{"ignore": "generated"}'), '"ignore" must be an array of strings');
    assert.equal(error('{"host": {"domainCapabilities": [""]}}'), '"host"."domainCapabilities"[0] must be a non-empty string');
    // A rule id that is an Object.prototype name is only an unknown id.
    assert.equal(error('{"rules": {"__proto__": "off"}}'), '"rules": unknown rule "__proto__"');
  });

  it('ignore globs match as in .gitignore', () => {
    const cases: [string, string, boolean][] = [
      ['generated/', 'generated/a.xml', true],
      ['generated', 'sub/generated/a.xml', true],
      ['/generated', 'sub/generated/a.xml', false],
      ['./generated/**', 'generated/x/y.xml', true],
      ['*.orig.xml', 'a/b/c.orig.xml', true],
      ['*.orig.xml', 'a/b/c.xml', false],
      ['vms/*.xml', 'vms/a.xml', true],
      ['vms/*.xml', 'vms/old/a.xml', false],
      ['vms/**/*.xml', 'vms/old/a.xml', true],
      ['vms/**/*.xml', 'vms/a.xml', true],
      ['guest-?.xml', 'guest-1.xml', true],
      ['guest-?.xml', 'guest-10.xml', false],
      ['a+b(c).xml', 'a+b(c).xml', true],
    ];
    for (const [glob, p, want] of cases) assert.equal(globToRegExp(glob).test(p), want, `${glob} ~ ${p}`);
    assert.equal(ignoredBy(['x/', '*.xml'], 'a.xml'), '*.xml');
    assert.equal(ignoredBy(['**'], '../outside.xml'), undefined, 'a file outside the config folder is never ignored by it');
  });
});

describe('.sevlintrc.json under editor settings (withConfig)', () => {
  const c = config('{"rules": {"sev-virtio-iommu": "off", "sev-interface-rom": "error"}, "target": {"qemu": "8.2"}, "schema": {"enable": false}, "ignore": ["gen/"]}');
  const found = { file: '/p/.sevlintrc.json', config: c, domainCapabilities: ['/p/caps.xml'] };

  it('gives what the user did not set; rules merge per id, the setting winning', () => {
    const s = withConfig(readSettings({ rules: { 'sev-interface-rom': 'hint' }, explicit: [] }), found);
    assert.deepEqual({ ...s.rules }, { 'sev-virtio-iommu': 'off', 'sev-interface-rom': 'hint' });
    assert.equal(s.target.qemu, '8.2');
    assert.equal(s.schema.enable, false);
    assert.deepEqual(s.host.domainCapabilities, ['/p/caps.xml']);
    assert.equal(s.enable, true);
    assert.deepEqual(s.config, { file: '/p/.sevlintrc.json' });
  });

  it('a setting the user set explicitly wins, even when it is the default value', () => {
    const s = withConfig(readSettings({ target: { qemu: '' }, schema: { enable: true }, host: { domainCapabilities: [] }, explicit: ['target.qemu', 'schema.enable', 'host.domainCapabilities'] }), found);
    assert.equal(s.target.qemu, '');
    assert.equal(s.schema.enable, true);
    assert.deepEqual(s.host.domainCapabilities, []);
  });

  it('without the list of explicit settings (a client other than VS Code), a value other than the default counts as set', () => {
    const s = withConfig(readSettings({ target: { qemu: '5.2' } }), found);
    assert.equal(s.target.qemu, '5.2');
    assert.equal(s.schema.enable, false, 'the default true counts as not set');
  });

  it('an ignored file is not checked; a malformed config changes nothing but says why', () => {
    assert.equal(withConfig(DEFAULT_SETTINGS, { ...found, ignoredBy: 'gen/' }).enable, false);
    const bad = withConfig(DEFAULT_SETTINGS, { file: '/p/.sevlintrc.json', error: 'not valid JSON: x' });
    assert.deepEqual(bad, { ...DEFAULT_SETTINGS, config: { file: '/p/.sevlintrc.json', error: 'not valid JSON: x' } });
  });
});

describe('.sevlintrc.json schema (schemas/sevlintrc.schema.json)', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'sevlintrc.schema.json'), 'utf8')) as { properties: { rules: { properties: Record<string, unknown> } } };

  it('lists every rule, and VS Code validates .sevlintrc.json with it (jsonValidation)', () => {
    assert.deepEqual(Object.keys(schema.properties.rules.properties), allRuleMetas.map((r) => r.id), 'run `node esbuild.mjs --sync-rules`');
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { jsonValidation: { fileMatch: string; url: string }[] } };
    assert.deepEqual(pkg.contributes.jsonValidation, [{ fileMatch: CONFIG_FILE_NAME, url: './schemas/sevlintrc.schema.json' }]);
  });

  it('accepts what parseConfig accepts and rejects what it rejects', () => {
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(schema);
    const good = '{"$schema": "x", "rules": {"sev-virtio-iommu": "off"}, "target": {"qemu": "8.2"}, "host": {"domainCapabilities": ["c.xml"]}, "schema": {"enable": false}, "ignore": ["g/"]}';
    assert.ok(validate(JSON.parse(good)), ajv.errorsText(validate.errors));
    assert.ok(parseConfig(good).ok);
    for (const bad of ['{"rule": {}}', '{"rules": {"nope": "off"}}', '{"rules": {"sev-virtio-iommu": "warn"}}', '{"target": {"qemu": "eight"}}', '{"schema": {"enable": 1}}', '{"ignore": "g"}']) {
      assert.equal(validate(JSON.parse(bad)), false, bad);
      assert.equal(parseConfig(bad).ok, false, bad);
    }
  });
});

describe('sevlint CLI with .sevlintrc.json', () => {
  let dir = '';
  const cli = (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = run(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: dir });
    return { code, stdout, stderr };
  };
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeChecked(path.join(dir, rel), text);
  };
  const devices = fs.readFileSync(path.join(FIXTURES, 'domain-xml', 'sev-virtio-iommu', 'invalid-devices.xml'), 'utf8');
  const rulesOf = (stdout: string) => (JSON.parse(stdout) as { file: string; diagnostics: { ruleId: string; severity: string }[] }[]).map((r) => [r.file, r.diagnostics.map((d) => `${d.ruleId}:${d.severity}`).sort()]);

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-config-'));
    put('project/vms/deep/guest.xml', devices);
    put('project/generated/out.xml', devices);
    put('project/.sevlintrc.json', JSON.stringify({ rules: { 'sev-interface-rom': 'off' }, target: { qemu: '8.2' }, ignore: ['generated/'] }));
    put('other/guest.xml', devices);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('each file gets the nearest config above it; ignored files are skipped', () => {
    const r = cli('--format', 'json', '.');
    assert.equal(r.stderr, '');
    const byFile = new Map(rulesOf(r.stdout) as [string, string[]][]);
    assert.deepEqual([...byFile.keys()], ['other/guest.xml', 'project/vms/deep/guest.xml']);
    // No config above other/: the defaults.
    assert.ok(byFile.get('other/guest.xml')!.includes('sev-interface-rom:warning'));
    assert.ok(byFile.get('other/guest.xml')!.includes('sev-virtio-iommu:warning'));
    // project/.sevlintrc.json: sev-interface-rom off, QEMU 8.2 makes sev-virtio-iommu information.
    assert.ok(!byFile.get('project/vms/deep/guest.xml')!.some((x) => x.startsWith('sev-interface-rom')));
    assert.ok(byFile.get('project/vms/deep/guest.xml')!.every((x) => x === 'sev-virtio-iommu:information'));
  });

  it('a file named on the command line that a glob ignores is skipped with a note on stderr', () => {
    const r = cli('project/generated/out.xml');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, `sevlint: project/generated/out.xml is ignored by ${path.join(dir, 'project', CONFIG_FILE_NAME)} ("generated/")\n`);
  });

  it('the command line wins over the config file; --no-config reads none', () => {
    const q = cli('--format', 'json', '--qemu', '5.2', 'project/vms');
    assert.ok((rulesOf(q.stdout)[0]![1] as string[]).every((x) => x === 'sev-virtio-iommu:warning'));
    const none = cli('--format', 'json', '--no-config', 'project');
    assert.deepEqual(
      rulesOf(none.stdout).map((x) => x[0]),
      ['project/generated/out.xml', 'project/vms/deep/guest.xml'],
    );
  });

  it('--print-config FILE shows the effective config as JSON', () => {
    const r = cli('--print-config', 'project/vms/deep/guest.xml');
    assert.equal(r.code, 0);
    const c = JSON.parse(r.stdout) as Record<string, unknown> & { rules: Record<string, string> };
    assert.equal(c['file'], path.join(dir, 'project', 'vms', 'deep', 'guest.xml'));
    assert.equal(c['configFile'], path.join(dir, 'project', CONFIG_FILE_NAME));
    assert.equal(c['ignored'], false);
    assert.deepEqual(c['target'], { qemu: '8.2.0' });
    assert.deepEqual(c['schema'], { enable: true });
    assert.deepEqual(c['ignore'], ['generated/']);
    assert.equal(c.rules['sev-interface-rom'], 'off');
    assert.equal(c.rules['sev-virtio-iommu'], 'warning');
    assert.equal(Object.keys(c.rules).length, allRuleMetas.length);
    const ignored = JSON.parse(cli('--print-config', 'project/generated/out.xml', '--qemu', '6.0', '--no-schema').stdout) as Record<string, unknown>;
    assert.equal(ignored['ignored'], true);
    assert.equal(ignored['ignoredBy'], 'generated/');
    assert.deepEqual(ignored['target'], { qemu: '6.0.0' });
    assert.deepEqual(ignored['schema'], { enable: false });
    const outside = JSON.parse(cli('--print-config', 'other/guest.xml').stdout) as Record<string, unknown>;
    assert.equal(outside['configFile'], null);
    assert.equal(cli('--print-config', 'a.xml', 'b.xml').code, 2);
  });

  it('host.domainCapabilities are read relative to the config file', () => {
    put('hosted/.sevlintrc.json', JSON.stringify({ host: { domainCapabilities: ['caps/genoa.xml'] } }));
    put('hosted/caps/genoa.xml', fs.readFileSync(path.join(FIXTURES, 'host', 'domcaps', 'genoa-snp.xml'), 'utf8'));
    put('hosted/vms/guest.xml', devices);
    const c = JSON.parse(cli('--print-config', 'hosted/vms/guest.xml').stdout) as { host: { domainCapabilities: string[] } };
    assert.deepEqual(c.host.domainCapabilities, [path.join(dir, 'hosted', 'caps', 'genoa.xml')]);
    assert.equal(cli('hosted/vms').code, cli('--no-config', '--domcaps', 'hosted/caps/genoa.xml', 'hosted/vms').code);
    put('hosted/.sevlintrc.json', JSON.stringify({ host: { domainCapabilities: ['caps/missing.xml'] } }));
    const r = cli('hosted/vms');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^sevlint: .*hosted\/\.sevlintrc\.json: "host"\."domainCapabilities": caps\/missing\.xml: cannot read it: /);
    fs.rmSync(path.join(dir, 'hosted'), { recursive: true });
  });

  it('a malformed, unreadable or huge config file is one error naming it, exit 2', () => {
    const file = path.join(dir, 'bad', CONFIG_FILE_NAME);
    put('bad/guest.xml', devices);
    put('bad/.sevlintrc.json', '{"rules": {"sev-virtio-iommu": "off",}}');
    let r = cli('bad');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^sevlint: ${file.replace(/[.\\/]/g, '\\$&')}: not valid JSON: [^\\n]+\\n$`));
    put('bad/.sevlintrc.json', `{"ignore": ["${'x'.repeat(300 * 1024)}"]}`);
    r = cli('bad');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bytes is more than a config file may have \(262144\)\n$/);
    fs.rmSync(file);
    fs.mkdirSync(file);
    r = cli('bad');
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `sevlint: ${file}: a directory, not a regular file\n`);
    assert.equal(cli('--print-config', 'bad/guest.xml').code, 2);
    fs.rmSync(path.join(dir, 'bad'), { recursive: true });
  });
});
