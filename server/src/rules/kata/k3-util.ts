import type { KataModel } from '../../kata/model';
import { formatPolicy } from '../../policy';
import { eolOf, type Span, type TextEdit } from '../../text-edit';
import { insertKey, setValue, tomlString } from '../../toml/edit';
import type { TomlEntry, TomlTable } from '../../toml/parse';

/**
 * Helpers shared by the Kata rules kata-shared-fs, kata-virtio-mmio,
 * kata-machine-type, kata-snp-id-block, kata-snp-guest-policy, kata-hotplug
 * and kata-nesting-checks.
 */

/** A key as the runtime sees it: not written (Kata's default applies), a template placeholder (unknown), or written. */
export type Lookup =
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'set'; readonly entry: TomlEntry };

export function lookup(model: KataModel, ...path: string[]): Lookup {
  const entry = model.entry(...path);
  if (!entry) return { kind: 'absent' };
  if (entry.placeholder !== undefined) return { kind: 'unknown' };
  return { kind: 'set', entry };
}

/** A key of `[hypervisor.qemu]`. */
export function qemuLookup(model: KataModel, key: string): Lookup {
  return lookup(model, 'hypervisor', 'qemu', key);
}

/**
 * Where to report a key missing from `[hypervisor.qemu]`: the table's header,
 * or (for a table written with dotted keys only) the `confidential_guest` key.
 */
export function qemuAnchor(model: KataModel): Span | undefined {
  return model.qemu?.header ?? model.qemuEntry('confidential_guest')?.keySpan;
}

/** The raw source text of an entry's value. */
export function rawValue(model: KataModel, entry: TomlEntry): string {
  return model.text.slice(entry.valueSpan.start, entry.valueSpan.end);
}

/** `s` as a TOML string in the quoting of the entry's value: a literal `'…'` stays literal, anything else becomes `"…"`. */
export function sameQuotes(model: KataModel, entry: TomlEntry, s: string): string {
  const raw = rawValue(model, entry);
  const literal = raw.startsWith("'") && !raw.startsWith("'''") && !/['\r\n]/.test(s);
  return literal ? `'${s}'` : tomlString(s);
}

/** Replaces a string value, keeping its quoting where possible. */
export function setString(model: KataModel, entry: TomlEntry, s: string): TextEdit {
  return setValue(entry, sameQuotes(model, entry, s));
}

/**
 * Sets `key = toml` in a table: replaces the written value, or adds the key
 * after the table's last entry. Undefined when there is no table to add to.
 */
export function setOrInsert(model: KataModel, table: TomlTable | undefined, key: string, look: Lookup, toml: string): TextEdit | undefined {
  if (look.kind === 'set') return setValue(look.entry, toml);
  if (look.kind === 'unknown' || !table) return undefined;
  return insertKey(model.text, table, key, toml);
}

/**
 * Sets `key = toml` in a top-level table such as `[runtime]`: in the table
 * when it has a header, else in a new `[name]` table appended to the file.
 * Undefined when the table is defined another way (dotted keys, inline).
 */
export function setInTopTable(model: KataModel, name: string, key: string, look: Lookup, toml: string): TextEdit | undefined {
  const table = model.doc.table([name]);
  if (look.kind === 'set' || table) return setOrInsert(model, table, key, look, toml);
  if (look.kind === 'unknown' || name in model.doc.value) return undefined;
  return appendTable(model.text, name, `${key} = ${toml}`);
}

/** Appends `[name]` with one line to the end of the file, after a blank line. */
function appendTable(text: string, name: string, line: string): TextEdit {
  const eol = eolOf(text);
  const lead = text === '' ? '' : text.endsWith('\n') ? eol : eol + eol;
  return { start: text.length, end: text.length, newText: `${lead}[${name}]${eol}${line}${eol}` };
}

/** `snp_guest_policy` as Kata reads it (a TOML integer, decimal or `0x`/`0o`/`0b`). */
export type KataPolicy =
  | { readonly kind: 'absent' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'invalid'; readonly entry: TomlEntry; readonly reason: 'negative' | 'notInteger' }
  | { readonly kind: 'set'; readonly entry: TomlEntry; readonly value: bigint; readonly style: NumberStyle };

/** How an integer literal is written, to write another value the same way. */
export interface NumberStyle {
  readonly radix: 2 | 8 | 10 | 16;
  /** Zero-padded to this many digits (`0x00030000`: 8); 1 when not padded. */
  readonly width: number;
  /** Upper-case hex digits (`0x3000A`). */
  readonly upper: boolean;
}

const PREFIX: Readonly<Record<NumberStyle['radix'], string>> = { 2: '0b', 8: '0o', 10: '', 16: '0x' };

export function readKataPolicy(model: KataModel): KataPolicy {
  const look = qemuLookup(model, 'snp_guest_policy');
  if (look.kind !== 'set') return look;
  const node = look.entry.node.value;
  if (node.type !== 'TOMLValue' || node.kind !== 'integer') return { kind: 'invalid', entry: look.entry, reason: 'notInteger' };
  if (node.bigint < 0n) return { kind: 'invalid', entry: look.entry, reason: 'negative' };
  return { kind: 'set', entry: look.entry, value: node.bigint, style: numberStyle(rawValue(model, look.entry)) };
}

export function numberStyle(raw: string): NumberStyle {
  const text = raw.replace(/^\+/, '').replace(/_/g, '');
  const m = /^0([xob])(.*)$/.exec(text);
  const radix = m ? ({ x: 16, o: 8, b: 2 } as const)[m[1] as 'x' | 'o' | 'b'] : 10;
  const digits = m ? m[2]! : text;
  const width = digits.length > 1 && digits.startsWith('0') ? digits.length : 1;
  return { radix, width, upper: /[A-F]/.test(digits) && !/[a-f]/.test(digits) };
}

/** `value` written in `style`, without `_` separators. */
export function formatInStyle(value: bigint, style: NumberStyle): string {
  const digits = value.toString(style.radix).padStart(style.width, '0');
  return PREFIX[style.radix] + (style.upper ? digits.toUpperCase() : digits);
}

/** For messages: the value in the user's style, with its hex form when that is not hex (`196608 (0x30000)`). */
export function showPolicyValue(value: bigint, style: NumberStyle): string {
  const written = formatInStyle(value, style);
  return style.radix === 16 ? written : `${written} (${formatPolicy(value)})`;
}
