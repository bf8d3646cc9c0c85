import type { DomainModel } from '../../domain/model';
import { attr, child, childrenNamed } from '../../xml/model';
import { defineRule } from '../types';

/** `<memory model>` values that hot-plug guest RAM (sgx-epc is Intel SGX, not RAM hotplug). */
const HOTPLUG_MODELS = new Set(['dimm', 'nvdimm', 'virtio-pmem', 'virtio-mem']);

export const rule = defineRule<DomainModel>()({
  id: 'sev-virtio-mem',
  target: 'domain-xml',
  severity: 'error',
  summary: 'A SEV guest cannot use virtio-mem, and memory hotplug (DIMM, NVDIMM, virtio-pmem, <maxMemory>) does not work for confidential guests.',
  messages: {
    virtioMem:
      "virtio-mem cannot work in a {label} guest: {label} pins guest memory and disables RAM discarding, so QEMU refuses the device ('Discarding RAM is disabled'). Give the guest all its memory in <memory>.",
    hotplug:
      "A memory device of model '{model}' hot-plugs memory into a {label} guest; memory hotplug does not work for confidential guests. Give the guest all its memory in <memory>.",
    maxMemory:
      '<maxMemory> prepares memory hotplug, which does not work for {label} guests. Give the guest all its memory in <memory>.',
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev) return;
    const label = sev.label;
    const maxMemory = child(model.root, 'maxMemory');
    if (maxMemory) report({ messageId: 'maxMemory', data: { label }, span: maxMemory.span, severity: 'warning' });
    for (const mem of model.devices ? childrenNamed(model.devices, 'memory') : []) {
      const modelAttr = attr(mem, 'model');
      if (!modelAttr || !HOTPLUG_MODELS.has(modelAttr.value)) continue;
      // SEV and SEV-ES disable discarding for pinned memory; SNP's guest_memfd does not.
      if (modelAttr.value === 'virtio-mem' && !sev.snp) {
        report({ messageId: 'virtioMem', data: { label }, span: modelAttr.span });
      } else {
        report({ messageId: 'hotplug', data: { label, model: modelAttr.value }, span: modelAttr.span, severity: 'warning' });
      }
    }
  },
});
