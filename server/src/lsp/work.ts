/**
 * The language server's text work (lint, fix-all, hover, completion, outline) as plain
 * jobs: data in, structured-clone-able data out, so the same function runs on
 * the main thread for small documents and in a worker thread for large ones
 * (see pool.ts). Pure, like the core: the language service
 * (server/src/service.ts) hands these jobs to the pool.
 */
import { complete, type CompletionResult } from '../features/completion';
import { hover, type HoverResult } from '../features/hover';
import { documentSymbols, type DocSymbol } from '../features/symbols';
import { fixAll, fixRule, lint, type LintOptions, type LintResult } from '../linter';
import type { Finding } from '../rules/types';
import type { TextEdit } from '../text-edit';

export type Job =
  | { readonly op: 'lint'; readonly text: string; readonly options: LintOptions }
  /** The result is one edit from the text to its fixed form (null: nothing to fix); with `ruleId`, only that rule's fixes. */
  | { readonly op: 'fixAll'; readonly text: string; readonly options: LintOptions; readonly ruleId?: string }
  | { readonly op: 'hover'; readonly text: string; readonly offset: number; readonly fileName: string }
  | { readonly op: 'complete'; readonly text: string; readonly offset: number; readonly fileName: string }
  | { readonly op: 'symbols'; readonly text: string; readonly fileName: string };

export interface JobResults {
  lint: LintResult;
  fixAll: TextEdit | null;
  hover: HoverResult | null;
  complete: CompletionResult | null;
  symbols: DocSymbol[];
}

export type JobOf<K extends Job['op']> = Extract<Job, { op: K }>;

/** What a job came to: its value, or `cancelled` when it stopped early (fix-all, between passes). */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly cancelled: true };

/**
 * The findings of the last lint this thread ran. A fix-all of the same text
 * with the same options starts from them instead of linting again: a
 * document's lint and its fix-all meet in the same worker when the pool has
 * one (as on two cores), and the findings are not sent back and forth, which
 * costs about as much as the lint.
 */
let lastLint: { readonly text: string; readonly options: string; readonly findings: readonly Finding[] } | undefined;

export function runJob<K extends Job['op']>(typed: JobOf<K>, isCancelled: () => boolean): Outcome<JobResults[K]> {
  const done = <T>(value: T) => ({ ok: true as const, value }) as Outcome<JobResults[K]>;
  if (isCancelled()) return { ok: false, cancelled: true };
  const job = typed as Job;
  switch (job.op) {
    case 'lint': {
      const result = lint(job.text, job.options);
      lastLint = { text: job.text, options: JSON.stringify(job.options), findings: result.findings };
      return done(result);
    }
    case 'fixAll': {
      const first = lastLint?.text === job.text && lastLint.options === JSON.stringify(job.options) ? lastLint.findings : undefined;
      const r = job.ruleId === undefined ? fixAll(job.text, job.options, 10, isCancelled, first) : fixRule(job.text, job.ruleId, job.options, 10, isCancelled, first);
      if (r.cancelled) return { ok: false, cancelled: true };
      return done(r.text === job.text ? null : minimalEdit(job.text, r.text));
    }
    case 'hover':
      return done(hover(job.text, job.offset, { fileName: job.fileName }) ?? null);
    case 'complete':
      return done(complete(job.text, job.offset, { fileName: job.fileName }) ?? null);
    case 'symbols':
      return done(documentSymbols(job.text, { fileName: job.fileName }));
  }
  // Unreachable for a well-typed job; a worker can still be sent anything.
  throw new Error(`unknown job ${String((job as { op?: unknown }).op)}`);
}

/** One edit for the part of `before` that differs from `after`. */
export function minimalEdit(before: string, after: string): TextEdit {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { start, end: before.length - end, newText: after.slice(start, after.length - end) };
}
