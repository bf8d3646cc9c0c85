import type { KataModel, KernelParam } from '../../kata/model';
import type { Span } from '../../text-edit';
import { defineRule, type Fix, type Report } from '../types';
import { appendToString } from '../../toml/edit';
import { addQemuKey } from './edits';
import { hasPlaceholderIn, qemuAnchor, qemuLookup } from './query';

/** 262144 slabs of 2 KiB (IO_TLB_SHIFT 11) = 512 MiB, the AMD guide's value. */
export const SWIOTLB_SLABS = 262144;
const SLAB_BYTES = 2048;

export const rule = defineRule<KataModel>()({
  id: 'kata-swiotlb',
  target: 'kata-toml',
  severity: 'warning',
  fixable: true,
  summary: 'A confidential guest should size its SWIOTLB bounce buffer pool with swiotlb= in kernel_params (swiotlb=262144 = 512 MiB).',
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

function checkValue(p: KernelParam, fallback: Span): Report<'notInteger' | 'noforce' | 'noSize' | 'unit'> | undefined {
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
  if (!unit) return undefined;
  const bytes = parsed.slabs * UNITS[unit[1]!.toLowerCase()]!;
  const suggested = bytes >= SLAB_BYTES ? Math.floor(bytes / SLAB_BYTES) : SWIOTLB_SLABS;
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
