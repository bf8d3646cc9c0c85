import type { KataModel } from '../../kata/model';
import { setValue } from '../../toml/edit';
import { defineRule, type Fix, type Report } from '../types';
import { setInTopTable } from './edits';
import { lookup, qemuAnchor, qemuLookup } from './query';

type Emit = (r: Report<'dynamic' | 'virtioMem' | 'ignored'>) => void;

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
      'enable_virtio_mem = true in a confidential guest, but the virtio-mem device cannot be added to it: Kata gives a confidential guest no memory slots and no maxmem, so there is no room to plug memory into (on SEV-SNP too), and for SEV and SEV-ES guests QEMU also disables RAM discarding and refuses the device: Discarding RAM is disabled. Set it to false.',
    ignored:
      '{key} = {value} has no effect in a confidential guest: Kata starts it without memory hotplug (no memory slots, no maxmem), whatever default_maxmemory and memory_slots say; the guest has default_memory and what static_sandbox_resource_mgmt adds before boot.',
  },
  check(model, _ctx, report) {
    if (!model.confidential) return;
    checkStatic(model, report);
    checkVirtioMem(model, report);
    checkIgnored(model, report);
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

/** `default_maxmemory` and `memory_slots` only size memory hotplug, which Kata does not set up for a confidential guest. */
function checkIgnored(model: KataModel, report: Emit): void {
  for (const key of ['default_maxmemory', 'memory_slots']) {
    const entry = model.qemuEntry(key);
    const value = entry?.value;
    if (!entry || (typeof value !== 'bigint' && typeof value !== 'number') || Number(value) === 0) continue;
    report({ messageId: 'ignored', severity: 'information', data: { key, value: String(value) }, span: entry.keySpan });
  }
}
