/** Half-open `[start, end)` offsets in UTF-16 code units, the unit of LSP positions. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A replacement of `[start, end)` in the text the edit was computed from. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

/**
 * Applies edits computed against `text`. Edits must not overlap; the ones
 * that would are dropped (they belong to a later pass).
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) continue;
    out += text.slice(pos, e.start) + e.newText;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/** The line ending a file uses: CRLF when it has any, else LF. */
export function eolOf(text: string): '\n' | '\r\n' {
  return text.includes('\r\n') ? '\r\n' : '\n';
}
