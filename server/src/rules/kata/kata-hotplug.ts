import type { KataModel } from '../../kata/model';
import { setValue } from '../../toml/edit';
import { defineRule, type Fix, type Report } from '../types';
import { setInTopTable } from './edits';
import { lookup, qemuAnchor, qemuLookup } from './query';

type Emit = (r: Report<'dynamic' | 'virtioMem'>) => void;

export const rule = defineRule<KataModel>()({
  id: 'kata-hotplug',
  target: 'kata-toml',
  severity: 'warning',
  fixable: true,
  summary: 'A confidential guest needs static_sandbox_resource_mgmt = true and enable_virtio_mem = false: CPU and memory hotplug do not work in it.',
  messages: {
    dynamic:
      "static_sandbox_resource_mgmt is {how} in a confidential guest, so Kata boots a small VM and hot-plugs CPUs and memory as containers with resource limits arrive; hot-plugging CPUs and memory into an SEV-SNP guest does not work. Kata's confidential templates set it to true, which sizes the VM once, before it boots.",
    virtioMem:
      'enable_virtio_mem = true in a confidential guest; QEMU disables RAM discarding for SEV and SEV-SNP guests and refuses the virtio-mem device: Discarding RAM is disabled. Set it to false.',
  },
  check(model, _ctx, report) {
    if (!model.confidential) return;
    checkStatic(model, report);
    checkVirtioMem(model, report);
  },
});

function checkStatic(model: KataModel, report: Emit): void {
  const look = lookup(model, 'runtime', 'static_sandbox_resource_mgmt');
  if (look.kind === 'unknown') return;
  if (look.kind === 'set' && look.entry.value !== false) return;
  const span = look.kind === 'set' ? look.entry.valueSpan : model.doc.table(['runtime'])?.header ?? qemuAnchor(model);
  const edit = setInTopTable(model, 'runtime', 'static_sandbox_resource_mgmt', look, 'true');
  const fixes: Fix[] = edit ? [{ title: 'Set static_sandbox_resource_mgmt = true in [runtime]', edits: [edit], preferred: true }] : [];
  const how = look.kind === 'set' ? 'false' : 'not set (Kata\'s default is false)';
  report({ messageId: 'dynamic', data: { how }, span, fixes });
}

function checkVirtioMem(model: KataModel, report: Emit): void {
  const look = qemuLookup(model, 'enable_virtio_mem');
  if (look.kind !== 'set' || look.entry.value !== true) return;
  const fixes: Fix[] = [{ title: 'Set enable_virtio_mem = false', edits: [setValue(look.entry, 'false')], preferred: true }];
  report({ messageId: 'virtioMem', span: look.entry.valueSpan, fixes });
}
