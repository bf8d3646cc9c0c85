import type { XmlDocument, XmlElement } from './model';
import { attr } from './model';

import { eolOf, type TextEdit } from '../text-edit';

export type { TextEdit };

/** How the file is written, so inserted text looks like the user's own. */
export interface DocStyle {
  readonly eol: '\n' | '\r\n';
  readonly indentUnit: string;
  readonly quote: '"' | "'";
}

export function detectStyle(doc: XmlDocument): DocStyle {
  return styleOf(doc.text, documentOrder(doc.root));
}

/** Every element under (and including) `root`, in document order: one walk, no recursion. */
export function documentOrder(root: XmlElement): XmlElement[] {
  const order: XmlElement[] = [];
  const stack: XmlElement[] = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    order.push(el);
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]!);
  }
  return order;
}

/**
 * The style of a document from its elements in document order (see
 * {@link documentOrder}): the quote most attributes use, and the first
 * indentation step from a parent on its own line to a child on its own line.
 */
export function styleOf(text: string, elements: readonly XmlElement[]): DocStyle {
  const eol = eolOf(text);
  let single = 0;
  let double = 0;
  let indentUnit: string | undefined;
  for (const el of elements) {
    for (const a of el.attributes) {
      if (a.quote === "'") single++;
      else double++;
    }
    if (indentUnit === undefined && el.parent) {
      const own = ownLineIndent(text, el.span.start);
      const parent = own === undefined ? undefined : ownLineIndent(text, el.parent.span.start);
      if (own !== undefined && parent !== undefined && own.length > parent.length && own.startsWith(parent)) {
        indentUnit = own.slice(parent.length);
      }
    }
  }
  return { eol, indentUnit: indentUnit ?? '  ', quote: double > single ? '"' : "'" };
}

/**
 * The whitespace before `offset` on its line when nothing else precedes it
 * there; undefined when the line has other text before `offset`.
 */
export function ownLineIndent(text: string, offset: number): string | undefined {
  let i = offset;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  if (i > 0 && text[i - 1] !== '\n') return undefined;
  return text.slice(i, offset);
}

/** Indentation of the element's line (its own, or the line it sits on). */
export function indentOf(text: string, el: XmlElement): string {
  const own = ownLineIndent(text, el.span.start);
  if (own !== undefined) return own;
  const lineStart = lineStartOf(text, el);
  let end = lineStart;
  while (end < el.span.start && (text[end] === ' ' || text[end] === '\t')) end++;
  return text.slice(lineStart, end);
}

/** How far back {@link lineStartOf} looks for the line break itself before it uses the line index. */
const NEAR = 512;

/** Line start offsets of a document, by its root element, built the first time a line is long. */
const lineIndexes = new WeakMap<XmlElement, { readonly text: string; readonly starts: readonly number[] }>();

/**
 * Where the line holding the start of `el` begins. Searching back for the
 * line break costs the length of the line, and a document written on one line
 * (minified XML) would make every call cost the whole prefix, so beyond
 * {@link NEAR} characters the document's line index answers instead.
 */
function lineStartOf(text: string, el: XmlElement): number {
  const offset = el.span.start;
  const stop = Math.max(0, offset - NEAR);
  for (let i = offset - 1; i >= stop; i--) if (text.charCodeAt(i) === 10) return i + 1;
  if (stop === 0) return 0;
  let root = el;
  while (root.parent) root = root.parent;
  let index = lineIndexes.get(root);
  if (index?.text !== text) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    lineIndexes.set(root, (index = { text, starts }));
  }
  // The last line start at or before `offset`.
  const { starts } = index;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return starts[lo]!;
}

/** Indentation a new child of `parent` gets: that of its existing children, else one unit deeper. */
export function childIndent(text: string, style: DocStyle, parent: XmlElement): string {
  for (const c of parent.children) {
    const own = ownLineIndent(text, c.span.start);
    if (own !== undefined) return own;
  }
  return indentOf(text, parent) + style.indentUnit;
}

/** Writes a markup template (lines separated by '\n', quotes as `'`) in the file's eol, indent and quote style. */
export function render(lines: string, indent: string, style: DocStyle): string {
  const quoted = style.quote === "'" ? lines : lines.replace(/'/g, '"');
  return quoted
    .split('\n')
    .map((l, i) => (i === 0 ? l : indent + l.replace(/^( {2})+/, (m) => style.indentUnit.repeat(m.length / 2))))
    .join(style.eol);
}

export type InsertPosition = 'first' | 'last' | { readonly after: XmlElement } | { readonly before: XmlElement };

/**
 * Inserts `markup` (see {@link render}) as a child of `parent`, on its own line.
 * A self-closing parent is opened up: `<p/>` becomes `<p>…</p>`.
 */
export function insertChild(doc: XmlDocument, style: DocStyle, parent: XmlElement, markup: string, position: InsertPosition = 'last'): TextEdit {
  const { text } = doc;
  const indent = childIndent(text, style, parent);
  const body = render(markup, indent, style);
  if (!parent.content) {
    let cut = parent.startTag.end - 2;
    while (cut > parent.nameSpan.end && (text[cut - 1] === ' ' || text[cut - 1] === '\t')) cut--;
    return {
      start: cut,
      end: parent.startTag.end,
      newText: `>${style.eol}${indent}${body}${style.eol}${indentOf(text, parent)}</${parent.name}>`,
    };
  }
  const kids = parent.children;
  if (position === 'first' && kids.length > 0) position = { before: kids[0]! };
  if (position === 'last' && kids.length > 0) position = { after: kids[kids.length - 1]! };
  if (typeof position === 'object' && 'before' in position) {
    const at = position.before.span.start;
    if (ownLineIndent(text, at) !== undefined) return { start: at, end: at, newText: `${body}${style.eol}${ownLineIndent(text, at)}` };
    return { start: at, end: at, newText: body };
  }
  if (typeof position === 'object' && 'after' in position) {
    const at = position.after.span.end;
    const closesSameLine = position.after === kids[kids.length - 1] && parent.endTag && !text.slice(at, parent.endTag.start).includes('\n');
    return { start: at, end: at, newText: `${style.eol}${indent}${body}${closesSameLine ? style.eol + indentOf(text, parent) : ''}` };
  }
  // Content without child elements: whitespace, or text.
  const content = text.slice(parent.content.start, parent.content.end);
  if (content.trim() === '' && !content.includes('\n')) {
    return {
      start: parent.content.start,
      end: parent.content.end,
      newText: `${style.eol}${indent}${body}${style.eol}${indentOf(text, parent)}`,
    };
  }
  return { start: parent.content.start, end: parent.content.start, newText: `${style.eol}${indent}${body}` };
}

/** Sets an attribute: replaces the value of an existing one, else appends it after the last attribute. */
export function setAttribute(style: DocStyle, el: XmlElement, name: string, value: string): TextEdit {
  const existing = attr(el, name);
  if (existing) return { start: existing.valueSpan.start, end: existing.valueSpan.end, newText: value };
  const last = el.attributes[el.attributes.length - 1];
  const at = last ? last.span.end : el.nameSpan.end;
  return { start: at, end: at, newText: ` ${name}=${style.quote}${value}${style.quote}` };
}

/** Removes an attribute and the whitespace before it. */
export function removeAttribute(doc: XmlDocument, el: XmlElement, name: string): TextEdit | undefined {
  const a = attr(el, name);
  if (!a) return undefined;
  let start = a.span.start;
  while (start > el.nameSpan.end && /\s/.test(doc.text[start - 1]!)) start--;
  return { start, end: a.span.end, newText: '' };
}

/** Removes an element; when it is alone on its line, the whole line goes. */
export function removeElement(doc: XmlDocument, el: XmlElement): TextEdit {
  const { text } = doc;
  const indent = ownLineIndent(text, el.span.start);
  let end = el.span.end;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  const eolLength = text.startsWith('\r\n', end) ? 2 : text[end] === '\n' ? 1 : -1;
  if (indent !== undefined && eolLength > 0) {
    return { start: el.span.start - indent.length, end: end + eolLength, newText: '' };
  }
  return { start: el.span.start, end: el.span.end, newText: '' };
}

/** Replaces everything between the tags of a non-self-closing element. */
export function replaceContent(el: XmlElement, newText: string): TextEdit | undefined {
  if (!el.content) return undefined;
  return { start: el.content.start, end: el.content.end, newText };
}
