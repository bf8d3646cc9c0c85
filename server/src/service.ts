/**
 * The language service: everything the editor asks about a document —
 * diagnostics, code actions, fix-all, completion, hover, the launchSecurity
 * insertion — behind one object, in the manner of
 * vscode-json-languageservice's `getLanguageService()`. Pure like the rest of
 * the core: documents are a URI, a version and a text; positions are UTF-16
 * offsets; results are findings, fixes and edits. The language server
 * (server.ts) only converts positions and builds LSP messages around it.
 *
 * One cache, keyed by URI and version, holds what each version costs to
 * compute: what the text is, its tolerant XML tree (read by the rules,
 * completion, hover and the insertion alike) and its lint. Each version is
 * parsed and linted once, whichever request comes first; the others wait
 * for that result. A newer version of a document replaces the older one (and
 * cancels its lint); a request about an older version than the one cached is
 * answered without touching the cache.
 *
 * Texts of `offload.minLength` characters or more are not parsed here: their
 * lint, fix-all, completion and hover are jobs (lsp/work.ts) handed to
 * `offload.run` (the server's worker pool), and only the lint's findings are
 * cached. Without `offload` everything runs in the caller's thread.
 *
 * Whatever `lint()` reports is what validation publishes and what code actions
 * and fix-all read, so checks added to `lint()` (schema validation, say)
 * need no change here.
 */
import { complete as completeText, startsADomain, type CompletionResult } from './features/completion';
import { hover as hoverText, type HoverResult } from './features/hover';
import { launchSecurityEdit, type LaunchSecurityEditResult, type LaunchSecurityKind, type LaunchSecurityOptions } from './features/launch-security';
import type { DocumentKind } from './file-types';
import { detectKind, fixableCounts, fixAll as fixAllText, fixRule as fixRuleText, kindForNotice, lint, type LintOptions, type LintResult } from './linter';
import { lintOptions, type Settings } from './lsp/settings';
import { minimalEdit, type Job, type JobOf, type JobResults, type Outcome } from './lsp/work';
import type { Finding, Fix } from './rules/types';
import type { Span, TextEdit } from './text-edit';
import type { XmlTolerantResult } from './xml/model';
import { parseXmlTolerant } from './xml/parse';

export type { Outcome, Settings };

/** A version of a document. */
export interface ServiceDocument {
  readonly uri: string;
  readonly version: number;
  readonly text: string;
}

/** What a request is cancelled by (vscode-languageserver's CancellationToken is one). */
export interface Cancellation {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

/** Where the work on large texts runs (the server's worker pool). */
export interface Offload {
  /** Texts at least this long are offloaded. */
  readonly minLength: number;
  run<K extends Job['op']>(job: JobOf<K>, token?: Cancellation): Promise<Outcome<JobResults[K]>>;
}

export interface LanguageServiceOptions {
  readonly offload?: Offload;
  /**
   * What the lint of a document also needs beyond its settings, from outside
   * the core (the host capabilities files the settings name, which the server
   * reads): called with the options the settings give.
   */
  readonly lintOptions?: (doc: ServiceDocument, settings: Settings, options: LintOptions) => Promise<LintOptions>;
}

/** What validation of a version came to. */
export type Validation =
  | { readonly status: 'disabled' }
  /** Longer than `sevlint.maxFileSize` and named like a file sevlint lints: not linted (a longer file of another name is simply not linted). */
  | { readonly status: 'too-large'; readonly length: number; readonly maxFileSize: number }
  | { readonly status: 'linted'; readonly result: LintResult };

/** A finding the client shows, by rule and span (a diagnostic it sends back with a code action request). */
export interface FindingRef {
  readonly ruleId: string;
  readonly span: Span;
}

export interface CodeActionsResult {
  /** Each requested finding as this version has it, in the order asked (undefined: this version does not have it). */
  readonly findings: readonly (Finding | undefined)[];
  /** The fixes of each requested finding, in the order asked (none for a finding this version does not have). */
  readonly fixes: readonly (readonly Fix[])[];
  /** What the version was linted as. */
  readonly kind: DocumentKind | undefined;
  /** Some finding has a preferred fix: fix-all has something to do. */
  readonly fixAllAvailable: boolean;
  /** How many findings of each rule carry a preferred fix (rules with none are absent). */
  readonly fixableByRule: ReadonlyMap<string, number>;
}

export interface LanguageService {
  /** The findings of a version (or why it is not linted). */
  validate(doc: ServiceDocument, settings: Settings): Promise<Outcome<Validation>>;
  /** The fixes of the findings asked about, from the version's lint: nothing else is computed. */
  codeActions(doc: ServiceDocument, settings: Settings, findings: readonly FindingRef[]): Promise<Outcome<CodeActionsResult>>;
  /** One edit from the text to its form with every preferred fix applied (null: nothing to fix, or not linted). */
  fixAll(doc: ServiceDocument, settings: Settings, token?: Cancellation): Promise<Outcome<TextEdit | null>>;
  /** As fixAll, with the preferred fixes of the rule `ruleId` only ("Fix all RULE problems in this file"). */
  fixRule(doc: ServiceDocument, settings: Settings, ruleId: string, token?: Cancellation): Promise<Outcome<TextEdit | null>>;
  complete(doc: ServiceDocument, offset: number, settings: Settings, token?: Cancellation): Promise<Outcome<CompletionResult | null>>;
  hover(doc: ServiceDocument, offset: number, settings: Settings, token?: Cancellation): Promise<Outcome<HoverResult | null>>;
  /** The "Insert SEV launchSecurity" edit (see features/launch-security.ts), from the version's tree. */
  insertLaunchSecurity(doc: ServiceDocument, kind: LaunchSecurityKind, policy: bigint, opts?: LaunchSecurityOptions): LaunchSecurityEditResult;
  /** Drops what is cached for `uri` (closed or reopened) and cancels its lint. */
  forget(uri: string): void;
  /** Drops everything cached (the settings changed, shutdown). */
  clear(): void;
}

/** `file:///a/b/configuration.toml` → `/a/b/configuration.toml` (what detection and template mode look at). */
export function fileNameOf(uri: string): string {
  try {
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return uri;
  }
}

const CANCELLED: Outcome<never> = { ok: false, cancelled: true };

function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

class CancelSource implements Cancellation {
  isCancellationRequested = false;
  private readonly listeners = new Set<() => void>();

  onCancellationRequested(listener: () => void): { dispose(): void } {
    if (this.isCancellationRequested) {
      queueMicrotask(listener);
      return { dispose: () => undefined };
    }
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  cancel(): void {
    if (this.isCancellationRequested) return;
    this.isCancellationRequested = true;
    for (const l of [...this.listeners]) l();
    this.listeners.clear();
  }
}

interface LintEntry {
  readonly settings: Settings;
  readonly cancel: CancelSource;
  readonly result: Promise<Outcome<LintResult>>;
  /** Findings by rule and span, built when a code action first asks. */
  index?: Map<string, Finding>;
  /** {@link fixableCounts} of the findings, with the index. */
  fixable?: ReadonlyMap<string, number>;
  /**
   * The fix-all of one rule of this version, by rule id, once computed: a client that cannot resolve code
   * actions is sent it with every lightbulb request, asked again as the cursor moves. (Fix-all itself is
   * computed only when asked for, and each time.)
   */
  ruleFixes?: Map<string, TextEdit | null>;
}

/** What is kept of one version of a document. */
class Entry {
  private kindSeen = false;
  private kindValue: DocumentKind | undefined;
  private tree: XmlTolerantResult | undefined;
  lint: LintEntry | undefined;

  constructor(
    readonly doc: ServiceDocument,
    readonly fileName: string,
  ) {}

  get kind(): DocumentKind | undefined {
    if (!this.kindSeen) {
      this.kindValue = detectKind(this.doc.text, this.fileName);
      this.kindSeen = true;
    }
    return this.kindValue;
  }

  /** The tolerant tree of the text, parsed on first use. */
  get xml(): XmlTolerantResult {
    this.tree ??= parseXmlTolerant(this.doc.text);
    return this.tree;
  }

  dispose(): void {
    this.lint?.cancel.cancel();
    this.lint = undefined;
  }
}

const key = (ruleId: string, span: Span) => `${ruleId}\0${span.start}\0${span.end}`;

export function createLanguageService(options: LanguageServiceOptions = {}): LanguageService {
  const entries = new Map<string, Entry>();
  const offload = options.offload;
  const offloaded = (text: string) => offload !== undefined && text.length >= offload.minLength;
  const optionsOf = (doc: ServiceDocument, fileName: string, settings: Settings): Promise<LintOptions> => {
    const base = lintOptions(settings, fileName);
    return options.lintOptions ? options.lintOptions(doc, settings, base) : Promise.resolve(base);
  };

  /** The cached entry of this version; a newer version replaces an older one, an older one gets an entry of its own, not kept. */
  function entryOf(doc: ServiceDocument): Entry {
    const cached = entries.get(doc.uri);
    if (cached && cached.doc.version === doc.version && cached.doc.text === doc.text) return cached;
    const fresh = new Entry(doc, fileNameOf(doc.uri));
    if (!cached || doc.version >= cached.doc.version) {
      cached?.dispose();
      entries.set(doc.uri, fresh);
    }
    return fresh;
  }

  /** Not linted for its size: the findings are none. */
  function tooLarge(doc: ServiceDocument, settings: Settings): boolean {
    return doc.text.length > settings.maxFileSize;
  }

  function lintOf(entry: Entry, settings: Settings): LintEntry {
    if (entry.lint?.settings === settings) return entry.lint;
    entry.lint?.cancel.cancel();
    const { text } = entry.doc;
    const cancel = new CancelSource();
    const result: Promise<Outcome<LintResult>> = optionsOf(entry.doc, entry.fileName, settings).then((options) =>
      offloaded(text)
        ? offload!.run({ op: 'lint', text, options }, cancel)
        : cancel.isCancellationRequested
          ? CANCELLED
          : ok(lint(text, options, entry.kind === 'domain-xml' ? { xml: entry.xml } : {})),
    );
    const lintEntry: LintEntry = { settings, cancel, result };
    entry.lint = lintEntry;
    // A lint that failed (its worker died) is not kept: the next request tries again.
    result.catch(() => {
      if (entry.lint === lintEntry) entry.lint = undefined;
    });
    return lintEntry;
  }

  async function findingsOf(entry: Entry, settings: Settings): Promise<Outcome<LintEntry & { readonly findings: readonly Finding[]; readonly kind: DocumentKind | undefined }>> {
    const l = lintOf(entry, settings);
    const outcome = await l.result;
    return outcome.ok ? ok(Object.assign(l, { findings: outcome.value.findings, kind: outcome.value.kind })) : CANCELLED;
  }

  /** Runs `job` where it belongs: offloaded for a large text, else here with `inline`. */
  function runFeature<K extends 'hover' | 'complete'>(
    entry: Entry,
    job: JobOf<K>,
    token: Cancellation | undefined,
    inline: (opts: { fileName: string; xml?: XmlTolerantResult }) => JobResults[K],
  ): Promise<Outcome<JobResults[K]>> {
    if (offloaded(entry.doc.text)) return offload!.run(job, token);
    return Promise.resolve().then(() => {
      if (token?.isCancellationRequested) return CANCELLED;
      return ok(inline({ fileName: entry.fileName, ...(entry.kind === 'domain-xml' ? { xml: entry.xml } : {}) }));
    });
  }

  /** Fix-all, or with `ruleId` the fix-all of that rule only. */
  async function fix(doc: ServiceDocument, settings: Settings, ruleId: string | undefined, token: Cancellation | undefined): Promise<Outcome<TextEdit | null>> {
    if (!settings.enable || tooLarge(doc, settings)) return ok(null);
    const entry = entryOf(doc);
    // The version's findings save the first pass; if their lint was cancelled (a newer version came), the fix-all
    // of this snapshot is still computed, from scratch: the caller's edits name the version they are for.
    const first = await findingsOf(entry, settings);
    const findings = first.ok ? first.value.findings : undefined;
    if (findings && !findings.some((f) => (ruleId === undefined || f.ruleId === ruleId) && f.fixes.some((x) => x.preferred))) return ok(null);
    // A rule's fix-all computed for this version's lint before: the same edit.
    const lintEntry = ruleId !== undefined && first.ok && entry.lint === first.value ? first.value : undefined;
    const known = ruleId === undefined ? undefined : lintEntry?.ruleFixes?.get(ruleId);
    if (known !== undefined) return ok(known);
    const keep = (outcome: Outcome<TextEdit | null>): Outcome<TextEdit | null> => {
      if (outcome.ok && lintEntry && ruleId !== undefined) (lintEntry.ruleFixes ??= new Map()).set(ruleId, outcome.value);
      return outcome;
    };
    const { text } = doc;
    const options = await optionsOf(doc, entry.fileName, settings);
    // The worker keeps the findings of its last lint (lsp/work.ts): sending them would cost as much as the lint.
    if (offloaded(text)) return keep(await offload!.run({ op: 'fixAll', text, options, ...(ruleId !== undefined ? { ruleId } : {}) }, token));
    if (token?.isCancellationRequested) return CANCELLED;
    const cancelled = () => token?.isCancellationRequested === true;
    const r = ruleId === undefined ? fixAllText(text, options, 10, cancelled, findings) : fixRuleText(text, ruleId, options, 10, cancelled, findings);
    if (r.cancelled) return CANCELLED;
    return keep(ok(r.text === text ? null : minimalEdit(text, r.text)));
  }

  /**
   * Completion and hover answer where validation lints: enabled, not too large, a kind sevlint knows
   * (completion also in an empty `.xml` file, where the domain snippet goes).
   */
  function answers(entry: Entry, settings: Settings, offset: number, emptyXml = false): boolean {
    const known = entry.kind !== undefined || (emptyXml && startsADomain(entry.doc.text, entry.fileName));
    return settings.enable && !tooLarge(entry.doc, settings) && offset >= 0 && offset <= entry.doc.text.length && known;
  }

  return {
    async validate(doc, settings) {
      if (!settings.enable) return ok({ status: 'disabled' });
      if (tooLarge(doc, settings)) {
        if (kindForNotice(doc.text, fileNameOf(doc.uri)) !== undefined) return ok({ status: 'too-large', length: doc.text.length, maxFileSize: settings.maxFileSize });
        return ok({ status: 'linted', result: { kind: undefined, findings: [] } });
      }
      const outcome = await lintOf(entryOf(doc), settings).result;
      return outcome.ok ? ok({ status: 'linted', result: outcome.value }) : CANCELLED;
    },

    async codeActions(doc, settings, refs) {
      const none: CodeActionsResult = { findings: refs.map(() => undefined), fixes: refs.map(() => []), kind: undefined, fixAllAvailable: false, fixableByRule: new Map() };
      if (!settings.enable || tooLarge(doc, settings)) return ok(none);
      const outcome = await findingsOf(entryOf(doc), settings);
      if (!outcome.ok) return CANCELLED;
      const l = outcome.value;
      if (!l.index) {
        l.index = new Map();
        for (const f of l.findings) if (!l.index.has(key(f.ruleId, f.span))) l.index.set(key(f.ruleId, f.span), f);
        l.fixable = fixableCounts(l.findings);
      }
      const fixableByRule = l.fixable ?? new Map<string, number>();
      const index = l.index;
      const found = refs.map((r) => index.get(key(r.ruleId, r.span)));
      return ok({
        findings: found,
        fixes: found.map((f) => f?.fixes ?? []),
        kind: l.kind,
        fixAllAvailable: fixableByRule.size > 0,
        fixableByRule,
      });
    },

    fixAll(doc, settings, token) {
      return fix(doc, settings, undefined, token);
    },

    fixRule(doc, settings, ruleId, token) {
      return fix(doc, settings, ruleId, token);
    },

    complete(doc, offset, settings, token) {
      const entry = entryOf(doc);
      if (!answers(entry, settings, offset, true)) return Promise.resolve(ok(null));
      return runFeature(entry, { op: 'complete', text: doc.text, offset, fileName: entry.fileName }, token, (o) => completeText(doc.text, offset, o) ?? null);
    },

    hover(doc, offset, settings, token) {
      const entry = entryOf(doc);
      if (!answers(entry, settings, offset)) return Promise.resolve(ok(null));
      return runFeature(entry, { op: 'hover', text: doc.text, offset, fileName: entry.fileName }, token, (o) => hoverText(doc.text, offset, o) ?? null);
    },

    insertLaunchSecurity(doc, kind, policy, opts = {}) {
      return launchSecurityEdit(doc.text, kind, policy, opts, entryOf(doc).xml);
    },

    forget(uri) {
      entries.get(uri)?.dispose();
      entries.delete(uri);
    },

    clear() {
      for (const e of entries.values()) e.dispose();
      entries.clear();
    },
  };
}
