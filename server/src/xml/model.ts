/**
 * An XML document as offsets into its source text.
 *
 * Every offset counts UTF-16 code units of the JavaScript string the document
 * was read into, which is what LSP positions count too. Spans are half-open
 * `[start, end)`.
 */

import type { Span } from '../text-edit';

export type { Span };

export interface XmlAttribute {
  readonly name: string;
  /** Value as written between the quotes (entity references are not expanded). */
  readonly value: string;
  /**
   * The value as an XML processor reports it: the five predefined entities
   * and character references decoded, literal tabs and line breaks read as
   * spaces. A reference to an entity declared in the DOCTYPE stays as written
   * (nothing is ever expanded). Equal to `value` when there is nothing to decode.
   */
  readonly decoded: string;
  readonly quote: '"' | "'";
  /** `name="value"` as a whole. */
  readonly span: Span;
  readonly nameSpan: Span;
  /** The value between the quotes. */
  readonly valueSpan: Span;
}

export interface XmlElement {
  readonly kind: 'element';
  readonly name: string;
  readonly parent: XmlElement | undefined;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** `<name ...>` or `<name .../>`. */
  readonly startTag: Span;
  /** `</name>`; undefined for a self-closing element, and for an unclosed one. */
  readonly endTag: Span | undefined;
  /**
   * Between the start and end tag; undefined for a self-closing element. For
   * an unclosed element: from the start tag to where the element was given up
   * (an end tag of an ancestor, or the end of the text).
   */
  readonly content: Span | undefined;
  /** From `<` of the start tag to `>` of the end tag (or to where an unclosed element was given up). */
  readonly span: Span;
  /** Where the element name is in the start tag. */
  readonly nameSpan: Span;
  /** `<name/>`. */
  readonly selfClosing: boolean;
  /**
   * Only in a tree with errors: the start tag has no `>` (`'start-tag'`), or
   * the element has no end tag (`'end-tag'`). Undefined when the element is complete.
   */
  readonly unclosed?: 'start-tag' | 'end-tag';
  /** Every child node in document order: elements, text, comments, PIs, CDATA sections. */
  readonly childNodes: readonly XmlNode[];
}

/** Character data between markup, as written (references not decoded). */
export interface XmlText {
  readonly kind: 'text';
  readonly parent: XmlElement | undefined;
  readonly span: Span;
}

/** `<!-- … -->`; `content` is between the delimiters. */
export interface XmlComment {
  readonly kind: 'comment';
  readonly parent: XmlElement | undefined;
  readonly span: Span;
  readonly content: Span;
  /** False when the text ends inside it. */
  readonly closed: boolean;
}

/** `<![CDATA[ … ]]>`; `content` is between the delimiters. */
export interface XmlCData {
  readonly kind: 'cdata';
  readonly parent: XmlElement | undefined;
  readonly span: Span;
  readonly content: Span;
  readonly closed: boolean;
}

/** `<?target data?>`, and the XML declaration `<?xml …?>` (target `xml`). */
export interface XmlProcessingInstruction {
  readonly kind: 'pi';
  readonly parent: XmlElement | undefined;
  readonly target: string;
  readonly span: Span;
  readonly targetSpan: Span;
  /** After the target and its white space, up to `?>`. */
  readonly content: Span;
  readonly closed: boolean;
}

/** An entity declared in the internal subset: known, never expanded. */
export interface XmlEntityDeclaration {
  readonly name: string;
  readonly parameter: boolean;
  /** The literal value as written between the quotes (internal entities). */
  readonly value: string | undefined;
  /** SYSTEM or PUBLIC: an external entity, never read. */
  readonly external: boolean;
  /** NDATA: an unparsed entity. */
  readonly unparsed: boolean;
  readonly span: Span;
  readonly nameSpan: Span;
}

/** `<!DOCTYPE name … [ internal subset ]>`. Nothing in it is ever read from elsewhere or expanded. */
export interface XmlDoctype {
  readonly kind: 'doctype';
  readonly parent: undefined;
  readonly name: string;
  readonly span: Span;
  readonly nameSpan: Span;
  /** The SYSTEM literal's value, when there is an external ID. */
  readonly systemId: string | undefined;
  readonly publicId: string | undefined;
  /** Between `[` and `]`. */
  readonly internalSubset: Span | undefined;
  readonly entities: readonly XmlEntityDeclaration[];
  readonly closed: boolean;
}

export type XmlNode = XmlElement | XmlText | XmlComment | XmlCData | XmlProcessingInstruction | XmlDoctype;

export interface XmlDocument {
  readonly text: string;
  readonly root: XmlElement;
  /** The top-level nodes in document order: XML declaration, comments, PIs, DOCTYPE, the root element. */
  readonly nodes: readonly XmlNode[];
  readonly declaration: XmlDeclaration | undefined;
  readonly doctype: XmlDoctype | undefined;
}

/** `<?xml version="1.0" encoding="…" standalone="…"?>`: the pseudo-attributes as written. */
export interface XmlDeclaration {
  readonly span: Span;
  readonly version: string | undefined;
  readonly encoding: string | undefined;
  readonly standalone: string | undefined;
}

export interface XmlSyntaxError {
  readonly message: string;
  readonly span: Span;
  /** What the error is about when that is elsewhere: the start tag of an element left open, the first of two attributes. */
  readonly related?: Span;
}

/** What {@link parseXmlTolerant} always returns: a tree, possibly partial, and every well-formedness error. */
export interface XmlTolerantResult {
  /** `root` is undefined only when the text has no element at all. */
  readonly document: Omit<XmlDocument, 'root'> & { readonly root: XmlElement | undefined };
  /** XML 1.0 well-formedness errors in the order they were found; empty: the text is well-formed. */
  readonly errors: readonly XmlSyntaxError[];
}

export type XmlParseResult =
  | { readonly ok: true; readonly document: XmlDocument }
  | { readonly ok: false; readonly error: XmlSyntaxError };

export function attr(el: XmlElement, name: string): XmlAttribute | undefined {
  return el.attributes.find((a) => a.name === name);
}

export function attrValue(el: XmlElement, name: string): string | undefined {
  return attr(el, name)?.value;
}

export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The raw text between the tags of an element ('' for a self-closing one). */
export function rawContent(text: string, el: XmlElement): string {
  return el.content ? text.slice(el.content.start, el.content.end) : '';
}

/**
 * The character data of an element without child elements, comments or
 * CDATA markup removed — what libvirt reads with an XPath `string()`.
 */
export function textContent(text: string, el: XmlElement): string {
  if (!el.content) return '';
  const raw = text.slice(el.content.start, el.content.end);
  if (el.children.length === 0 && !raw.includes('<')) return raw;
  return raw
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<[^>]*>/g, '');
}
