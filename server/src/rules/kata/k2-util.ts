import type { KataModel, KernelParam } from '../../kata/model';
import type { Span, TextEdit } from '../../text-edit';
import { insertKey, setValue, tomlString } from '../../toml/edit';
import type { TomlEntry } from '../../toml/parse';

/** Helpers shared by the Kata rules about guest assets, kernel parameters and SEV/SNP switches. */

/** A `[hypervisor.qemu]` key as written, template placeholders included (`qemuEntry` hides those). */
export function writtenQemuEntry(model: KataModel, key: string): TomlEntry | undefined {
  return model.entry('hypervisor', 'qemu', key);
}

/** What a `[hypervisor.qemu]` key holds: absent, a template placeholder (unknown), or a real value. */
export type KeyState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'placeholder'; readonly entry: TomlEntry }
  | { readonly kind: 'value'; readonly entry: TomlEntry };

export function qemuKey(model: KataModel, key: string): KeyState {
  const entry = writtenQemuEntry(model, key);
  if (!entry) return { kind: 'absent' };
  return entry.placeholder !== undefined ? { kind: 'placeholder', entry } : { kind: 'value', entry };
}

/** Whether an `@NAME@` token lies inside `span` (a string value only partly templated). */
export function hasPlaceholderIn(model: KataModel, span: Span): boolean {
  return model.doc.placeholders.some((p) => p.span.start >= span.start && p.span.end <= span.end);
}

/** The keys written for `[hypervisor.qemu]`, under its header or as dotted keys elsewhere, in file order. */
function qemuEntries(model: KataModel): TomlEntry[] {
  return model.doc.tables
    .flatMap((t) => t.entries)
    .filter((e) => e.path.length === 3 && e.path[0] === 'hypervisor' && e.path[1] === 'qemu')
    .sort((a, b) => a.span.start - b.span.start);
}

/** The file configures QEMU: a `[hypervisor.qemu]` header or keys for it. */
export function hasQemuTable(model: KataModel): boolean {
  return model.qemu !== undefined || qemuEntries(model).length > 0;
}

/** Where to point when a `[hypervisor.qemu]` key is missing: the table header, else the first key written for it. */
export function qemuAnchor(model: KataModel): Span {
  if (model.qemu?.header) return model.qemu.header;
  return qemuEntries(model)[0]?.keySpan ?? { start: 0, end: 0 };
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * Adds `key = toml` on the line after `after`, with its indentation; a dotted
 * key (`qemu.sev_snp_guest` under `[hypervisor]`) gets the same prefix, so the
 * new key lands in the same table.
 */
export function insertKeyAfter(text: string, after: TomlEntry, key: string, toml: string): TextEdit {
  const prefix = after.path.slice(after.table.path.length, -1);
  const fullKey = [...prefix, key].map((k) => (BARE_KEY.test(k) ? k : tomlString(k))).join('.');
  return insertKey(text, { ...after.table, entries: [after] }, fullKey, toml);
}

/** Adds a key to `[hypervisor.qemu]`: at the end of the table, or after the last key written for it. */
export function addQemuKey(model: KataModel, key: string, toml: string): TextEdit | undefined {
  if (model.qemu?.header) return insertKey(model.text, model.qemu, key, toml);
  const written = qemuEntries(model);
  const last = written[written.length - 1];
  return last ? insertKeyAfter(model.text, last, key, toml) : undefined;
}

/** Sets a `[hypervisor.qemu]` key: replaces its value when written, else adds it after `near` (or to the table). */
export function setQemuKey(model: KataModel, key: string, toml: string, near?: TomlEntry): TextEdit | undefined {
  const entry = writtenQemuEntry(model, key);
  if (entry) return setValue(entry, toml);
  return near ? insertKeyAfter(model.text, near, key, toml) : addQemuKey(model, key, toml);
}

/**
 * Removes a kernel parameter written literally, with the blanks before it
 * (or after it, when it comes first); a parameter alone on a continued line
 * of a multi-line string takes its line with it.
 */
export function removeKernelParam(text: string, param: KernelParam): TextEdit | undefined {
  const span = param.span;
  if (!span) return undefined;
  const lineStart = text.lastIndexOf('\n', span.start - 1) + 1;
  const continued = /^[ \t]*\\[ \t]*\r?\n/.exec(text.slice(span.end));
  if (continued && /^[ \t]*$/.test(text.slice(lineStart, span.start))) return { start: lineStart, end: span.end + continued[0].length, newText: '' };
  let start = span.start;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  let end = span.end;
  const first = start === 0 || text[start - 1] === '\n' || text[start - 1] === '"' || text[start - 1] === "'";
  if (first) while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return { start, end, newText: '' };
}

/** An OVMF build of edk2's AmdSev package, by its usual file names (`AMDSEV.fd`, `OVMF.amdsev.fd`). */
export function isAmdSevFirmwarePath(path: string): boolean {
  return /amd-?sev/i.test(path);
}

/** s390x Secure Execution: a confidential guest on the s390-ccw-virtio machine, which boots without firmware, image or initrd. */
export function isSecureExecution(model: KataModel): boolean {
  return model.qemuEntry('machine_type')?.value === 's390-ccw-virtio';
}

const SNP_KEYS = ['snp_id_block', 'snp_id_auth', 'snp_guest_policy'] as const;
const AMD_TEMPLATE_COMMENT = /^[ \t]*#.*configuration-qemu-[\w-]*(?:sev|snp)[\w-]*\.toml/m;

/**
 * Whether a configuration is meant for AMD SEV / SEV-SNP, for rules that
 * must stay quiet on Intel TDX, s390x Secure Execution or coco-dev configs.
 * Any one of these is enough:
 * - `sev_snp_guest` or an `snp_*` key is written (those keys exist only for AMD);
 * - `firmware` names an OVMF AmdSev build, or is the template placeholder of
 *   Kata's SEV or SNP firmware (`@FIRMWARESEVPATH@`, `@FIRMWARESNPPATH@`);
 * - the header comment Kata writes into a generated file names an SEV or SNP
 *   template (`# XXX: Source file: "config/configuration-qemu-sev.toml.in"`).
 */
export function looksAmd(model: KataModel): boolean {
  if (writtenQemuEntry(model, 'sev_snp_guest')) return true;
  if (SNP_KEYS.some((k) => writtenQemuEntry(model, k))) return true;
  const firmware = writtenQemuEntry(model, 'firmware');
  if (firmware?.placeholder !== undefined && /SEV|SNP/.test(firmware.placeholder)) return true;
  if (typeof firmware?.value === 'string' && firmware.placeholder === undefined && isAmdSevFirmwarePath(firmware.value)) return true;
  return AMD_TEMPLATE_COMMENT.test(model.text);
}
