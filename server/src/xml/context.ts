/**
 * What is at an offset of an XML text, for completion and hover: read from
 * the tree of {@link parseXmlTolerant}, the same tree the rules read. The
 * text is being typed, so tags may be unfinished, quotes unclosed and end
 * tags missing; the parser keeps such elements in the tree (flagged
 * `unclosed`) and this module only adds what an editor needs on top: the
 * attribute being typed that the parser could not take (`type=` with no
 * value yet, a name with no `=`), and a `<` with no name yet.
 */
import type { Span } from '../text-edit';
import type { XmlElement, XmlNode, XmlTolerantResult } from './model';
import { parseXmlTolerant } from './parse';

/** An attribute of a start tag as typed so far. */
export interface ContextAttribute {
  readonly name: string;
  readonly nameSpan: Span;
  /** An `=` follows the name. */
  readonly hasEquals: boolean;
  /** Between the quotes (up to the end of the line when the closing quote is missing); undefined when no value is written yet. */
  readonly valueSpan: Span | undefined;
  readonly value: string | undefined;
  readonly quote: '"' | "'" | undefined;
  /** The closing quote is there. */
  readonly closed: boolean;
  /** Where a value would start when `=` is there but no value yet. */
  readonly afterEquals: number | undefined;
}

/** A start tag as typed so far. */
export interface ContextStartTag {
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
  readonly attributes: readonly ContextAttribute[];
  readonly selfClosing: boolean;
  /** The tag ends with `>` or `/>`. */
  readonly closed: boolean;
}

/** Where an offset is. */
export type XmlContext =
  | {
      readonly kind: 'start-tag-name';
      readonly tag: ContextStartTag;
      /** The element the tag opens; undefined for a `<` with no name yet (the parser makes no element of it). */
      readonly element: XmlElement | undefined;
      readonly parent: XmlElement | undefined;
    }
  | {
      readonly kind: 'end-tag-name';
      readonly name: string;
      readonly nameSpan: Span;
      /** The element the end tag closes; undefined for an end tag nothing matches. */
      readonly element: XmlElement | undefined;
    }
  | { readonly kind: 'attribute-name'; readonly tag: ContextStartTag; readonly element: XmlElement; readonly attribute: ContextAttribute | undefined }
  | { readonly kind: 'attribute-value'; readonly tag: ContextStartTag; readonly element: XmlElement; readonly attribute: ContextAttribute }
  | {
      readonly kind: 'content';
      /** The element whose content the offset is in; undefined outside the root. */
      readonly element: XmlElement | undefined;
      /** The character data around the offset, from the previous markup to the next `<`. */
      readonly text: Span;
    };

const NAME_CHAR = /[^\s/>=<'"]/;

function within(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}

/** Index of the last node starting before `offset`, or -1. */
function lastBefore(nodes: readonly XmlNode[], offset: number): number {
  let lo = 0;
  let hi = nodes.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid]!.span.start < offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function nodeClosed(n: Exclude<XmlNode, XmlElement>): boolean {
  return n.kind === 'text' ? true : n.closed;
}

/**
 * The start tag of `el` with the attributes as typed: those the parser read,
 * then whatever it stopped at (a name with no `=`, a value with no quotes).
 */
export function startTagOf(text: string, el: XmlElement): ContextStartTag {
  const attributes: ContextAttribute[] = [];
  let tagEnd = el.startTag.end;
  let closed = el.unclosed !== 'start-tag';
  const selfClosing = el.selfClosing;
  let pos = el.nameSpan.end;
  for (const a of el.attributes) {
    const isClosed = text[a.valueSpan.end] === a.quote;
    const eq = text.lastIndexOf('=', a.valueSpan.start);
    if (isClosed) {
      attributes.push({ name: a.name, nameSpan: a.nameSpan, hasEquals: true, valueSpan: a.valueSpan, value: a.value, quote: a.quote, closed: true, afterEquals: eq + 1 });
      pos = a.span.end;
      continue;
    }
    // No closing quote: the value is taken to end at the end of its line (or at '>'), and so does the tag.
    let ve = a.valueSpan.start;
    while (ve < a.valueSpan.end && !/[\r\n>]/.test(text[ve]!)) ve++;
    attributes.push({ name: a.name, nameSpan: a.nameSpan, hasEquals: true, valueSpan: { start: a.valueSpan.start, end: ve }, value: text.slice(a.valueSpan.start, ve), quote: a.quote, closed: false, afterEquals: eq + 1 });
    return { name: el.name, nameSpan: el.nameSpan, span: { start: el.startTag.start, end: ve }, attributes, selfClosing: false, closed: false };
  }
  // What the parser did not take as an attribute, up to the end of the tag.
  const stop = closed ? tagEnd - (selfClosing ? 2 : 1) : tagEnd;
  let i = pos;
  while (i < stop) {
    const c = text[i]!;
    if (!NAME_CHAR.test(c)) {
      i++;
      continue;
    }
    const an = i;
    while (i < stop && NAME_CHAR.test(text[i]!)) i++;
    const nameSpan = { start: an, end: i };
    const name = text.slice(an, i);
    let j = i;
    while (j < stop && /\s/.test(text[j]!)) j++;
    if (text[j] !== '=' || j >= stop) {
      attributes.push({ name, nameSpan, hasEquals: false, valueSpan: undefined, value: undefined, quote: undefined, closed: false, afterEquals: undefined });
      continue;
    }
    const afterEquals = j + 1;
    j = afterEquals;
    while (j < stop && /\s/.test(text[j]!)) j++;
    const q = text[j];
    if (j < stop && (q === '"' || q === "'")) {
      // A quoted value here was not closed on its line: it ends the tag.
      const vs = j + 1;
      let ve = vs;
      while (ve < text.length && !/[\r\n<>]/.test(text[ve]!)) ve++;
      attributes.push({ name, nameSpan, hasEquals: true, valueSpan: { start: vs, end: ve }, value: text.slice(vs, ve), quote: q, closed: false, afterEquals });
      tagEnd = ve;
      closed = false;
      break;
    }
    let ve = j;
    while (ve < stop && !/[\s<>]/.test(text[ve]!)) ve++;
    attributes.push({
      name,
      nameSpan,
      hasEquals: true,
      valueSpan: ve > j ? { start: j, end: ve } : undefined,
      value: ve > j ? text.slice(j, ve) : undefined,
      quote: undefined,
      closed: false,
      afterEquals,
    });
    i = ve;
  }
  return { name: el.name, nameSpan: el.nameSpan, span: { start: el.startTag.start, end: tagEnd }, attributes, selfClosing: closed && selfClosing, closed };
}

/** The context at `offset`; undefined inside comments, CDATA sections, PIs, the DOCTYPE and the `/>` of a tag. */
// The tree of the last text asked about: completion and hover at many positions of one version
// parse it once (a string compare decides; the worker of large documents is sent a new string each time).
let lastParsed: { readonly text: string; readonly parsed: XmlTolerantResult } | undefined;

/** The tolerant tree of `text`, kept for the last text asked about. */
export function parsedOf(text: string): XmlTolerantResult {
  if (lastParsed?.text !== text) lastParsed = { text, parsed: parseXmlTolerant(text) };
  return lastParsed.parsed;
}

export function xmlContextAt(text: string, offset: number, parsed: XmlTolerantResult = parsedOf(text)): XmlContext | undefined {
  let nodes: readonly XmlNode[] = parsed.document.nodes;
  let parent: XmlElement | undefined;
  let contentStart = 0;
  for (;;) {
    const k = lastBefore(nodes, offset);
    const n = k >= 0 ? nodes[k]! : undefined;
    if (n === undefined) return contentAt(text, offset, parent, contentStart);
    if (n.kind === 'text') {
      let j = k - 1;
      while (j >= 0 && nodes[j]!.kind === 'text') j--;
      return contentAt(text, offset, parent, j >= 0 ? nodes[j]!.span.end : contentStart);
    }
    if (n.kind !== 'element') {
      if (offset < n.span.end || (offset === n.span.end && !nodeClosed(n))) return undefined;
      return contentAt(text, offset, parent, n.span.end);
    }
    const tag = startTagOf(text, n);
    if (offset < tag.span.end || (offset === tag.span.end && !tag.closed)) return inStartTag(text, offset, n, tag);
    const content = n.content;
    if (content && offset <= content.end) {
      nodes = n.childNodes;
      parent = n;
      contentStart = Math.min(tag.span.end, content.start);
      continue;
    }
    const end = n.endTag;
    if (end && offset < end.end) {
      const nameEnd = end.start + 2 + n.name.length;
      return offset <= nameEnd ? { kind: 'end-tag-name', name: n.name, nameSpan: { start: end.start + 2, end: nameEnd }, element: n } : undefined;
    }
    return contentAt(text, offset, parent, n.span.end);
  }
}

function inStartTag(text: string, offset: number, element: XmlElement, tag: ContextStartTag): XmlContext | undefined {
  if (offset <= tag.nameSpan.end) return { kind: 'start-tag-name', tag, element, parent: element.parent };
  for (const a of tag.attributes) {
    if (a.valueSpan && within(a.valueSpan, offset)) return { kind: 'attribute-value', tag, element, attribute: a };
    if (a.hasEquals && !a.valueSpan && a.afterEquals !== undefined && offset >= a.afterEquals && /^\s*$/.test(text.slice(a.afterEquals, offset))) {
      return { kind: 'attribute-value', tag, element, attribute: a };
    }
    if (within(a.nameSpan, offset)) return { kind: 'attribute-name', tag, element, attribute: a };
  }
  // Inside `/>`: nothing to offer.
  if (tag.closed && offset > tag.span.end - (tag.selfClosing ? 2 : 1)) return undefined;
  return { kind: 'attribute-name', tag, element, attribute: undefined };
}

/**
 * The offset is in character data of `element` (after the markup ending at
 * `prevEnd`). The parser leaves out markup it cannot read — a `<` with no
 * name, an end tag nothing matches — so a `<` between is looked at here.
 */
function contentAt(text: string, offset: number, element: XmlElement | undefined, prevEnd: number): XmlContext | undefined {
  let start = Math.min(prevEnd, offset);
  const lt = text.lastIndexOf('<', offset - 1);
  if (lt >= start) {
    const gt = text.indexOf('>', lt);
    if (gt < 0 || gt >= offset) {
      if (text[lt + 1] === '/') {
        let ne = lt + 2;
        while (ne < text.length && NAME_CHAR.test(text[ne]!)) ne++;
        return offset <= ne ? { kind: 'end-tag-name', name: text.slice(lt + 2, ne), nameSpan: { start: lt + 2, end: ne }, element: undefined } : undefined;
      }
      let ne = lt + 1;
      while (ne < text.length && NAME_CHAR.test(text[ne]!)) ne++;
      if (offset > ne) return undefined;
      const tag: ContextStartTag = { name: text.slice(lt + 1, ne), nameSpan: { start: lt + 1, end: ne }, span: { start: lt, end: ne }, attributes: [], selfClosing: false, closed: false };
      return { kind: 'start-tag-name', tag, element: undefined, parent: element };
    }
    start = gt + 1;
  }
  const next = text.indexOf('<', offset);
  return { kind: 'content', element, text: { start, end: next < 0 ? text.length : next } };
}

/** The value of an attribute of a start tag as typed. */
export function tagAttr(tag: ContextStartTag, name: string): string | undefined {
  return tag.attributes.find((a) => a.name === name)?.value;
}
