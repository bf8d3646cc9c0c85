import type { KataModel } from '../../kata/model';
import { defineRule } from '../types';
import { setString } from './edits';
import { qemuLookup } from './query';

export const rule = defineRule<KataModel>()({
  id: 'kata-virtio-mmio',
  target: 'kata-toml',
  severity: 'error',
  hasSuggestions: true,
  summary: 'A confidential guest must not use block_device_driver = "virtio-mmio".',
  messages: {
    mmio:
      'block_device_driver = "virtio-mmio" in a confidential guest; Kata refuses to start it: confidential guests must not use virtio-mmio (use virtio-blk-pci); virtio-mmio is not hardened for CoCo. Use "virtio-scsi" (Kata\'s default on amd64) or "virtio-blk".',
  },
  check(model, _ctx, report) {
    if (!model.confidential) return;
    const look = qemuLookup(model, 'block_device_driver');
    if (look.kind !== 'set' || look.entry.value !== 'virtio-mmio') return;
    const entry = look.entry;
    report({
      messageId: 'mmio',
      span: entry.valueSpan,
      fixes: [
        { title: 'Use "virtio-scsi" (Kata\'s default on amd64)', edits: [setString(model, entry, 'virtio-scsi')], preferred: false },
        { title: 'Use "virtio-blk"', edits: [setString(model, entry, 'virtio-blk')], preferred: false },
      ],
    });
  },
});
