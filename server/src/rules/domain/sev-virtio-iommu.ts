import type { DomainModel } from '../../domain/model';
import { virtioDevices } from '../../domain/virtio';
import { insertChild, setAttribute } from '../../xml/edit';
import { attr } from '../../xml/model';
import { qemuAtLeast } from '../../domain/qemu';
import { defineRule } from '../types';
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
    off: "virtio {device} has iommu='{value}'; libvirt then starts it with iommu_platform=false, which overrides the default QEMU 6.0 and later set for {label} guests, so the device cannot use the guest's shared (unencrypted) memory. Set iommu='on'.",
    missingModern:
      "virtio {device} has no <driver iommu='on'/>; QEMU 6.0 and later set it for {label} guests, so this matters only if the guest may run on an older QEMU.",
    missingImplied:
      "virtio {device} has no <driver iommu='on'/>; QEMU 6.0 and later set it for {label} guests, and this guest needs a newer QEMU anyway ({reason}).",
  },
  check(model, ctx, report) {
    const sev = model.sev;
    if (!sev) return;
    const modern = qemuAtLeast(model, ctx, 6, 0);
    for (const dev of virtioDevices(model)) {
      const iommu = dev.driver ? attr(dev.driver, 'iommu') : undefined;
      if (iommu?.value === 'on') continue;
      // An explicit iommu='off' overrides QEMU's default for confidential guests: a warning on any QEMU.
      const informational = modern !== undefined && !iommu;
      const fixEdit = dev.driver
        ? setAttribute(model.style, dev.driver, 'iommu', 'on')
        : insertChild(model.doc, model.style, dev.element, "<driver iommu='on'/>", 'last');
      const device = describeDevice(dev.element);
      const base: Record<string, string> = { device, label: sev.label, value: iommu?.value ?? '' };
      const data = informational && typeof modern === 'object' ? { ...base, reason: modern.reason } : base;
      report({
        messageId: iommu ? 'off' : !informational ? 'missing' : modern === 'declared' ? 'missingModern' : 'missingImplied',
        data,
        span: iommu ? iommu.span : dev.element.startTag,
        severity: informational ? 'information' : 'warning',
        fixes: [{ title: `Set iommu='on' on the ${device} driver`, edits: [fixEdit], preferred: true, scope: dev.element.span }],
      });
    }
  },
});
