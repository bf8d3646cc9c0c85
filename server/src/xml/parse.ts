import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Span, XmlAttribute, XmlDocument, XmlElement, XmlParseResult } from './model';

/**
 * Parses XML into an offset-exact element tree.
 *
 * fast-xml-parser checks well-formedness (XMLValidator) and builds the tree
 * with each element's start and end offset (`preserveOrder` +
 * `captureMetaData`). The spans of tags, names and attributes are then read
 * from the source at those offsets.
 *
 * Hostile input: a linear pre-scan runs first. It blanks out the DOCTYPE of
 * the prolog before fast-xml-parser sees the text, so no entity is ever
 * declared, expanded or resolved and no external DTD or entity is read (entity
 * references stay as written); it rejects a DOCTYPE anywhere else and
 * elements nested deeper than {@link MAX_XML_DEPTH}, so nothing downstream
 * recurses deeply. A leading byte order mark is kept in the offsets.
 */

/** Elements nested deeper than this are reported instead of parsed (libvirt domains nest about 6 deep). */
export const MAX_XML_DEPTH = 100;

const parser = new XMLParser({
  preserveOrder: true,
  captureMetaData: true,
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: false,
  // The pre-scan already bounds the depth; this is only a backstop.
  maxNestedTags: MAX_XML_DEPTH + 1,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

interface FxpNode {
  [key: string]: unknown;
}
interface FxpMeta {
  startIndex?: number;
  endIndex?: number;
}

class SyntaxFailure extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

export function parseXml(text: string): XmlParseResult {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const pre = prescan(text, bom);
  if (pre.error) return { ok: false, error: pre.error };
  // What fast-xml-parser sees: no BOM (its validator drops one, its parser
  // does not, so offsets would disagree) and the DOCTYPE blanked out.
  const source = (pre.doctype ? blank(text, pre.doctype) : text).slice(bom);
  const validation = XMLValidator.validate(source, { allowBooleanAttributes: false });
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    const start = bom + offsetOfLineCol(source, line, col);
    const unclosed = unclosedTags(msg, pre.open);
    if (unclosed) return { ok: false, error: unclosed };
    return { ok: false, error: { message: shorten(clarify(msg, text, start)), span: errorSpan(text, start) } };
  }
  let tree: FxpNode[];
  try {
    tree = parser.parse(source) as FxpNode[];
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    return { ok: false, error: { message: shorten(msg === 'Maximum nested tags exceeded' ? tooDeep : msg), span: errorSpan(text, bom) } };
  }
  try {
    const roots: XmlElement[] = [];
    for (const node of tree) {
      const el = build(text, bom, node, undefined);
      if (el) roots.push(el);
    }
    if (roots.length === 0) throw new SyntaxFailure('The document has no root element.', errorSpan(text, bom));
    if (roots.length > 1) {
      throw new SyntaxFailure(
        `Only one root element is allowed; found <${roots[1]!.name}> after </${roots[0]!.name}>.`,
        roots[1]!.nameSpan,
      );
    }
    return { ok: true, document: { text, root: roots[0]! } };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { ok: false, error: { message: shorten(e.message), span: e.span } };
    throw e;
  }
}

const tooDeep = `Elements are nested more than ${MAX_XML_DEPTH} deep; sevlint does not read further.`;

interface OpenTag {
  readonly name: string;
  readonly start: number;
}

interface Prescan {
  readonly error?: { readonly message: string; readonly span: Span };
  /** The DOCTYPE declaration of the prolog. */
  readonly doctype?: Span;
  /** The start tags still open where the scan stopped, outermost first. */
  readonly open: readonly OpenTag[];
}

const isWs = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * One linear pass over the markup: finds the DOCTYPE, rejects a second one
 * or one after the root element starts, and counts element depth. Anything
 * else that is wrong is left for XMLValidator to report; the scan then just
 * stops.
 */
function prescan(text: string, from: number): Prescan {
  const open: OpenTag[] = [];
  let doctype: Span | undefined;
  let seenElement = false;
  let i = from;
  if (text.charCodeAt(i) === 0xfeff) {
    return { error: { message: 'A second byte order mark (U+FEFF) is not allowed here.', span: { start: i, end: i + 1 } }, open };
  }
  for (;;) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    const c1 = text.charCodeAt(lt + 1);
    if (c1 === 0x3f /* ? */) {
      const e = text.indexOf('?>', lt + 2);
      if (e < 0) break;
      i = e + 2;
    } else if (c1 === 0x21 /* ! */) {
      if (text.startsWith('<!--', lt)) {
        const e = text.indexOf('-->', lt + 4);
        if (e < 0) break;
        i = e + 3;
      } else if (text.startsWith('<![CDATA[', lt)) {
        const e = text.indexOf(']]>', lt + 9);
        if (e < 0) break;
        i = e + 3;
      } else if (text.startsWith('<!DOCTYPE', lt)) {
        const span = { start: lt, end: lt + 9 };
        if (seenElement) return { error: { message: 'A DOCTYPE declaration is only allowed before the root element.', span }, open };
        if (doctype) return { error: { message: 'Only one DOCTYPE declaration is allowed.', span }, open };
        const end = doctypeEnd(text, lt + 9);
        if (end < 0) return { error: { message: 'Unclosed DOCTYPE declaration.', span }, open };
        doctype = { start: lt, end };
        i = end;
      } else {
        i = lt + 2;
      }
    } else if (c1 === 0x2f /* / */) {
      const gt = text.indexOf('>', lt + 2);
      if (gt < 0) break;
      open.pop();
      i = gt + 1;
    } else {
      let j = lt + 1;
      while (j < text.length && !isWs(text.charCodeAt(j)) && text[j] !== '>' && text[j] !== '/' && text[j] !== '<') j++;
      const nameEnd = j;
      let gt = -1;
      while (j < text.length) {
        const c = text[j];
        if (c === '"' || c === "'") {
          const q = text.indexOf(c, j + 1);
          if (q < 0) break;
          j = q + 1;
        } else if (c === '>') {
          gt = j;
          break;
        } else {
          j++;
        }
      }
      if (gt < 0) break;
      seenElement = true;
      if (text[gt - 1] !== '/') {
        if (open.length === MAX_XML_DEPTH) return { error: { message: tooDeep, span: { start: lt + 1, end: nameEnd } }, open };
        open.push({ name: text.slice(lt + 1, nameEnd), start: lt });
      }
      i = gt + 1;
    }
  }
  return { doctype, open };
}

/** The offset after the `>` that ends a DOCTYPE whose keyword ends at `i`; -1 when it is not closed. */
function doctypeEnd(text: string, i: number): number {
  let subset = false;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const q = text.indexOf(c, i + 1);
      if (q < 0) return -1;
      i = q + 1;
      continue;
    }
    if (subset) {
      if (text.startsWith('<!--', i)) {
        const e = text.indexOf('-->', i + 4);
        if (e < 0) return -1;
        i = e + 3;
        continue;
      }
      if (text.startsWith('<?', i)) {
        const e = text.indexOf('?>', i + 2);
        if (e < 0) return -1;
        i = e + 2;
        continue;
      }
      if (c === ']') subset = false;
    } else if (c === '[') {
      subset = true;
    } else if (c === '>') {
      return i + 1;
    }
    i++;
  }
  return -1;
}

/** `text` with `span` replaced by spaces, line breaks kept (so line and column numbers stay). */
function blank(text: string, span: Span): string {
  return text.slice(0, span.start) + text.slice(span.start, span.end).replace(/[^\r\n]/g, ' ') + text.slice(span.end);
}

/**
 * XMLValidator reports a file that ends inside several elements as
 * `Invalid '[ "domain", "devices", ... ]' found.` at 1:1; say which element
 * is open, where it is, when the pre-scan saw the same open elements.
 */
function unclosedTags(msg: string, open: readonly OpenTag[]): { message: string; span: Span } | undefined {
  if (!msg.startsWith("Invalid '[")) return undefined;
  let names: unknown;
  try {
    names = JSON.parse(msg.slice("Invalid '".length, msg.lastIndexOf("]") + 1));
  } catch {
    return undefined;
  }
  if (!Array.isArray(names) || names.length !== open.length || names.some((n, k) => n !== open[k]!.name)) return undefined;
  const inner = open[open.length - 1]!;
  const more = open.length - 1;
  return {
    message: shorten(`Unclosed tag '${inner.name}' (and ${more} enclosing ${more === 1 ? 'element' : 'elements'}): the file ends before </${inner.name}>.`),
    span: { start: inner.start + 1, end: inner.start + 1 + inner.name.length },
  };
}

/** Long names quoted in a message (a tag name can be megabytes of garbage) are cut to 60 characters. */
function shorten(msg: string): string {
  const cut = msg.replace(/'([^']{61,})'/g, (_m, s: string) => `'${s.slice(0, 60)}…'`);
  return cut.length > 500 ? cut.slice(0, 500) + '…' : cut;
}

function nodeName(node: FxpNode): string | undefined {
  for (const key in node) {
    if (key !== ':@') return key;
  }
  return undefined;
}

function build(text: string, shift: number, node: FxpNode, parent: XmlElement | undefined): XmlElement | undefined {
  const name = nodeName(node);
  if (name === undefined || name.startsWith('#') || name.startsWith('?') || name.startsWith('!')) return undefined;
  const meta = (node as unknown as Record<symbol, FxpMeta>)[META];
  if (meta?.startIndex === undefined || meta.endIndex === undefined) return undefined;
  const start = meta.startIndex + shift;
  const end = meta.endIndex + shift;
  const tag = scanStartTag(text, start, name);
  const children: XmlElement[] = [];
  let endTag: Span | undefined;
  if (!tag.selfClosing) {
    const lt = text.lastIndexOf('</', end - 1);
    endTag = { start: lt, end };
  }
  const el: XmlElement = {
    name,
    parent,
    attributes: tag.attributes,
    children,
    startTag: { start, end: tag.end },
    endTag,
    content: endTag ? { start: tag.end, end: endTag.start } : undefined,
    span: { start, end },
    nameSpan: { start: start + 1, end: start + 1 + name.length },
  };
  const kids = node[name];
  if (Array.isArray(kids)) {
    for (const k of kids as FxpNode[]) {
      const c = build(text, shift, k, el);
      if (c) children.push(c);
    }
  }
  return el;
}

const WS = new Set([' ', '\t', '\r', '\n']);

function scanStartTag(
  text: string,
  start: number,
  name: string,
): { attributes: XmlAttribute[]; end: number; selfClosing: boolean } {
  let i = start + 1 + name.length;
  const attributes: XmlAttribute[] = [];
  for (;;) {
    while (i < text.length && WS.has(text[i]!)) i++;
    const c = text[i];
    if (c === undefined) throw new SyntaxFailure(`Unclosed start tag <${name}>.`, { start, end: start + 1 + name.length });
    if (c === '>') return { attributes, end: i + 1, selfClosing: false };
    if (c === '/' && text[i + 1] === '>') return { attributes, end: i + 2, selfClosing: true };
    const nameStart = i;
    while (i < text.length && !WS.has(text[i]!) && text[i] !== '=' && text[i] !== '>' && text[i] !== '/') i++;
    const nameEnd = i;
    while (i < text.length && WS.has(text[i]!)) i++;
    if (text[i] !== '=') {
      throw new SyntaxFailure(`Attribute '${text.slice(nameStart, nameEnd)}' has no value.`, { start: nameStart, end: nameEnd });
    }
    i++;
    while (i < text.length && WS.has(text[i]!)) i++;
    const quote = text[i];
    if (quote !== '"' && quote !== "'") {
      throw new SyntaxFailure(`The value of attribute '${text.slice(nameStart, nameEnd)}' must be quoted.`, {
        start: nameStart,
        end: nameEnd,
      });
    }
    const valueStart = i + 1;
    const valueEnd = text.indexOf(quote, valueStart);
    if (valueEnd < 0) throw new SyntaxFailure('Unterminated attribute value.', { start: nameStart, end: valueStart });
    const lt = text.indexOf('<', valueStart);
    if (lt >= 0 && lt < valueEnd) {
      throw new SyntaxFailure("'<' is not allowed in an attribute value; write &lt;.", { start: lt, end: lt + 1 });
    }
    i = valueEnd + 1;
    attributes.push({
      name: text.slice(nameStart, nameEnd),
      value: text.slice(valueStart, valueEnd),
      quote,
      span: { start: nameStart, end: i },
      nameSpan: { start: nameStart, end: nameEnd },
      valueSpan: { start: valueStart, end: valueEnd },
    });
  }
}

/** XMLValidator says "without value" for `dev=sda` too; say what is wrong there. */
function clarify(msg: string, text: string, offset: number): string {
  const m = /^Attribute '([^']+)' is without value\.$/.exec(msg);
  if (m && /^[^\s=]+\s*=/.test(text.slice(offset, offset + m[1]!.length + 8))) {
    return `The value of attribute '${m[1]}' must be quoted.`;
  }
  return msg;
}

/**
 * XMLValidator reports 1-based lines (counting '\n') and 1-based columns in
 * UTF-16 code units; a missing column means the start of the line.
 */
function offsetOfLineCol(text: string, line: number, col: number | undefined): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(offset + Math.max((col ?? 1) - 1, 0), text.length);
}

/** A span for an error at `offset`: the rest of the token there, at least one character when there is one. */
function errorSpan(text: string, offset: number): Span {
  let end = offset;
  while (end < text.length && !WS.has(text[end]!) && (end === offset || (text[end] !== '<' && text[end] !== '>'))) end++;
  if (end < text.length && text[end] === '>' && end > offset) end++;
  return { start: offset, end: Math.max(end, Math.min(offset + 1, text.length)) };
}

export type { XmlDocument };
