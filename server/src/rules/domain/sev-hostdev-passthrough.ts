import type { DomainModel } from '../../domain/model';
import { attrValue, type XmlElement } from '../../xml/model';
import { defineRule } from '../types';

export const rule = defineRule<DomainModel>()({
  id: 'sev-hostdev-passthrough',
  target: 'domain-xml',
  severity: 'warning',
  summary: 'A SEV guest should not have host devices passed through (PCI, mdev, SR-IOV interfaces).',
  messages: {
    passthrough:
      "{device} is passed through to a {label} guest: the device does DMA into guest memory, which is encrypted, so it only works where every guest driver bounces its DMA through shared memory; OpenStack Nova refuses PCI passthrough for SEV guests altogether.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev || !model.devices) return;
    for (const el of model.devices.children) {
      const device = passthroughKind(el);
      if (device) report({ messageId: 'passthrough', data: { device, label: sev.label }, span: el.startTag });
    }
  },
});

/**
 * What a device is when the host hardware does DMA into the guest itself.
 * USB and SCSI host devices are not: QEMU's emulated controllers move their
 * data, and those already use the guest's shared bounce buffers.
 */
function passthroughKind(el: XmlElement): string | undefined {
  if (el.name === 'interface') return attrValue(el, 'type') === 'hostdev' ? "<interface type='hostdev'> (SR-IOV network function)" : undefined;
  if (el.name !== 'hostdev' || (attrValue(el, 'mode') ?? 'subsystem') !== 'subsystem') return undefined;
  const type = attrValue(el, 'type');
  if (type === 'pci') return 'The PCI host device';
  if (type === 'mdev') return 'The mediated device (mdev)';
  return undefined;
}
