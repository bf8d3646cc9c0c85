/**
 * The rules about what fails after libvirt (in QEMU, KVM, the firmware or the
 * guest) say in their docs that libvirt accepts the domain: every fixture of
 * those rules, and every fixed output, is accepted by libvirt 11.3. Needs the
 * oracle built (../shared/libvirt-oracle/build.sh); skips otherwise.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, ROOT, listDir } from '../support/fixtures';
import { libvirtVerdicts, oracleMissing } from '../support/libvirt-oracle';

const missing = oracleMissing();
if (missing) console.log(`# NOTE libvirt oracle tests of runtime-failure rules skipped: ${missing}`);

/** Rules whose every finding is about a failure libvirt does not see. */
const RUNTIME_RULES = ['sev-hostdev-passthrough', 'snp-memory-backing', 'sev-attestation-nvram', 'sev-interface-boot-order', 'sev-es-reboot'];
/** Single fixtures of rules that also report what libvirt refuses. */
const RUNTIME_FIXTURES = [
  'sev-platform-value-format/invalid-host-value.xml',
  'snp-base64-blob/invalid-sev-dhcert-path.xml',
  'snp-base64-blob/invalid-sev-session-charset.xml',
  'snp-base64-blob/valid-sev-wrapped-base64.xml',
  'sev-uefi-firmware/invalid-attested-no-firmware.xml',
  'sev-uefi-firmware/invalid-attested-no-firmware.fixed.xml',
  'snp-policy-required-bits/invalid-smt-clear.xml',
];

describe('libvirt 11.3 accepts what fails only later', { skip: missing ?? false }, () => {
  it('every fixture of the runtime-failure rules, fixed outputs included', () => {
    const dir = path.join(FIXTURES, 'domain-xml');
    const inputs = [
      ...RUNTIME_RULES.flatMap((rule) => listDir(path.join(dir, rule)).filter((f) => f.endsWith('.xml')).map((f) => path.join(dir, rule, f))),
      ...RUNTIME_FIXTURES.map((f) => path.join(dir, f)),
    ];
    for (const f of inputs) assert.ok(fs.existsSync(f), f);
    assert.ok(inputs.length >= 25, `${inputs.length} fixtures`);
    const verdicts = libvirtVerdicts(inputs);
    const rejected = inputs.filter((f) => !verdicts.get(path.resolve(f))!.accepted).map((f) => `${path.relative(ROOT, f)}: ${verdicts.get(path.resolve(f))!.error}`);
    assert.deepEqual(rejected, []);
  });
});
