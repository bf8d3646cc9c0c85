import { getStaticTOMLValue, parseTOML, type AST } from 'toml-eslint-parser';
import type { Span } from '../text-edit';

/**
 * A TOML document with the exact span of every table header, key and value,
 * from toml-eslint-parser (which gives both the spans and the values, so one
 * parser does the whole job).
 */

export interface TomlEntry {
  /** Full key path: the table's path followed by the (dotted) key. */
  readonly path: readonly string[];
  readonly keySpan: Span;
  readonly valueSpan: Span;
  /** `key = value`. */
  readonly span: Span;
  /** The plain value: string, number, bigint, boolean, Date, array or object. */
  readonly value: unknown;
  readonly node: AST.TOMLKeyValue;
  readonly table: TomlTable;
  /** NAME, when the value is a template token `@NAME@` (quoted or not). */
  readonly placeholder: string | undefined;
}

export interface TomlTable {
  /** [] for the top level. */
  readonly path: readonly string[];
  /** The `[a.b]` header; undefined for the top level. */
  readonly header: Span | undefined;
  /** From the header to the end of the last entry. */
  readonly span: Span;
  readonly entries: readonly TomlEntry[];
}

/** An `@NAME@` token of a Kata template. */
export interface Placeholder {
  readonly name: string;
  readonly span: Span;
  /** Inside a string rather than a bare value. */
  readonly quoted: boolean;
}

export interface TomlDocument {
  readonly text: string;
  readonly tables: readonly TomlTable[];
  readonly placeholders: readonly Placeholder[];
  /** The plain value of the whole document. */
  readonly value: Record<string, unknown>;
  table(path: readonly string[]): TomlTable | undefined;
  entry(path: readonly string[]): TomlEntry | undefined;
}

export type TomlParseResult =
  | { readonly ok: true; readonly document: TomlDocument }
  | { readonly ok: false; readonly error: { readonly message: string; readonly span: Span } };

const TOKEN = /@([A-Za-z_][A-Za-z0-9_]*)@/y;
const TOKEN_GLOBAL = /@([A-Za-z_][A-Za-z0-9_]*)@/g;

/** Arrays and inline tables nested deeper than this are reported instead of parsed (the parser recurses). */
export const MAX_TOML_DEPTH = 100;

/**
 * Parses TOML. Bare `@NAME@` template tokens (Kata's `.toml.in` files, e.g.
 * `default_maxvcpus = @DEFMAXVCPUS@`) are read as opaque values: each is
 * parsed as the string `"NAME"`, which has the same length, so every offset
 * stays exact. Whether a token is allowed is for the caller to decide.
 */
export function parseToml(text: string): TomlParseResult {
  const scan = scanTemplate(text);
  if (scan.tooDeep) {
    return { ok: false, error: { message: `Arrays and inline tables are nested more than ${MAX_TOML_DEPTH} deep; sevlint does not read further.`, span: scan.tooDeep } };
  }
  let ast: AST.TOMLProgram;
  try {
    ast = parseTOML(scan.source, { tomlVersion: '1.0.0' });
  } catch (e) {
    if (e instanceof RangeError) return { ok: false, error: { message: 'The document is nested too deeply to read.', span: { start: 0, end: 0 } } };
    const err = e as { index?: number; message?: string };
    const at = typeof err.index === 'number' ? Math.min(Math.max(err.index, 0), text.length) : 0;
    return { ok: false, error: describeError(text, at, err.message ?? String(e)) };
  }
  return { ok: true, document: build(text, ast, scan.bare) };
}

interface TemplateScan {
  /** The text with each bare token `@NAME@` replaced by `"NAME"` (and a leading BOM by a space). */
  readonly source: string;
  readonly bare: readonly Placeholder[];
  /** The first `[` or `{` nested deeper than MAX_TOML_DEPTH. */
  readonly tooDeep: Span | undefined;
}

/**
 * One pass over the text that knows TOML's strings and comments: finds the
 * `@NAME@` tokens outside them (TOML allows `@` nowhere else, so these are
 * exactly the tokens the parser would stop at) and the deepest nesting of
 * brackets and braces. `\` escapes in basic and multi-line basic strings are
 * followed as TOML does; an unterminated one-line string ends at its line
 * (the parser reports it there).
 */
function scanTemplate(text: string): TemplateScan {
  const n = text.length;
  const bare: Placeholder[] = [];
  let out = '';
  let copied = 0;
  let depth = 0;
  let tooDeep: Span | undefined;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) {
    // toml-eslint-parser does not skip a byte order mark; a space keeps the offsets.
    out = ' ';
    copied = 1;
    i = 1;
  }
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x23 /* # */) {
      // The parser ends a comment at a carriage return too (a lone one is not a line break in TOML, and what
      // follows it is read as a new line): so does the scan, or a token after it would be left unreplaced.
      let end = i + 1;
      while (end < n && text.charCodeAt(end) !== 0x0a && text.charCodeAt(end) !== 0x0d) end++;
      i = end;
    } else if (c === 0x22 /* " */) {
      i = text.startsWith('"""', i) ? endOfMultiline(text, i + 3, '"') : endOfBasic(text, i + 1);
    } else if (c === 0x27 /* ' */) {
      i = text.startsWith("'''", i) ? endOfMultiline(text, i + 3, "'") : endOfLiteral(text, i + 1);
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > MAX_TOML_DEPTH && !tooDeep) tooDeep = { start: i, end: i + 1 };
      i++;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      if (depth > 0) depth--;
      i++;
    } else if (c === 0x40 /* @ */) {
      TOKEN.lastIndex = i;
      const m = TOKEN.exec(text);
      if (m) {
        bare.push({ name: m[1]!, span: { start: i, end: i + m[0].length }, quoted: false });
        out += text.slice(copied, i) + `"${m[1]}"`;
        i += m[0].length;
        copied = i;
      } else {
        i++;
      }
    } else {
      i++;
    }
  }
  return { source: copied === 0 ? text : out + text.slice(copied), bare, tooDeep };
}

/** After the opening `"` of a basic string: the offset after its closing quote, or its line end when unterminated. */
function endOfBasic(text: string, i: number): number {
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else if (c === '\n') return i;
    else i++;
  }
  return text.length;
}

/** After the opening `'` of a literal string: the offset after its closing quote, or its line end when unterminated. */
function endOfLiteral(text: string, i: number): number {
  const q = text.indexOf("'", i);
  const nl = text.indexOf('\n', i);
  if (q >= 0 && (nl < 0 || q < nl)) return q + 1;
  return nl < 0 ? text.length : nl;
}

/** After the opening `"""` / `'''`: the offset after the closing delimiter (up to two more quotes before it belong to the string). */
function endOfMultiline(text: string, i: number, quote: '"' | "'"): number {
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && quote === '"') {
      i += 2;
    } else if (c === quote) {
      let k = i;
      while (text[k] === quote) k++;
      if (k - i >= 3) return k;
      i = k;
    } else {
      i++;
    }
  }
  return text.length;
}

/**
 * The parser's error, where the user will look for it: a key whose value is
 * missing is reported at its `=` (the parser only notices on the next line),
 * anything else over the token at the error.
 */
/** @internal Exported for the tests that compare with the former template mode. */
export function describeError(text: string, at: number, message: string): { message: string; span: Span } {
  const before = /=[ \t]*(#[^\n]*)?\r?\n[ \t\r\n]*$/.exec(text.slice(Math.max(0, at - 200), at));
  if (before && (message === 'Unexpected character' || message === 'Unspecified values are invalid')) {
    const eq = at - before[0].length;
    return { message: 'The key has no value after =.', span: { start: eq, end: eq + 1 } };
  }
  if (message.startsWith('Unterminated string')) {
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const quote = Math.max(text.lastIndexOf('"', at - 1), text.lastIndexOf("'", at - 1));
    if (quote >= lineStart) return { message, span: { start: quote, end: at } };
  }
  let end = at;
  while (end < text.length && !/\s/.test(text[end]!)) end++;
  return { message, span: { start: at, end } };
}

function keyNames(key: AST.TOMLKey): string[] {
  return key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
}

function build(text: string, ast: AST.TOMLProgram, bare: readonly Placeholder[]): TomlDocument {
  const tables: TomlTable[] = [];
  const entries = new Map<string, TomlEntry>();
  const bareAt = new Map(bare.map((p) => [p.span.start, p]));
  const placeholders: Placeholder[] = [...bare];

  const addTable = (path: readonly string[], header: Span | undefined, start: number, kvs: readonly AST.TOMLKeyValue[]): void => {
    const list: TomlEntry[] = [];
    const last = kvs[kvs.length - 1];
    const table: TomlTable = { path, header, span: { start, end: last ? last.range[1] : header ? header.end : start }, entries: list };
    for (const kv of kvs) {
      const full = [...path, ...keyNames(kv.key)];
      const valueSpan = { start: kv.value.range[0], end: kv.value.range[1] };
      let placeholder = bareAt.get(valueSpan.start)?.name;
      if (placeholder === undefined && kv.value.type === 'TOMLValue' && kv.value.kind === 'string') {
        const raw = text.slice(valueSpan.start, valueSpan.end);
        for (const m of raw.matchAll(TOKEN_GLOBAL)) {
          placeholders.push({ name: m[1]!, span: { start: valueSpan.start + m.index, end: valueSpan.start + m.index + m[0].length }, quoted: true });
        }
        const whole = /^(["'])@([A-Za-z_][A-Za-z0-9_]*)@\1$/.exec(raw);
        if (whole) placeholder = whole[2];
      }
      const entry: TomlEntry = {
        path: full,
        keySpan: { start: kv.key.range[0], end: kv.key.range[1] },
        valueSpan,
        span: { start: kv.range[0], end: kv.range[1] },
        value: getStaticTOMLValue(kv.value),
        node: kv,
        table,
        placeholder,
      };
      list.push(entry);
      entries.set(full.join('\u0000'), entry);
    }
    tables.push(table);
  };

  const top = ast.body[0];
  const topKvs: AST.TOMLKeyValue[] = [];
  for (const node of top.body) {
    if (node.type === 'TOMLKeyValue') topKvs.push(node);
  }
  addTable([], undefined, 0, topKvs);
  for (const node of top.body) {
    if (node.type !== 'TOMLTable') continue;
    const path = node.resolvedKey.map(String);
    const close = text.indexOf(node.kind === 'array' ? ']]' : ']', node.key.range[1]);
    addTable(path, { start: node.range[0], end: close + (node.kind === 'array' ? 2 : 1) }, node.range[0], node.body);
  }
  const tableIndex = new Map(tables.map((t) => [t.path.join('\u0000'), t]));
  return {
    text,
    tables,
    placeholders: placeholders.sort((a, b) => a.span.start - b.span.start),
    value: getStaticTOMLValue(ast),
    table: (path) => tableIndex.get(path.join('\u0000')),
    entry: (path) => entries.get(path.join('\u0000')),
  };
}
