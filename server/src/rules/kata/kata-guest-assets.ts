import type { KataModel } from '../../kata/model';
import type { TomlEntry } from '../../toml/parse';
import { defineRule, type Report } from '../types';
import { hasQemuTable, isSecureExecution, type Lookup, qemuAnchor, qemuLookup } from './query';

export const rule = defineRule<KataModel>()({
  id: 'kata-guest-assets',
  target: 'kata-toml',
  severity: 'error',
  summary: '[hypervisor.qemu] must name exactly one of image and initrd, and a confidential guest its kernel.',
  messages: {
    neither:
      '[hypervisor.qemu] sets neither image nor initrd (an empty string counts as unset): Kata refuses the configuration ("Either initrd or image must be set to a valid path"; older releases: "either image or initrd must be defined in the configuration file"). Set one of them.',
    both: '[hypervisor.qemu] sets both image and initrd: Kata refuses the configuration ("having both an image and an initrd defined in the configuration file is not supported"). Keep only one of them.',
    kernelMissing:
      '[hypervisor.qemu] sets no kernel: Kata then uses the kernel path built into the runtime, the ordinary guest kernel of the Kata build rather than the confidential one (vmlinuz-confidential.container in kata-deploy); if that file is missing Kata fails, otherwise the guest may boot a kernel without SEV-SNP guest support. Set kernel.',
    kernelEmpty:
      'kernel is empty: Kata then uses the kernel path built into the runtime, the ordinary guest kernel of the Kata build rather than the confidential one (vmlinuz-confidential.container in kata-deploy); if that file is missing Kata fails, otherwise the guest may boot a kernel without SEV-SNP guest support. Set kernel.',
  },
  check(model, _ctx, report) {
    if (!hasQemuTable(model)) return;
    if (model.confidential) checkKernel(model, report);
    if (model.confidential && isSecureExecution(model)) return;
    const image = qemuLookup(model, 'image');
    const initrd = qemuLookup(model, 'initrd');
    const imageSet = isSet(image);
    const initrdSet = isSet(initrd);
    if (imageSet === undefined || initrdSet === undefined) return;
    if (!imageSet && !initrdSet) report({ messageId: 'neither', span: entryOf(image)?.valueSpan ?? entryOf(initrd)?.valueSpan ?? qemuAnchor(model) });
    if (imageSet && initrdSet) report({ messageId: 'both', span: later(entryOf(image)!, entryOf(initrd)!).keySpan });
  },
});

function checkKernel(model: KataModel, report: (r: Report<'kernelMissing' | 'kernelEmpty'>) => void): void {
  const kernel = qemuLookup(model, 'kernel');
  if (kernel.kind === 'absent') report({ messageId: 'kernelMissing', severity: 'warning', span: qemuAnchor(model) });
  else if (kernel.kind === 'set' && kernel.entry.value === '') report({ messageId: 'kernelEmpty', severity: 'warning', span: kernel.entry.valueSpan });
}

/** Set: a non-empty string or a template placeholder; undefined for a value of the wrong type (kata-type reports it). */
function isSet(state: Lookup): boolean | undefined {
  if (state.kind === 'absent') return false;
  if (state.kind === 'unknown') return true;
  return typeof state.entry.value === 'string' ? state.entry.value !== '' : undefined;
}

function entryOf(state: Lookup): TomlEntry | undefined {
  return state.kind === 'absent' ? undefined : state.entry;
}

function later(a: TomlEntry, b: TomlEntry): TomlEntry {
  return a.span.start > b.span.start ? a : b;
}
