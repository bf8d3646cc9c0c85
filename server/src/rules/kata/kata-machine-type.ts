import type { KataModel } from '../../kata/model';
import { defineRule } from '../types';
import { setString } from './edits';
import { qemuLookup } from './query';

/** Machine types of other architectures, whose confidential guests are not SEV (s390x Secure Execution, arm64, ppc64le). */
const OTHER_ARCH = new Set(['s390-ccw-virtio', 'virt', 'pseries']);

export const rule = defineRule<KataModel>()({
  id: 'kata-machine-type',
  target: 'kata-toml',
  severity: 'warning',
  hasSuggestions: true,
  summary: 'A confidential guest on amd64 should use machine_type = "q35", Kata\'s default.',
  messages: {
    microvm:
      'machine_type = "microvm" in a confidential guest: microvm is a minimal machine whose virtio devices use the virtio-mmio transport rather than PCI, which is not hardened for confidential guests, and Kata turns NVDIMM off for it. Use "q35", Kata\'s default on amd64.',
    other:
      'machine_type = "{found}" in a confidential guest; SEV and SEV-SNP guests need "q35" (Kata\'s default on amd64: PCI Express with modern virtio 1.0 devices), and Kata on amd64 accepts only q35 and microvm (otherwise: unrecognised machinetype: {found}).',
  },
  check(model, _ctx, report) {
    if (!model.confidential) return;
    const look = qemuLookup(model, 'machine_type');
    if (look.kind !== 'set' || typeof look.entry.value !== 'string') return;
    const found = look.entry.value;
    if (found === '' || found === 'q35' || OTHER_ARCH.has(found)) return;
    report({
      messageId: found === 'microvm' ? 'microvm' : 'other',
      data: { found },
      span: look.entry.valueSpan,
      fixes: [{ title: 'Use machine_type = "q35"', edits: [setString(model, look.entry, 'q35')], preferred: false }],
    });
  },
});
