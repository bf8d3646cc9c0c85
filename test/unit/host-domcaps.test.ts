/**
 * Host capabilities: the parser over real `virsh domcapabilities` outputs
 * (libvirt's own test data in ../shared, skipped with a note when absent) and
 * over the cut-down variants in test/fixtures/host/domcaps; matching a domain
 * to its capabilities; the capacity count over several guests; `--domcaps` in
 * the CLI (text, SARIF, exit status, the file named in every host message).
 */
import type * as Sarif from 'sarif';
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../server/src/cli/main';
import { capacityFindings } from '../../server/src/host/capacity';
import { machineFamily, parseDomainCapabilities, selectCapabilities, type DomainCapabilities } from '../../server/src/host/domcaps';
import { launchChoices, launchChoicesFor } from '../../server/src/host/launch-choices';
import { lint } from '../../server/src/linter';
import { DOMCAPS, FIXTURES, SHARED, domcapsFixture } from '../support/fixtures';

const REAL = path.join(SHARED, 'corpus', 'libvirt-tests', 'domaincapsdata');
const realMissing = fs.existsSync(REAL) ? undefined : `${REAL} is absent`;
if (realMissing) console.log(`# NOTE real domain capabilities tests skipped: ${realMissing}`);

function caps(name: string): DomainCapabilities {
  const p = parseDomainCapabilities(domcapsFixture(name));
  assert.ok(p.ok, name);
  return p.caps;
}

function fixture(rule: string, name: string): string {
  return fs.readFileSync(path.join(FIXTURES, 'domain-xml', rule, name), 'utf8');
}

/** The host- findings of a domain against these capabilities, as `ruleId:messageId`. */
function hostFindings(text: string, ...names: string[]): string[] {
  const domainCapabilities = names.map(domcapsFixture);
  return lint(text, { domainCapabilities })
    .findings.filter((f) => f.ruleId.startsWith('host-'))
    .map((f) => `${f.ruleId}:${f.messageId}`);
}

describe('domain capabilities: real virsh domcapabilities outputs', { skip: realMissing ?? false }, () => {
  const files = realMissing ? [] : fs.readdirSync(REAL).filter((f) => f.endsWith('.xml')).sort();

  it('reads all 53, and the +amdsev ones report SEV, SEV-ES and SEV-SNP with C-bit 51', () => {
    assert.equal(files.length, 53);
    const amdsev = files.filter((f) => f.includes('+amdsev'));
    assert.equal(amdsev.length, 6);
    for (const f of files) {
      const p = parseDomainCapabilities({ name: f, text: fs.readFileSync(path.join(REAL, f), 'utf8') });
      assert.ok(p.ok, `${f}: ${p.ok ? '' : p.reason}`);
      const c = p.caps;
      assert.equal(c.arch, 'x86_64', f);
      if (f.includes('+amdsev')) {
        assert.deepEqual(
          { supported: c.sev?.supported, cbitpos: c.sev?.cbitpos, reducedPhysBits: c.sev?.reducedPhysBits, maxGuests: c.sev?.maxGuests, maxESGuests: c.sev?.maxESGuests, sectypes: c.sectypes },
          { supported: true, cbitpos: 51, reducedPhysBits: 1, maxGuests: 59, maxESGuests: 450, sectypes: ['sev', 'sev-snp'] },
          f,
        );
      } else {
        assert.equal(c.sev?.supported, false, f);
        assert.deepEqual(c.sectypes, [], f);
      }
      if (f.startsWith('qemu_')) {
        assert.deepEqual(c.loaders, ['/obviously/fake/firmware1.fd', '/obviously/fake/firmware2.fd'], f);
        assert.deepEqual(c.firmware, ['bios', 'efi'], f);
        assert.equal(machineFamily(c.machine), f.includes('-q35') ? 'q35' : 'i440fx', f);
      }
    }
  });

  it('an SNP domain: refused by every capability set without SEV; on the +amdsev ones its C-bit is wrong and its loader not theirs', () => {
    const snp = fixture('host-sev-platform', 'invalid-cbitpos-47-on-genoa.xml');
    for (const f of files.filter((x) => x.startsWith('qemu_'))) {
      const found = lint(snp, { domainCapabilities: [{ name: f, text: fs.readFileSync(path.join(REAL, f), 'utf8') }] }).findings.filter((x) => x.ruleId.startsWith('host-'));
      const ids = found.filter((x) => x.ruleId !== 'host-machine').map((x) => `${x.ruleId}:${x.messageId}`);
      if (f.includes('+amdsev')) assert.deepEqual(ids, ['host-firmware:loader', 'host-sev-platform:cbitpos'], f);
      else assert.deepEqual(ids, ['host-sev-unsupported:noSev'], f);
      assert.ok(found.every((x) => x.message.includes(f)), `${f}: every host message names the file`);
      assert.equal(found.some((x) => x.ruleId === 'host-machine'), !f.includes('-q35'), `${f}: the q35 domain against ${f}`);
    }
  });
});

describe('the SEV domains of ../shared/corpus against real capabilities', { skip: realMissing ?? false }, () => {
  it('lint without error; the +amdsev host offers their type; every host message names the file', () => {
    const corpus = path.join(SHARED, 'corpus');
    const domains = ['libvirt', 'virt-manager']
      .flatMap((d) => (fs.existsSync(path.join(corpus, d)) ? fs.readdirSync(path.join(corpus, d)).map((f) => path.join(corpus, d, f)) : []))
      .filter((f) => f.endsWith('.xml') && /<launchSecurity\b/.test(fs.readFileSync(f, 'utf8')) && /<domain[\s>]/.test(fs.readFileSync(f, 'utf8')));
    assert.ok(domains.length >= 5, `${domains.length} SEV domains`);
    const name = 'qemu_10.0.0-q35.x86_64+amdsev.xml';
    const caps = [{ name, text: fs.readFileSync(path.join(REAL, name), 'utf8') }];
    for (const f of domains) {
      const found = lint(fs.readFileSync(f, 'utf8'), { domainCapabilities: caps }).findings.filter((x) => x.ruleId.startsWith('host-'));
      assert.ok(!found.some((x) => x.ruleId === 'host-sev-unsupported' || x.ruleId === 'host-capabilities'), `${path.basename(f)}: ${found.map((x) => x.message).join(' | ')}`);
      assert.ok(found.every((x) => x.message.includes(name)), path.basename(f));
    }
  });
});

describe('domain capabilities: fixtures', () => {
  it('reads the variants: no SNP, maxESGuests 0, C-bit 47, libvirt without <launchSecurity>', () => {
    const rome = caps('rome-sev-only.xml');
    assert.deepEqual([rome.sev?.cbitpos, rome.sev?.maxESGuests, rome.sectypes, rome.sectypesListed], [47, 0, ['sev'], true]);
    const old = caps('rome-old-libvirt.xml');
    assert.deepEqual([old.sev?.maxGuests, old.sev?.maxESGuests, old.sectypes, old.sectypesListed], [undefined, undefined, ['sev'], false]);
    const none = caps('no-sev.xml');
    assert.deepEqual([none.sev?.supported, none.sectypes], [false, []]);
  });

  it('names what is wrong with a file that is not capabilities', () => {
    const bad = parseDomainCapabilities(domcapsFixture('malformed.xml'));
    assert.deepEqual(bad, { ok: false, name: 'malformed.xml', reason: 'it is not well-formed XML (Opening and ending tag mismatch: sev line 4 and features.)' });
    const domain = parseDomainCapabilities({ name: 'guest.xml', text: '<domain type="kvm"/>' });
    assert.equal(domain.ok ? '' : domain.reason, 'its root element is <domain>, not <domainCapabilities> (the output of virsh domcapabilities)');
  });

  it('matches a domain to its capabilities by virttype, arch, machine and emulator', () => {
    const q35 = caps('genoa-snp.xml');
    const pc = caps('genoa-snp-i440fx.xml');
    const target = { virtType: 'kvm', arch: 'x86_64', emulator: '/usr/bin/qemu-system-x86_64' };
    assert.equal(selectCapabilities([q35, pc], { ...target, machine: 'q35' }), q35);
    assert.equal(selectCapabilities([q35, pc], { ...target, machine: 'pc' }), pc);
    assert.equal(selectCapabilities([pc, q35], { ...target, machine: 'pc-q35-8.2' }), q35);
    assert.equal(selectCapabilities([q35, pc], { ...target, machine: undefined }), q35, 'an unstated machine matches any');
    assert.equal(selectCapabilities([q35, pc], { ...target, machine: 'q35', virtType: 'qemu' }), undefined);
    assert.equal(selectCapabilities([q35, pc], { ...target, machine: 'q35', emulator: '/usr/libexec/qemu-kvm' }), undefined);
    assert.equal(selectCapabilities([q35], { ...target, machine: 'pc', emulator: '/usr/libexec/qemu-kvm' }), q35, 'one file applies to all');
  });

  it('without capabilities no host rule runs, and sev-cbitpos-host guesses', () => {
    const snp47 = fixture('host-sev-platform', 'invalid-cbitpos-47-on-genoa.xml');
    const plain = lint(snp47).findings.map((f) => f.ruleId);
    assert.ok(plain.includes('sev-cbitpos-host'));
    assert.ok(!plain.some((id) => id.startsWith('host-')));
    const withHost = lint(snp47, { domainCapabilities: [domcapsFixture('genoa-snp.xml')] }).findings.map((f) => f.ruleId);
    assert.ok(withHost.includes('host-sev-platform'));
    assert.ok(!withHost.includes('sev-cbitpos-host'), 'the host rule supersedes the guess');
  });

  it('each domain gets the findings of its own host', () => {
    const es = fixture('host-sev-es-unavailable', 'invalid-zero.xml');
    assert.deepEqual(hostFindings(es, 'rome-sev-only.xml'), ['host-sev-es-unavailable:zero']);
    assert.deepEqual(hostFindings(es, 'genoa-snp.xml'), []);
    assert.deepEqual(hostFindings(es, 'no-sev.xml'), ['host-sev-unsupported:noSev']);
    assert.deepEqual(hostFindings(es, 'genoa-es-only.xml'), []);
  });
});

describe('Insert SEV launchSecurity on a known host', () => {
  it('offers the kinds the host can start, SEV-ES first when it has ES slots, and its platform values', () => {
    const shown = (name: string) => {
      const c = launchChoices(caps(name));
      return [c.kinds, c.cbitpos, c.reducedPhysBits];
    };
    assert.deepEqual(shown('genoa-snp.xml'), [['sev-es', 'sev', 'sev-snp'], 51, 1]);
    assert.deepEqual(shown('rome-sev-only.xml'), [['sev'], 47, 1]);
    assert.deepEqual(shown('rome-old-libvirt.xml'), [['sev'], 47, 1]);
    assert.deepEqual(shown('genoa-es-only.xml'), [['sev-es', 'sev-snp'], 51, 1]);
    assert.deepEqual(shown('no-sev.xml'), [[], undefined, undefined]);
  });

  it('picks the capabilities by the document, as the host rules do', () => {
    const two = [domcapsFixture('genoa-snp.xml'), domcapsFixture('rome-sev-only.xml')];
    assert.equal(launchChoicesFor(fixture('host-machine', 'valid-q35-other-version.xml'), two)?.source, 'genoa-snp.xml');
    assert.equal(launchChoicesFor('<domain type="kvm"><name>x</name></domain>', [domcapsFixture('rome-sev-only.xml')])?.source, 'rome-sev-only.xml');
    assert.equal(launchChoicesFor('<domain', []), undefined);
  });
});

describe('host capacity over several guests', () => {
  const snp = fixture('host-sev-platform', 'valid-left-to-libvirt.xml');
  const sev = fixture('host-sev-es-unavailable', 'valid-plain-rome.xml');
  const es = fixture('host-sev-es-unavailable', 'valid-es-genoa.xml');

  it('counts SEV-ES and SEV-SNP guests together against maxESGuests, one finding per extra guest', () => {
    const options = { domainCapabilities: [domcapsFixture('genoa-es-only.xml')] };
    const found = capacityFindings([snp, es, '<domain/>', snp, es], options);
    assert.deepEqual(
      found.map((fs) => fs.map((f) => [f.ruleId, f.messageId, f.data])),
      [
        [],
        [],
        [],
        [['host-sev-capacity', 'over', { label: 'SEV-ES or SEV-SNP', index: 3, count: 4, caps: 'genoa-es-only.xml', element: 'maxESGuests', slots: 2 }]],
        [['host-sev-capacity', 'over', { label: 'SEV-ES or SEV-SNP', index: 4, count: 4, caps: 'genoa-es-only.xml', element: 'maxESGuests', slots: 2 }]],
      ],
    );
    assert.equal(found[3]![0]!.span.start, snp.indexOf('<launchSecurity'));
    assert.deepEqual(capacityFindings([snp, snp, snp], { ...options, rules: { 'host-sev-capacity': 'off' } }), [[], [], []]);
    assert.deepEqual(capacityFindings([snp, snp, snp], {}), [[], [], []]);
  });

  it('a host with room for all gives nothing', () => {
    const options = { domainCapabilities: [domcapsFixture('rome-sev-only.xml')] };
    assert.deepEqual(capacityFindings([sev, sev, sev], options), [[], [], []]);
  });
});

describe('sevlint --domcaps', () => {
  let dir = '';
  function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
    let stdout = '';
    let stderr = '';
    const code = run(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: dir });
    return { code, stdout, stderr };
  }
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-domcaps-'));
    fs.mkdirSync(path.join(dir, 'guests'));
    for (const f of fs.readdirSync(DOMCAPS)) fs.copyFileSync(path.join(DOMCAPS, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'guests', 'a.xml'), fixture('host-sev-platform', 'valid-left-to-libvirt.xml'));
    fs.writeFileSync(path.join(dir, 'guests', 'b.xml'), fixture('host-sev-es-unavailable', 'valid-es-genoa.xml'));
    fs.writeFileSync(path.join(dir, 'guests', 'c.xml'), fixture('host-sev-platform', 'valid-left-to-libvirt.xml'));
    fs.writeFileSync(path.join(dir, 'snp47.xml'), fixture('host-sev-platform', 'invalid-cbitpos-47-on-genoa.xml'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reports the mismatch at the element, with the host value and the file', () => {
    const r = cli('--domcaps', 'genoa-snp.xml', 'snp47.xml');
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      "snp47.xml:26:5  error  cbitpos 47 is not this host's C-bit: the host capabilities (genoa-snp.xml) report 51. QEMU refuses to start the guest: cbitpos check failed, host '51' requested '47'.  host-sev-platform\n" +
        '1 problem (1 error, 0 warnings, 0 info) in 1 file.\n',
    );
  });

  it('without --domcaps nothing changes', () => {
    const r = cli('snp47.xml');
    assert.match(r.stdout, /sev-cbitpos-host/);
    assert.doesNotMatch(r.stdout, /host-/);
  });

  it('SARIF marks host findings and names the capabilities', () => {
    const sarif = JSON.parse(cli('--format', 'sarif', '--domcaps', 'genoa-snp.xml', 'snp47.xml').stdout) as Sarif.Log;
    const results = sarif.runs[0]!.results!;
    const host = results.filter((x) => x.ruleId!.startsWith('host-'));
    assert.equal(host.length, 1);
    assert.deepEqual(host[0]!.properties, { sevlintHost: true, hostCapabilities: 'genoa-snp.xml' });
    assert.ok(results.filter((x) => !x.ruleId!.startsWith('host-')).every((x) => x.properties === undefined));
  });

  it('counts the guests of a folder against the host', () => {
    const r = cli('--format', 'json', '--domcaps', 'genoa-es-only.xml', 'guests');
    const out = JSON.parse(r.stdout) as { file: string; diagnostics: { ruleId: string; message: string }[] }[];
    const capacity = out.map((f) => [f.file, f.diagnostics.filter((d) => d.ruleId === 'host-sev-capacity').map((d) => d.message)]);
    assert.deepEqual(capacity, [
      ['guests/a.xml', []],
      ['guests/b.xml', []],
      [
        'guests/c.xml',
        [
          'This is SEV-ES or SEV-SNP guest 3 of 3 linted against the host capabilities (genoa-es-only.xml), which report <maxESGuests>2</maxESGuests>: only 2 can run at once, so this one cannot start while the others run.',
        ],
      ],
    ]);
    assert.equal(r.code, 1);
  });

  it('--fix sets the host C-bit', () => {
    fs.copyFileSync(path.join(dir, 'snp47.xml'), path.join(dir, 'fix.xml'));
    const r = cli('--fix', '--domcaps', 'genoa-snp.xml', 'fix.xml');
    assert.equal(r.code, 0, r.stdout);
    assert.match(fs.readFileSync(path.join(dir, 'fix.xml'), 'utf8'), /<cbitpos>51<\/cbitpos>/);
  });

  it('a capabilities file that cannot be used is a usage error naming it', () => {
    const missing = cli('--domcaps', 'nope.xml', 'snp47.xml');
    assert.deepEqual([missing.code, missing.stdout, missing.stderr], [2, '', "sevlint: --domcaps nope.xml: cannot read it: no such file or directory\nTry 'sevlint --help'.\n"]);
    const folder = cli('--domcaps', 'guests', 'snp47.xml');
    assert.deepEqual([folder.code, folder.stderr.split('\n')[0]], [2, 'sevlint: --domcaps guests: a directory, not a regular file']);
    const bad = cli('--domcaps', 'malformed.xml', 'snp47.xml');
    assert.deepEqual([bad.code, bad.stderr.split('\n')[0]], [2, 'sevlint: --domcaps malformed.xml: it is not well-formed XML (Opening and ending tag mismatch: sev line 4 and features.)']);
  });
});
