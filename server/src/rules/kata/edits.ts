import type { KataModel, KernelParam } from '../../kata/model';
import { eolOf, type TextEdit } from '../../text-edit';
import { insertKey, setValue, tomlString } from '../../toml/edit';
import type { TomlEntry, TomlTable } from '../../toml/parse';
import { qemuEntries, rawValue, writtenQemuEntry, type Lookup } from './query';

/** The fixes the Kata rules make: setting and adding keys in the file's own layout, removing kernel parameters. */

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
