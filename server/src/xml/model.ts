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
  readonly quote: '"' | "'";
  /** `name="value"` as a whole. */
  readonly span: Span;
  readonly nameSpan: Span;
  /** The value between the quotes. */
  readonly valueSpan: Span;
}

export interface XmlElement {
  readonly name: string;
  readonly parent: XmlElement | undefined;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** `<name ...>` or `<name .../>`. */
  readonly startTag: Span;
  /** `</name>`; undefined for a self-closing element. */
  readonly endTag: Span | undefined;
  /** Between the start and end tag; undefined for a self-closing element. */
  readonly content: Span | undefined;
  /** From `<` of the start tag to `>` of the end tag. */
  readonly span: Span;
  /** Where the element name is in the start tag. */
  readonly nameSpan: Span;
}

export interface XmlDocument {
  readonly text: string;
  readonly root: XmlElement;
}

export interface XmlSyntaxError {
  readonly message: string;
  readonly span: Span;
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
