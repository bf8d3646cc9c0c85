/**
 * The host rules against libvirt 11.3 itself: where a host rule quotes
 * libvirt, libvirt on such a host (the oracle's capability sets, with
 * capabilities or firmware removed) rejects the domain with that message;
 * where it says QEMU refuses and libvirt does not, libvirt accepts it. Needs the
 * oracle (../shared/libvirt-oracle); skips with a note otherwise.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lint } from '../../server/src/linter';
import { FIXTURES, fixtureOptions } from '../support/fixtures';
import { libvirtVerdicts, oracleMissing } from '../support/libvirt-oracle';

const missing = oracleMissing();
if (missing) console.log(`# NOTE host rules vs libvirt oracle skipped: ${missing}`);

const fixture = (rule: string, name: string): string => path.join(FIXTURES, 'domain-xml', rule, name);

/** libvirt's error on that host, and the message of the host finding of `rule`. */
function both(file: string, rule: string, args: string[]): { libvirt: string | null; accepted: boolean; message: string } {
  const v = libvirtVerdicts([file], args).get(path.resolve(file))!;
  const f = lint(fs.readFileSync(file, 'utf8'), fixtureOptions(file)).findings.find((x) => x.ruleId === rule);
  assert.ok(f, `${rule} fires on ${path.basename(file)}`);
  return { libvirt: v.error, accepted: v.accepted, message: f.message };
}

describe('host rules and libvirt 11.3', { skip: missing ?? false }, () => {
  let empty = '';
  before(() => (empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-nofw-'))));
  after(() => fs.rmSync(empty, { recursive: true, force: true }));

  it("host-sev-unsupported quotes libvirt on a host without SEV, and on one without SEV-SNP", () => {
    const noSev = both(fixture('host-sev-unsupported', 'invalid-no-sev.xml'), 'host-sev-unsupported', ['--variant', '']);
    assert.equal(noSev.libvirt, "unsupported configuration: 'sev' launch security is not supported with this QEMU binary");
    assert.ok(noSev.message.includes("'sev' launch security is not supported with this QEMU binary"), noSev.message);
    const noSnp = both(fixture('host-sev-unsupported', 'invalid-snp-on-rome.xml'), 'host-sev-unsupported', ['--caps-del', 'SEV_SNP_GUEST']);
    assert.equal(noSnp.libvirt, "unsupported configuration: 'sev-snp' launch security is not supported with this QEMU binary");
    assert.ok(noSnp.message.includes("'sev-snp' launch security is not supported with this QEMU binary"), noSnp.message);
  });

  it("host-firmware quotes libvirt when the host has no UEFI firmware for firmware='efi'", () => {
    const r = both(fixture('host-firmware', 'invalid-no-efi.xml'), 'host-firmware', ['--firmware-dir', empty]);
    assert.equal(r.libvirt, "operation failed: Unable to find 'efi' firmware that is compatible with the current configuration");
    assert.ok(r.message.includes("Unable to find 'efi' firmware that is compatible with the current configuration"), r.message);
  });

  it('host-sev-platform and host-sev-es-unavailable are QEMU errors: libvirt accepts those domains', () => {
    for (const [rule, name] of [
      ['host-sev-platform', 'invalid-cbitpos-47-on-genoa.xml'],
      ['host-sev-es-unavailable', 'invalid-zero.xml'],
    ] as const) {
      const r = both(fixture(rule, name), rule, []);
      assert.equal(r.accepted, true, `${name}: ${r.libvirt}`);
      assert.match(r.message, /QEMU/);
    }
  });
});
