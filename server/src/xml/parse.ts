import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Span, XmlAttribute, XmlDocument, XmlElement, XmlParseResult } from './model';

/**
 * Parses XML into an offset-exact element tree.
 *
 * fast-xml-parser checks well-formedness (XMLValidator) and builds the tree
 * with each element's start and end offset (`preserveOrder` +
 * `captureMetaData`). The spans of tags, names and attributes are then read
 * from the source at those offsets; entity references are never expanded and
 * no DOCTYPE is acted on.
 */

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
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

interface FxpNode {
  [key: string]: FxpNode[] | unknown;
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
  const validation = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    const start = offsetOfLineCol(text, line, col);
    return { ok: false, error: { message: clarify(msg, text, start), span: errorSpan(text, start) } };
  }
  let tree: FxpNode[];
  try {
    tree = parser.parse(text) as FxpNode[];
  } catch (e) {
    return { ok: false, error: { message: (e as Error).message, span: errorSpan(text, 0) } };
  }
  try {
    const roots: XmlElement[] = [];
    for (const node of tree) {
      const el = build(text, node, undefined);
      if (el) roots.push(el);
    }
    if (roots.length === 0) throw new SyntaxFailure('The document has no root element.', errorSpan(text, 0));
    if (roots.length > 1) {
      throw new SyntaxFailure(
        `Only one root element is allowed; found <${roots[1]!.name}> after </${roots[0]!.name}>.`,
        roots[1]!.nameSpan,
      );
    }
    return { ok: true, document: { text, root: roots[0]! } };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { ok: false, error: { message: e.message, span: e.span } };
    throw e;
  }
}

function nodeName(node: FxpNode): string | undefined {
  for (const key in node) {
    if (key !== ':@') return key;
  }
  return undefined;
}

function build(text: string, node: FxpNode, parent: XmlElement | undefined): XmlElement | undefined {
  const name = nodeName(node);
  if (name === undefined || name.startsWith('#') || name.startsWith('?') || name.startsWith('!')) return undefined;
  const meta = (node as unknown as Record<symbol, FxpMeta>)[META];
  if (meta?.startIndex === undefined || meta.endIndex === undefined) return undefined;
  const start = meta.startIndex;
  const end = meta.endIndex;
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
      const c = build(text, k, el);
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
