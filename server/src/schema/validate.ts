/**
 * Validates an XML tree (the one every rule reads, `xml/parse.ts`) against a
 * grammar, reporting each problem at the name or value it is about, with what
 * the grammar expected there.
 *
 * One mistake gives one problem: after an element that is not allowed, the
 * validation goes on as if it were absent (or, when it looks like a
 * misspelling, as if it were the element meant) without looking inside; after
 * a bad attribute value or text, as if the value were right; after a missing
 * attribute or child, as if it were present.
 */

import type { Span, XmlAttribute, XmlElement } from '../xml/model';
import { closest } from '../rules/kata/suggest';
import { decodeText } from './compile';
import type { Grammar } from './grammar';
import { contains, hasWildcard, listedNames, showQName, type QName } from './name-class';
import { eachPart, enumeratedValues, firstPatterns, type AttributeP, type ElementP, type Pattern } from './pattern';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export type SchemaProblem =
  | {
      /** An element the grammar does not allow where it is. */
      readonly kind: 'element';
      readonly span: Span;
      readonly element: XmlElement;
      readonly name: string;
      readonly parent: string | undefined;
      /** The elements allowed at this point, as written with the document's prefixes. */
      readonly expected: readonly string[];
      /** True when the parent allows this element, but not here (a second one, or out of order). */
      readonly elsewhere: boolean;
      /** The allowed element the name most likely meant (a misspelling). */
      readonly suggestion: string | undefined;
    }
  | {
      readonly kind: 'attribute';
      readonly span: Span;
      readonly element: XmlElement;
      readonly attribute: XmlAttribute;
      /** The attributes this element may still have. */
      readonly expected: readonly string[];
      readonly suggestion: string | undefined;
    }
  | {
      readonly kind: 'attribute-value';
      readonly span: Span;
      readonly element: XmlElement;
      readonly attribute: XmlAttribute;
      readonly value: string;
      /** The allowed values, when the grammar enumerates them. */
      readonly values: readonly string[] | undefined;
      /** What is allowed, in words ("an unsigned 32-bit integer", "one of: a, b"). */
      readonly expected: string;
      /** The enumerated value the value most likely meant. */
      readonly suggestion: string | undefined;
    }
  | {
      readonly kind: 'missing-attribute';
      readonly span: Span;
      readonly element: XmlElement;
      /** Required attributes, any one of which would do when there are several. */
      readonly missing: readonly string[];
    }
  | {
      readonly kind: 'missing-element';
      readonly span: Span;
      readonly element: XmlElement;
      /** The elements that may come next (one of them is required); empty when text is what is missing. */
      readonly missing: readonly string[];
      /** What text is required instead, in words, when no element is. */
      readonly text: string | undefined;
      /** When exactly one element is missing: it, as a skeleton with its required attributes (`<backend model=''/>`). */
      readonly skeleton: { readonly name: string; readonly attributes: readonly string[] } | undefined;
    }
  | {
      /** Text (or the empty content) the grammar does not accept. */
      readonly kind: 'text';
      readonly span: Span;
      readonly element: XmlElement;
      readonly value: string;
      readonly values: readonly string[] | undefined;
      /** What is allowed, in words; undefined when the element takes no text at all. */
      readonly expected: string | undefined;
    };

/** Namespace bindings in scope: prefix → URI ('' is the default namespace). */
type Bindings = ReadonlyMap<string, string>;

const NO_BINDINGS: Bindings = new Map([['xml', XML_NS]]);

export interface ValidationResult {
  readonly problems: readonly SchemaProblem[];
  readonly valid: boolean;
}

const isWhitespace = (s: string): boolean => /^[ \t\n\r]*$/.test(s);

/** The span of `text` is XML white space only (read in place). */
function blank(text: string, span: Span): boolean {
  for (let i = span.start; i < span.end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** Validates the tree rooted at `root` of `text`. */
export function validate(grammar: Grammar, text: string, root: XmlElement): ValidationResult {
  return new Validator(grammar, text).run(root);
}

/** What the grammar allows inside an element at an offset, for completion and hover. */
export interface ElementState {
  /** The element's start tag, before any attribute: what attributes it may have. */
  readonly opened: Pattern;
  /** After the attributes it has, except `except` (the one being typed). */
  readonly attributes: Pattern;
  /** Its content after the children that end before the offset: what may come next. */
  readonly content: Pattern;
  /** Namespace URI → prefix as the document declares them (for names shown). */
  readonly prefixes: ReadonlyMap<string, string>;
  /** Prefix → namespace URI in scope at the element. */
  readonly bindings: ReadonlyMap<string, string>;
}

/**
 * The grammar's state inside `el` (a node of the tree rooted at `root`) at
 * `offset`, as validation would reach it, recovering from mistakes the same
 * way; undefined when `el` is not an element the grammar allows where it is.
 * Works on the tolerant tree of a document being typed.
 */
export function stateInside(grammar: Grammar, text: string, root: XmlElement, el: XmlElement, offset: number, except?: XmlAttribute): ElementState | undefined {
  return new Validator(grammar, text).stateInside(root, el, offset, except);
}

/** The elements and attributes a grammar allows at a point, in words for messages. */
function names(ps: readonly (ElementP | AttributeP)[], prefixes: ReadonlyMap<string, string>, exclude?: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  let wildcard = false;
  for (const p of ps) {
    for (const q of listedNames(p.nc)) {
      // A namespace the document does not declare is one it does not use: its names would be noise.
      if (q.ns !== '' && !prefixes.has(q.ns)) continue;
      const shown = showQName(q, prefixes);
      if (!exclude?.has(shown)) out.add(shown);
    }
    if (hasWildcard(p.nc)) wildcard = true;
  }
  const sorted = [...out].sort((a, b) => a.localeCompare(b));
  if (wildcard) sorted.push('*');
  return sorted;
}

/** The allowed text in words: the enumeration, or the datatypes. */
export function describeText(ps: readonly Pattern[]): { values: string[] | undefined; words: string } {
  const values = enumeratedValues(ps);
  if (values !== undefined) return { values, words: values.length === 1 ? `'${values[0]}'` : `one of: ${values.join(', ')}` };
  const words = new Set<string>();
  const enumerated: string[] = [];
  eachPart(ps, (p) => {
    if (p.k === 'data') words.add(p.type.describe() + (p.except ? ' (with exceptions)' : ''));
    else if (p.k === 'value') enumerated.push(`'${p.value}'`);
    else if (p.k === 'text') words.add('text');
    else if (p.k === 'list') words.add('a list of values');
  });
  const all = [...enumerated, ...words];
  return { values: undefined, words: all.length === 0 ? 'nothing' : all.join(' or ') };
}

/**
 * A misspelling of one of `candidates`: one edit in a short name, up to a
 * third of a longer one. (Two letters of `<b>` are not a typo of `<a>`.)
 */
function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  return closest(word, candidates, Math.max(1, Math.floor(word.length / 3)));
}

/** The local names of every element a grammar knows: a known name is misplaced, not misspelt. */
const knownNamesOf = new WeakMap<Grammar, ReadonlySet<string>>();
function knownNames(g: Grammar): ReadonlySet<string> {
  let names = knownNamesOf.get(g);
  if (names === undefined) {
    names = new Set(g.elements.flatMap((e) => listedNames(e.nc).map((n) => n.local)));
    knownNamesOf.set(g, names);
  }
  return names;
}

class Validator {
  private readonly problems: SchemaProblem[] = [];
  private readonly knownNames: ReadonlySet<string>;
  /** URI → prefix, for messages ('' → no prefix). */
  private readonly prefixes = new Map<string, string>();
  private readonly unqualified = new Map<string, QName>();

  constructor(
    private readonly g: Grammar,
    private readonly text: string,
  ) {
    this.knownNames = knownNames(g);
  }

  run(root: XmlElement): ValidationResult {
    const after = this.element(root, this.g.start, this.g.start, NO_BINDINGS);
    const valid = this.problems.length === 0 && after.nullable;
    return { problems: this.problems, valid };
  }

  stateInside(root: XmlElement, target: XmlElement, offset: number, except: XmlAttribute | undefined): ElementState | undefined {
    const d = this.g.deriver;
    const path: XmlElement[] = [];
    for (let e: XmlElement | undefined = target; e; e = e.parent) path.unshift(e);
    if (path[0] !== root) return undefined;
    let p = this.g.start;
    let bindings = NO_BINDINGS;
    for (let i = 0; i < path.length; i++) {
      const e = path[i]!;
      bindings = this.bindingsOf(e, bindings);
      const opened = d.startTagOpen(p, this.resolve(e.name, bindings, false));
      if (opened.k === 'notAllowed') return undefined;
      let cur: Pattern = opened;
      for (const a of e.attributes) {
        if (a === except || a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
        const node = { name: this.resolve(a.name, bindings, true), value: a.decoded };
        const next = d.attribute(cur, node);
        const lenient: Pattern = next.k === 'notAllowed' ? d.attribute(cur, node, true) : next;
        if (lenient.k !== 'notAllowed') cur = lenient;
      }
      const attributes = cur;
      cur = d.startTagClose(cur, true);
      const next = path[i + 1];
      for (const c of e.children) {
        if (c === next || (next === undefined && c.span.end > offset)) break;
        // A sibling before the cursor is taken as valid, unread: what may follow it is all that matters
        // here, and the cost stays the number of siblings, not the size of their subtrees.
        const q = this.resolve(c.name, this.bindingsOf(c, bindings), false);
        const opened = d.startTagOpen(cur, q);
        if (opened.k !== 'notAllowed') cur = d.continuation(opened);
      }
      if (next === undefined) return { opened, attributes, content: cur, prefixes: this.prefixes, bindings };
      p = cur;
    }
    return undefined;
  }

  private resolve(name: string, bindings: Bindings, attribute: boolean): QName {
    const colon = name.indexOf(':');
    if (colon < 0) {
      const ns = attribute ? '' : (bindings.get('') ?? '');
      if (ns !== '') return { ns, local: name };
      // Nearly every name of a domain: one QName each, not one per occurrence.
      let q = this.unqualified.get(name);
      if (q === undefined) this.unqualified.set(name, (q = { ns: '', local: name }));
      return q;
    }
    const prefix = name.slice(0, colon);
    const ns = bindings.get(prefix);
    // An undeclared prefix: the name stays as written, in no namespace (what libxml2 does).
    if (ns === undefined) return { ns: '', local: name };
    return { ns, local: name.slice(colon + 1) };
  }

  private bindingsOf(el: XmlElement, outer: Bindings): Bindings {
    let inner: Map<string, string> | undefined;
    for (const a of el.attributes) {
      if (a.name.charCodeAt(0) === 0x78 /* x */ && (a.name === 'xmlns' || a.name.startsWith('xmlns:'))) {
        inner ??= new Map(outer);
        const prefix = a.name === 'xmlns' ? '' : a.name.slice(6);
        inner.set(prefix, a.decoded);
        if (prefix !== '' && !this.prefixes.has(a.decoded)) this.prefixes.set(a.decoded, prefix);
      }
    }
    return inner ?? outer;
  }

  /**
   * Validates `el` in a parent whose state is `p`; returns the parent's state
   * after it. `initial` is the parent's state before its first child (to
   * tell "not here" from "not at all").
   */
  private element(el: XmlElement, p: Pattern, initial: Pattern, outer: Bindings): Pattern {
    const d = this.g.deriver;
    const bindings = this.bindingsOf(el, outer);
    const q = this.resolve(el.name, bindings, false);
    const opened = d.startTagOpen(p, q);
    if (opened.k === 'notAllowed') {
      const allowed = firstPatterns(p).elements;
      const expected = names(allowed, this.prefixes);
      const elsewhere = childElements(initial).some((e) => contains(e.nc, q));
      const byName = new Map<string, QName>();
      for (const e of allowed) for (const n of listedNames(e.nc)) byName.set(showQName(n, this.prefixes), n);
      const suggestion = elsewhere || this.knownNames.has(q.local) ? undefined : didYouMean(el.name, [...byName.keys()]);
      this.problems.push({ kind: 'element', span: el.nameSpan, element: el, name: el.name, parent: el.parent?.name, expected, elsewhere, suggestion });
      // A misspelling stands for the element meant (its content unread); anything else is as if absent.
      const meant = suggestion === undefined ? undefined : byName.get(suggestion);
      return meant === undefined ? p : d.continuation(d.startTagOpen(p, meant));
    }

    // Attributes
    let cur: Pattern = opened;
    for (const a of el.attributes) {
      if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
      const node = { name: this.resolve(a.name, bindings, true), value: a.decoded };
      const next = d.attribute(cur, node);
      if (next.k !== 'notAllowed') {
        cur = next;
        continue;
      }
      const anyValue = d.attribute(cur, node, true);
      if (anyValue.k === 'notAllowed') {
        const present = new Set(el.attributes.map((x) => x.name));
        const expected = names(firstPatterns(cur).attributes, this.prefixes, present);
        const suggestion = didYouMean(a.name, expected.filter((x) => x !== '*'));
        this.problems.push({ kind: 'attribute', span: a.nameSpan, element: el, attribute: a, expected, suggestion });
        continue;
      }
      const candidates = firstPatterns(cur).attributes.filter((x) => contains(x.nc, node.name));
      const { values, words } = describeText(candidates.map((x) => x.p));
      const suggestion = values === undefined ? undefined : didYouMean(a.decoded, values);
      this.problems.push({ kind: 'attribute-value', span: a.valueSpan, element: el, attribute: a, value: a.decoded, values, expected: words, suggestion });
      cur = anyValue;
    }
    let closed = d.startTagClose(cur);
    if (closed.k === 'notAllowed') {
      this.problems.push({ kind: 'missing-attribute', span: el.startTag, element: el, missing: requiredAttributes(cur, this.prefixes) });
      closed = d.startTagClose(cur, true);
      if (closed.k === 'notAllowed') return d.continuation(opened);
    }

    // Content: elements, and text merged across comments and PIs.
    cur = closed;
    const start: Pattern = closed;
    let misplaced: Set<string> | undefined;
    let textValue = '';
    let textSpan: Span | undefined;
    if (el.children.length === 0) {
      // Only text (or nothing): the whole content is one value, whitespace included.
      for (const n of el.childNodes) {
        if (n.kind === 'text') textValue += decodeText(this.text.slice(n.span.start, n.span.end));
        else if (n.kind === 'cdata') textValue += this.text.slice(n.content.start, n.content.end);
        else continue;
        textSpan = textSpan === undefined ? n.span : { start: textSpan.start, end: n.span.end };
      }
      const withWs = d.wholeText(cur, textValue, isWhitespace(textValue));
      if (withWs.k === 'notAllowed') {
        this.textProblem(el, cur, textValue, textSpan ?? el.content ?? el.startTag);
        const lenient = d.textLenient(cur);
        cur = lenient.k !== 'notAllowed' ? lenient : cur;
      } else cur = withWs;
    } else {
      const flushText = (): void => {
        if (textSpan === undefined) return;
        if (!isWhitespace(textValue)) {
          const next = d.text(cur, textValue);
          if (next.k === 'notAllowed') {
            this.textProblem(el, cur, textValue, textSpan);
            const lenient = d.textLenient(cur);
            if (lenient.k !== 'notAllowed') cur = lenient;
          } else cur = next;
        }
        textValue = '';
        textSpan = undefined;
      };
      for (const n of el.childNodes) {
        if (n.kind === 'element') {
          flushText();
          const before = this.problems.length;
          cur = this.element(n, cur, start, bindings);
          const p0 = this.problems[before];
          // Children reported as in the wrong place: their absence at the end is the same mistake.
          if (p0?.kind === 'element' && p0.element === n && p0.elsewhere) (misplaced ??= new Set<string>()).add(n.name);
        } else if (n.kind === 'text' || n.kind === 'cdata') {
          // Indentation between elements is most of the text of a domain: nothing to read there.
          if (n.kind === 'text' && textSpan === undefined && blank(this.text, n.span)) continue;
          textValue += n.kind === 'text' ? decodeText(this.text.slice(n.span.start, n.span.end)) : this.text.slice(n.content.start, n.content.end);
          textSpan = textSpan === undefined ? n.span : { start: textSpan.start, end: n.span.end };
        }
      }
      flushText();
    }

    const ended = d.endTag(cur);
    if (ended.k === 'notAllowed') {
      const first = firstPatterns(cur);
      const required = requiredElements(cur);
      const missing = names(required.length > 0 ? required : first.elements, this.prefixes);
      if (missing.length > 0 && missing.every((m) => misplaced?.has(m) === true)) return d.continuation(cur);
      this.problems.push({
        kind: 'missing-element',
        span: el.startTag,
        element: el,
        missing,
        text: missing.length === 0 ? describeText(first.text).words : undefined,
        skeleton: required.length === 1 && missing.length === 1 ? { name: missing[0]!, attributes: requiredAttributes(required[0]!.content, this.prefixes, 'all') } : undefined,
      });
      return d.continuation(cur);
    }
    return ended;
  }

  private textProblem(el: XmlElement, cur: Pattern, value: string, whole: Span): void {
    // Point at the text itself, not the indentation around it.
    const raw = this.text.slice(whole.start, whole.end);
    const lead = raw.length - raw.trimStart().length;
    const span = raw.trim() === '' ? whole : { start: whole.start + lead, end: whole.start + raw.trimEnd().length };
    const allowed = firstPatterns(cur).text;
    if (allowed.length === 0) {
      this.problems.push({ kind: 'text', span, element: el, value, values: undefined, expected: undefined });
      return;
    }
    const { values, words } = describeText(allowed);
    this.problems.push({ kind: 'text', span, element: el, value, values, expected: words });
  }
}

/**
 * The attributes whose absence keeps the start tag from closing: any of them
 * may be the one missing (`'any'`, for messages), or each alternative needs
 * them all (`'all'`, for a skeleton to insert).
 */
export function requiredAttributes(p: Pattern, prefixes: ReadonlyMap<string, string>, mode: 'any' | 'all' = 'any'): string[] {
  const out = new Set<string>();
  const seen = new Set<number>();
  const walk = (x: Pattern): void => {
    if (seen.has(x.id)) return;
    seen.add(x.id);
    switch (x.k) {
      case 'after':
        walk(x.a);
        break;
      case 'choice':
        // A choice needs an attribute only when no member can close without one.
        if (!x.members.every((m) => needsAttribute(m))) break;
        if (mode === 'any') x.members.forEach(walk);
        else {
          const each = x.members.map((m) => new Set(requiredAttributes(m, prefixes, 'all')));
          for (const n of each[0] ?? []) if (each.every((e) => e.has(n))) out.add(n);
        }
        break;
      case 'group':
      case 'interleave':
        if (needsAttribute(x.a)) walk(x.a);
        if (needsAttribute(x.b)) walk(x.b);
        break;
      case 'oneOrMore':
        walk(x.p);
        break;
      case 'attribute':
        for (const q of listedNames(x.nc)) out.add(showQName(q, prefixes));
        break;
      default:
    }
  };
  walk(p);
  return [...out].sort((a, b) => a.localeCompare(b));
}

/** Every element a content pattern has, wherever in it (not inside those elements). */
const childElementsOf = new WeakMap<Pattern, readonly ElementP[]>();
function childElements(p: Pattern): readonly ElementP[] {
  let out = childElementsOf.get(p);
  if (out === undefined) {
    const found: ElementP[] = [];
    eachPart([p], (x) => {
      if (x.k === 'element') found.push(x);
    });
    childElementsOf.set(p, (out = found));
  }
  return out;
}

/** The elements the content still requires (of which one must come next, when several). */
export function requiredElements(p: Pattern): ElementP[] {
  const out = new Set<ElementP>();
  const seen = new Set<number>();
  const walk = (x: Pattern): void => {
    if (seen.has(x.id) || x.nullable) return;
    seen.add(x.id);
    switch (x.k) {
      case 'after':
        walk(x.a);
        break;
      case 'choice':
        x.members.forEach(walk);
        break;
      case 'group':
        // In a sequence, what comes first is what is missing first.
        if (!x.a.nullable) walk(x.a);
        else walk(x.b);
        break;
      case 'interleave':
        walk(x.a);
        walk(x.b);
        break;
      case 'oneOrMore':
        walk(x.p);
        break;
      case 'element':
        out.add(x);
        break;
      default:
    }
  };
  walk(p);
  return [...out];
}

/** True when the pattern cannot end its start tag as it is (an attribute is required). */
function needsAttribute(p: Pattern): boolean {
  switch (p.k) {
    case 'attribute':
      return true;
    case 'choice':
      return p.members.every(needsAttribute);
    case 'group':
    case 'interleave':
      return needsAttribute(p.a) || needsAttribute(p.b);
    case 'after':
      return needsAttribute(p.a);
    case 'oneOrMore':
      return needsAttribute(p.p);
    default:
      return false;
  }
}
