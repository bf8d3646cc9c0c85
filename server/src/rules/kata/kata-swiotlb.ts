import type { KataModel, KernelParam } from '../../kata/model';
import type { Span } from '../../text-edit';
import { defineRule, type Fix, type Report } from '../types';
import { appendToString } from '../../toml/edit';
import { addQemuKey } from './edits';
import { hasPlaceholderIn, qemuAnchor, qemuLookup } from './query';

/** 262144 slabs of 2 KiB (IO_TLB_SHIFT 11) = 512 MiB, the AMD guide's value. */
export const SWIOTLB_SLABS = 262144;
/** 524288 slabs = 1 GiB, the most Linux itself gives an SEV guest (mem_encrypt_setup_arch clamps to SZ_1G). */
export const MAX_SWIOTLB_SLABS = 524288;
const SLAB_BYTES = 2048;

export const rule = defineRule<KataModel>()({
  id: 'kata-swiotlb',
  target: 'kata-toml',
  severity: 'warning',
  fixable: true,
  hasSuggestions: true,
  summary: 'A confidential guest should size its SWIOTLB bounce buffer pool with swiotlb= in kernel_params (swiotlb=262144 = 512 MiB), and not above 1 GiB.',
  messages: {
    missing:
      "kernel_params has no swiotlb=: all device I/O of a confidential guest bounces through the guest's SWIOTLB pool, and when the pool (64 MiB by default on older guest kernels) is exhausted the guest panics. Add swiotlb=262144 (262144 slabs of 2 KiB = 512 MiB).",
    missingKey:
      "[hypervisor.qemu] has no kernel_params, so the guest kernel gets no swiotlb=: all device I/O of a confidential guest bounces through the guest's SWIOTLB pool, and when the pool (64 MiB by default on older guest kernels) is exhausted the guest panics. Add kernel_params = \"swiotlb=262144\" (512 MiB).",
    notInteger:
      "'{param}' is not a positive integer, so it sets no usable SWIOTLB size (the kernel ignores a value that is not a number); give the pool size in 2 KiB slabs, e.g. swiotlb=262144 (512 MiB).",
    noforce:
      "'{param}' turns SWIOTLB off, but a confidential guest can do device I/O only through SWIOTLB bounce buffers in shared memory; give a pool size instead, e.g. swiotlb=262144 (512 MiB).",
    noSize:
      "'{param}' sets no pool size, so the guest keeps its default SWIOTLB pool (64 MiB on older guest kernels), which a confidential guest's I/O can exhaust (the guest then panics); add a size: swiotlb=262144,force (512 MiB).",
    tooLarge:
      "'{param}' asks for a SWIOTLB pool of {size}: the guest kernel allocates it in one piece from memory below 4 GiB (where a q35 guest has at most 2 to 3 GiB, shared with the kernel and the firmware), and Linux's own sizing for SEV guests stops at 1 GiB (524288 slabs) for that reason. Above it the allocation can fail: an older guest kernel is then left without a pool, and an SEV-SNP guest, which can do no device I/O without one, does not boot (newer kernels halve the size until it fits, so the guest does not get what is asked for). Use at most swiotlb=524288 (1 GiB).",
    unit: "'{param}' is read by the kernel as {slabs} slabs of 2 KiB ({size}): the value counts slabs and takes no unit. Write swiotlb={suggested} for {intended}.",
  },
  check(model, _ctx, report) {
    if (!model.confidential) return;
    const state = qemuLookup(model, 'kernel_params');
    if (state.kind === 'unknown') return;
    if (state.kind === 'absent') {
      const edit = addQemuKey(model, 'kernel_params', `"swiotlb=${SWIOTLB_SLABS}"`);
      report({ messageId: 'missingKey', span: qemuAnchor(model), fixes: edit ? [{ title: `Add kernel_params = "swiotlb=${SWIOTLB_SLABS}"`, edits: [edit], preferred: true }] : [] });
      return;
    }
    const kp = model.kernelParams;
    if (!kp) return;
    const swiotlb = kp.params.filter((p) => p.name === 'swiotlb');
    if (swiotlb.length === 0) {
      if (hasPlaceholderIn(model, kp.entry.valueSpan)) return;
      const edits = appendToString(model.text, kp.entry, `swiotlb=${SWIOTLB_SLABS}`);
      report({ messageId: 'missing', span: kp.entry.valueSpan, fixes: edits ? [{ title: `Append swiotlb=${SWIOTLB_SLABS} to kernel_params`, edits, preferred: true }] : [] });
      return;
    }
    for (const p of swiotlb) {
      const r = checkValue(p, kp.entry.valueSpan);
      if (r) report(r);
    }
  },
});

/** The size the kernel reads from `swiotlb=` (simple_strtoul, base 0), and what follows it. */
interface ParsedSize {
  readonly slabs: number;
  readonly rest: string;
}

function parseSize(value: string): ParsedSize | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(value);
  if (!m) return undefined;
  const digits = m[1]!;
  const slabs = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.startsWith('0') ? parseInt(digits, 8) : parseInt(digits, 10);
  return { slabs, rest: value.slice(digits.length) };
}

const UNITS: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function checkValue(p: KernelParam, fallback: Span): Report<'notInteger' | 'noforce' | 'noSize' | 'unit' | 'tooLarge'> | undefined {
  const value = p.value ?? '';
  const parsed = parseSize(value);
  const data = { param: p.value === undefined ? p.name : `${p.name}=${value}` };
  const span = p.span ?? fallback;
  if (/(?:^|,)noforce$/.test(value)) {
    const size = parsed && parsed.slabs > 0 ? value.slice(0, value.length - parsed.rest.length) : String(SWIOTLB_SLABS);
    return { messageId: 'noforce', data, span, fixes: replaceFix(p, size) };
  }
  if (value === 'force') return { messageId: 'noSize', data, span, fixes: replaceFix(p, `${SWIOTLB_SLABS},force`) };
  if (!parsed || parsed.slabs === 0) return { messageId: 'notInteger', data, span, fixes: replaceFix(p, String(SWIOTLB_SLABS)) };
  // The kernel reads the number and skips what it does not know; a unit is the mistake worth a word.
  const unit = /^([kKmMgG])(?:i?[bB])?(?=$|,)/.exec(parsed.rest);
  if (!unit) {
    if (parsed.slabs <= MAX_SWIOTLB_SLABS) return undefined;
    // The number alone is replaced (a `,force` after it stays); offered only: the guest gets a smaller pool.
    const number = p.valueSpan && { start: p.valueSpan.start, end: p.valueSpan.start + value.length - parsed.rest.length };
    const fixes: Fix[] = number ? [{ title: `Use swiotlb=${MAX_SWIOTLB_SLABS} (1 GiB)`, edits: [{ ...number, newText: String(MAX_SWIOTLB_SLABS) }], preferred: false }] : [];
    return { messageId: 'tooLarge', data: { ...data, size: formatBytes(parsed.slabs * SLAB_BYTES) }, span, fixes };
  }
  const bytes = parsed.slabs * UNITS[unit[1]!.toLowerCase()]!;
  // Never more than the largest pool that boots: the fix must not make a finding of its own.
  const suggested = bytes >= SLAB_BYTES ? Math.min(Math.floor(bytes / SLAB_BYTES), MAX_SWIOTLB_SLABS) : SWIOTLB_SLABS;
  const written = value.length - parsed.rest.length + unit[0].length;
  return {
    messageId: 'unit',
    data: { ...data, slabs: parsed.slabs, size: formatBytes(parsed.slabs * SLAB_BYTES), suggested, intended: formatBytes(suggested * SLAB_BYTES) },
    span,
    fixes: p.valueSpan ? [{ title: `Use swiotlb=${suggested}`, edits: [{ start: p.valueSpan.start, end: p.valueSpan.start + written, newText: String(suggested) }], preferred: true }] : [],
  };
}

/** Replaces the value (or a bare `swiotlb` token) with `value`; none when the parameter is not written literally. */
function replaceFix(p: KernelParam, value: string): Fix[] {
  const title = `Use swiotlb=${value}`;
  if (p.valueSpan) return [{ title, edits: [{ ...p.valueSpan, newText: value }], preferred: true }];
  if (p.span && p.value === undefined) return [{ title, edits: [{ ...p.span, newText: `swiotlb=${value}` }], preferred: true }];
  return [];
}

function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return bytes >= 1024 ** 2 ? `${(bytes / 1024 ** 2).toFixed(1)} MiB` : `${bytes} bytes`;
}
