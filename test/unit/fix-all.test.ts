/**
 * Fix-all never leaves a finding at warning or above that its input did not
 * have: on every fixture, every example, the SEV and Kata files of
 * ../shared/corpus (when present), with the default severities and with every
 * rule raised to warning (so a new information finding counts too).
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixableCounts, fixAll, fixRule, lint, type LintOptions } from '../../server/src/linter';
import { allRuleMetas } from '../../server/src/rules/index';
import type { Finding } from '../../server/src/rules/types';
import { FIXTURES, ROOT, SHARED, fixtureOptions } from '../support/fixtures';

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.(xml|toml|toml\.in)$/.test(e.name) && !/\.fixed\./.test(e.name) ? [p] : [];
  });
}

/** `rule:message` of each finding at warning or above that `after` has beyond `before`. */
function added(before: readonly Finding[], after: readonly Finding[]): string[] {
  const count = (fs: readonly Finding[]) => {
    const m = new Map<string, number>();
    for (const f of fs) if (f.severity === 'error' || f.severity === 'warning') m.set(`${f.ruleId}:${f.messageId}`, (m.get(`${f.ruleId}:${f.messageId}`) ?? 0) + 1);
    return m;
  };
  const b = count(before);
  return [...count(after)].filter(([k, n]) => n > (b.get(k) ?? 0)).map(([k]) => k);
}

const ALL_WARNING: LintOptions['rules'] = Object.fromEntries(allRuleMetas.map((r) => [r.id, 'warning' as const]));

function check(file: string, options: LintOptions): void {
  const text = fs.readFileSync(file, 'utf8');
  for (const rules of [undefined, ALL_WARNING]) {
    const o = { ...options, ...(rules ? { rules } : {}) };
    const before = lint(text, o).findings;
    if (before.length === 0) continue;
    const result = fixAll(text, o);
    assert.deepEqual(added(before, result.findings), [], `${path.relative(ROOT, file)}${rules ? ' (every rule at warning)' : ''}`);
    assert.deepEqual(added(before, lint(result.text, o).findings), [], 'the findings returned are those of the text returned');
    assert.equal(fixAll(result.text, o).text, result.text, `${path.relative(ROOT, file)}: a second fix-all changes nothing`);
  }
}

describe('fix-all adds no finding at warning or above', () => {
  it('on every fixture and example', () => {
    const all = [...files(FIXTURES), ...files(path.join(ROOT, 'examples'))];
    assert.ok(all.length > 300);
    for (const f of all) check(f, f.startsWith(FIXTURES) ? fixtureOptions(f) : { fileName: f });
  });

  const corpus = path.join(SHARED, 'corpus');
  const skip = fs.existsSync(corpus) ? false : `no corpus at ${corpus}`;
  if (skip) console.log(`# NOTE fix-all corpus test skipped: ${skip}`);
  it('on the SEV domains and Kata configurations of the corpus', { skip }, () => {
    const sev = files(corpus).filter((f) => (f.endsWith('.xml') && /<launchSecurity\s+type=['"]sev/.test(fs.readFileSync(f, 'utf8'))) || /\.toml(\.in)?$/.test(f));
    assert.ok(sev.length >= 5, String(sev.length));
    for (const f of sev) check(f, { fileName: f });
  });
});

const snp = (attrs: string, inner = '') =>
  `<domain type='kvm'>\n  <name>g</name>\n  <memory unit='GiB'>4</memory>\n  <os>\n    <type arch='x86_64' machine='q35'>hvm</type>\n    <loader type='rom'>/usr/share/edk2/ovmf/OVMF.amdsev.fd</loader>\n  </os>\n  <launchSecurity type='sev-snp'${attrs}>\n    <policy>0x30000</policy>${inner}\n  </launchSecurity>\n</domain>\n`;

describe('fix-all withholds a fix that raises a finding', () => {
  it("authorKey='on' becomes 'yes' only where an <idAuth> goes with it", () => {
    const alone = fixAll(snp(" authorKey='on'"));
    assert.ok(alone.text.includes("authorKey='on'"));
    assert.deepEqual(
      alone.findings.map((f) => f.ruleId),
      ['sev-launch-security-yes-no'],
    );
    const auth = `\n    <idBlock>${'A'.repeat(128)}</idBlock>\n    <idAuth>${'A'.repeat(5464)}</idAuth>`;
    const paired = fixAll(snp(" authorKey='on'", auth));
    assert.ok(paired.text.includes("authorKey='yes'"));
  });

  it('a Kata SNP file copied by hand: confidential_guest is not set when it would raise kata-shared-fs', () => {
    const text = [
      '[hypervisor.qemu]',
      'path = "/usr/bin/qemu-system-x86_64"',
      'kernel = "/opt/kata/share/kata-containers/vmlinuz-confidential.container"',
      'image = "/opt/kata/share/kata-containers/kata-containers-confidential.img"',
      'machine_type = "q35"',
      'sev_snp_guest = true',
      'snp_guest_policy = 0x30000',
      'firmware = "/opt/kata/share/ovmf/AMDSEV.fd"',
      'shared_fs = "virtio-fs"',
      'virtio_fs_daemon = "/opt/kata/libexec/virtiofsd"',
      '',
    ].join('\n');
    const options = { fileName: 'configuration.toml' };
    const before = lint(text, options).findings;
    assert.ok(before.some((f) => f.ruleId === 'kata-snp-requires-confidential-guest'));
    const result = fixAll(text, options);
    assert.deepEqual(result.withheld, ['Set confidential_guest = true']);
    assert.deepEqual(added(before, result.findings), []);
    assert.ok(!result.text.includes('confidential_guest'));
  });
});

describe('fix all problems of one rule ("Fix all RULE problems in this file")', () => {
  const ids = (fs: readonly Finding[], id: string) => fs.filter((f) => f.ruleId === id).map((f) => `${f.messageId}@${f.span.start}`);

  it("applies that rule's preferred fixes only, and a second run changes nothing", () => {
    const file = path.join(FIXTURES, 'domain-xml', 'sev-interface-rom', 'invalid-interfaces.xml');
    const text = fs.readFileSync(file, 'utf8');
    const options = fixtureOptions(file);
    const before = lint(text, options).findings;
    assert.deepEqual(Object.fromEntries(fixableCounts(before)), { 'sev-interface-rom': 4, 'sev-virtio-iommu': 4 });
    const result = fixRule(text, 'sev-interface-rom', options);
    assert.equal(result.applied, 4);
    assert.equal(result.withheld, undefined);
    assert.deepEqual(ids(result.findings, 'sev-interface-rom'), []);
    // The other rule's findings are all still there (the ROM fixes add text before them, so only their number is compared).
    assert.equal(ids(result.findings, 'sev-virtio-iommu').length, 4);
    assert.ok(result.text.includes("<driver iommu='on'/>") && !/<interface type='user'>\s*<model type='virtio'\/>\s*<driver iommu/.test(result.text));
    assert.deepEqual(lint(result.text, options).findings, result.findings);
    assert.equal(fixRule(result.text, 'sev-interface-rom', options).text, result.text);
    // A rule without findings, or an unknown id, changes nothing.
    assert.equal(fixRule(text, 'sev-policy-missing', options).text, text);
    assert.equal(fixRule(text, 'no-such-rule', options).applied, 0);
  });

  it('withholds a fix of the rule that would raise a finding, as fix-all does', () => {
    const text = [
      '[hypervisor.qemu]',
      'path = "/usr/bin/qemu-system-x86_64"',
      'kernel = "/opt/kata/share/kata-containers/vmlinuz-confidential.container"',
      'image = "/opt/kata/share/kata-containers/kata-containers-confidential.img"',
      'machine_type = "q35"',
      'sev_snp_guest = true',
      'snp_guest_policy = 0x30000',
      'firmware = "/opt/kata/share/ovmf/AMDSEV.fd"',
      'shared_fs = "virtio-fs"',
      'virtio_fs_daemon = "/opt/kata/libexec/virtiofsd"',
      '',
    ].join('\n');
    const options = { fileName: 'configuration.toml' };
    const result = fixRule(text, 'kata-snp-requires-confidential-guest', options);
    assert.deepEqual(result.withheld, ['Set confidential_guest = true']);
    assert.equal(result.text, text);
    assert.deepEqual(added(lint(text, options).findings, result.findings), []);
  });

  it('adds no finding at warning or above, on every fixture with a rule of several fixable findings', () => {
    let cases = 0;
    for (const f of files(FIXTURES)) {
      const options = fixtureOptions(f);
      const text = fs.readFileSync(f, 'utf8');
      const before = lint(text, options).findings;
      for (const [ruleId, n] of fixableCounts(before)) {
        if (n < 2) continue;
        cases++;
        const result = fixRule(text, ruleId, options);
        const where = `${path.relative(ROOT, f)} ${ruleId}`;
        assert.deepEqual(added(before, result.findings), [], where);
        assert.ok(result.applied > 0 || (result.withheld?.length ?? 0) > 0, where);
        assert.equal(fixRule(result.text, ruleId, options).text, result.text, `${where}: a second run changes nothing`);
      }
    }
    assert.ok(cases >= 20, String(cases));
  });
});
