import type { DomainModel } from '../../domain/model';
import { virtioDevices } from '../../domain/virtio';
import { setAttribute } from '../../xml/edit';
import { qemuAtLeast } from '../../domain/qemu';
import { defineRule } from '../types';
import { describeDevice } from './util';

export const rule = defineRule<DomainModel>()({
  id: 'sev-i440fx-transitional-virtio',
  target: 'domain-xml',
  severity: 'warning',
  fixable: true,
  summary: 'On an i440fx machine, virtio devices of a SEV guest must be virtio-non-transitional.',
  messages: {
    transitional:
      "{device} has model '{model}' on the i440fx machine '{machine}'; a transitional device offers legacy virtio (< 1.0), which cannot work with {label}. Use 'virtio-non-transitional'.",
    implicit:
      "{device} is a virtio device on the i440fx machine '{machine}' and may come up transitional (legacy virtio < 1.0), which cannot work with {label}. Use 'virtio-non-transitional'.",
  },
  check(model, ctx, report) {
    const sev = model.sev;
    if (!sev || !model.machine.isI440fx) return;
    const machine = model.machine.name ?? 'pc';
    for (const dev of virtioDevices(model)) {
      if (!dev.hasNonTransitional || dev.model === 'virtio-non-transitional') continue;
      const explicit = dev.model === 'virtio-transitional';
      report({
        messageId: explicit ? 'transitional' : 'implicit',
        data: { device: describeDevice(dev.element), model: dev.modelAttribute?.value ?? dev.model, machine, label: sev.label },
        span: dev.modelAttribute?.span ?? dev.element.startTag,
        severity: !explicit && qemuAtLeast(model, ctx, 6, 0) ? 'information' : 'warning',
        fixes: [
          {
            title: "Use model 'virtio-non-transitional'",
            edits: [setAttribute(model.style, dev.modelHost, dev.modelAttributeName, 'virtio-non-transitional')],
            preferred: true,
          },
        ],
      });
    }
  },
});
