import type { KataModel } from '../../kata/model';
import { numberStyle, type NumberStyle } from '../../policy';
import type { Span } from '../../text-edit';
import type { TomlEntry } from '../../toml/parse';

/**
 * What the Kata rules ask of a configuration: what a key holds, where to
 * report a key that is missing, and what kind of guest the file is for.
 * The edits that go with them are in ./edits.ts.
 */

/** A key as the runtime sees it: not written (Kata's default applies), a template placeholder (unknown), or written. */
export type Lookup =
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown'; readonly entry: TomlEntry }
  | { readonly kind: 'set'; readonly entry: TomlEntry };

export function lookup(model: KataModel, ...path: string[]): Lookup {
  const entry = model.entry(...path);
  if (!entry) return { kind: 'absent' };
  return entry.placeholder !== undefined ? { kind: 'unknown', entry } : { kind: 'set', entry };
}

/** A key of `[hypervisor.qemu]`, template placeholders included (`model.qemuEntry` hides those). */
export function qemuLookup(model: KataModel, key: string): Lookup {
  return lookup(model, 'hypervisor', 'qemu', key);
}

/** A `[hypervisor.qemu]` key as written, template placeholders included. */
export function writtenQemuEntry(model: KataModel, key: string): TomlEntry | undefined {
  return model.entry('hypervisor', 'qemu', key);
}

/** Whether an `@NAME@` token lies inside `span` (a string value only partly templated). */
export function hasPlaceholderIn(model: KataModel, span: Span): boolean {
  return model.doc.placeholders.some((p) => p.span.start >= span.start && p.span.end <= span.end);
}

/** The keys written for `[hypervisor.qemu]`, under its header or as dotted keys elsewhere, in file order. */
export function qemuEntries(model: KataModel): TomlEntry[] {
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

/** The raw source text of an entry's value. */
export function rawValue(model: KataModel, entry: TomlEntry): string {
  return model.text.slice(entry.valueSpan.start, entry.valueSpan.end);
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

/** `snp_guest_policy` as Kata reads it (a TOML integer, decimal or `0x`/`0o`/`0b`). */
export type KataPolicy =
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown'; readonly entry: TomlEntry }
  | { readonly kind: 'invalid'; readonly entry: TomlEntry; readonly reason: 'negative' | 'notInteger' }
  | { readonly kind: 'set'; readonly entry: TomlEntry; readonly value: bigint; readonly style: NumberStyle };

export function readKataPolicy(model: KataModel): KataPolicy {
  const look = qemuLookup(model, 'snp_guest_policy');
  if (look.kind !== 'set') return look;
  const node = look.entry.node.value;
  if (node.type !== 'TOMLValue' || node.kind !== 'integer') return { kind: 'invalid', entry: look.entry, reason: 'notInteger' };
  if (node.bigint < 0n) return { kind: 'invalid', entry: look.entry, reason: 'negative' };
  return { kind: 'set', entry: look.entry, value: node.bigint, style: numberStyle(rawValue(model, look.entry)) };
}
