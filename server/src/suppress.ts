/**
 * Suppression comments, as ESLint's:
 *
 *     <!-- sevlint-disable-next-line RULE[, RULE…] -->     (domain XML)
 *     <!-- sevlint-disable RULE… --> … <!-- sevlint-enable RULE… -->
 *     # sevlint-disable-next-line RULE[, RULE…]             (Kata TOML)
 *     # sevlint-disable RULE… / # sevlint-enable RULE…
 *
 * Without a rule a comment applies to every rule. `disable-next-line`
 * suppresses the findings that start on the line after the comment's last
 * line; `disable` those that start after it, up to an `enable` naming the
 * rule (or naming none), or to the end of the file. In TOML, ` -- ` ends the
 * rule list and starts a free description (XML comments cannot hold `--`).
 *
 * A suppression that suppresses nothing, or names an id that is no rule for
 * the file, is reported (xml-unused-suppression / toml-unused-suppression,
 * information) with a fix that removes it. A rule turned off in the settings
 * is never reported as unused: its suppression may matter elsewhere.
 *
 * Pure: comments are read from the XML tree or the TOML line scan, findings
 * filtered by offset; the CLI and the editor go through `lint`, so both
 * honour them.
 */
import type { DocumentKind } from './file-types';
import { FILE_TYPES } from './file-types';
import { allRuleMetas } from './rules/index';
import { tomlUnusedSuppression, xmlUnusedSuppression } from './rules/suppression';
import type { Finding, Fix, Report, RuleMeta } from './rules/types';
import { eolOf, type Span, type TextEdit } from './text-edit';
import { scanToml } from './toml/scan';
import type { XmlDocument, XmlNode } from './xml/model';
import { parsedOf, xmlContextAt } from './xml/context';

export type DirectiveKind = 'disable-next-line' | 'disable' | 'enable';

export interface DirectiveRule {
  readonly id: string;
  readonly span: Span;
}

export interface Directive {
  readonly kind: DirectiveKind;
  /** The rules named, in order; empty: every rule. */
  readonly rules: readonly DirectiveRule[];
  /** The whole comment (`<!-- … -->`, or `#` to the end of the line). */
  readonly span: Span;
  /** `sevlint-…` up to the end of the rule list. */
  readonly textSpan: Span;
}

const MARK = 'sevlint-';
const DIRECTIVE = /^([ \t\r\n]*)sevlint-(disable-next-line|disable|enable)(?=[ \t\r\n,]|$)/;

/** The directive in a comment whose text (between the delimiters) is at `content`, if it is one. */
function readDirective(text: string, content: Span, whole: Span, withDescription: boolean): Directive | undefined {
  const raw = text.slice(content.start, content.end);
  const m = DIRECTIVE.exec(raw);
  if (!m) return undefined;
  const start = content.start + m[1]!.length;
  const listStart = content.start + m[0].length;
  let list = raw.slice(m[0].length);
  if (withDescription) {
    const d = /[ \t]--(?:[ \t]|$)/.exec(list);
    if (d) list = list.slice(0, d.index);
  }
  const rules: DirectiveRule[] = [];
  const re = /[^\s,]+/g;
  let end = listStart;
  for (let r = re.exec(list); r; r = re.exec(list)) {
    rules.push({ id: r[0], span: { start: listStart + r.index, end: listStart + r.index + r[0].length } });
    end = listStart + r.index + r[0].length;
  }
  return { kind: m[2] as DirectiveKind, rules, span: whole, textSpan: { start, end } };
}

/** The suppression comments of a parsed domain XML document, in document order. */
export function xmlDirectives(doc: XmlDocument): Directive[] {
  if (!doc.text.includes(MARK)) return [];
  const out: Directive[] = [];
  const visit = (nodes: readonly XmlNode[]): void => {
    for (const n of nodes) {
      if (n.kind === 'comment') {
        if (n.closed) {
          const d = readDirective(doc.text, n.content, n.span, false);
          if (d) out.push(d);
        }
      } else if (n.kind === 'element') {
        visit(n.childNodes);
      }
    }
  };
  visit(doc.nodes);
  return out;
}

/** The suppression comments of a TOML text, in order. */
export function tomlDirectives(text: string): Directive[] {
  if (!text.includes(MARK)) return [];
  const out: Directive[] = [];
  for (const line of scanToml(text)) {
    if (line.comment === undefined) continue;
    const d = readDirective(text, { start: line.comment + 1, end: line.end }, { start: line.comment, end: line.end }, true);
    if (d) out.push(d);
  }
  return out;
}

/** Offsets where each line starts. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The 0-based line of `offset`. */
function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The meta of the unused-suppression diagnostic of a kind of file. */
export function unusedSuppressionMeta(kind: DocumentKind): RuleMeta {
  return kind === 'domain-xml' ? xmlUnusedSuppression : tomlUnusedSuppression;
}

const RULES_BY_KIND: Readonly<Record<DocumentKind, ReadonlySet<string>>> = {
  'domain-xml': new Set(allRuleMetas.filter((r) => r.target === 'domain-xml').map((r) => r.id)),
  'kata-toml': new Set(allRuleMetas.filter((r) => r.target === 'kata-toml').map((r) => r.id)),
};

export interface SuppressionOptions {
  /** The rule is turned off: a suppression of it is never reported as unused. */
  readonly isOff: (ruleId: string) => boolean;
  /** Makes the finding of a report of `meta` (severity settings applied), or undefined when it is off. */
  readonly make: (meta: RuleMeta, report: Report) => Finding | undefined;
}

/**
 * `findings` without the suppressed ones, with a finding for each suppression
 * that suppressed nothing or names no rule of this kind of file.
 */
export function applySuppressions(text: string, kind: DocumentKind, findings: readonly Finding[], directives: readonly Directive[], options: SuppressionOptions): Finding[] {
  if (directives.length === 0) return [...findings];
  const starts = lineStarts(text);
  const known = RULES_BY_KIND[kind];
  /** Each directive's rule entries (or the directive itself when it names none) that suppressed something. */
  const used = new Set<DirectiveRule | Directive>();
  const names = (d: Directive, ruleId: string): DirectiveRule | Directive | undefined => (d.rules.length === 0 ? d : d.rules.find((r) => r.id === ruleId));
  const blocks = directives.filter((d) => d.kind !== 'disable-next-line');
  const nextLine = new Map<number, Directive[]>();
  for (const d of directives) {
    if (d.kind !== 'disable-next-line') continue;
    const line = lineOf(starts, d.span.end) + 1;
    nextLine.set(line, [...(nextLine.get(line) ?? []), d]);
  }

  const kept: Finding[] = [];
  for (const f of findings) {
    let by: DirectiveRule | Directive | undefined;
    for (const d of nextLine.get(lineOf(starts, f.span.start)) ?? []) by ??= names(d, f.ruleId);
    if (!by) {
      // The last disable / enable naming the rule before the finding decides.
      let state: DirectiveRule | Directive | undefined;
      for (const d of blocks) {
        if (d.span.end > f.span.start) break;
        const n = names(d, f.ruleId);
        if (n) state = d.kind === 'disable' ? n : undefined;
      }
      by = state;
    }
    if (by) used.add(by);
    else kept.push(f);
  }

  const meta = unusedSuppressionMeta(kind);
  const label = FILE_TYPES[kind].label;
  for (const d of directives) {
    if (d.kind === 'enable') continue;
    const where = d.kind === 'disable-next-line' ? 'on the next line' : 'in the region it disables';
    const directive = d.kind;
    if (d.rules.length === 0) {
      if (!used.has(d)) push(options.make(meta, { messageId: 'unusedAll', data: { directive, where }, span: d.textSpan, fixes: [removeDirective(text, d, undefined)] }));
      continue;
    }
    for (const r of d.rules) {
      if (!known.has(r.id)) {
        push(options.make(meta, { messageId: 'unknown', data: { directive, rule: r.id, label }, span: r.span, fixes: [removeDirective(text, d, r)] }));
      } else if (!used.has(r) && !options.isOff(r.id)) {
        push(options.make(meta, { messageId: 'unused', data: { directive, rule: r.id, where }, span: r.span, fixes: [removeDirective(text, d, r)] }));
      }
    }
  }
  return kept.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.ruleId.localeCompare(b.ruleId));

  function push(f: Finding | undefined): void {
    if (f) kept.push(f);
  }
}

/**
 * A fix that removes `rule` from the directive's list, or the whole comment
 * when it is the only rule (or `rule` is undefined): with its line when the
 * comment is alone on it.
 */
function removeDirective(text: string, d: Directive, rule: DirectiveRule | undefined): Fix {
  const i = rule ? d.rules.indexOf(rule) : -1;
  if (rule && d.rules.length > 1) {
    const span = i > 0 ? { start: d.rules[i - 1]!.span.end, end: rule.span.end } : { start: rule.span.start, end: d.rules[i + 1]!.span.start };
    return { title: `Remove ${rule.id} from this suppression`, edits: [{ ...span, newText: '' }], preferred: false };
  }
  const lineStart = text.lastIndexOf('\n', d.span.start - 1) + 1;
  const nl = text.indexOf('\n', d.span.end);
  const lineEnd = nl < 0 ? text.length : nl + 1;
  const before = text.slice(lineStart, d.span.start);
  const after = text.slice(d.span.end, nl < 0 ? text.length : nl);
  const alone = /^[ \t]*$/.test(before) && /^[ \t\r]*$/.test(after);
  const span = alone ? { start: lineStart, end: lineEnd } : { start: d.span.start - (before.length - before.trimEnd().length), end: d.span.end };
  return { title: 'Remove this suppression comment', edits: [{ ...span, newText: '' }], preferred: false };
}

/**
 * "Disable RULE for this line": a `sevlint-disable-next-line RULE` comment on
 * its own line above the line where the finding starts, indented as that
 * line; the rule is added to such a comment when the line above already is
 * one. Undefined where a comment cannot go without changing the document
 * (inside a start tag, a CDATA section, before the XML declaration, inside a
 * multi-line TOML string or array).
 */
export function disableForLineFix(text: string, kind: DocumentKind, finding: Pick<Finding, 'ruleId' | 'span'>): Fix | undefined {
  const title = `Disable ${finding.ruleId} for this line`;
  const lineStart = text.lastIndexOf('\n', finding.span.start - 1) + 1;
  const eol = eolOf(text);
  const read = (t: string): Directive[] => {
    if (kind === 'kata-toml') return tomlDirectives(t);
    // The tree every feature shares (parsed once per text), not a parse of its own.
    const parsed = parsedOf(t);
    const root = parsed.document.root;
    return parsed.errors.length === 0 && root ? xmlDirectives({ ...parsed.document, root }) : [];
  };

  // The line above holds only a disable-next-line comment with a rule list: add the rule to it.
  const prevStart = lineStart > 0 ? text.lastIndexOf('\n', lineStart - 2) + 1 : 0;
  if (lineStart > 0 && text.slice(prevStart, lineStart).includes(MARK)) {
    const above = read(text).find((d) => d.kind === 'disable-next-line' && d.span.start >= prevStart && d.span.end <= lineStart);
    if (above && text.slice(prevStart, above.span.start).trim() === '' && text.slice(above.span.end, lineStart).trim() === '') {
      if (above.rules.length === 0 || above.rules.some((r) => r.id === finding.ruleId)) return undefined;
      const edit: TextEdit = { start: above.textSpan.end, end: above.textSpan.end, newText: `, ${finding.ruleId}` };
      return { title, edits: [edit], preferred: false };
    }
  }

  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const comment = kind === 'domain-xml' ? `<!-- sevlint-disable-next-line ${finding.ruleId} -->` : `# sevlint-disable-next-line ${finding.ruleId}`;
  const edit: TextEdit = { start: lineStart, end: lineStart, newText: `${indent}${comment}${eol}` };
  // Where the comment would not be read as one (or would break the document), there is no such fix.
  const at = lineStart + indent.length;
  if (kind === 'domain-xml') {
    // In character data (not in a tag, comment, CDATA section or PI) and after the XML declaration, a comment
    // is read as one and changes nothing else: asked of the current tree, so a code action on a large domain
    // does not parse it again per finding.
    const parsed = parsedOf(text);
    const declaration = parsed.document.declaration;
    if (parsed.errors.length > 0 || (declaration && at < declaration.span.end)) return undefined;
    return xmlContextAt(text, at, parsed)?.kind === 'content' ? { title, edits: [edit], preferred: false } : undefined;
  }
  const after = text.slice(0, lineStart) + edit.newText + text.slice(lineStart);
  if (!read(after).some((d) => d.span.start === at)) return undefined;
  if (kind === 'kata-toml') {
    const line = scanToml(after).find((l) => l.start === lineStart);
    if (!line || line.continuation || line.comment !== at) return undefined;
  }
  return { title, edits: [edit], preferred: false };
}
