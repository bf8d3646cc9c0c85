import type { DomainModel } from '../../domain/model';
import { virtioDevices } from '../../domain/virtio';
import { insertChild, setAttribute } from '../../xml/edit';
import { attr } from '../../xml/model';
import { defineRule, atLeast } from '../types';
import { describeDevice } from './util';

export const rule = defineRule<DomainModel>()({
  id: 'sev-virtio-iommu',
  target: 'domain-xml',
  severity: 'warning',
  fixable: true,
  summary: "A virtio device of a SEV guest must have <driver iommu='on'/>.",
  messages: {
    missing:
      "virtio {device} has no <driver iommu='on'/>; in a {label} guest the device can only reach the guest's shared (unencrypted) memory through the IOMMU platform feature.",
    off: "virtio {device} has iommu='{value}'; a {label} guest needs iommu='on' so the device uses the guest's shared (unencrypted) memory.",
    missingModern:
      "virtio {device} has no <driver iommu='on'/>; QEMU 6.0 and later set it for {label} guests, so this matters only if the guest may run on an older QEMU.",
  },
  check(model, ctx, report) {
    const sev = model.sev;
    if (!sev) return;
    const modern = atLeast(ctx.qemu, 6, 0);
    for (const dev of virtioDevices(model)) {
      const iommu = dev.driver ? attr(dev.driver, 'iommu') : undefined;
      if (iommu?.value === 'on') continue;
      const fixEdit = dev.driver
        ? setAttribute(model.style, dev.driver, 'iommu', 'on')
        : insertChild(model.doc, model.style, dev.element, "<driver iommu='on'/>", 'last');
      const data = { device: describeDevice(dev.element), label: sev.label, value: iommu?.value ?? '' };
      report({
        messageId: modern ? 'missingModern' : iommu ? 'off' : 'missing',
        data,
        span: iommu ? iommu.span : dev.element.startTag,
        severity: modern ? 'information' : 'warning',
        fixes: [{ title: `Set iommu='on' on the ${data.device} driver`, edits: [fixEdit], preferred: true, scope: dev.element.span }],
      });
    }
  },
});
