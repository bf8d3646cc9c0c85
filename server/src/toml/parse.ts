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

/**
 * Parses TOML. Bare `@NAME@` template tokens (Kata's `.toml.in` files, e.g.
 * `default_maxvcpus = @DEFMAXVCPUS@`) are read as opaque values: each is
 * parsed as the string `"NAME"`, which has the same length, so every offset
 * stays exact. Whether a token is allowed is for the caller to decide.
 */
export function parseToml(text: string): TomlParseResult {
  let source = text;
  const bare: Placeholder[] = [];
  for (;;) {
    try {
      const ast = parseTOML(source, { tomlVersion: '1.0.0' });
      return { ok: true, document: build(text, ast, bare) };
    } catch (e) {
      const err = e as { index?: number; message?: string };
      const at = typeof err.index === 'number' ? err.index : 0;
      TOKEN.lastIndex = at;
      const m = TOKEN.exec(source);
      if (m && bare.length < 10_000) {
        bare.push({ name: m[1]!, span: { start: at, end: at + m[0].length }, quoted: false });
        source = source.slice(0, at) + `"${m[1]}"` + source.slice(at + m[0].length);
        continue;
      }
      return { ok: false, error: describeError(text, at, err.message ?? String(e)) };
    }
  }
}

/**
 * The parser's error, where the user will look for it: a key whose value is
 * missing is reported at its `=` (the parser only notices on the next line),
 * anything else over the token at the error.
 */
function describeError(text: string, at: number, message: string): { message: string; span: Span } {
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
          placeholders.push({ name: m[1]!, span: { start: valueSpan.start + m.index!, end: valueSpan.start + m.index! + m[0].length }, quoted: true });
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
    value: getStaticTOMLValue(ast) as Record<string, unknown>,
    table: (path) => tableIndex.get(path.join('\u0000')),
    entry: (path) => entries.get(path.join('\u0000')),
  };
}
