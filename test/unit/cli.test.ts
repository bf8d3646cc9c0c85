import type * as Sarif from 'sarif';
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../server/src/cli/main';
import { parseToml } from '../../server/src/toml/parse';
import { FIXTURES, ROOT } from '../support/fixtures';

/** One file of --format json. */
interface JsonReport {
  file: string;
  diagnostics: { ruleId: string; severity: string; message: string; range: unknown }[];
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let dir = '';
function cli(...args: string[]): Result {
  let stdout = '';
  let stderr = '';
  const code = run(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: dir });
  return { code, stdout, stderr };
}

function copy(fixture: string, name: string): string {
  fs.copyFileSync(path.join(FIXTURES, 'domain-xml', fixture), path.join(dir, name));
  return name;
}

describe('sevlint CLI', () => {
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-cli-'));
    fs.mkdirSync(path.join(dir, 'guests', 'nested'), { recursive: true });
    copy('sev-uefi-firmware/valid-efi.xml', 'guests/clean.xml');
    copy('sev-virtio-iommu/invalid-iommu-off.xml', 'guests/nested/warn.xml');
    copy('sev-uefi-firmware/invalid-bios.xml', 'error.xml');
    fs.writeFileSync(path.join(dir, 'guests', 'notes.md'), '# not a domain\n');
    fs.writeFileSync(path.join(dir, 'guests', 'caps.xml'), '<domainCapabilities/>\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('text: one line per finding and a summary; folders are searched, other files skipped', () => {
    const r = cli('guests');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines, [
      `guests/nested/warn.xml:22:38  warning  virtio disk 'vdb' has iommu='off'; libvirt then starts it with iommu_platform=false, which overrides the default QEMU 6.0 and later set for SEV guests, so the device cannot use the guest's shared (unencrypted) memory. Set iommu='on'.  sev-virtio-iommu`,
      '1 problem (0 errors, 1 warning, 0 info) in 2 files.',
    ]);
  });

  it('json: files with 0-based LSP ranges', () => {
    const r = cli('--format', 'json', 'guests/nested/warn.xml', 'guests/clean.xml');
    const out = JSON.parse(r.stdout) as { file: string; diagnostics: { ruleId: string; severity: string; message: string; range: unknown }[] }[];
    assert.deepEqual(out.map((f) => f.file), ['guests/nested/warn.xml', 'guests/clean.xml']);
    assert.deepEqual(out[1]!.diagnostics, []);
    const d = out[0]!.diagnostics[0]!;
    assert.equal(d.ruleId, 'sev-virtio-iommu');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.range, { start: { line: 21, character: 37 }, end: { line: 21, character: 48 } });
  });

  it('sarif: 2.1.0, the rules in the driver, 1-based regions', () => {
    const r = cli('--format', 'sarif', 'error.xml');
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout) as Sarif.Log;
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs.length, 1);
    const driver = sarif.runs[0]!.tool.driver;
    assert.equal(driver.name, 'sevlint');
    const rule = driver.rules?.find((x) => x.id === 'sev-uefi-firmware');
    assert.ok(rule?.shortDescription && rule.shortDescription.text.length > 0);
    assert.match(rule.helpUri ?? '', /docs\/rules\/sev-uefi-firmware\.md$/);
    const result = sarif.runs[0]!.results![0]!;
    assert.equal(result.ruleId, 'sev-uefi-firmware');
    assert.equal(result.level, 'error');
    assert.equal(driver.rules?.[result.ruleIndex!]?.id, 'sev-uefi-firmware');
    assert.match(result.message.text ?? '', /firmware='bios'/);
    assert.deepEqual(result.locations?.[0]?.physicalLocation, {
      artifactLocation: { uri: 'error.xml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 8, startColumn: 7, endLine: 8, endColumn: 22 },
    });
  });

  it('exit codes: errors 1, warnings over --max-warnings 1, --exit-zero 0', () => {
    assert.equal(cli('error.xml').code, 1);
    assert.equal(cli('guests').code, 0);
    assert.equal(cli('--max-warnings', '1', 'guests').code, 0);
    assert.equal(cli('--max-warnings', '0', 'guests').code, 1);
    assert.equal(cli('--exit-zero', 'error.xml').code, 0);
  });

  it("--qemu 6.0 lowers a missing iommu='on' to information, not an explicit iommu='off'", () => {
    copy('sev-virtio-iommu/invalid-qemu-6.xml', 'no-iommu.xml');
    const severities = (file: string) => (JSON.parse(cli('--qemu', '6.0', '--format', 'json', file).stdout) as JsonReport[])[0]!.diagnostics.filter((d) => d.ruleId === 'sev-virtio-iommu').map((d) => d.severity);
    assert.deepEqual([...new Set(severities('no-iommu.xml'))], ['information']);
    assert.deepEqual(severities('guests/nested/warn.xml'), ['warning']);
  });

  it('usage and I/O errors: exit 2 and one clear line', () => {
    const missing = cli('missing.xml');
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'sevlint: cannot read missing.xml: no such file or directory\n');
    assert.equal(missing.stdout, 'No problems in 0 files, 1 I/O error.\n');
    const cases: [string[], RegExp][] = [
      [['--format', 'xml', 'error.xml'], /^sevlint: unknown format 'xml'/],
      [['--bogus', 'error.xml'], /^sevlint: Unknown option '--bogus'/],
      [['--max-warnings', 'many', 'error.xml'], /^sevlint: --max-warnings needs a non-negative integer/],
      [['--qemu', 'latest', 'error.xml'], /^sevlint: --qemu needs a version/],
      [[], /^sevlint: no PATH given$/],
    ];
    for (const [args, pattern] of cases) {
      const r = cli(...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr.split('\n')[0]!, pattern);
      assert.ok(!r.stderr.includes('    at '), 'no stack trace');
    }
  });

  it('--fix applies the preferred fixes in place, keeps a BOM, and a second run changes nothing', () => {
    const src = fs.readFileSync(path.join(FIXTURES, 'domain-xml', 'sev-virtio-iommu', 'invalid-devices.xml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'fix.xml'), '\uFEFF' + src.replace(/\n/g, '\r\n'));
    const r = cli('--fix', 'fix.xml');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'fix.xml: rewritten, 10 fixes applied\nNo problems in 1 file, 10 fixes applied.\n');
    const fixed = fs.readFileSync(path.join(dir, 'fix.xml'), 'utf8');
    assert.ok(fixed.startsWith('\uFEFF<domain'));
    assert.ok(!/[^\r]\n/.test(fixed), 'CRLF kept');
    assert.equal((fixed.match(/iommu='on'/g) ?? []).length, 9);
    const again = cli('--fix', 'fix.xml');
    assert.match(again.stdout, /^No problems in 1 file, 0 fixes applied\.\n$/);
    assert.equal(fs.readFileSync(path.join(dir, 'fix.xml'), 'utf8'), fixed);
  });

  it('Kata: recognised by content and name, SARIF regions are exact, --fix leaves valid TOML and is idempotent', () => {
    const src = fs.readFileSync(path.join(FIXTURES, 'kata-toml', 'kata-type', 'invalid-quoted-literals.toml'), 'utf8');
    fs.mkdirSync(path.join(dir, 'kata'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'kata', 'runtime.toml'), src);
    fs.writeFileSync(path.join(dir, 'kata', 'configuration-empty.toml'), '# nothing yet\n');
    fs.writeFileSync(path.join(dir, 'kata', 'Cargo.toml'), '[package]\nname = "x"\n');
    const sarif = JSON.parse(cli('--format', 'sarif', 'kata').stdout) as Sarif.Log;
    const results = sarif.runs[0]!.results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: unknown } }[] }[];
    assert.deepEqual(
      results.map((r) => [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region]),
      [
        ['kata-type', 'kata/runtime.toml', { startLine: 9, startColumn: 22, endLine: 9, endColumn: 28 }],
        ['kata-type', 'kata/runtime.toml', { startLine: 15, startColumn: 18, endLine: 15, endColumn: 24 }],
      ],
    );
    assert.match(cli('kata').stdout, /in 2 files\.\n$/, 'configuration-empty.toml is linted by its name, Cargo.toml skipped');
    assert.equal(cli('--fix', 'kata').code, 0);
    const fixed = fs.readFileSync(path.join(dir, 'kata', 'runtime.toml'), 'utf8');
    assert.ok(parseToml(fixed).ok);
    assert.match(fixed, /^confidential_guest = true$/m);
    assert.match(fixed, /^# Confidential guest: SEV-SNP\.$/m, 'comments kept');
    cli('--fix', 'kata');
    assert.equal(fs.readFileSync(path.join(dir, 'kata', 'runtime.toml'), 'utf8'), fixed);
  });

  it('bin/sevlint runs as a program', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'sevlint'), 'error.xml'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^error\.xml:8:7 {2}error {2}<os firmware='bios'>/);
    const v = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'sevlint'), '--version'], { encoding: 'utf8' });
    assert.equal(v.trim(), (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});
