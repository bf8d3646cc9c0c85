/** `a|b` → text `ab`, offset 1: the `|` cursor marker of inline completion and hover tests. */
export function at(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf('|');
  if (offset < 0 || marked.indexOf('|', offset + 1) >= 0) throw new Error(`exactly one | cursor marker expected in ${JSON.stringify(marked)}`);
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

/** The text a span covers, for readable assertions on replace spans. */
export function spanText(text: string, span: { start: number; end: number }): string {
  return text.slice(span.start, span.end);
}
