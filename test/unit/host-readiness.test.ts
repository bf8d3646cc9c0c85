/**
 * `sevlint host`: the verdict for the captured trees of test/fixtures/host/trees
 * (an EPYC Milan SNP host, a Rome host with SEV only, an Intel host), the text
 * and JSON reports, the exit status, and the pieces it reads (memlock, QEMU's
 * version, firmware descriptors).
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from '../../server/src/cli/main';
import { memlockLimit, qemuVersion, readDescriptor, type HostReport } from '../../server/src/host/readiness';
import { SEVLINT } from '../support/cli';
import { FIXTURES, SHARED } from '../support/fixtures';

const TREES = path.join(FIXTURES, 'host', 'trees');

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = run(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: TREES });
  return { code, stdout, stderr };
}

function report(tree: string): { code: number; report: HostReport } {
  const r = cli('host', '--root', tree, '--format', 'json');
  assert.equal(r.stderr, '');
  return { code: r.code, report: JSON.parse(r.stdout) as HostReport };
}

function verdicts(r: HostReport): Record<string, boolean> {
  return Object.fromEntries(r.guests.map((g) => [`${g.stack} ${g.type}`, g.usable]));
}

function statuses(r: HostReport): Record<string, string> {
  return Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
}

describe('sevlint host --root', () => {
  it('Milan with SEV-SNP: every guest type, exit 0', () => {
    const { code, report: r } = report('milan-snp');
    assert.equal(code, 0);
    assert.deepEqual(statuses(r), { cpu: 'ok', 'kvm-amd': 'ok', 'dev-sev': 'ok', memlock: 'ok', qemu: 'ok', domcaps: 'ok', firmware: 'ok' });
    assert.deepEqual(verdicts(r), { 'libvirt SEV': true, 'libvirt SEV-ES': true, 'libvirt SEV-SNP': true, 'Kata SEV': true, 'Kata SEV-SNP': true });
    assert.equal(r.root, 'milan-snp');
    assert.equal(r.live, false);
  });

  it('Rome with SEV only: SEV yes, SEV-ES and SNP no, each with its reasons; exit 0', () => {
    const { code, report: r } = report('rome-sev');
    assert.equal(code, 0);
    assert.deepEqual(statuses(r), { cpu: 'ok', 'kvm-amd': 'ok', 'dev-sev': 'ok', memlock: 'warn', qemu: 'ok', domcaps: 'ok', firmware: 'ok' });
    assert.deepEqual(verdicts(r), { 'libvirt SEV': true, 'libvirt SEV-ES': false, 'libvirt SEV-SNP': false, 'Kata SEV': true, 'Kata SEV-SNP': false });
    const es = r.guests.find((g) => g.stack === 'libvirt' && g.type === 'SEV-ES')!;
    assert.equal(es.reason, 'kvm_amd sev_es is off; libvirt reports no SEV-ES slots (maxESGuests); no firmware descriptor with amd-sev-es');
  });

  it('an Intel host: says so, exit 1, no stack trace', () => {
    const { code, report: r } = report('no-sev');
    assert.equal(code, 1);
    assert.equal(r.usable, false);
    assert.ok(Object.values(verdicts(r)).every((v) => !v));
    const text = cli('host', '--root', 'no-sev');
    assert.equal(text.code, 1);
    assert.equal(text.stderr, '');
    assert.match(text.stdout, /^✗ CPU: Intel\(R\) Xeon\(R\) Gold 6338 CPU @ 2\.00GHz: not an AMD CPU; SEV needs AMD EPYC$/m);
    assert.match(text.stdout, /This host cannot start SEV guests\.\n$/);
  });

  it('the text report: one line per check with its docs link, then the guest types', () => {
    const r = cli('host', '--root', 'rome-sev');
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'sevlint host: captured tree rome-sev');
    assert.equal(lines[1], '✓ CPU: AMD EPYC 7502P 32-Core Processor: flags sev, sev_es; no sev_snp');
    assert.equal(lines[2], '    https://github.com/sevlint/sevlint/blob/main/docs/host.md#cpu');
    assert.ok(lines.includes('✓ QEMU: 8.2.2: supports SEV, SEV-ES (SEV-SNP needs 9.1)'));
    assert.ok(lines.includes('✓ libvirt SEV'));
    assert.ok(lines.includes('This host can start: libvirt SEV, Kata SEV.'));
  });

  it('every docs link points at a section of docs/host.md', () => {
    const md = fs.readFileSync(path.join(TREES, '..', '..', '..', '..', 'docs', 'host.md'), 'utf8');
    for (const c of report('milan-snp').report.checks) assert.ok(md.includes(`\n## ${c.docs.split('#')[1]}\n`), c.docs);
  });

  it('usage errors exit 2', () => {
    assert.equal(cli('host', '--root', 'nowhere').code, 2);
    assert.equal(cli('host', '--format', 'sarif').code, 2);
    assert.equal(cli('host', 'extra').code, 2);
    assert.match(cli('host', '--help').stdout, /^Usage: sevlint host/);
  });
});

describe('sevlint host on this machine', () => {
  it('answers as a process: a verdict, exit 0 or 1 as the report says, nothing on stderr', () => {
    const r = spawnSync(process.execPath, [SEVLINT, 'host', '--format', 'json'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.stderr, '');
    const report = JSON.parse(r.stdout) as HostReport;
    assert.equal(report.live, true);
    assert.equal(r.status, report.usable ? 0 : 1);
    let cpuinfo = '';
    try {
      cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      // no /proc: the report says it cannot read it
    }
    // Without the sev CPU flag no guest type can start, and the report says why.
    if (!/^flags\s*:.*\bsev\b/m.test(cpuinfo)) {
      assert.equal(r.status, 1);
      assert.equal(report.checks.find((c) => c.id === 'cpu')?.status, 'fail');
      const text = spawnSync(process.execPath, [SEVLINT, 'host'], { encoding: 'utf8', timeout: 60_000 });
      assert.deepEqual([text.status, text.stderr], [1, '']);
      assert.match(text.stdout, /This host cannot start SEV guests\.\n$/);
    }
  });
});

describe('host readiness pieces', () => {
  it('memlock from /proc/self/limits', () => {
    assert.equal(memlockLimit('Max locked memory         8388608              8388608              bytes\n'), 8388608);
    assert.equal(memlockLimit('Max locked memory         unlimited            unlimited            bytes\n'), Infinity);
    assert.equal(memlockLimit('Max open files 1024 1024 files\n'), undefined);
  });

  it("QEMU's --version", () => {
    assert.deepEqual(qemuVersion('QEMU emulator version 8.2.2 (Debian 1:8.2.2+ds-0ubuntu1)\n'), [8, 2, 2]);
    assert.deepEqual(qemuVersion('QEMU emulator version 10.0.0\n'), [10, 0, 0]);
    assert.equal(qemuVersion('something else'), undefined);
  });

  const corpus = path.join(SHARED, 'corpus', 'qemu-firmware');
  it('firmware descriptors of the corpus: features and mapping', { skip: fs.existsSync(corpus) ? false : `${corpus} is absent` }, () => {
    const read = (f: string) => readDescriptor({ name: f, text: fs.readFileSync(path.join(corpus, f), 'utf8') });
    assert.deepEqual(read('libvirt-test-60-edk2-ovmf-x64-amdsev.json'), {
      name: 'libvirt-test-60-edk2-ovmf-x64-amdsev.json',
      executable: '/usr/share/edk2/ovmf/OVMF.amdsev.fd',
      mapping: 'stateless',
      features: ['amd-sev', 'amd-sev-es', 'amd-sev-snp', 'verbose-dynamic'],
    });
    assert.equal(read('debian-trixie-ovmf-60-edk2-x86_64.json')?.mapping, 'split');
    assert.equal(readDescriptor({ name: 'x.json', text: '{' }), undefined);
  });
});
