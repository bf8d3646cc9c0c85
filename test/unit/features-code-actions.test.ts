import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { cursorRank, orderedFixes, orderForCursor, underCursor } from '../../server/src/features/code-actions';
import { lint } from '../../server/src/linter';
import type { Finding } from '../../server/src/rules/types';

/** A line with an error (a preferred fix) and a warning (another fix), and a warning on another line (a preferred fix). */
const TEXT = `<domain type='kvm'>
  <name>g</name>
  <memory unit='GiB'>4</memory>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <loader type='rom'>/usr/share/edk2/ovmf/OVMF.amdsev.fd</loader>
  </os>
  <devices>
    <interface type='network'><source network='default'/><model type='virtio'/><driver iommu='on'/></interface>
    <memballoon model='none'/>
  </devices>
  <launchSecurity type='sev-snp' kernelHashes='on'><policy>0x130000</policy></launchSecurity>
</domain>
`;

const at = (s: string, delta = 0) => {
  const i = TEXT.indexOf(s);
  assert.ok(i >= 0, s);
  return { start: i + delta, end: i + delta };
};

function titles(cursor: { start: number; end: number }, findings: readonly Finding[] = lint(TEXT).findings): { title: string; isPreferred: boolean }[] {
  const ordered = orderForCursor(findings, cursor, (f) => f);
  return orderedFixes(ordered, (f) => f.fixes, (f) => cursorRank(f.span, f.severity, cursor)).map((x) => ({ title: x.fix.title, isPreferred: x.isPreferred }));
}

describe('code actions at the cursor', () => {
  it('the finding under the cursor first: its fix is the one Enter applies', () => {
    assert.deepEqual(lint(TEXT).findings.map((f) => `${f.severity} ${f.ruleId}`), ['warning sev-interface-rom', 'error sev-launch-security-yes-no', 'warning snp-policy-host-dependent-bits']);
    assert.deepEqual(titles(at('0x130000', 2)), [
      { title: 'Clear SINGLE_SOCKET (bit 20, 0x100000): 0x30000', isPreferred: false },
      { title: "Set kernelHashes='yes'", isPreferred: false },
      { title: "Disable the option ROM: <rom enabled='no'/>", isPreferred: false },
    ]);
    assert.deepEqual(titles(at("'on'", 1)), [
      { title: "Set kernelHashes='yes'", isPreferred: true },
      { title: "Disable the option ROM: <rom enabled='no'/>", isPreferred: false },
      { title: 'Clear SINGLE_SOCKET (bit 20, 0x100000): 0x30000', isPreferred: false },
    ]);
  });

  it('under no finding: errors first, then warnings in document order; one preferred fix at most', () => {
    const r = titles(at('<launchSecurity'));
    assert.deepEqual(r.map((x) => x.title), ["Set kernelHashes='yes'", "Disable the option ROM: <rom enabled='no'/>", 'Clear SINGLE_SOCKET (bit 20, 0x100000): 0x30000']);
    assert.deepEqual(r.map((x) => x.isPreferred), [true, false, false]);
  });

  it('findings that rank alike (under the cursor both, one severity) keep their preferred fixes', () => {
    const text = TEXT.replace("<driver iommu='on'/></interface>", '</interface>');
    const cursor = at("<interface type='network'>", 3);
    // Two warnings on the interface's start tag, both under the cursor: both preferred fixes stay preferred; the error elsewhere ranks lower.
    // (An SNP guest implies QEMU ≥ 9.1, so sev-virtio-iommu is information by default; the setting makes it a warning.)
    assert.deepEqual(titles(cursor, lint(text, { rules: { 'sev-virtio-iommu': 'warning' } }).findings), [
      { title: "Disable the option ROM: <rom enabled='no'/>", isPreferred: true },
      { title: "Set iommu='on' on the interface driver", isPreferred: true },
      { title: "Set kernelHashes='yes'", isPreferred: false },
      { title: 'Clear SINGLE_SOCKET (bit 20, 0x100000): 0x30000', isPreferred: false },
    ]);
  });

  it('a finding whose end touches the cursor is under it; an empty selection inside a finding too', () => {
    assert.equal(underCursor({ start: 3, end: 8 }, { start: 8, end: 8 }), true);
    assert.equal(underCursor({ start: 3, end: 8 }, { start: 3, end: 8 }), true);
    assert.equal(underCursor({ start: 3, end: 8 }, { start: 2, end: 5 }), false);
    assert.equal(underCursor({ start: 3, end: 8 }, { start: 9, end: 9 }), false);
  });

  it('keeps the given order among equals', () => {
    const items = [
      { span: { start: 5, end: 6 }, severity: 'hint' as const, n: 1 },
      { span: { start: 5, end: 6 }, severity: 'hint' as const, n: 2 },
      { span: { start: 0, end: 9 }, severity: 'information' as const, n: 3 },
    ];
    assert.deepEqual(orderForCursor(items, { start: 1, end: 1 }, (x) => x).map((x) => x.n), [3, 1, 2]);
    assert.deepEqual(orderForCursor(items, { start: 5, end: 5 }, (x) => x).map((x) => x.n), [3, 1, 2]);
    assert.deepEqual(orderForCursor(items, { start: 6, end: 6 }, (x) => x).map((x) => x.n), [3, 1, 2]);
  });
});
