import { buildDomainModel, isDomain } from './domain/model';
import { hostContext, type CapabilitiesSource } from './host/domcaps';
import { domainTarget } from './rules/host/util';
import type { DocumentKind } from './file-types';
import { buildKataModel, isKataConfig } from './kata/model';
import { allRuleMetas, domainRules, kataRules } from './rules/index';
import { tomlSyntax, xmlNotWellFormed } from './rules/syntax';
import type * as TomlParse from './toml/parse';
import { formatMessage, type Finding, type Fix, type Report, type Rule, type RuleContext, type RuleMeta, type SeveritySetting, type Version } from './rules/types';
import { applyEdits, type TextEdit } from './text-edit';
import type { Span } from './xml/model';
import { parseXml } from './xml/parse';

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

export function lint(text: string, options: LintOptions = {}): LintResult {
  const kind = detectKind(text, options.fileName);
  if (kind === undefined) return { kind, findings: [] };
  return { kind, findings: kind === 'domain-xml' ? lintDomain(text, options) : lintKata(text, options) };
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
  return runRules(kataRules, buildKataModel(parsed.document, template), options);
}

function lintDomain(text: string, options: LintOptions): Finding[] {
  const parsed = parseXml(text);
  if (!parsed.ok) {
    const f = makeFinding(xmlNotWellFormed, options, { messageId: 'syntax', data: { detail: parsed.error.message }, span: parsed.error.span });
    return f ? [f] : [];
  }
  if (!isDomain(parsed.document)) return [];
  const model = buildDomainModel(parsed.document);
  return runRules(domainRules, model, options, hostContext(options.domainCapabilities, domainTarget(model)));
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

/**
 * The preferred fixes of one pass that can be applied together: in rule
 * order, a fix is taken when neither its edits nor its scope overlap those of
 * a fix already taken.
 */
export function compatibleFixes(findings: readonly Finding[]): Fix[] {
  const taken = new TakenRegions();
  const out: Fix[] = [];
  const byRuleOrder = [...findings].sort((a, b) => (RULE_ORDER.get(a.ruleId) ?? 0) - (RULE_ORDER.get(b.ruleId) ?? 0));
  for (const f of byRuleOrder) {
    const fix = f.fixes.find((x) => x.preferred);
    if (!fix) continue;
    const regions: Span[] = [...fix.edits, ...(fix.scope ? [fix.scope] : [])];
    if (regions.some((r) => taken.conflicts(r))) continue;
    for (const r of regions) taken.add(r);
    out.push(fix);
  }
  return out;
}

export interface FixAllResult {
  readonly text: string;
  /** Fixes applied, over all passes. */
  readonly applied: number;
  /** What is left after the last pass. */
  readonly findings: readonly Finding[];
  /** True when `isCancelled` stopped it between two passes: `text` is then only part of the way. */
  readonly cancelled?: boolean;
}

/**
 * Applies preferred fixes pass after pass until none applies (at most
 * `maxPasses`). `isCancelled` is asked before each pass (the language server
 * stops a cancelled fix-all there).
 */
export function fixAll(text: string, options: LintOptions = {}, maxPasses = 10, isCancelled?: () => boolean): FixAllResult {
  let current = text;
  let applied = 0;
  let findings = lint(current, options).findings;
  for (let pass = 0; pass < maxPasses; pass++) {
    if (isCancelled?.()) return { text: current, applied, findings, cancelled: true };
    const fixes = compatibleFixes(findings);
    if (fixes.length === 0) break;
    const edits: TextEdit[] = fixes.flatMap((f) => f.edits);
    const next = applyEdits(current, edits);
    if (next === current) break;
    current = next;
    applied += fixes.length;
    findings = lint(current, options).findings;
  }
  return { text: current, applied, findings };
}
