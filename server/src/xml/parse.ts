import type {
  Span,
  XmlAttribute,
  XmlCData,
  XmlComment,
  XmlDeclaration,
  XmlDoctype,
  XmlDocument,
  XmlElement,
  XmlEntityDeclaration,
  XmlNode,
  XmlParseResult,
  XmlProcessingInstruction,
  XmlSyntaxError,
  XmlText,
  XmlTolerantResult,
} from './model';

/**
 * sevlint's XML parser: one pass over the text, no recursion, linear time.
 *
 * It always returns a tree — tolerant of unclosed, mismatched and truncated
 * markup, as an editor needs — with the exact span of every node, and the
 * list of XML 1.0 well-formedness errors in the order they were found, each
 * with a span. The text is well-formed when that list is empty. Where an
 * error is reported follows libxml2 (`xmllint --noout`), the oracle of the
 * tests: its first error is on the line xmllint names.
 *
 * Hostile input: no DTD, entity or other resource is ever read; no entity is
 * ever expanded (the five predefined entities and character references are
 * decoded in attribute values, nothing else); the entities declared in the
 * internal subset are known by name only, so a reference to one is
 * well-formed and stays as written. Elements nested deeper than
 * {@link MAX_XML_DEPTH} are one error, and the parser stops there. Offsets
 * are UTF-16 code units of the string; a leading byte order mark is kept.
 */

/** Elements nested deeper than this are reported instead of parsed (libvirt domains nest about 6 deep). */
export const MAX_XML_DEPTH = 100;

/** Errors after this many are not recorded (a file of random bytes has one every few characters). */
const MAX_ERRORS = 200;

const tooDeep = `Elements are nested more than ${MAX_XML_DEPTH} deep; sevlint does not read further.`;

const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

// ASCII name characters: 1 = may start a name, 2 = may continue one.
const NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) NAME[c] = 3;
  else if (/[0-9.-]/.test(ch)) NAME[c] = 2;
}

/** NameStartChar of XML 1.0 (fifth edition), for a code point above ASCII. */
function isNameStartCp(c: number): boolean {
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    (c >= 0x200c && c <= 0x200d) ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0xeffff)
  );
}

function isNameCp(c: number): boolean {
  return isNameStartCp(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

/** The Char production for a code point. */
function isXmlChar(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

const isBlank = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;

function hex(c: number): string {
  return 'U+' + c.toString(16).toUpperCase().padStart(4, '0');
}

/** Long names quoted in a message (a tag name can be megabytes of garbage) are cut to 60 characters. */
function short(s: string): string {
  return s.length > 60 ? s.slice(0, 60) + '…' : s;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * An element as the parser builds it. Offsets are kept as numbers and the
 * spans made on access, so a large document costs one object per element
 * instead of six.
 */
class Element implements XmlElement {
  readonly kind = 'element' as const;
  attributes: readonly XmlAttribute[] = NONE;
  children: XmlElement[] = NONE as unknown as XmlElement[];
  childNodes: XmlNode[] = NONE as unknown as XmlNode[];
  selfClosing = false;
  unclosed: 'start-tag' | 'end-tag' | undefined = undefined;
  /** End of the start tag; start of the end tag (-1: none); end of the element. */
  tagEnd: number;
  endStart = -1;
  end: number;
  /** 1-based line of the start tag, for messages. */
  line = 0;

  constructor(
    readonly name: string,
    readonly parent: XmlElement | undefined,
    readonly start: number,
    readonly nameEnd: number,
    tagEnd: number,
  ) {
    this.tagEnd = tagEnd;
    this.end = tagEnd;
  }

  // Each span is made on first access and kept (the tree does not change once parsed).
  private cStartTag: Span | undefined;
  private cEndTag: Span | undefined;
  private cContent: Span | undefined;
  private cSpan: Span | undefined;
  private cNameSpan: Span | undefined;

  /** Where the element ends: its end tag, or where it was given up (`endStart` -1). */
  setEnd(endStart: number, end: number): void {
    this.endStart = endStart;
    this.end = end;
    this.cEndTag = this.cContent = this.cSpan = undefined;
  }

  get startTag(): Span {
    return (this.cStartTag ??= { start: this.start, end: this.tagEnd });
  }
  get endTag(): Span | undefined {
    if (this.endStart < 0) return undefined;
    return (this.cEndTag ??= { start: this.endStart, end: this.end });
  }
  get content(): Span | undefined {
    if (this.selfClosing) return undefined;
    return (this.cContent ??= { start: this.tagEnd, end: this.endStart < 0 ? this.end : this.endStart });
  }
  get span(): Span {
    return (this.cSpan ??= { start: this.start, end: this.end });
  }
  get nameSpan(): Span {
    return (this.cNameSpan ??= { start: this.start + 1, end: this.nameEnd });
  }
}

class Attribute implements XmlAttribute {
  private cValue: string | undefined;
  private cDecoded: string | undefined;
  private cSpan: Span | undefined;
  private cNameSpan: Span | undefined;
  private cValueSpan: Span | undefined;
  constructor(
    private readonly text: string,
    readonly name: string,
    readonly quote: '"' | "'",
    private readonly as: number,
    private readonly ae: number,
    private readonly vs: number,
    private readonly ve: number,
    private readonly e: number,
  ) {}
  get value(): string {
    return (this.cValue ??= this.text.slice(this.vs, this.ve));
  }
  get decoded(): string {
    return (this.cDecoded ??= decodeAttributeValue(this.value));
  }
  get span(): Span {
    return (this.cSpan ??= { start: this.as, end: this.e });
  }
  get nameSpan(): Span {
    return (this.cNameSpan ??= { start: this.as, end: this.ae });
  }
  get valueSpan(): Span {
    return (this.cValueSpan ??= { start: this.vs, end: this.ve });
  }
}

class Text implements XmlText {
  readonly kind = 'text' as const;
  private cSpan: Span | undefined;
  constructor(
    readonly parent: XmlElement | undefined,
    readonly start: number,
    readonly end: number,
  ) {}
  get span(): Span {
    return (this.cSpan ??= { start: this.start, end: this.end });
  }
}

interface Entity {
  readonly decl: XmlEntityDeclaration;
}

class Parser {
  readonly errors: XmlSyntaxError[] = [];
  readonly nodes: XmlNode[] = [];
  readonly stack: Element[] = [];
  readonly len: number;
  root: Element | undefined;
  declaration: XmlDeclaration | undefined;
  doctype: XmlDoctype | undefined;
  /** General and parameter entities declared in the internal subset (first declaration wins). */
  readonly entities = new Map<string, Entity>();
  readonly parameterEntities = new Map<string, Entity>();
  hasExternalSubset = false;
  standalone: string | undefined;
  /** Set when the parser gives up (too deep). */
  stopped = false;
  private extraReported = false;
  private startReported = false;
  // Line counting for messages, incremental (offsets only grow).
  private lineAt = 0;
  private lineNo = 1;

  constructor(readonly text: string) {
    this.len = text.length;
  }

  at(i: number): number {
    return this.text.charCodeAt(i);
  }

  error(message: string, start: number, end: number = start + 1, related?: Span): void {
    if (this.errors.length >= MAX_ERRORS) return;
    const s = Math.min(start, this.len);
    const e = Math.max(s, Math.min(end, this.len));
    this.errors.push(related ? { message, span: { start: s, end: e }, related } : { message, span: { start: s, end: e } });
  }

  /** 1-based line of an offset (for messages that name a line, as libxml2's do); counted incrementally. */
  line(offset: number): number {
    if (offset < this.lineAt) {
      this.lineAt = 0;
      this.lineNo = 1;
    }
    const t = this.text;
    for (let i = t.indexOf('\n', this.lineAt); i >= 0 && i < offset; i = t.indexOf('\n', i + 1)) this.lineNo++;
    this.lineAt = offset;
    return this.lineNo;
  }

  /**
   * The span for an error about the token [start, end) that is noticed at
   * `at`: the token, when it is on the line where `at` is (libxml2 names
   * that line); otherwise what is at `at`.
   */
  near(start: number, end: number, at: number, lastBreak?: number): Span {
    let same: boolean;
    if (lastBreak !== undefined) {
      same = lastBreak < start;
    } else {
      let k = start;
      while (k < at && this.text.charCodeAt(k) !== 0x0a) k++;
      same = k >= at;
    }
    if (same) return { start, end };
    return { start: at, end: at >= this.len ? at : this.tokenEnd(at) };
  }

  /** `lastBreak`: the last line break before `at`, when the caller knows it (-1: none). */
  errorNear(message: string, start: number, end: number, at: number, related?: Span, lastBreak?: number): void {
    if (this.errors.length >= MAX_ERRORS) return;
    const s = this.near(start, end, at, lastBreak);
    this.error(message, s.start, s.end, related);
  }

  skipBlanks(i: number): number {
    while (i < this.len && isBlank(this.at(i))) i++;
    return i;
  }

  /** The end of the Name that starts at `i`; `i` when there is none. */
  name(i: number): number {
    const t = this.text;
    const n = this.len;
    let j = i;
    while (j < n) {
      const c = t.charCodeAt(j);
      if (c < 128) {
        const f = NAME[c]!;
        if (f === 0 || (j === i && f !== 3)) break;
        j++;
        continue;
      }
      let cp = c;
      let w = 1;
      if (c >= 0xd800 && c <= 0xdbff && j + 1 < n) {
        const d = t.charCodeAt(j + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          w = 2;
        }
      }
      if (j === i ? !isNameStartCp(cp) : !isNameCp(cp)) break;
      j += w;
    }
    return j;
  }

  /**
   * Checks the character at `i` (not ASCII-printable): returns its length in
   * code units, or 0 when it is not an XML Char.
   */
  charAt(i: number): number {
    const c = this.at(i);
    if (c < 0x20) return c === 0x9 || c === 0xa || c === 0xd ? 1 : 0;
    if (c < 0xd800) return 1;
    if (c <= 0xdbff) {
      const d = this.at(i + 1);
      return d >= 0xdc00 && d <= 0xdfff ? 2 : 0;
    }
    if (c <= 0xdfff) return 0;
    return c === 0xfffe || c === 0xffff ? 0 : 1;
  }

  codePoint(i: number): number {
    return this.text.codePointAt(i) ?? 0;
  }

  add(node: XmlNode): void {
    const top = this.stack[this.stack.length - 1];
    if (top) {
      if ((top.childNodes as readonly unknown[]) === NONE) top.childNodes = [];
      top.childNodes.push(node);
      if (node.kind === 'element') {
        if ((top.children as readonly unknown[]) === NONE) top.children = [];
        top.children.push(node);
      }
    } else {
      this.nodes.push(node);
    }
  }

  // ---------------------------------------------------------------- document

  run(): void {
    const t = this.text;
    let i = t.charCodeAt(0) === 0xfeff ? 1 : 0;
    if (i >= this.len) {
      this.error('Document is empty.', i, i);
      return;
    }
    if (t.startsWith('<?xml', i) && isBlank(this.at(i + 5))) i = this.xmlDecl(i);
    while (i < this.len && !this.stopped) {
      const c = this.at(i);
      if (c === 0x3c /* < */) {
        const c1 = this.at(i + 1);
        if (c1 === 0x3f /* ? */) i = this.pi(i);
        else if (c1 === 0x21 /* ! */) i = this.bang(i);
        else if (c1 === 0x2f /* / */) i = this.endTag(i);
        else i = this.startTag(i);
      } else if (this.stack.length === 0) {
        i = this.outsideRoot(i);
      } else {
        i = this.chars(i);
      }
    }
    if (this.stopped) {
      for (const el of this.stack) this.giveUp(el, this.len);
      return;
    }
    if (!this.root) {
      if (!this.startReported) this.error("Start tag expected, '<' not found: the document has no root element.", this.len, this.len);
      return;
    }
    if (this.stack.length > 0) {
      const inner = this.stack[this.stack.length - 1]!;
      this.error(
        `Premature end of data in tag ${short(inner.name)} line ${inner.line}: the file ends before </${short(inner.name)}>` +
          (this.stack.length > 1 ? ` (and ${this.stack.length - 1} enclosing ${this.stack.length === 2 ? 'element' : 'elements'}).` : '.'),
        this.len,
        this.len,
        inner.nameSpan,
      );
      while (this.stack.length > 0) this.giveUp(this.stack.pop()!, this.len);
    }
  }

  /** Text, or anything else that is not markup, before or after the root element. */
  outsideRoot(i: number): number {
    const start = i;
    i = this.skipBlanks(i);
    if (i >= this.len || this.at(i) === 0x3c) {
      if (i > start) this.nodes.push({ kind: 'text', parent: undefined, span: { start, end: i } } satisfies XmlText);
      return i;
    }
    if (this.root) {
      if (!this.extraReported) this.error('Extra content at the end of the document.', i, this.tokenEnd(i));
      this.extraReported = true;
    } else if (!this.startReported) {
      if (this.at(i) === 0xfeff && i === 1 && this.at(0) === 0xfeff) {
        this.error('A second byte order mark (U+FEFF) is not allowed here.', i, i + 1);
      } else {
        this.error("Start tag expected, '<' not found.", i, this.tokenEnd(i));
      }
      this.startReported = true;
    }
    let end = this.text.indexOf('<', i);
    if (end < 0) end = this.len;
    this.nodes.push({ kind: 'text', parent: undefined, span: { start, end } } satisfies XmlText);
    return end;
  }

  /** The end of the word at `i`, for an error's span (at least one character, at most 60). */
  tokenEnd(i: number): number {
    let j = i + 1;
    while (j < this.len && j < i + 60 && !isBlank(this.at(j)) && this.at(j) !== 0x3c && this.at(j) !== 0x3e && !(this.at(j) === 0x2f && this.at(j + 1) === 0x3e)) j++;
    return j;
  }

  /** An element closed by an end tag of an ancestor, or by the end of the text. */
  giveUp(el: Element, at: number): void {
    el.unclosed ??= 'end-tag';
    el.setEnd(-1, Math.max(el.tagEnd, at));
  }

  // ---------------------------------------------------------------- XML declaration

  xmlDecl(start: number): number {
    const t = this.text;
    let i = start + 5;
    let version: string | undefined;
    let encoding: string | undefined;
    let standalone: string | undefined;
    const finish = (end: number): number => {
      this.declaration = { span: { start, end }, version, encoding, standalone };
      this.standalone = standalone;
      this.nodes.push({
        kind: 'pi',
        parent: undefined,
        target: 'xml',
        span: { start, end },
        targetSpan: { start: start + 2, end: start + 5 },
        content: { start: Math.min(this.skipBlanks(start + 5), end), end: Math.max(Math.min(this.skipBlanks(start + 5), end), t.endsWith('?>', end) ? end - 2 : end) },
        closed: t.endsWith('?>', end),
      } satisfies XmlProcessingInstruction);
      return end;
    };
    const literal = (what: string, check: (j: number) => number): string | undefined => {
      // At the start of a pseudo-attribute's name (already matched): '=' and a quoted value.
      i = this.skipBlanks(i);
      if (this.at(i) !== 0x3d) {
        this.error(`expected '=' after '${what}' in the XML declaration.`, i);
        return undefined;
      }
      i = this.skipBlanks(i + 1);
      const q = this.at(i);
      if (q !== 0x22 && q !== 0x27) {
        this.error(`String not started expecting ' or " (the ${what} of the XML declaration).`, i);
        return undefined;
      }
      const vs = i + 1;
      const ve = check(vs);
      i = ve;
      if (this.at(i) !== q) {
        this.error(`String not closed expecting " or ' (the ${what} of the XML declaration).`, i);
        return t.slice(vs, ve);
      }
      i++;
      return t.slice(vs, ve);
    };
    if (!isBlank(this.at(i))) this.error("Blank needed after '<?xml'.", i);
    i = this.skipBlanks(i);
    if (t.startsWith('version', i)) {
      i += 7;
      version = literal('version', (j) => {
        if (!(this.at(j) >= 0x30 && this.at(j) <= 0x39) || this.at(j + 1) !== 0x2e) return j;
        j += 2;
        while (this.at(j) >= 0x30 && this.at(j) <= 0x39) j++;
        return j;
      });
      if (version !== undefined && version !== '1.0' && !/^1\.[0-9]*$/.test(version)) {
        this.error(`Unsupported version '${short(version)}' in the XML declaration.`, i - 1 - version.length, i - 1);
      }
    }
    if (version === undefined) {
      if (this.errors.length === 0 || this.errors[this.errors.length - 1]!.span.start < start) this.error('Malformed declaration expecting version: <?xml needs version="1.0".', i);
    }
    if (!isBlank(this.at(i))) {
      if (t.startsWith('?>', i)) return finish(i + 2);
      this.error('Blank needed here (the XML declaration).', i);
    }
    i = this.skipBlanks(i);
    if (t.startsWith('encoding', i)) {
      i += 8;
      encoding = literal('encoding', (j) => {
        const c = this.at(j);
        if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) {
          this.error('Invalid XML encoding name.', j);
          return j;
        }
        j++;
        for (;;) {
          const d = this.at(j);
          if ((d >= 0x41 && d <= 0x5a) || (d >= 0x61 && d <= 0x7a) || (d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x5f || d === 0x2d) j++;
          else return j;
        }
      });
      // libxml2 needs no blank between a UTF-8 or UTF-16 encoding and standalone.
      const utf = encoding !== undefined && /^utf-?(8|16)$/i.test(encoding);
      if (encoding !== undefined && !utf && !isBlank(this.at(i))) {
        if (t.startsWith('?>', i)) return finish(i + 2);
        this.error('Blank needed here (the XML declaration).', i);
      }
    }
    i = this.skipBlanks(i);
    if (t.startsWith('standalone', i)) {
      i += 10;
      standalone = literal('standalone', (j) => {
        if (t.startsWith('no', j)) return j + 2;
        if (t.startsWith('yes', j)) return j + 3;
        this.error("standalone accepts only 'yes' or 'no'.", j);
        return j;
      });
    }
    i = this.skipBlanks(i);
    if (t.startsWith('?>', i)) return finish(i + 2);
    this.error("parsing XML declaration: '?>' expected.", i);
    // Recover after the next '>'.
    const gt = t.indexOf('>', i);
    return finish(gt < 0 ? this.len : gt + 1);
  }

  // ---------------------------------------------------------------- <! … >

  bang(i: number): number {
    const t = this.text;
    if (t.startsWith('<!--', i)) return this.comment(i, true);
    if (t.startsWith('<![CDATA[', i)) {
      if (this.stack.length === 0) {
        this.misplaced(i, 'A CDATA section is only allowed inside an element.');
      }
      return this.cdata(i);
    }
    if (t.startsWith('<!DOCTYPE', i)) {
      if (this.stack.length === 0 && !this.root && !this.doctype) return this.doctypeDecl(i, true);
      if (this.root || this.stack.length > 0) this.misplaced(i, 'A DOCTYPE declaration is only allowed before the root element.', i + 9);
      else this.misplaced(i, 'Only one DOCTYPE declaration is allowed.', i + 9);
      return this.doctypeDecl(i, false);
    }
    this.misplaced(i, 'StartTag: invalid element name: markup starting with <! is a comment, a CDATA section or the DOCTYPE.', i + 2);
    // Read the '<' as text.
    return this.stack.length ? this.chars(i, true) : this.outsideRoot(i + 1);
  }

  /** An error for markup where it may not be; after the root, only the first such thing is reported. */
  misplaced(i: number, message: string, end = i + 1): void {
    if (this.stack.length === 0 && this.root) {
      if (!this.extraReported) this.error(`Extra content at the end of the document: ${message.charAt(0).toLowerCase()}${message.slice(1)}`, i, end);
      this.extraReported = true;
      return;
    }
    if (this.stack.length === 0) this.startReported = true;
    this.error(message, i, end);
  }

  comment(start: number, add: boolean): number {
    const t = this.text;
    const n = this.len;
    let i = start + 4;
    let end = -1;
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === 0x2d /* - */ && t.charCodeAt(i + 1) === 0x2d) {
        if (t.charCodeAt(i + 2) === 0x3e) {
          end = i;
          break;
        }
        this.error("Comment must not contain '--' (double-hyphen).", i, i + 2);
        i += 1;
        continue;
      }
      if (c >= 0x20 && c < 0xd800) {
        i++;
        continue;
      }
      const w = this.charAt(i);
      if (w === 0) {
        this.error(`xmlParseComment: invalid character ${hex(this.codePoint(i))} in a comment.`, i);
        i++;
      } else {
        i += w;
      }
    }
    if (end < 0) {
      this.error('Comment not terminated: the file ends inside the comment.', n, n, { start, end: start + 4 });
      if (add) this.add({ kind: 'comment', parent: this.stack[this.stack.length - 1], span: { start, end: n }, content: { start: Math.min(start + 4, n), end: n }, closed: false } satisfies XmlComment);
      return n;
    }
    if (add) this.add({ kind: 'comment', parent: this.stack[this.stack.length - 1], span: { start, end: end + 3 }, content: { start: start + 4, end }, closed: true } satisfies XmlComment);
    return end + 3;
  }

  cdata(start: number): number {
    const t = this.text;
    const n = this.len;
    let i = start + 9;
    const close = t.indexOf(']]>', i);
    const stop = close < 0 ? n : close;
    let bad = false;
    while (i < stop) {
      const c = t.charCodeAt(i);
      if (c >= 0x20 && c < 0xd800) {
        i++;
        continue;
      }
      const w = this.charAt(i);
      if (w === 0) {
        if (!bad) this.error(`CData section not finished: invalid character ${hex(this.codePoint(i))}.`, i);
        bad = true;
        i++;
      } else {
        i += w;
      }
    }
    if (close < 0) {
      if (!bad) this.error('CData section not finished: the file ends inside it.', n, n, { start, end: start + 9 });
      this.add({ kind: 'cdata', parent: this.stack[this.stack.length - 1], span: { start, end: n }, content: { start: start + 9, end: n }, closed: false } satisfies XmlCData);
      return n;
    }
    this.add({ kind: 'cdata', parent: this.stack[this.stack.length - 1], span: { start, end: close + 3 }, content: { start: start + 9, end: close }, closed: true } satisfies XmlCData);
    return close + 3;
  }

  // ---------------------------------------------------------------- <? … ?>

  pi(start: number): number {
    const t = this.text;
    const ts = start + 2;
    const te = this.name(ts);
    if (te === ts) {
      if (this.stack.length === 0 && this.root) this.misplaced(ts, 'xmlParsePI : no target name.');
      else this.error('xmlParsePI : no target name.', ts);
      if (this.stack.length === 0) {
        this.startReported = true;
        return this.outsideRoot(ts);
      }
      return this.chars(ts);
    }
    const target = t.slice(ts, te);
    if (target === 'xml') this.error('XML declaration allowed only at the start of the document.', start, te);
    else if (target.length === 3 && target.toLowerCase() === 'xml') this.error(`Invalid PI name '${target}': names starting with 'xml' are reserved.`, ts, te);
    let i = te;
    let end: number;
    if (t.startsWith('?>', i)) {
      end = i;
    } else {
      if (!isBlank(this.at(i))) this.error(`ParsePI: PI ${short(target)} space expected.`, i);
      const close = t.indexOf('?>', i);
      const stop = close < 0 ? this.len : close;
      while (i < stop) {
        const c = this.at(i);
        if (c >= 0x20 && c < 0xd800) {
          i++;
          continue;
        }
        const w = this.charAt(i);
        if (w === 0) {
          this.error(`ParsePI: PI ${short(target)} never end: invalid character ${hex(this.codePoint(i))}.`, i);
          i++;
        } else {
          i += w;
        }
      }
      if (close < 0) this.error(`ParsePI: PI ${short(target)} never end: the file ends inside it.`, this.len, this.len, { start, end: te });
      end = close < 0 ? -1 : close;
    }
    const contentStart = Math.min(this.skipBlanks(te), end < 0 ? this.len : end);
    const node: XmlProcessingInstruction = {
      kind: 'pi',
      parent: this.stack[this.stack.length - 1],
      target,
      span: { start, end: end < 0 ? this.len : end + 2 },
      targetSpan: { start: ts, end: te },
      content: { start: contentStart, end: end < 0 ? this.len : end },
      closed: end >= 0,
    };
    this.add(node);
    return end < 0 ? this.len : end + 2;
  }

  // ---------------------------------------------------------------- elements

  startTag(lt: number): number {
    const t = this.text;
    const ns = lt + 1;
    const ne = this.name(ns);
    if (ne === ns) {
      if (this.stack.length === 0 && this.root) this.misplaced(ns, 'StartTag: invalid element name.');
      else this.error(this.at(ns) === 0x3c || ns >= this.len || isBlank(this.at(ns)) ? "StartTag: invalid element name: a '<' that starts no tag (write &lt;)." : 'StartTag: invalid element name.', ns, this.tokenEnd(ns));
      if (this.stack.length === 0) {
        this.startReported = true;
        return this.outsideRoot(ns);
      }
      return this.chars(ns);
    }
    if (this.stack.length >= MAX_XML_DEPTH) {
      this.error(tooDeep, ns, ne);
      this.stopped = true;
      return this.len;
    }
    const name = t.slice(ns, ne);
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      if (this.root) {
        if (!this.extraReported) this.error(`Extra content at the end of the document: only one root element is allowed; found <${short(name)}> after </${short(this.root.name)}>.`, ns, ne);
        this.extraReported = true;
      }
    }
    const attributes: Attribute[] = [];
    let xmlns: Map<string, Attribute> | undefined;
    let i = this.skipBlanks(ne);
    let tagEnd = -1;
    let selfClosing = false;
    let broken = false;
    const n = this.len;
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === 0x3e) {
        tagEnd = i + 1;
        break;
      }
      if (c === 0x2f && t.charCodeAt(i + 1) === 0x3e) {
        tagEnd = i + 2;
        selfClosing = true;
        break;
      }
      const as = i;
      const ae = this.name(i);
      if (ae === as) {
        this.error(c === 0x3c ? `Couldn't find end of Start Tag ${short(name)}: a '<' before its '>'.` : 'error parsing attribute name.', i, this.tokenEnd(i));
        broken = true;
        break;
      }
      const aname = t.slice(as, ae);
      i = this.skipBlanks(ae);
      if (t.charCodeAt(i) !== 0x3d) {
        this.errorNear(`Specification mandates value for attribute ${short(aname)}: write ${short(aname)}="…".`, as, ae, i);
        broken = true;
        break;
      }
      i = this.skipBlanks(i + 1);
      const q = t.charCodeAt(i);
      if (q !== 0x22 && q !== 0x27) {
        this.errorNear(`The value of attribute '${short(aname)}' must be quoted (AttValue: " or ' expected).`, as, i >= n ? n : this.tokenEnd(i), i);
        broken = true;
        break;
      }
      const vs = i + 1;
      const ve = this.attValue(vs, q);
      if (t.charCodeAt(ve) !== q) {
        // Stopped at '<' or at the end of the text: the tag ends here.
        attributes.push(attribute(t, aname, q, as, ae, vs, ve, ve));
        i = ve;
        broken = true;
        break;
      }
      i = ve + 1;
      const attr = attribute(t, aname, q, as, ae, vs, ve, i);
      if (aname === 'xmlns' || aname.startsWith('xmlns:')) {
        // A namespace declared twice is reported where it is read, as libxml2 does.
        xmlns ??= new Map();
        const dup = xmlns.get(aname);
        if (dup) this.errorNear(`Attribute ${short(aname)} redefined.`, as, i, i, dup.span);
        else xmlns.set(aname, attr);
      }
      attributes.push(attr);
      const d = t.charCodeAt(i);
      if (d === 0x3e || (d === 0x2f && t.charCodeAt(i + 1) === 0x3e)) continue;
      if (!isBlank(d)) {
        this.error(i >= n ? `Couldn't find end of Start Tag ${short(name)} line ${this.line(lt)}.` : 'attributes construct error: a space is needed between attributes.', i, i >= n ? n : this.tokenEnd(i));
        broken = true;
        break;
      }
      i = this.skipBlanks(i);
    }
    // Attribute uniqueness, checked after the attributes are read (libxml2 does it there too).
    if (attributes.length > 1) {
      const seen = new Map<string, Attribute>();
      let lastBreak: number | undefined;
      for (const a of attributes) {
        const first = seen.get(a.name);
        if (!first) {
          seen.set(a.name, a);
        } else if (a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) {
          lastBreak ??= t.lastIndexOf('\n', i - 1);
          this.errorNear(`Attribute ${short(a.name)} redefined.`, a.span.start, a.span.end, i, first.span, lastBreak);
        }
      }
    }
    let unclosed: 'start-tag' | undefined;
    if (tagEnd < 0) {
      if (!broken) this.error(`Couldn't find end of Start Tag ${short(name)} line ${this.line(lt)}: the file ends inside it.`, n, n, { start: ns, end: ne });
      else if (i < n && t.charCodeAt(i) !== 0x3c) {
        // Recover at the next '>' before any '<'.
        let j = i;
        while (j < n && t.charCodeAt(j) !== 0x3e && t.charCodeAt(j) !== 0x3c) j++;
        if (j < n && t.charCodeAt(j) === 0x3e) {
          tagEnd = j + 1;
          selfClosing = t.charCodeAt(j - 1) === 0x2f;
        } else {
          i = j;
        }
      }
      if (tagEnd < 0) {
        tagEnd = i;
        unclosed = 'start-tag';
      }
    }
    const el = new Element(name, parent, lt, ne, tagEnd);
    if (attributes.length) el.attributes = attributes;
    el.selfClosing = selfClosing;
    if (unclosed) el.unclosed = unclosed;
    this.add(el);
    if (!parent && !this.root) this.root = el;
    if (!selfClosing) {
      el.line = this.line(lt);
      this.stack.push(el);
    }
    return tagEnd;
  }

  /** Scans an attribute value from `i` to its closing quote `q` (or a '<', or the end); returns where it stopped. */
  attValue(i: number, q: number): number {
    const t = this.text;
    const n = this.len;
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === q) return i;
      if (c === 0x3c) {
        this.error("Unescaped '<' not allowed in attributes values: write &lt;.", i);
        return i;
      }
      if (c === 0x26) {
        i = this.reference(i, true);
        continue;
      }
      if (c >= 0x20 && c < 0xd800) {
        i++;
        continue;
      }
      const w = this.charAt(i);
      if (w === 0) {
        this.error(`invalid character in attribute value: ${hex(this.codePoint(i))}.`, i);
        i++;
      } else {
        i += w;
      }
    }
    this.error("AttValue: ' expected: the file ends inside an attribute value.", n, n);
    return n;
  }

  endTag(lt: number): number {
    const t = this.text;
    const ns = lt + 2;
    const ne = this.name(ns);
    const name = t.slice(ns, ne);
    const i = this.skipBlanks(ne);
    let end: number;
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      if (this.root) {
        if (!this.extraReported) this.error(`Extra content at the end of the document: </${short(name)}> after the root element ended.`, lt, this.tokenEnd(lt));
        this.extraReported = true;
      } else if (!this.startReported) {
        this.error(`Start tag expected, '<' not found: </${short(name)}> before any start tag.`, lt, this.tokenEnd(lt));
        this.startReported = true;
      }
      const gt = t.indexOf('>', lt);
      const stop = gt < 0 ? this.len : gt + 1;
      this.nodes.push({ kind: 'text', parent: undefined, span: { start: lt, end: stop } } satisfies XmlText);
      return stop;
    }
    if (t.charCodeAt(i) === 0x3e) {
      end = i + 1;
    } else {
      end = i;
      this.error(i >= this.len ? `Premature end of data in tag ${short(top.name)} line ${top.line}: expected '>'.` : "expected '>' to end the end tag.", i, i >= this.len ? i : this.tokenEnd(i));
    }
    if (name === top.name) {
      this.close(top, lt, end);
      return end;
    }
    this.errorNear(`Opening and ending tag mismatch: ${short(top.name)} line ${top.line} and ${ne === ns ? 'unparsable' : short(name)}.`, lt, end, end, top.nameSpan);
    // Close up to the nearest open element of that name; an end tag nothing matches is left out.
    let k = this.stack.length - 1;
    while (k >= 0 && this.stack[k]!.name !== name) k--;
    if (k < 0) return end;
    while (this.stack.length - 1 > k) this.giveUp(this.stack.pop()!, lt);
    this.close(this.stack[k]!, lt, end);
    return end;
  }

  close(el: Element, lt: number, end: number): void {
    this.stack.pop();
    el.setEnd(lt, end);
  }

  // ---------------------------------------------------------------- character data and references

  /** Character data in an element, up to the next '<'. `lt`: the text starts with a stray '<'. */
  chars(start: number, lt = false): number {
    const t = this.text;
    const n = this.len;
    let i = lt ? start + 1 : start;
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === 0x3c) break;
      if (c >= 0x3f && c < 0xd800) {
        if (c === 0x5d && t.charCodeAt(i + 1) === 0x5d && t.charCodeAt(i + 2) === 0x3e) {
          this.error("Sequence ']]>' not allowed in content.", i, i + 3);
          i += 3;
          continue;
        }
        i++;
        continue;
      }
      if (c === 0x26) {
        i = this.reference(i, false);
        continue;
      }
      if (c >= 0x20 && c < 0xd800) {
        i++;
        continue;
      }
      const w = this.charAt(i);
      if (w === 0) {
        const cp = this.codePoint(i);
        this.error(cp === 0xfffe || cp === 0xffff ? `Char 0x${cp.toString(16).toUpperCase()} out of allowed range.` : `PCDATA invalid Char value ${cp} (${hex(cp)}).`, i);
        i++;
      } else {
        i += w;
      }
    }
    this.add(new Text(this.stack[this.stack.length - 1], start, i));
    return i;
  }

  /** Checks the reference at `i` (a '&'); returns the offset after it, or after what was read of it. */
  reference(i: number, inAttribute: boolean): number {
    const t = this.text;
    if (t.charCodeAt(i + 1) === 0x23 /* # */) {
      const isHex = t.charCodeAt(i + 2) === 0x78;
      let j = i + (isHex ? 3 : 2);
      let value = 0;
      for (;;) {
        const c = t.charCodeAt(j);
        if (c === 0x3b) break;
        const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : isHex && c >= 0x61 && c <= 0x66 ? c - 0x57 : isHex && c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
        if (d < 0) {
          this.error(`xmlParseCharRef: invalid ${isHex ? 'hexadecimal' : 'decimal'} value: a character reference is &#DIGITS; or &#xHEX;.`, j >= this.len ? this.len : i, j >= this.len ? this.len : j + 1);
          return j;
        }
        value = Math.min(value * (isHex ? 16 : 10) + d, 0x110000);
        j++;
      }
      if (!isXmlChar(value)) this.error(`xmlParseCharRef: invalid xmlChar value ${value}: the reference is to no XML character.`, i, j + 1);
      return j + 1;
    }
    const ns = i + 1;
    const ne = this.name(ns);
    if (ne === ns) {
      this.error("xmlParseEntityRef: no name: a '&' must start a reference (write &amp;).", i, i + 1);
      return i + 1;
    }
    const name = t.slice(ns, ne);
    if (t.charCodeAt(ne) !== 0x3b) {
      this.error(`EntityRef: expecting ';' after &${short(name)}.`, i, ne);
      return ne;
    }
    if (PREDEFINED.has(name)) return ne + 1;
    const entity = this.entities.get(name);
    if (!entity) {
      if (!(this.hasExternalSubset && this.standalone !== 'yes')) this.error(`Entity '${short(name)}' not defined.`, i, ne + 1);
    } else if (entity.decl.unparsed) {
      this.error(`Entity reference to unparsed entity ${short(name)}.`, i, ne + 1);
    } else if (inAttribute && entity.decl.external) {
      this.error(`Attribute references external entity '${short(name)}'.`, i, ne + 1);
    } else if (inAttribute && entity.decl.value?.includes('<')) {
      this.error(`'<' in entity '${short(name)}' is not allowed in attributes values.`, i, ne + 1);
    }
    return ne + 1;
  }

  // ---------------------------------------------------------------- DOCTYPE

  doctypeDecl(start: number, keep: boolean): number {
    const t = this.text;
    const n = this.len;
    let i = this.skipBlanks(start + 9);
    const nameStart = i;
    const nameEnd = this.name(i);
    if (nameEnd === nameStart) this.error('xmlParseDocTypeDecl : no DOCTYPE name !', i, this.tokenEnd(i));
    i = this.skipBlanks(nameEnd);
    let systemId: string | undefined;
    let publicId: string | undefined;
    const ext = this.externalId(i, true);
    if (ext) {
      i = ext.end;
      systemId = ext.systemId;
      publicId = ext.publicId;
      if (keep) this.hasExternalSubset = true;
    }
    i = this.skipBlanks(i);
    let internalSubset: Span | undefined;
    const entities: XmlEntityDeclaration[] = [];
    let closed = false;
    if (t.charCodeAt(i) === 0x5b /* [ */) {
      const subsetStart = i + 1;
      i = subsetStart;
      let subsetEnd = -1;
      while (i < n) {
        i = this.skipBlanks(i);
        if (i >= n) break;
        const c = t.charCodeAt(i);
        if (c === 0x5d /* ] */) {
          subsetEnd = i;
          i = this.skipBlanks(i + 1);
          break;
        }
        if (t.startsWith('<!ENTITY', i)) {
          const r = this.entityDecl(i);
          i = r.end;
          if (r.decl) {
            entities.push(r.decl);
            const table = r.decl.parameter ? this.parameterEntities : this.entities;
            if (keep && !table.has(r.decl.name)) table.set(r.decl.name, { decl: r.decl });
          }
        } else if (t.startsWith('<!ELEMENT', i) || t.startsWith('<!ATTLIST', i) || t.startsWith('<!NOTATION', i)) {
          i = this.otherDecl(i);
        } else if (t.startsWith('<!--', i)) {
          i = this.comment(i, false);
        } else if (t.startsWith('<?', i)) {
          i = this.subsetPi(i);
        } else if (c === 0x25 /* % */) {
          const pe = this.name(i + 1);
          const pname = t.slice(i + 1, pe);
          if (pe === i + 1) {
            this.error('PEReference: no name.', i + 1);
            i++;
          } else if (t.charCodeAt(pe) !== 0x3b) {
            this.error(`PEReference: expecting ';' after %${short(pname)}.`, pe);
            i = pe;
          } else {
            if (!this.parameterEntities.has(pname)) this.error(`PEReference: %${short(pname)}; not found.`, i, pe + 1);
            i = pe + 1;
          }
        } else {
          this.error('xmlParseInternalSubset: error detected in Markup declaration: expected <!ENTITY, <!ELEMENT, <!ATTLIST, <!NOTATION, a comment or a PI.', i, this.tokenEnd(i));
          // Recover at the next declaration or the end of the subset.
          let j = i + 1;
          while (j < n && t.charCodeAt(j) !== 0x3c && t.charCodeAt(j) !== 0x5d && t.charCodeAt(j) !== 0x25) j++;
          i = j;
        }
      }
      internalSubset = { start: subsetStart, end: subsetEnd < 0 ? Math.min(i, n) : subsetEnd };
      if (subsetEnd < 0) {
        this.error('Unclosed DOCTYPE declaration.', n, n, { start, end: start + 9 });
        return this.finishDoctype(start, n, nameStart, nameEnd, systemId, publicId, internalSubset, entities, false, keep);
      }
    }
    if (t.charCodeAt(i) === 0x3e) {
      closed = true;
      i++;
    } else if (i >= n) {
      this.error('Unclosed DOCTYPE declaration.', n, n, { start, end: start + 9 });
    } else {
      this.error('DOCTYPE improperly terminated.', i, this.tokenEnd(i));
      const gt = t.indexOf('>', i);
      i = gt < 0 ? n : gt + 1;
    }
    return this.finishDoctype(start, i, nameStart, nameEnd, systemId, publicId, internalSubset, entities, closed, keep);
  }

  finishDoctype(start: number, end: number, ns: number, ne: number, systemId: string | undefined, publicId: string | undefined, internalSubset: Span | undefined, entities: XmlEntityDeclaration[], closed: boolean, keep: boolean): number {
    const node: XmlDoctype = { kind: 'doctype', parent: undefined, name: this.text.slice(ns, ne), span: { start, end }, nameSpan: { start: ns, end: ne }, systemId, publicId, internalSubset, entities, closed };
    if (keep) {
      this.doctype = node;
      this.nodes.push(node);
    }
    return end;
  }

  /** `SYSTEM "…"` or `PUBLIC "…" "…"` at `i`; undefined when neither keyword is there. `strict`: PUBLIC needs its system literal. */
  externalId(i: number, strict: boolean): { end: number; systemId?: string; publicId?: string } | undefined {
    const t = this.text;
    if (t.startsWith('SYSTEM', i)) {
      i += 6;
      if (!isBlank(this.at(i))) this.error("Space required after 'SYSTEM'.", i);
      i = this.skipBlanks(i);
      const s = this.literal(i, 'SystemLiteral', false);
      return { end: s.end, systemId: s.value };
    }
    if (t.startsWith('PUBLIC', i)) {
      i += 6;
      if (!isBlank(this.at(i))) this.error("Space required after 'PUBLIC'.", i);
      i = this.skipBlanks(i);
      const p = this.literal(i, 'PubidLiteral', true);
      i = p.end;
      if (p.value === undefined) return { end: i };
      if (!isBlank(this.at(i))) {
        if (strict) this.error('Space required after the Public Identifier.', i);
        return { end: i, publicId: p.value };
      }
      const j = this.skipBlanks(i);
      const q = this.at(j);
      if (q !== 0x22 && q !== 0x27) {
        if (strict) this.error('SystemLiteral " or \' expected.', j);
        return { end: i, publicId: p.value };
      }
      const s = this.literal(j, 'SystemLiteral', false);
      return { end: s.end, publicId: p.value, systemId: s.value };
    }
    return undefined;
  }

  literal(i: number, what: string, pubid: boolean): { end: number; value?: string } {
    const q = this.at(i);
    if (q !== 0x22 && q !== 0x27) {
      this.error(`${what} " or ' expected.`, i, this.tokenEnd(i));
      return { end: i };
    }
    let j = i + 1;
    while (j < this.len && this.at(j) !== q) {
      if (pubid) {
        const c = this.at(j);
        if (!(c === 0x20 || c === 0xd || c === 0xa || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || "-'()+,./:=?;!*#@$_%".includes(String.fromCharCode(c)))) {
          this.error('Unfinished PubidLiteral: a character not allowed in a public identifier.', j);
          return { end: j };
        }
        j++;
        continue;
      }
      const w = this.charAt(j);
      if (w === 0) {
        this.error(`Unfinished System or Public ID " or ' expected: invalid character ${hex(this.codePoint(j))}.`, j);
        return { end: j };
      }
      j += w;
    }
    if (j >= this.len) {
      this.error(`Unfinished System or Public ID " or ' expected: the file ends inside it.`, this.len, this.len);
      return { end: this.len };
    }
    return { end: j + 1, value: this.text.slice(i + 1, j) };
  }

  entityDecl(start: number): { end: number; decl?: XmlEntityDeclaration } {
    const t = this.text;
    let i = start + 8;
    const skipTo = (j: number): { end: number } => {
      const gt = t.indexOf('>', j);
      return { end: gt < 0 ? this.len : gt + 1 };
    };
    if (!isBlank(this.at(i))) {
      this.error("Space required after '<!ENTITY'.", i);
      return skipTo(i);
    }
    i = this.skipBlanks(i);
    let parameter = false;
    if (this.at(i) === 0x25) {
      parameter = true;
      i++;
      if (!isBlank(this.at(i))) {
        this.error("Space required after '%' in an entity declaration.", i);
        return skipTo(i);
      }
      i = this.skipBlanks(i);
    }
    const ns = i;
    const ne = this.name(i);
    if (ne === ns) {
      this.error('xmlParseEntityDecl: no name.', i, this.tokenEnd(i));
      return skipTo(i);
    }
    i = ne;
    if (!isBlank(this.at(i))) {
      this.error('Space required after the entity name.', i);
      return skipTo(i);
    }
    i = this.skipBlanks(i);
    let value: string | undefined;
    let external = false;
    let unparsed = false;
    const q = this.at(i);
    if (q === 0x22 || q === 0x27) {
      let j = i + 1;
      let ok = true;
      while (j < this.len && this.at(j) !== q) {
        const c = this.at(j);
        if (c === 0x25) {
          this.error('PEReferences forbidden in internal subset (in an entity value).', j);
          ok = false;
          break;
        }
        if (c === 0x26) {
          if (this.at(j + 1) === 0x23) {
            const before = this.errors.length;
            j = this.reference(j, false);
            if (this.errors.length > before) {
              ok = false;
              break;
            }
            continue;
          }
          const e = this.name(j + 1);
          if (e === j + 1 || this.at(e) !== 0x3b) {
            this.error("EntityValue: '&' forbidden except for entities references.", j);
            ok = false;
            break;
          }
          j = e + 1;
          continue;
        }
        const w = this.charAt(j);
        if (w === 0) {
          this.error(`EntityValue: invalid character ${hex(this.codePoint(j))}.`, j);
          ok = false;
          break;
        }
        j += w;
      }
      if (!ok) return skipTo(j);
      if (j >= this.len) {
        this.error('EntityValue: " or \' expected: the file ends inside the entity value.', this.len, this.len);
        return { end: this.len };
      }
      value = t.slice(i + 1, j);
      i = j + 1;
    } else {
      const ext = this.externalId(i, true);
      if (!ext) {
        this.error('Entity value required.', i, this.tokenEnd(i));
        return skipTo(i);
      }
      external = true;
      i = ext.end;
      if (!parameter) {
        const j = this.skipBlanks(i);
        if (t.startsWith('NDATA', j)) {
          if (j === i) this.error("Space required before 'NDATA'.", j);
          let k = j + 5;
          if (!isBlank(this.at(k))) this.error("Space required after 'NDATA'.", k);
          k = this.skipBlanks(k);
          const e = this.name(k);
          if (e === k) this.error("NDATA needs the name of a notation.", k, this.tokenEnd(k));
          unparsed = true;
          i = e;
        }
      }
    }
    i = this.skipBlanks(i);
    const decl: XmlEntityDeclaration = { name: t.slice(ns, ne), parameter, value, external, unparsed, span: { start, end: i + 1 }, nameSpan: { start: ns, end: ne } };
    if (this.at(i) !== 0x3e) {
      this.error(`xmlParseEntityDecl: entity ${short(decl.name)} not terminated.`, i, this.tokenEnd(i));
      return { ...skipTo(i), decl };
    }
    return { end: i + 1, decl };
  }

  /** `<!ELEMENT`, `<!ATTLIST`, `<!NOTATION`: the keyword, a name, then read to the '>' (quoted literals whole). */
  otherDecl(start: number): number {
    const t = this.text;
    const keyword = t.startsWith('<!NOTATION', start) ? 'NOTATION' : t.startsWith('<!ELEMENT', start) ? 'ELEMENT' : 'ATTLIST';
    let i = start + 2 + keyword.length;
    if (!isBlank(this.at(i))) {
      this.error(`Space required after '${keyword}'.`, i);
    }
    i = this.skipBlanks(i);
    const ne = this.name(i);
    if (ne === i) this.error(`${keyword} declaration: a name is expected.`, i, this.tokenEnd(i));
    i = ne;
    while (i < this.len) {
      const c = this.at(i);
      if (c === 0x3e) return i + 1;
      if (c === 0x22 || c === 0x27) {
        const close = t.indexOf(String.fromCharCode(c), i + 1);
        if (close < 0) break;
        for (let j = i + 1; j < close; j++) {
          if (this.at(j) === 0x3c && keyword === 'ATTLIST') {
            this.error("Unescaped '<' not allowed in attributes values (a default value).", j);
            break;
          }
        }
        i = close + 1;
        continue;
      }
      if (c === 0x3c || c === 0x5d) {
        this.error(`${keyword} declaration not terminated: '>' expected.`, i, i + 1);
        return i;
      }
      const w = this.charAt(i);
      if (w === 0) {
        this.error(`${keyword} declaration: invalid character ${hex(this.codePoint(i))}.`, i);
        i++;
      } else {
        i += w;
      }
    }
    this.error('Unclosed DOCTYPE declaration.', this.len, this.len);
    return this.len;
  }

  subsetPi(start: number): number {
    // A PI in the internal subset: the same checks as elsewhere, not a node of the tree.
    const nodes = this.nodes.length;
    const end = this.pi(start);
    if (this.stack.length === 0) this.nodes.length = nodes;
    return end;
  }
}

/** The five predefined entities and character references decoded; tabs and line breaks as spaces (attribute-value normalization). */
export function decodeAttributeValue(raw: string): string {
  let needs = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x26 || c === 0x09 || c === 0x0a || c === 0x0d) {
      needs = true;
      break;
    }
  }
  if (!needs) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x0d) {
      out += ' ';
      if (raw.charCodeAt(i + 1) === 0x0a) i++;
    } else if (c === 0x09 || c === 0x0a) {
      out += ' ';
    } else if (c === 0x26) {
      // The longest reference decoded here is &#x10FFFF; (or &#1114111;).
      const semi = raw.slice(i + 1, i + 12).indexOf(';') + i + 1;
      const ref = semi <= i ? '' : raw.slice(i + 1, semi);
      let decoded: string | undefined;
      if (ref.startsWith('#x')) decoded = /^#x[0-9A-Fa-f]+$/.test(ref) ? codePointString(parseInt(ref.slice(2), 16)) : undefined;
      else if (ref.startsWith('#')) decoded = /^#[0-9]+$/.test(ref) ? codePointString(parseInt(ref.slice(1), 10)) : undefined;
      else decoded = PREDEFINED.get(ref);
      if (decoded === undefined) {
        out += '&';
      } else {
        out += decoded;
        i = semi;
      }
    } else {
      out += raw[i];
    }
  }
  return out;
}

function codePointString(cp: number): string | undefined {
  return isXmlChar(cp) ? String.fromCodePoint(cp) : undefined;
}

function attribute(text: string, name: string, q: number, as: number, ae: number, vs: number, ve: number, end: number): Attribute {
  return new Attribute(text, name, q === 0x22 ? '"' : "'", as, ae, vs, ve, end);
}

/**
 * Parses XML in one pass and always returns a tree, with every
 * well-formedness error found (see the comment at the top of this file).
 */
export function parseXmlTolerant(text: string): XmlTolerantResult {
  const p = new Parser(text);
  p.run();
  return {
    document: { text, root: p.root, nodes: p.nodes, declaration: p.declaration, doctype: p.doctype },
    errors: p.errors,
  };
}

/**
 * The element tree of a well-formed document; for any other text, its first
 * well-formedness error.
 */
export function parseXml(text: string): XmlParseResult {
  const r = parseXmlTolerant(text);
  const first = r.errors[0];
  if (first) return { ok: false, error: first.related ? { message: first.message, span: first.span, related: first.related } : { message: first.message, span: first.span } };
  const root = r.document.root;
  if (!root) return { ok: false, error: { message: "Start tag expected, '<' not found: the document has no root element.", span: { start: text.length, end: text.length } } };
  return { ok: true, document: { ...r.document, root } };
}

export type { XmlDocument };
