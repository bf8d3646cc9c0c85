import type { DomainModel } from '../../domain/model';
import { attrValue, type XmlElement } from '../../xml/model';
import { atLeast, defineRule, type Version } from '../types';

export const rule = defineRule<DomainModel>()({
  id: 'sev-hostdev-passthrough',
  target: 'domain-xml',
  severity: 'warning',
  summary: 'A SEV guest should not have host devices passed through (PCI, mdev, SR-IOV interfaces); a SEV-SNP guest cannot start with one on QEMU 10.0 and older.',
  messages: {
    passthrough:
      "{device} is passed through to a {label} guest: the device does DMA into guest memory, which is encrypted, so it only works where every guest driver bounces its DMA through shared memory; OpenStack Nova refuses PCI passthrough for SEV guests altogether.",
    snpOldQemu:
      '{device} is passed through to a SEV-SNP guest, which {qemu} cannot start: SNP private memory lives in guest_memfd, which needs RAM discarding, and VFIO must disable it, so QEMU fails with: Cannot set discarding of RAM broken. QEMU 10.1 and later support VFIO devices in SNP guests.',
  },
  check(model, ctx, report) {
    const sev = model.sev;
    if (!sev || !model.devices) return;
    const oldQemu = sev.snp && !atLeast(ctx.qemu, 10, 1);
    for (const el of model.devices.children) {
      const device = passthroughKind(el);
      if (!device) continue;
      if (oldQemu) report({ messageId: 'snpOldQemu', severity: 'error', data: { device, qemu: describeQemu(ctx.qemu) }, span: el.startTag });
      else report({ messageId: 'passthrough', data: { device, label: sev.label }, span: el.startTag });
    }
  },
});

/** The declared QEMU in words, or the versions that fail when none is declared. */
function describeQemu(qemu: Version | undefined): string {
  return qemu ? `QEMU ${qemu[0]}.${qemu[1]} (the declared target)` : 'QEMU 10.0 and older (no target QEMU is declared)';
}

/**
 * What a device is when the host hardware does DMA into the guest itself.
 * USB and SCSI host devices are not: QEMU's emulated controllers move their
 * data, and those already use the guest's shared bounce buffers. All three
 * kinds are VFIO devices in QEMU (an mdev and an SR-IOV function too).
 */
function passthroughKind(el: XmlElement): string | undefined {
  if (el.name === 'interface') return attrValue(el, 'type') === 'hostdev' ? "<interface type='hostdev'> (SR-IOV network function)" : undefined;
  if (el.name !== 'hostdev' || (attrValue(el, 'mode') ?? 'subsystem') !== 'subsystem') return undefined;
  const type = attrValue(el, 'type');
  if (type === 'pci') return 'The PCI host device';
  if (type === 'mdev') return 'The mediated device (mdev)';
  return undefined;
}
