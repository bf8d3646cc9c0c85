/**
 * A tolerant line scan of a TOML file, for completion and hover: which table
 * each line is in, which lines are headers, where a `key =` line has its key,
 * its `=`, its value and its comment, and which lines continue a multi-line
 * array, inline table or string. It never fails: it reads text that does not
 * parse (a key being typed has no value yet). The strict parse, for the
 * rules, is {@link parseToml} in `./parse`.
 */
import type { Span } from '../text-edit';

export interface TomlScanKey {
  /** The last part of the key (`c` of `a.b.c`), unquoted. */
  readonly name: string;
  /** Where that last part is written (quotes included). */
  readonly span: Span;
  /** Every part: `a."b.c".d` → ['a', 'b.c', 'd']. */
  readonly path: readonly string[];
  readonly dotted: boolean;
  /** A bare key (`[A-Za-z0-9_-]+`), neither quoted nor dotted. */
  readonly bare: boolean;
}

export interface TomlScanLine {
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
  /** The key of a `key = …` line. */
  readonly key: TomlScanKey | undefined;
  /** Offset of the `=` after the key. */
  readonly equals: number | undefined;
  /** The value as far as it is on this line: from after `=` and blanks to a comment or the line end, trailing blanks left out. */
  readonly value: Span | undefined;
  /** Offset of a `#` starting a comment (outside strings); undefined without one. */
  readonly comment: number | undefined;
}

const HEADER = /^[ \t]*\[(\[?)[ \t]*([^[\]#]*?)[ \t]*\](\]?)[ \t]*(#.*)?$/;
const KEY = /^([ \t]*)((?:[A-Za-z0-9_-]+|"[^"\r\n]*"|'[^'\r\n]*')(?:[ \t]*\.[ \t]*(?:[A-Za-z0-9_-]+|"[^"\r\n]*"|'[^'\r\n]*'))*)[ \t]*=/;
const BARE = /^[A-Za-z0-9_-]+$/;
const isBareChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_-]/.test(c);
const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** `a."b.c".d` → ['a', 'b.c', 'd']. */
export function splitKey(raw: string): string[] {
  const out: string[] = [];
  const re = /[ \t]*(?:([A-Za-z0-9_-]+)|"([^"]*)"|'([^']*)')[ \t]*(?:\.|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < raw.length && (m = re.exec(raw))) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** Every line of the text with its table, key, value and comment. */
export function scanToml(text: string): TomlScanLine[] {
  const lines: TomlScanLine[] = [];
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
    let key: TomlScanKey | undefined;
    let equals: number | undefined;
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
          const rawKey = k[2]!;
          const path = splitKey(rawKey);
          const rawStart = pos + k[1]!.length;
          const lastDot = rawKey.lastIndexOf('.');
          const dotted = path.length > 1;
          const nameStart = dotted ? rawStart + lastDot + 1 + /^[ \t]*/.exec(rawKey.slice(lastDot + 1))![0].length : rawStart;
          const nameRaw = dotted ? rawKey.slice(lastDot + 1).trim() : rawKey;
          key = { name: path[path.length - 1] ?? '', span: { start: nameStart, end: nameStart + nameRaw.length }, path, dotted, bare: !dotted && BARE.test(rawKey) };
          equals = pos + k[0].length - 1;
          scanFrom = k[0].length;
        }
      }
    }
    // Follow strings, arrays and inline tables to the end of the line.
    let comment: number | undefined;
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
      if (c === '#') {
        comment = pos + i;
        break;
      }
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
    if (comment === undefined && !continuation && !header) comment = commentIn(text, pos, end);
    let value: Span | undefined;
    if (equals !== undefined) {
      let vs = equals + 1;
      while (vs < end && isBlank(text[vs])) vs++;
      let ve = comment ?? end;
      while (ve > vs && isBlank(text[ve - 1])) ve--;
      value = { start: vs, end: Math.max(vs, ve) };
    }
    lines.push({ start: pos, end, table, header, continuation, key, equals, value, comment });
    pos = next;
  }
  return lines;
}

/** Where a `#` outside strings is in `[start, end)` of the text (a line that is neither a header nor `key =`). */
function commentIn(text: string, start: number, end: number): number | undefined {
  let quote: string | undefined;
  for (let i = start; i < end; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return i;
  }
  return undefined;
}

/** The line holding `offset`. */
export function lineIndexAt(lines: readonly TomlScanLine[], offset: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The keys written directly in the table section that holds line `index` (not counting that line). */
export function keysInSection(lines: readonly TomlScanLine[], index: number): Set<string> {
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

/** Where an offset is in a TOML file, for completion and hover. */
export type TomlContext =
  | {
      /** A bare key being typed at the start of a line (possibly before an `=` already there). */
      readonly kind: 'key';
      readonly table: readonly string[];
      readonly lines: readonly TomlScanLine[];
      readonly index: number;
      /** The key as typed: from its first character to the end of the run of key characters at the offset. */
      readonly span: Span;
      /** An `=` follows the key. */
      readonly hasValue: boolean;
    }
  | {
      /** In the value of `key = …` (a bare key), in the run of non-blank characters right after `=`. */
      readonly kind: 'value';
      readonly table: readonly string[];
      readonly key: string;
      /** From the start of the value to the offset, then on to a blank or a `#`. */
      readonly span: Span;
    };

/**
 * What is being typed at `offset`; undefined in a comment, a header, a line
 * continuing a multi-line value, after an array-of-tables header, or after
 * a value and blanks.
 */
export function tomlContextAt(text: string, offset: number, lines: readonly TomlScanLine[] = scanToml(text)): TomlContext | undefined {
  const index = lineIndexAt(lines, offset);
  const line = lines[index]!;
  if (line.continuation || line.header || line.table === undefined) return undefined;
  if (line.comment !== undefined && line.comment < offset) return undefined;
  const table = line.table;
  let ks = line.start;
  while (ks < offset && isBlank(text[ks])) ks++;
  let k = ks;
  while (k < offset && isBareChar(text[k])) k++;
  if (k === offset) {
    let end = offset;
    while (end < line.end && isBareChar(text[end])) end++;
    let e = end;
    while (e < line.end && isBlank(text[e])) e++;
    return { kind: 'key', table, lines, index, span: { start: ks, end }, hasValue: text[e] === '=' && e < line.end };
  }
  if (!line.key?.bare || line.equals === undefined || line.value === undefined || offset <= line.equals) return undefined;
  const vs = Math.min(line.value.start, offset);
  for (let i = vs; i < offset; i++) if (/\s/.test(text[i]!)) return undefined;
  let end = offset;
  while (end < line.end && !/[\s#]/.test(text[end]!)) end++;
  return { kind: 'value', table, key: line.key.name, span: { start: vs, end } };
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
