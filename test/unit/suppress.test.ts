import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixAll, lint, type LintOptions } from '../../server/src/linter';
import type { Finding } from '../../server/src/rules/types';
import { disableForLineFix } from '../../server/src/suppress';
import { applyEdits } from '../../server/src/text-edit';
import { SEVLINT } from '../support/cli';

/** A SEV-SNP domain: sev-interface-rom on the interface line, sev-launch-security-yes-no and snp-policy-host-dependent-bits on the launchSecurity line. */
function domain(beforeInterface = '', beforeLaunchSecurity = '', after = ''): string {
  return [
    "<domain type='kvm'>",
    '  <name>g</name>',
    "  <memory unit='GiB'>4</memory>",
    '  <os>',
    "    <type arch='x86_64' machine='q35'>hvm</type>",
    "    <loader type='rom'>/usr/share/edk2/ovmf/OVMF.amdsev.fd</loader>",
    '  </os>',
    '  <devices>',
    ...(beforeInterface ? [beforeInterface] : []),
    "    <interface type='network'><source network='default'/><model type='virtio'/><driver iommu='on'/></interface>",
    "    <memballoon model='none'/>",
    '  </devices>',
    ...(beforeLaunchSecurity ? [beforeLaunchSecurity] : []),
    "  <launchSecurity type='sev-snp' kernelHashes='on'><policy>0x130000</policy></launchSecurity>",
    ...(after ? [after] : []),
    '</domain>',
    '',
  ].join('\n');
}

const ids = (text: string, options: LintOptions = {}) => lint(text, options).findings.map((f) => f.ruleId);
const brief = (f: Finding) => `${f.ruleId}:${f.messageId}${'rule' in f.data ? `:${f.data['rule']}` : ''}`;

describe('suppression comments in domain XML', () => {
  it('without any, the three findings', () => {
    assert.deepEqual(ids(domain()), ['sev-interface-rom', 'sev-launch-security-yes-no', 'snp-policy-host-dependent-bits']);
  });

  it('disable-next-line suppresses the named rules on the next line only', () => {
    assert.deepEqual(ids(domain('    <!-- sevlint-disable-next-line sev-interface-rom -->')), ['sev-launch-security-yes-no', 'snp-policy-host-dependent-bits']);
    assert.deepEqual(ids(domain('', '  <!--sevlint-disable-next-line snp-policy-host-dependent-bits,sev-launch-security-yes-no-->')), ['sev-interface-rom']);
    // Bare: every rule of that line.
    assert.deepEqual(ids(domain('', '  <!-- sevlint-disable-next-line -->')), ['sev-interface-rom']);
    // Two lines above is not the next line: the finding stays, and the comment is unused.
    const far = lint(domain('    <!-- sevlint-disable-next-line snp-policy-host-dependent-bits -->')).findings;
    assert.deepEqual(far.map(brief), ['xml-unused-suppression:unused:snp-policy-host-dependent-bits', 'sev-interface-rom:missing', 'sev-launch-security-yes-no:fixable', 'snp-policy-host-dependent-bits:singleSocket']);
    assert.equal(far[0]!.severity, 'information');
    assert.equal(far[0]!.message, 'sevlint-disable-next-line names snp-policy-host-dependent-bits, but snp-policy-host-dependent-bits reports nothing on the next line: the suppression is not needed.');
  });

  it('disable … enable: a region, per rule or for all', () => {
    // sev-launch-security-yes-no is enabled again before its finding: that part of the comment is unused.
    assert.deepEqual(lint(domain('    <!-- sevlint-disable sev-interface-rom sev-launch-security-yes-no -->', '  <!-- sevlint-enable sev-launch-security-yes-no -->')).findings.map(brief), [
      'xml-unused-suppression:unused:sev-launch-security-yes-no',
      'sev-launch-security-yes-no:fixable',
      'snp-policy-host-dependent-bits:singleSocket',
    ]);
    assert.deepEqual(ids(domain('    <!-- sevlint-disable -->', '  <!-- sevlint-enable -->')), ['sev-launch-security-yes-no', 'snp-policy-host-dependent-bits']);
    // Without an enable: to the end of the file.
    assert.deepEqual(ids(domain('', '  <!-- sevlint-disable snp-policy-host-dependent-bits -->')), ['sev-interface-rom', 'sev-launch-security-yes-no']);
  });

  it('reports unknown ids and unused suppressions, but not those of a rule turned off', () => {
    const text = domain('    <!-- sevlint-disable-next-line sev-interface-rom, kata-swiotlb, nope -->', '', '  <!-- sevlint-disable snp-smm -->');
    assert.deepEqual(lint(text).findings.map(brief), [
      'xml-unused-suppression:unknown:kata-swiotlb',
      'xml-unused-suppression:unknown:nope',
      'sev-launch-security-yes-no:fixable',
      'snp-policy-host-dependent-bits:singleSocket',
      'xml-unused-suppression:unused:snp-smm',
    ]);
    assert.deepEqual(ids(text, { rules: { 'snp-smm': 'off', 'xml-unused-suppression': 'warning' } }), ['xml-unused-suppression', 'xml-unused-suppression', 'sev-launch-security-yes-no', 'snp-policy-host-dependent-bits']);
    assert.deepEqual(ids(text, { rules: { 'xml-unused-suppression': 'off' } }), ['sev-launch-security-yes-no', 'snp-policy-host-dependent-bits']);
  });

  it('the fix of an unused suppression removes the rule from the list, or the comment with its line', () => {
    const text = domain('    <!-- sevlint-disable-next-line nope, sev-interface-rom -->', '  <!-- sevlint-disable-next-line snp-smm -->');
    const [unknown, unused] = lint(text).findings.filter((f) => f.ruleId === 'xml-unused-suppression');
    assert.equal(unknown!.fixes[0]!.title, 'Remove nope from this suppression');
    assert.ok(applyEdits(text, unknown!.fixes[0]!.edits).includes('    <!-- sevlint-disable-next-line sev-interface-rom -->\n'));
    assert.equal(unused!.fixes[0]!.title, 'Remove this suppression comment');
    assert.equal(applyEdits(text, unused!.fixes[0]!.edits), domain('    <!-- sevlint-disable-next-line nope, sev-interface-rom -->'));
    assert.ok(unknown!.fixes.every((f) => !f.preferred) && unused!.fixes.every((f) => !f.preferred), 'never applied unseen');
  });

  it('fix-all does not apply a suppressed finding\'s fix', () => {
    const text = domain('', '  <!-- sevlint-disable-next-line sev-launch-security-yes-no -->');
    assert.ok(fixAll(text).text.includes("kernelHashes='on'"));
  });

  it('a comment inside CDATA or an attribute is no directive', () => {
    const text = domain("    <description><![CDATA[ <!-- sevlint-disable-next-line sev-interface-rom --> ]]></description>");
    assert.ok(ids(text).includes('sev-interface-rom'));
  });
});

describe('"Disable RULE for this line"', () => {
  const finding = (text: string, ruleId: string): Finding => lint(text).findings.find((f) => f.ruleId === ruleId)!;

  it('adds a disable-next-line comment above, indented as the line; the finding goes, nothing else comes', () => {
    const text = domain();
    const fix = disableForLineFix(text, 'domain-xml', finding(text, 'sev-interface-rom'))!;
    assert.equal(fix.title, 'Disable sev-interface-rom for this line');
    assert.equal(fix.preferred, false);
    const after = applyEdits(text, fix.edits);
    assert.equal(after, domain('    <!-- sevlint-disable-next-line sev-interface-rom -->'));
    assert.deepEqual(ids(after), ['sev-launch-security-yes-no', 'snp-policy-host-dependent-bits']);
  });

  it('adds the rule to the disable-next-line comment already above', () => {
    const text = domain('', '  <!-- sevlint-disable-next-line sev-launch-security-yes-no -->');
    const fix = disableForLineFix(text, 'domain-xml', finding(text, 'snp-policy-host-dependent-bits'))!;
    const after = applyEdits(text, fix.edits);
    assert.equal(after, domain('', '  <!-- sevlint-disable-next-line sev-launch-security-yes-no, snp-policy-host-dependent-bits -->'));
    assert.deepEqual(ids(after), ['sev-interface-rom']);
  });

  it('keeps CRLF line ends', () => {
    const text = domain().replace(/\n/g, '\r\n');
    const after = applyEdits(text, disableForLineFix(text, 'domain-xml', finding(text, 'sev-interface-rom'))!.edits);
    assert.ok(after.includes('  <devices>\r\n    <!-- sevlint-disable-next-line sev-interface-rom -->\r\n    <interface'));
    assert.deepEqual(ids(after), ['sev-launch-security-yes-no', 'snp-policy-host-dependent-bits']);
  });

  it('offers none where a comment cannot go: inside a start tag, before the XML declaration', () => {
    const text = domain().replace("  <launchSecurity type='sev-snp' kernelHashes='on'>", "  <launchSecurity type='sev-snp'\n                  kernelHashes='on'>");
    assert.equal(disableForLineFix(text, 'domain-xml', finding(text, 'sev-launch-security-yes-no')), undefined);
    const oneLine = `<?xml version="1.0"?><domain type='kvm'><name>g</name><launchSecurity type='sev-snp' kernelHashes='on'><policy>0x30000</policy></launchSecurity></domain>\n`;
    assert.ok(ids(oneLine).includes('sev-launch-security-yes-no'));
    assert.equal(disableForLineFix(oneLine, 'domain-xml', finding(oneLine, 'sev-launch-security-yes-no')), undefined);
  });
});

const KATA = [
  '[hypervisor.qemu]',
  'path = "/opt/kata/bin/qemu-system-x86_64"',
  'kernel = "/opt/kata/share/kata-containers/vmlinuz-confidential.container"',
  'image = "/opt/kata/share/kata-containers/kata-containers-confidential.img"',
  'machine_type = "q35"',
  'confidential_guest = true',
  'sev_snp_guest = true',
  'snp_guest_policy = 0x30000',
  'firmware = "/opt/kata/share/ovmf/AMDSEV.fd"',
  'kernel_params = "console=hvc0"',
  'default_memory = 2048',
  'disable_image_nvdimm = true',
  'shared_fs = "none"',
  'block_device_driver = "virtio-scsi"',
  'disable_nesting_checks = true',
  '',
  '[runtime]',
  'static_sandbox_resource_mgmt = true',
  '',
].join('\n');
const kataOptions = { fileName: '/etc/kata-containers/configuration.toml' };

describe('suppression comments in Kata TOML', () => {
  it('the finding without a comment', () => {
    assert.deepEqual(ids(KATA, kataOptions), ['kata-swiotlb']);
  });

  it('# sevlint-disable-next-line RULE, with a description after --', () => {
    const text = KATA.replace('kernel_params', '# sevlint-disable-next-line kata-swiotlb -- the guest kernel sets it itself\nkernel_params');
    assert.deepEqual(ids(text, kataOptions), []);
    const unused = KATA.replace('machine_type', '# sevlint-disable-next-line kata-swiotlb, sev-q35-machine\nmachine_type');
    assert.deepEqual(lint(unused, kataOptions).findings.map(brief), ['toml-unused-suppression:unused:kata-swiotlb', 'toml-unused-suppression:unknown:sev-q35-machine', 'kata-swiotlb:missing']);
  });

  it('# sevlint-disable / # sevlint-enable', () => {
    assert.deepEqual(ids(`# sevlint-disable kata-swiotlb\n${KATA}`, kataOptions), []);
    // Enabled again before its line: the finding is back, and the disable suppressed nothing.
    assert.deepEqual(ids(`# sevlint-disable kata-swiotlb\n${KATA.replace('kernel_params', '# sevlint-enable kata-swiotlb\nkernel_params')}`, kataOptions), ['toml-unused-suppression', 'kata-swiotlb']);
  });

  it('a # inside a string is no comment', () => {
    const text = KATA.replace('machine_type = "q35"', 'machine_type = "q35" \nvalid_hypervisor_paths = ["# sevlint-disable kata-swiotlb"]');
    assert.ok(ids(text, kataOptions).includes('kata-swiotlb'));
  });

  it('"Disable RULE for this line" adds the comment, and none inside a multi-line string', () => {
    const f = lint(KATA, kataOptions).findings[0]!;
    const fix = disableForLineFix(KATA, 'kata-toml', f)!;
    const after = applyEdits(KATA, fix.edits);
    assert.ok(after.includes('# sevlint-disable-next-line kata-swiotlb\nkernel_params = "console=hvc0"'));
    assert.deepEqual(ids(after, kataOptions), []);
    // A finding on a line inside a multi-line string or array: a comment line there would be string content, or is no line of its own.
    const multi = KATA.replace('kernel_params = "console=hvc0"', 'kernel_params = """\nconsole=hvc0\nquiet"""\nvalid_hypervisor_paths = [\n  "/usr/bin/qemu",\n  "/x"]');
    const on = (s: string) => ({ ruleId: 'kata-swiotlb', span: { start: multi.indexOf(s), end: multi.indexOf(s) + s.length } });
    assert.equal(disableForLineFix(multi, 'kata-toml', on('quiet')), undefined);
    assert.equal(disableForLineFix(multi, 'kata-toml', on('"/x"')), undefined);
    assert.ok(disableForLineFix(multi, 'kata-toml', on('kernel_params')));
  });
});

describe('the command line honours suppressions', () => {
  it('sevlint FILE: the suppressed finding is not reported, an unused suppression is', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-suppress-'));
    try {
      const file = path.join(dir, 'guest.xml');
      fs.writeFileSync(file, domain('    <!-- sevlint-disable-next-line sev-interface-rom -->', '  <!-- sevlint-disable-next-line snp-smm -->'));
      const r = spawnSync(process.execPath, [SEVLINT, '--format', 'json', file], { encoding: 'utf8' });
      const out = JSON.parse(r.stdout) as { files?: { diagnostics: { code: string }[] }[] } | { code: string }[];
      const text = JSON.stringify(out);
      assert.ok(!text.includes('"sev-interface-rom"'), text);
      assert.ok(text.includes('xml-unused-suppression'), text);
      assert.ok(text.includes('sev-launch-security-yes-no'), text);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
