import type { KataModel, KernelParam } from '../../kata/model';
import { defineRule, type Fix } from '../types';
import { removeKernelParam } from './edits';
import { qemuLookup } from './query';

export const rule = defineRule<KataModel>()({
  id: 'kata-root-device-mismatch',
  target: 'kata-toml',
  severity: 'error',
  fixable: true,
  hasSuggestions: true,
  summary: 'root= in kernel_params must name the virtio-blk disk (/dev/vda…) that Kata attaches the guest image as in a confidential guest.',
  messages: {
    scsi: "'{param}' names a SCSI disk, but Kata attaches the image of a confidential guest as a virtio-blk disk whatever block_device_driver says, so the guest has /dev/vd* and no /dev/sd*: it waits for a root device that never appears and the container seems to hang at startup. Use root={expected}{hint}.",
    pmem: "'{param}' names an NVDIMM device, but a confidential guest has none: Kata turns disable_image_nvdimm on and attaches the image as a virtio-blk disk, so the guest waits for a root device that never appears and the container seems to hang at startup. Use root={expected}{hint}.",
  },
  check(model, _ctx, report) {
    if (!model.confidential || !bootsFromImage(model)) return;
    const root = model.kernelParams?.get('root');
    if (!root?.value || !root.span) return;
    const expected = virtioBlkDevice(root.value);
    if (!expected) return;
    const kind = /^\/dev\/pmem/.test(root.value) ? 'pmem' : 'scsi';
    const hint = expected === KATA_ROOT ? '' : ` (Kata's own default is root=${KATA_ROOT})`;
    report({ messageId: kind, data: { param: `root=${root.value}`, expected, hint }, span: root.span, fixes: fixes(model.text, root, expected) });
  },
});

/** Kata adds root= only when it boots a disk image; with an initrd the guest never mounts a root device. */
function bootsFromImage(model: KataModel): boolean {
  const image = qemuLookup(model, 'image');
  if (image.kind === 'absent') return false;
  return image.kind === 'unknown' || (typeof image.entry.value === 'string' && image.entry.value !== '');
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** What Kata itself passes for an image on virtio-blk (hypervisor.go `VirtioBlk`). */
const KATA_ROOT = '/dev/vda1';

/**
 * The virtio-blk name of a SCSI or NVDIMM device path, keeping disk and
 * partition: `/dev/sda1` → `/dev/vda1`, `/dev/sdb2` → `/dev/vdb2`,
 * `/dev/pmem0p1` → `/dev/vda1`. Undefined for any other root (`/dev/vda1`,
 * `/dev/dm-0`, `PARTUUID=…`).
 */
export function virtioBlkDevice(path: string): string | undefined {
  const sd = /^\/dev\/sd([a-z]+)(\d*)$/.exec(path);
  if (sd) return `/dev/vd${sd[1]}${sd[2]}`;
  const pmem = /^\/dev\/pmem(\d+)(?:p(\d+))?$/.exec(path);
  if (pmem) {
    const letter = LETTERS[Number(pmem[1])];
    return letter === undefined ? undefined : `/dev/vd${letter}${pmem[2] ?? ''}`;
  }
  return undefined;
}

function fixes(text: string, root: KernelParam, expected: string): Fix[] {
  const out: Fix[] = [];
  if (root.valueSpan) out.push({ title: `Use root=${expected}`, edits: [{ ...root.valueSpan, newText: expected }], preferred: true });
  const removal = removeKernelParam(text, root);
  if (removal) out.push({ title: `Remove root= (Kata then sets root=${KATA_ROOT} itself)`, edits: [removal], preferred: false });
  return out;
}
