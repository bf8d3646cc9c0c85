/**
 * The order of the quick fixes offered for the findings at a cursor, so that
 * Ctrl+. → Enter applies the fix the user is looking at. Pure: spans in,
 * order out; the language server turns the result into LSP code actions.
 */
import type { Fix, Severity } from '../rules/types';
import type { Span } from '../text-edit';

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, information: 2, hint: 3 };

/** The finding is under the cursor (or selection): it holds it, an end touching it included. */
export function underCursor(span: Span, cursor: Span): boolean {
  return span.start <= cursor.start && cursor.end <= span.end;
}

/** How an item ranks at the cursor: under it or not, then its severity (lower first). */
export function cursorRank(span: Span, severity: Severity, cursor: Span): number {
  return (underCursor(span, cursor) ? 0 : 10) + SEVERITY_RANK[severity];
}

/**
 * `items` with the findings under the cursor first, then by severity (errors
 * first), then by where they start; otherwise in their given order.
 */
export function orderForCursor<T>(items: readonly T[], cursor: Span, of: (item: T) => { readonly span: Span; readonly severity: Severity }): T[] {
  const keyed = items.map((item, i) => {
    const f = of(item);
    return { item, i, rank: cursorRank(f.span, f.severity, cursor), start: f.span.start };
  });
  keyed.sort((a, b) => a.rank - b.rank || a.start - b.start || a.i - b.i);
  return keyed.map((k) => k.item);
}

export interface OrderedFix<T> {
  readonly item: T;
  readonly fix: Fix;
  /**
   * What to send as the code action's `isPreferred`: a preferred fix of the
   * first item that has fixes, or of an item that ranks as high (under the
   * cursor alike, the same severity). VS Code lists preferred actions first
   * whatever the order sent, so a preferred fix of a warning elsewhere on the
   * line would otherwise come before the error under the cursor.
   */
  readonly isPreferred: boolean;
}

/** The fixes of `items` (already in {@link orderForCursor} order), each item's in the rule's order. */
export function orderedFixes<T>(items: readonly T[], fixesOf: (item: T) => readonly Fix[], rankOf: (item: T) => number): OrderedFix<T>[] {
  const out: OrderedFix<T>[] = [];
  let top: number | undefined;
  for (const item of items) {
    const fixes = fixesOf(item);
    if (fixes.length === 0) continue;
    top ??= rankOf(item);
    for (const fix of fixes) out.push({ item, fix, isPreferred: fix.preferred && rankOf(item) === top });
  }
  return out;
}
