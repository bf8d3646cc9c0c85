/**
 * A tolerant XML scan for completion and hover: the text is being typed, so
 * tags may be unfinished, quotes unclosed and end tags missing. It never
 * fails; it finds the tag, attribute or text around an offset and the
 * elements open there.
 */
import type { Span } from '../text-edit';

export interface ScanAttribute {
  readonly name: string;
  readonly nameSpan: Span;
  /** An `=` follows the name. */
  readonly hasEquals: boolean;
  /** Where the value is: between the quotes (or up to where it stops when the closing quote is missing). */
  readonly valueSpan: Span | undefined;
  readonly value: string | undefined;
  readonly quote: '"' | "'" | undefined;
  /** The closing quote is there. */
  readonly closed: boolean;
  /** Where a value would start when `=` is there but no value yet. */
  readonly afterEquals: number | undefined;
}

export interface ScanStartTag {
  readonly kind: 'start';
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
  readonly attributes: readonly ScanAttribute[];
  readonly selfClosing: boolean;
  /** The tag ends with `>` or `/>`. */
  readonly closed: boolean;
}

export interface ScanEndTag {
  readonly kind: 'end';
  readonly name: string;
  readonly nameSpan: Span;
  readonly span: Span;
  readonly closed: boolean;
}

export interface ScanOther {
  readonly kind: 'text' | 'comment' | 'cdata' | 'pi' | 'doctype';
  readonly span: Span;
  readonly closed: boolean;
}

export type ScanToken = ScanStartTag | ScanEndTag | ScanOther;

/** An element as far as the scan could tell. */
export interface ScanElement {
  readonly name: string;
  readonly start: ScanStartTag;
  readonly parent: ScanElement | undefined;
  readonly children: ScanElement[];
  end: ScanEndTag | undefined;
}

const NAME_END = /[\s/>=<'"]/;

function indexOrEnd(text: string, needle: string, from: number): { end: number; closed: boolean } {
  const i = text.indexOf(needle, from);
  return i < 0 ? { end: text.length, closed: false } : { end: i + needle.length, closed: true };
}

function readName(text: string, i: number): number {
  while (i < text.length && !NAME_END.test(text[i]!)) i++;
  return i;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

function scanStartTag(text: string, start: number): ScanStartTag {
  const nameEnd = readName(text, start + 1);
  const attributes: ScanAttribute[] = [];
  let i = nameEnd;
  for (;;) {
    i = skipSpace(text, i);
    const c = text[i];
    const done = (end: number, closed: boolean, selfClosing: boolean): ScanStartTag => ({
      kind: 'start',
      name: text.slice(start + 1, nameEnd),
      nameSpan: { start: start + 1, end: nameEnd },
      span: { start, end },
      attributes,
      selfClosing,
      closed,
    });
    if (c === undefined || c === '<') return done(i, false, false);
    if (c === '>') return done(i + 1, true, false);
    if (c === '/') {
      if (text[i + 1] === '>') return done(i + 2, true, true);
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '=') {
      i++;
      continue;
    }
    const an = i;
    i = readName(text, i);
    const nameSpan = { start: an, end: i };
    let j = skipSpace(text, i);
    if (text[j] !== '=') {
      attributes.push({ name: text.slice(an, i), nameSpan, hasEquals: false, valueSpan: undefined, value: undefined, quote: undefined, closed: false, afterEquals: undefined });
      continue;
    }
    j++;
    const afterEquals = j;
    j = skipSpace(text, j);
    const q = text[j];
    if (q === '"' || q === "'") {
      const vs = j + 1;
      const close = text.indexOf(q, vs);
      const lt = text.indexOf('<', vs);
      if (close >= 0 && (lt < 0 || lt > close)) {
        attributes.push({ name: text.slice(an, i), nameSpan, hasEquals: true, valueSpan: { start: vs, end: close }, value: text.slice(vs, close), quote: q, closed: true, afterEquals });
        i = close + 1;
        continue;
      }
      // Unclosed quote: the value stops at the end of the line, or at '<' or '>'.
      let ve = vs;
      while (ve < text.length && !/[\r\n<>]/.test(text[ve]!)) ve++;
      attributes.push({ name: text.slice(an, i), nameSpan, hasEquals: true, valueSpan: { start: vs, end: ve }, value: text.slice(vs, ve), quote: q, closed: false, afterEquals });
      return done(ve, false, false);
    }
    let ve = j;
    while (ve < text.length && !/[\s<>]/.test(text[ve]!) && !(text[ve] === '/' && text[ve + 1] === '>')) ve++;
    attributes.push({
      name: text.slice(an, i),
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
}

/** Splits the text into tags, text, comments, CDATA sections, processing instructions and DOCTYPEs. */
export function scanXml(text: string): ScanToken[] {
  const tokens: ScanToken[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '<') {
      const lt = text.indexOf('<', i);
      const end = lt < 0 ? text.length : lt;
      tokens.push({ kind: 'text', span: { start: i, end }, closed: true });
      i = end;
      continue;
    }
    let token: ScanToken;
    if (text.startsWith('<!--', i)) {
      const r = indexOrEnd(text, '-->', i + 4);
      token = { kind: 'comment', span: { start: i, end: r.end }, closed: r.closed };
    } else if (text.startsWith('<![CDATA[', i)) {
      const r = indexOrEnd(text, ']]>', i + 9);
      token = { kind: 'cdata', span: { start: i, end: r.end }, closed: r.closed };
    } else if (text.startsWith('<?', i)) {
      const r = indexOrEnd(text, '?>', i + 2);
      token = { kind: 'pi', span: { start: i, end: r.end }, closed: r.closed };
    } else if (text.startsWith('<!', i)) {
      const bracket = text.indexOf('[', i);
      const gt = text.indexOf('>', i);
      const r = bracket >= 0 && (gt < 0 || bracket < gt) ? indexOrEnd(text, ']>', bracket) : indexOrEnd(text, '>', i);
      token = { kind: 'doctype', span: { start: i, end: r.end }, closed: r.closed };
    } else if (text[i + 1] === '/') {
      const nameEnd = readName(text, i + 2);
      const j = skipSpace(text, nameEnd);
      const closed = text[j] === '>';
      token = { kind: 'end', name: text.slice(i + 2, nameEnd), nameSpan: { start: i + 2, end: nameEnd }, span: { start: i, end: closed ? j + 1 : j }, closed };
    } else {
      token = scanStartTag(text, i);
    }
    tokens.push(token);
    i = Math.max(token.span.end, i + 1);
  }
  return tokens;
}

export interface ScanResult {
  readonly tokens: readonly ScanToken[];
  /** The top-level elements. */
  readonly roots: readonly ScanElement[];
  /** The element each start tag opened. */
  readonly elementOf: ReadonlyMap<ScanStartTag, ScanElement>;
  /** The innermost element open right after each token. */
  readonly openAfter: ReadonlyMap<ScanToken, ScanElement | undefined>;
  /** The innermost element open when each token starts. */
  readonly openBefore: ReadonlyMap<ScanToken, ScanElement | undefined>;
}

/**
 * Builds the element tree: an end tag closes the innermost open element of
 * its name (and those inside it); an end tag nothing matches is ignored; an
 * unfinished start tag opens an element.
 */
export function buildTree(text: string): ScanResult {
  const tokens = scanXml(text);
  const roots: ScanElement[] = [];
  const elementOf = new Map<ScanStartTag, ScanElement>();
  const openAfter = new Map<ScanToken, ScanElement | undefined>();
  const openBefore = new Map<ScanToken, ScanElement | undefined>();
  const stack: ScanElement[] = [];
  for (const t of tokens) {
    openBefore.set(t, stack[stack.length - 1]);
    if (t.kind === 'start') {
      const parent = stack[stack.length - 1];
      const el: ScanElement = { name: t.name, start: t, parent, children: [], end: undefined };
      elementOf.set(t, el);
      (parent ? parent.children : roots).push(el);
      if (!t.selfClosing) stack.push(el);
    } else if (t.kind === 'end') {
      let k = stack.length - 1;
      while (k >= 0 && stack[k]!.name !== t.name) k--;
      if (k >= 0) {
        stack[k]!.end = t;
        stack.length = k;
      }
    }
    openAfter.set(t, stack[stack.length - 1]);
  }
  return { tokens, roots, elementOf, openAfter, openBefore };
}

/** Where an offset is, for completion and hover. */
export type XmlContext =
  | { readonly kind: 'start-tag-name'; readonly tag: ScanStartTag; readonly element: ScanElement; readonly parent: ScanElement | undefined }
  | { readonly kind: 'end-tag-name'; readonly tag: ScanEndTag; readonly element: ScanElement | undefined }
  | { readonly kind: 'attribute-name'; readonly tag: ScanStartTag; readonly element: ScanElement; readonly attribute: ScanAttribute | undefined }
  | { readonly kind: 'attribute-value'; readonly tag: ScanStartTag; readonly element: ScanElement; readonly attribute: ScanAttribute }
  | {
      readonly kind: 'content';
      /** The element whose content the offset is in; undefined outside the root. */
      readonly element: ScanElement | undefined;
      /** The character data around the offset, from the previous markup to the next `<`. */
      readonly text: Span;
    };

function within(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}

/** The context at `offset`; undefined inside comments, CDATA, PIs and DOCTYPEs. */
export function xmlContextAt(text: string, offset: number, scan: ScanResult = buildTree(text)): XmlContext | undefined {
  const { tokens } = scan;
  let lo = 0;
  let hi = tokens.length - 1;
  let found = -1;
  // The last token starting before the offset.
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.span.start < offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  const t = found >= 0 ? tokens[found]! : undefined;
  const contentAt = (element: ScanElement | undefined): XmlContext => {
    const prevEnd = t ? (t.kind === 'text' ? t.span.start : t.span.end) : 0;
    const lt = text.indexOf('<', offset);
    return { kind: 'content', element, text: { start: Math.min(prevEnd, offset), end: lt < 0 ? text.length : lt } };
  };
  if (!t) return contentAt(undefined);
  const inside = offset < t.span.end || (offset === t.span.end && !t.closed);
  if (t.kind === 'text') return contentAt(scan.openBefore.get(t));
  if (!inside) return contentAt(scan.openAfter.get(t));
  if (t.kind === 'start') {
    const element = scan.elementOf.get(t)!;
    if (offset <= t.nameSpan.end) return { kind: 'start-tag-name', tag: t, element, parent: element.parent };
    for (const a of t.attributes) {
      if (a.valueSpan && within(a.valueSpan, offset)) return { kind: 'attribute-value', tag: t, element, attribute: a };
      if (a.hasEquals && !a.valueSpan && a.afterEquals !== undefined && offset >= a.afterEquals && /^\s*$/.test(text.slice(a.afterEquals, offset))) {
        return { kind: 'attribute-value', tag: t, element, attribute: a };
      }
      if (within(a.nameSpan, offset)) return { kind: 'attribute-name', tag: t, element, attribute: a };
    }
    // Inside `/>`: nothing to offer.
    if (t.closed && offset > t.span.end - (t.selfClosing ? 2 : 1)) return undefined;
    return { kind: 'attribute-name', tag: t, element, attribute: undefined };
  }
  if (t.kind === 'end') {
    if (offset <= t.nameSpan.end) {
      const closes = scan.openBefore.get(t);
      let el = closes;
      while (el && el.name !== t.name) el = el.parent;
      return { kind: 'end-tag-name', tag: t, element: el };
    }
    return undefined;
  }
  return undefined;
}

/** The value of an attribute of a scanned start tag. */
export function scanAttr(tag: ScanStartTag, name: string): string | undefined {
  return tag.attributes.find((a) => a.name === name)?.value;
}
