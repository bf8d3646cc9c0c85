import type { KataModel } from '../../kata/model';
import { defineRule, type Fix } from '../types';
import { setQemuKey } from './edits';
import { qemuAnchor, qemuLookup } from './query';

export const rule = defineRule<KataModel>()({
  id: 'kata-nesting-checks',
  target: 'kata-toml',
  severity: 'warning',
  fixable: true,
  summary: 'A confidential guest should set disable_nesting_checks = true: on a host that is itself a VM, Kata makes virtio devices legacy-only.',
  messages: {
    nesting:
      'disable_nesting_checks is {how} in a confidential guest. When the host is itself a VM, Kata then makes its virtio devices legacy-only (disable-modern), while QEMU forces disable-legacy=on for confidential guests, and the VM fails: device cannot work as neither modern nor legacy mode is enabled. Kata\'s SEV-SNP template sets it to true.',
  },
  check(model, _ctx, report) {
    if (!model.confidential) return;
    const look = qemuLookup(model, 'disable_nesting_checks');
    if (look.kind === 'unknown') return;
    if (look.kind === 'set' && look.entry.value !== false) return;
    const span = look.kind === 'set' ? look.entry.valueSpan : qemuAnchor(model);
    const edit = setQemuKey(model, 'disable_nesting_checks', 'true');
    const fixes: Fix[] = edit ? [{ title: 'Set disable_nesting_checks = true', edits: [edit], preferred: true }] : [];
    const how = look.kind === 'set' ? 'false' : "not set (Kata's default is false)";
    report({ messageId: 'nesting', data: { how }, span, fixes });
  },
});
