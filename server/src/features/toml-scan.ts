/**
 * A tolerant line scan of a TOML file for completion and hover: which table
 * each line is in, which lines start a `key =`, and which lines continue a
 * multi-line array, inline table or string. It works on text that does not
 * parse (a key being typed has no value yet).
 */
import type { Span } from '../text-edit';

export interface TomlLine {
  /** Offset of the line's first character. */
  readonly start: number;
  /** Offset of the line's end (before `\r\n` / `\n`). */
  readonly end: number;
  /** The table the line belongs to; undefined after an array-of-tables header `[[…]]`. */
  readonly table: readonly string[] | undefined;
  /** The line is a `[table]` or `[[table]]` header. */
  readonly header: boolean;
  /** The line starts inside a multi-line array, inline table or string. */
  readonly continuation: boolean;
  /** The key of a `key = …` line (the last part of a dotted key), with its span. */
  readonly key: { readonly name: string; readonly span: Span; readonly dotted: boolean } | undefined;
}

const HEADER = /^[ \t]*\[(\[?)[ \t]*([^[\]#]*?)[ \t]*\](\]?)[ \t]*(#.*)?$/;
const KEY = /^([ \t]*)((?:[A-Za-z0-9_-]+|"[^"\r\n]*"|'[^'\r\n]*')(?:[ \t]*\.[ \t]*(?:[A-Za-z0-9_-]+|"[^"\r\n]*"|'[^'\r\n]*'))*)[ \t]*=/;

/** `a."b.c".d` → ['a', 'b.c', 'd']. */
export function splitKey(raw: string): string[] {
  const out: string[] = [];
  const re = /[ \t]*(?:([A-Za-z0-9_-]+)|"([^"]*)"|'([^']*)')[ \t]*(?:\.|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < raw.length && (m = re.exec(raw))) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** Every line of the text with its table and key. */
export function tomlLines(text: string): TomlLine[] {
  const lines: TomlLine[] = [];
  let table: readonly string[] | undefined = [];
  let depth = 0;
  let ml: '"""' | "'''" | undefined;
  let pos = 0;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const next = nl < 0 ? text.length + 1 : nl + 1;
    const end = nl < 0 ? text.length : text[nl - 1] === '\r' ? nl - 1 : nl;
    const line = text.slice(pos, end);
    const continuation = depth > 0 || ml !== undefined;
    let header = false;
    let key: TomlLine['key'];
    let scanFrom = 0;
    if (!continuation) {
      const h = HEADER.exec(line);
      if (h) {
        header = true;
        table = h[1] === '[' && h[3] === ']' ? undefined : splitKey(h[2]!);
        scanFrom = line.length;
      } else {
        const k = KEY.exec(line);
        if (k) {
          const parts = splitKey(k[2]!);
          const rawStart = pos + k[1]!.length;
          const rawKey = k[2]!;
          const lastDot = rawKey.lastIndexOf('.');
          const dotted = parts.length > 1;
          const nameStart = dotted ? rawStart + lastDot + 1 + (/^[ \t]*/.exec(rawKey.slice(lastDot + 1))![0].length) : rawStart;
          const nameRaw = dotted ? rawKey.slice(lastDot + 1).trim() : rawKey;
          key = { name: parts[parts.length - 1] ?? '', span: { start: nameStart, end: nameStart + nameRaw.length }, dotted };
          scanFrom = k[0].length;
        }
      }
    }
    lines.push({ start: pos, end, table, header, continuation, key });
    // Follow strings, arrays and inline tables to the end of the line.
    let i = scanFrom;
    while (i < line.length) {
      if (ml) {
        const close = line.indexOf(ml, i);
        if (close < 0) break;
        i = close + 3;
        ml = undefined;
        continue;
      }
      const c = line[i]!;
      if (c === '#') break;
      if (line.startsWith('"""', i) || line.startsWith("'''", i)) {
        ml = line.slice(i, i + 3) as '"""' | "'''";
        i += 3;
        continue;
      }
      if (c === '"' || c === "'") {
        let j = i + 1;
        while (j < line.length && line[j] !== c) j += c === '"' && line[j] === '\\' ? 2 : 1;
        i = j + 1;
        continue;
      }
      if (c === '[' || c === '{') depth++;
      else if ((c === ']' || c === '}') && depth > 0) depth--;
      i++;
    }
    pos = next;
  }
  return lines;
}

/** The line holding `offset`. */
export function lineIndexAt(lines: readonly TomlLine[], offset: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where a comment starts in a line, outside strings; -1 without one. */
export function commentStart(line: string): number {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return i;
  }
  return -1;
}

/** The keys written directly in the table section that holds line `index` (not counting that line). */
export function keysInSection(lines: readonly TomlLine[], index: number): Set<string> {
  const keys = new Set<string>();
  let first = index;
  while (first > 0 && !lines[first]!.header) first--;
  for (let i = first; i < lines.length; i++) {
    const l = lines[i]!;
    if (i > first && l.header) break;
    if (i !== index && l.key && !l.key.dotted && !l.continuation) keys.add(l.key.name);
  }
  return keys;
}

/** A TOML integer literal (decimal, 0x, 0o, 0b, with `_`), or undefined. */
export function parseTomlInteger(raw: string): bigint | undefined {
  const s = raw.trim();
  const m = /^(\+|-)?(0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|[0-9_]+)$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  if (/^_|_$|__/.test(body.replace(/^0[xob]/, ''))) return undefined;
  try {
    const v = BigInt(body.replace(/_/g, ''));
    return m[1] === '-' ? -v : v;
  } catch {
    return undefined;
  }
}
