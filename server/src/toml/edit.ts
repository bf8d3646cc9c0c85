import { eolOf, type TextEdit } from '../text-edit';
import type { TomlEntry, TomlTable } from './parse';

/** Where a string value's content ends: before its closing `"`, `'`, `"""` or `'''`. */
export function stringContentEnd(text: string, entry: TomlEntry): number | undefined {
  const raw = text.slice(entry.valueSpan.start, entry.valueSpan.end);
  const m = /^("""|'''|"|')/.exec(raw);
  if (!m || !raw.endsWith(m[1]!) || raw.length < 2 * m[1]!.length) return undefined;
  return entry.valueSpan.end - m[1]!.length;
}

/** Where a string value's content starts: after its opening delimiter (and the newline a multi-line string may begin with). */
export function stringContentStart(text: string, entry: TomlEntry): number | undefined {
  const raw = text.slice(entry.valueSpan.start, entry.valueSpan.end);
  const m = /^("""|'''|"|')(\r?\n)?/.exec(raw);
  if (!m) return undefined;
  return entry.valueSpan.start + (m[1]!.length === 3 ? m[0].length : 1);
}

/**
 * Appends `addition` inside a string value, whatever its quoting; a space
 * separates it from existing text. In a multi-line basic string whose content
 * ends with a line-ending backslash, TOML trims the blanks after the
 * backslash, so the separating space goes before it, and the addition gets its
 * own continued line when the closing `"""` stands on a line of its own.
 */
export function appendToString(text: string, entry: TomlEntry, addition: string): TextEdit[] | undefined {
  const at = stringContentEnd(text, entry);
  if (at === undefined || typeof entry.value !== 'string') return undefined;
  const needsSpace = entry.value !== '' && !/\s$/.test(entry.value);
  const plain = [{ start: at, end: at, newText: (needsSpace ? ' ' : '') + addition }];
  if (!text.startsWith('"""', entry.valueSpan.start)) return plain;
  const contentStart = entry.valueSpan.start + 3;
  const m = /(\\+)[ \t]*\r?\n[ \t\r\n]*$/.exec(text.slice(contentStart, at));
  if (!m || m[1]!.length % 2 === 0) return plain;
  const slash = contentStart + m.index + m[1]!.length - 1;
  const edits: TextEdit[] = [];
  if (needsSpace) edits.push({ start: slash, end: slash, newText: ' ' });
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const indent = text.slice(lineStart, at);
  const ownLine = lineStart > slash && /^[ \t]*$/.test(indent);
  edits.push({ start: at, end: at, newText: ownLine ? `${addition}\\${eolOf(text)}${indent}` : addition });
  return edits;
}

/** Replaces a value with TOML source (`true`, `"q35"`, `0x30000`). */
export function setValue(entry: TomlEntry, toml: string): TextEdit {
  return { start: entry.valueSpan.start, end: entry.valueSpan.end, newText: toml };
}

/** Adds `key = value` to a table, on a new line after its last entry (or its header). */
export function insertKey(text: string, table: TomlTable, key: string, toml: string): TextEdit {
  const eol = eolOf(text);
  const last = table.entries[table.entries.length - 1];
  if (last) {
    const lineStart = text.lastIndexOf('\n', last.span.start - 1) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart, last.span.start))![0];
    const lineEnd = endOfLine(text, last.span.end);
    return { start: lineEnd, end: lineEnd, newText: `${eol}${indent}${key} = ${toml}` };
  }
  const at = table.header ? endOfLine(text, table.header.end) : 0;
  return table.header ? { start: at, end: at, newText: `${eol}${key} = ${toml}` } : { start: 0, end: 0, newText: `${key} = ${toml}${eol}` };
}

/** The offset of the line end after `offset` (before a comment's end, \r\n or \n), or the text's end. */
function endOfLine(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  if (nl < 0) return text.length;
  return text[nl - 1] === '\r' ? nl - 1 : nl;
}

/** A TOML basic string for `s`. */
export function tomlString(s: string): string {
  return JSON.stringify(s);
}
