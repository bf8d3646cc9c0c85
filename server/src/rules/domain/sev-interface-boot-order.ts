import type { DomainModel } from '../../domain/model';
import { removeElement } from '../../xml/edit';
import { child } from '../../xml/model';
import { defineRule } from '../types';

export const rule = defineRule<DomainModel>()({
  id: 'sev-interface-boot-order',
  target: 'domain-xml',
  severity: 'warning',
  hasSuggestions: true,
  summary: 'A SEV guest should not boot from a network interface (<boot order> on an <interface>): network boot runs iPXE, which is not SEV-aware.',
  messages: {
    bootOrder:
      "This network interface of a {label} guest is a boot device (<boot order='{order}'/>): booting from it runs the iPXE option ROM, which is not aware of {label} and does not work in the guest's encrypted memory, so the boot hangs or fails (KubeVirt refuses such a guest: SEV does not work with bootable NICs). Boot from a disk instead.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev || !model.devices) return;
    for (const iface of model.devices.children) {
      if (iface.name !== 'interface') continue;
      const boot = child(iface, 'boot');
      if (!boot) continue;
      report({
        messageId: 'bootOrder',
        data: { label: sev.label, order: boot.attributes.find((a) => a.name === 'order')?.value ?? '' },
        span: boot.span,
        fixes: [{ title: 'Remove <boot> from the interface', edits: [removeElement(model.doc, boot)], preferred: false }],
      });
    }
  },
});
