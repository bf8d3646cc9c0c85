import { buildDomainModel, isDomain } from './domain/model';
import { hostContext, type CapabilitiesSource } from './host/domcaps';
import { domainTarget } from './rules/host/util';
import { kindByName, type DocumentKind } from './file-types';
import { buildKataModel, isKataConfig } from './kata/model';
import { allRuleMetas, domainRules, kataRules } from './rules/index';
import { tomlSyntax, xmlNotWellFormed } from './rules/syntax';
import type * as TomlParse from './toml/parse';
import { formatMessage, type Finding, type Fix, type Report, type Rule, type RuleContext, type RuleMeta, type SeveritySetting, type Version } from './rules/types';
import { applySuppressions, tomlDirectives, xmlDirectives, type Directive } from './suppress';
import { applyEdits } from './text-edit';
import type { Span, XmlTolerantResult } from './xml/model';
import { parseXmlTolerant } from './xml/parse';

export type { DocumentKind };

/**
 * The TOML parser (toml-eslint-parser) is loaded with the first Kata file, not
 * at start-up: a run over domain XML never needs it.
 */
let tomlParse: typeof TomlParse | undefined;
function parseToml(text: string): ReturnType<typeof TomlParse.parseToml> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  tomlParse ??= require('./toml/parse') as typeof TomlParse;
  return tomlParse.parseToml(text);
}

export interface LintOptions {
  /** The file's name or path: `configuration*.toml(.in)` marks a Kata file, `.toml.in` a template. */
  readonly fileName?: string;
  /** The QEMU the configuration targets (severities depend on it). */
  readonly qemu?: Version;
  /** Per-rule severity overrides, or 'off'. */
  readonly rules?: Readonly<Record<string, SeveritySetting>>;
  /** Validate domain XML against libvirt's schema (`libvirt-schema`); default true. */
  readonly schema?: boolean;
  /** The host's `virsh domcapabilities` output(s), as text; each domain is checked against the one that describes it. */
  readonly domainCapabilities?: readonly CapabilitiesSource[];
}

export interface LintResult {
  /** What the text was recognised as; undefined: not something sevlint lints. */
  readonly kind: DocumentKind | undefined;
  readonly findings: readonly Finding[];
}

// Each prolog item matches one way only (a PI cannot run past its `?>`, a comment past its `-->`,
// the internal subset reads literals and comments whole): lazy `[^]*?` backtracked exponentially on `<?a?>` × n.
const DOMAIN_ROOT = /^\uFEFF?\s*(?:(?:<\?(?:[^?]|\?(?!>))*\?>|<!--(?:[^-]|-(?!->))*-->|<!DOCTYPE[^>[]*(?:\[(?:[^\]"'<]|<(?!!--)|"[^"]*"|'[^']*'|<!--(?:[^-]|-(?!->))*-->)*\])?\s*>)\s*)*<domain[\s/>]/;
const KATA_NAME = /(^|[\\/])configuration[^\\/]*\.toml(\.in)?$/;
const KATA_TABLE = /^[ \t]*\[[ \t]*hypervisor\.[A-Za-z0-9_-]+[ \t]*\]/m;

/**
 * Recognises a document: a libvirt domain starts with `<domain` after the
 * prolog; a Kata configuration has a `[hypervisor.<name>]` table or is named
 * `configuration*.toml` / `configuration*.toml.in`.
 */
export function detectKind(text: string, fileName?: string): DocumentKind | undefined {
  if (DOMAIN_ROOT.test(text.slice(0, 64 * 1024))) return 'domain-xml';
  if ((fileName !== undefined && KATA_NAME.test(fileName)) || KATA_TABLE.test(text)) return 'kata-toml';
  return undefined;
}

/**
 * What a file too large to lint probably is, for the notice that says it was
 * skipped: a `.xml` file by its name; a `.toml` / `.toml.in` only when it is
 * named `configuration*` or its first 64 KiB hold a `[hypervisor.*]` table
 * (any other TOML file is none of sevlint's business).
 */
export function kindForNotice(text: string, fileName: string): DocumentKind | undefined {
  const byName = kindByName(fileName);
  if (byName !== 'kata-toml') return byName;
  return KATA_NAME.test(fileName) || KATA_TABLE.test(text.slice(0, 64 * 1024)) ? 'kata-toml' : undefined;
}

/**
 * What a caller already has for the text, so it is not computed again (the
 * language service keeps one tree per document version for linting,
 * completion and hover). Each must be of exactly the text linted.
 */
export interface Prepared {
  /** `parseXmlTolerant(text)`. */
  readonly xml?: XmlTolerantResult;
}

export function lint(text: string, options: LintOptions = {}, prepared: Prepared = {}): LintResult {
  if (options.schema === false) options = { ...options, rules: { ...options.rules, 'libvirt-schema': 'off' } };
  const kind = detectKind(text, options.fileName);
  if (kind === undefined) return { kind, findings: [] };
  return { kind, findings: kind === 'domain-xml' ? lintDomain(text, options, prepared.xml) : lintKata(text, options) };
}

function lintKata(text: string, options: LintOptions): Finding[] {
  const parsed = parseToml(text);
  if (!parsed.ok) {
    const f = makeFinding(tomlSyntax, options, { messageId: 'syntax', data: { detail: parsed.error.message }, span: parsed.error.span });
    return f ? [f] : [];
  }
  const named = options.fileName !== undefined && KATA_NAME.test(options.fileName);
  if (!named && !isKataConfig(parsed.document)) return [];
  const template = options.fileName?.endsWith('.toml.in') ?? false;
  return suppress(text, 'kata-toml', runRules(kataRules, buildKataModel(parsed.document, template), options), tomlDirectives(text), options);
}

function lintDomain(text: string, options: LintOptions, tree: XmlTolerantResult = parseXmlTolerant(text)): Finding[] {
  const error = tree.errors[0];
  const root = tree.document.root;
  if (error || !root) {
    const detail = error?.message ?? "Start tag expected, '<' not found: the document has no root element.";
    const span = error?.span ?? { start: text.length, end: text.length };
    const f = makeFinding(xmlNotWellFormed, options, { messageId: 'syntax', data: { detail }, span });
    return f ? [f] : [];
  }
  const document = { ...tree.document, root };
  if (!isDomain(document)) return [];
  const model = buildDomainModel(document);
  return suppress(text, 'domain-xml', withoutSchemaEchoes(runRules(domainRules, model, options, hostContext(options.domainCapabilities, domainTarget(model)))), xmlDirectives(document), options);
}

/** The findings left after the file's suppression comments, and those about the comments themselves. */
function suppress(text: string, kind: DocumentKind, findings: Finding[], directives: readonly Directive[], options: LintOptions): Finding[] {
  if (directives.length === 0) return findings;
  return applySuppressions(text, kind, findings, directives, { isOff: (id) => options.rules?.[id] === 'off', make: (meta, r) => makeFinding(meta, options, r) });
}

/**
 * A value or name a SEV rule reports is often also outside libvirt's schema
 * (`kernelHashes='on'`): the rule says more, so the schema's finding at the
 * same place is dropped — one mistake, one diagnostic.
 */
function withoutSchemaEchoes(findings: Finding[]): Finding[] {
  const others = findings.filter((f) => !f.ruleId.startsWith('libvirt-schema'));
  if (others.length === findings.length || others.length === 0) return findings;
  return findings.filter(
    (f) =>
      !f.ruleId.startsWith('libvirt-schema') ||
      !others.some((o) => o.span.start < f.span.end && f.span.start < o.span.end && (o.span.start === f.span.start || o.span.end === f.span.end)),
  );
}

function runRules<M>(rules: readonly Rule<M>[], model: M, options: LintOptions, host?: RuleContext['host']): Finding[] {
  const ctx: RuleContext = { qemu: options.qemu, ...(host ? { host } : {}) };
  const findings: Finding[] = [];
  for (const rule of rules) {
    if (options.rules?.[rule.id] === 'off') continue;
    rule.check(model, ctx, (r) => {
      const f = makeFinding(rule, options, r);
      if (f) findings.push(f);
    });
  }
  return findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.ruleId.localeCompare(b.ruleId));
}

export function makeFinding(rule: RuleMeta, options: LintOptions, r: Report): Finding | undefined {
  const setting = options.rules?.[rule.id];
  if (setting === 'off') return undefined;
  const template = rule.messages[r.messageId];
  if (template === undefined) throw new Error(`rule ${rule.id} has no message '${r.messageId}'`);
  return {
    ruleId: rule.id,
    severity: setting ?? r.severity ?? rule.severity,
    messageId: r.messageId,
    data: r.data ?? {},
    message: formatMessage(template, r.data),
    span: r.span,
    fixes: r.fixes ?? [],
  };
}

const RULE_ORDER = new Map(allRuleMetas.map((r, i) => [r.id, i]));

/**
 * The regions taken by the fixes chosen so far, for the overlap test of
 * {@link compatibleFixes}: a region `q` conflicts with a taken `t` when
 * `q.start < t.end && t.start < q.end`, or when both are the same span (two
 * insertions at one offset).
 *
 * Kept as two sorted arrays, so a test is two binary searches instead of a
 * scan of everything taken:
 * - `open`: the union of the open intervals `(start, end)` of the non-empty
 *   regions, as disjoint intervals sorted by start (so also by end); intervals
 *   that only touch stay apart, since touching is no conflict;
 * - `points`: the offsets of the empty regions (insertions), sorted.
 * A non-empty `q` conflicts when `(q.start, q.end)` meets an open interval or
 * holds a point strictly inside; an empty `q` at `p` when `p` is strictly
 * inside an open interval or is a point.
 */
class TakenRegions {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly points: number[] = [];

  conflicts(q: Span): boolean {
    // The first open interval that ends after q.start; the ones before it cannot meet q.
    const i = firstAbove(this.ends, q.start);
    if (q.start === q.end) {
      return (i < this.starts.length && this.starts[i]! < q.start) || this.hasPoint(q.start);
    }
    if (i < this.starts.length && this.starts[i]! < q.end) return true;
    const j = firstAbove(this.points, q.start);
    return j < this.points.length && this.points[j]! < q.end;
  }

  add(r: Span): void {
    if (r.start === r.end) {
      if (!this.hasPoint(r.start)) this.points.splice(firstAbove(this.points, r.start), 0, r.start);
      return;
    }
    // Merge with every interval that overlaps (r.start, r.end) strictly.
    const lo = firstAbove(this.ends, r.start);
    let hi = lo;
    let start = r.start;
    let end = r.end;
    while (hi < this.starts.length && this.starts[hi]! < end) {
      start = Math.min(start, this.starts[hi]!);
      end = Math.max(end, this.ends[hi]!);
      hi++;
    }
    this.starts.splice(lo, hi - lo, start);
    this.ends.splice(lo, hi - lo, end);
  }

  private hasPoint(p: number): boolean {
    const k = firstAbove(this.points, p - 1);
    return k < this.points.length && this.points[k] === p;
  }
}

/** Index of the first element of the ascending `xs` greater than `x` (xs.length when none). */
function firstAbove(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Identifies a fix across passes (its offsets move as other fixes apply): rule, message, title and new texts. */
function fixKey(f: Finding, fix: Fix): string {
  return [f.ruleId, f.messageId, fix.title, ...fix.edits.map((e) => e.newText)].join('\0');
}

/**
 * The preferred fixes of one pass that can be applied together: in rule
 * order, a fix is taken when neither its edits nor its scope overlap those of
 * a fix already taken. Fixes whose {@link fixKey} is in `skip` are left out.
 */
export function compatibleFixes(findings: readonly Finding[], skip?: ReadonlySet<string>): Fix[] {
  return compatible(findings, skip).map((c) => c.fix);
}

function compatible(findings: readonly Finding[], skip?: ReadonlySet<string>, ruleId?: string): { fix: Fix; key: string }[] {
  const taken = new TakenRegions();
  const out: { fix: Fix; key: string }[] = [];
  const byRuleOrder = [...findings].sort((a, b) => (RULE_ORDER.get(a.ruleId) ?? 0) - (RULE_ORDER.get(b.ruleId) ?? 0));
  for (const f of byRuleOrder) {
    if (ruleId !== undefined && f.ruleId !== ruleId) continue;
    const fix = f.fixes.find((x) => x.preferred);
    if (!fix) continue;
    const key = fixKey(f, fix);
    if (skip?.has(key)) continue;
    const regions: Span[] = [...fix.edits, ...(fix.scope ? [fix.scope] : [])];
    if (regions.some((r) => taken.conflicts(r))) continue;
    for (const r of regions) taken.add(r);
    out.push({ fix, key });
  }
  return out;
}

/** How many findings at warning or above each rule and message has: what fix-all must not add to. */
function seriousCounts(findings: readonly Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) {
    if (f.severity !== 'error' && f.severity !== 'warning') continue;
    const k = `${f.ruleId}\0${f.messageId}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/** How many findings at warning or above `findings` has beyond those counted in `baseline`. */
function excessSerious(baseline: ReadonlyMap<string, number>, findings: readonly Finding[]): number {
  let excess = 0;
  for (const [k, n] of seriousCounts(findings)) excess += Math.max(0, n - (baseline.get(k) ?? 0));
  return excess;
}

export interface FixAllResult {
  readonly text: string;
  /** Fixes applied, over all passes. */
  readonly applied: number;
  /** What is left after the last pass. */
  readonly findings: readonly Finding[];
  /** True when `isCancelled` stopped it between two passes: `text` is then only part of the way. */
  readonly cancelled?: boolean;
  /**
   * Preferred fixes left unapplied because the result would otherwise have a
   * finding at warning or above that the input did not have (their titles).
   */
  readonly withheld?: readonly string[];
}

interface Chain extends FixAllResult {
  /** The fixes applied, by {@link fixKey}, with their titles. */
  readonly keys: ReadonlyMap<string, string>;
}

/**
 * Preferred fixes pass after pass (of the rule `ruleId` only, when given),
 * those in `skip` left out, until none applies or `maxPasses` ran.
 */
function chain(text: string, findings: readonly Finding[], options: LintOptions, skip: ReadonlySet<string>, maxPasses: number, isCancelled?: () => boolean, ruleId?: string): Chain {
  let current = text;
  let applied = 0;
  let now = findings;
  const keys = new Map<string, string>();
  for (let pass = 0; pass < maxPasses; pass++) {
    if (isCancelled?.()) return { text: current, applied, findings: now, cancelled: true, keys };
    const fixes = compatible(now, skip, ruleId);
    if (fixes.length === 0) break;
    const next = applyEdits(current, fixes.flatMap((f) => f.fix.edits));
    if (next === current) break;
    for (const f of fixes) keys.set(f.key, f.fix.title);
    current = next;
    applied += fixes.length;
    now = lint(current, options).findings;
  }
  return { text: current, applied, findings: now, keys };
}

/**
 * Applies preferred fixes pass after pass until none applies (at most
 * `maxPasses`). `isCancelled` is asked before each pass (the language server
 * stops a cancelled fix-all there). `first`: the findings of `text` with
 * these options when the caller has them (the first pass then lints nothing).
 *
 * The result never has more findings at warning or above (counted by rule and
 * message) than the input: `authorKey='on'` → `'yes'` would raise
 * snp-id-auth-pairing, setting `confidential_guest` can raise kata-shared-fs.
 * When the plain run would, fixes are withheld, one at a time, the one whose
 * absence leaves the fewest such findings first (all of them, when no single
 * one helps), and the run is made again (after 20 such rounds, the input is
 * returned unchanged). Only then does fix-all cost more
 * than one lint per pass.
 */
export function fixAll(text: string, options: LintOptions = {}, maxPasses = 10, isCancelled?: () => boolean, first?: readonly Finding[]): FixAllResult {
  return fixWhere(text, options, undefined, maxPasses, isCancelled, first);
}

/**
 * "Fix all RULE problems in this file": {@link fixAll} restricted to the
 * preferred fixes of one rule, pass after pass, with the same guarantee (the
 * result has no finding at warning or above, of any rule, that the input did
 * not have; fixes that would add one are withheld).
 */
export function fixRule(text: string, ruleId: string, options: LintOptions = {}, maxPasses = 10, isCancelled?: () => boolean, first?: readonly Finding[]): FixAllResult {
  return fixWhere(text, options, ruleId, maxPasses, isCancelled, first);
}

/**
 * How many findings of each rule carry a preferred fix: the rules with more
 * than one get a "Fix all RULE problems in this file" action.
 */
export function fixableCounts(findings: readonly Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) if (f.fixes.some((x) => x.preferred)) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return counts;
}

function fixWhere(text: string, options: LintOptions, ruleId: string | undefined, maxPasses: number, isCancelled?: () => boolean, first?: readonly Finding[]): FixAllResult {
  const findings = first ?? lint(text, options).findings;
  const baseline = seriousCounts(findings);
  const skip = new Set<string>();
  const withheld: string[] = [];
  let result = chain(text, findings, options, skip, maxPasses, isCancelled, ruleId);
  let excess = excessSerious(baseline, result.findings);
  for (let round = 0; excess > 0 && !result.cancelled; round++) {
    // Each round withholds at least one more fix; should new ones keep appearing, the input stays as it is.
    if (round === 20) return { text, applied: 0, findings, withheld: [...withheld, ...result.keys.values()] };
    let best: { key: string; result: Chain; excess: number } | undefined;
    for (const key of result.keys.keys()) {
      const r = chain(text, findings, options, new Set([...skip, key]), maxPasses, isCancelled, ruleId);
      if (r.cancelled) return { ...r, cancelled: true };
      const e = excessSerious(baseline, r.findings);
      if (e < (best?.excess ?? excess)) best = { key, result: r, excess: e };
      if (e === 0) break;
    }
    const drop = best ? [best.key] : [...result.keys.keys()];
    for (const key of drop) {
      skip.add(key);
      withheld.push(result.keys.get(key)!);
    }
    result = best?.result ?? chain(text, findings, options, skip, maxPasses, isCancelled, ruleId);
    excess = best?.excess ?? excessSerious(baseline, result.findings);
  }
  const { keys: _keys, ...out } = result;
  return withheld.length > 0 ? { ...out, withheld } : out;
}
