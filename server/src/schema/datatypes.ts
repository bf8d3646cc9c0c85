/**
 * The datatypes a RELAX NG schema may name: the built-in library ('': `string`
 * and `token`) and the subset of W3C XML Schema datatypes (XSD part 2) that
 * libvirt's schemas use, with the facets they use. Anything else is refused
 * when the grammar is built, so an unsupported type can never pass silently.
 *
 * | type | lexical space checked | value space |
 * |---|---|---|
 * | `string` | any | as written |
 * | `token` | any | whitespace collapsed |
 * | `NCName` | XML NCName | collapsed |
 * | `anyURI` | no spaces or control characters after collapsing | collapsed |
 * | `dateTime` | `-?YYYY-MM-DDThh:mm:ss(.s+)?(Z|±hh:mm)?` | collapsed |
 * | `double` | XSD double (`1`, `-1.5e3`, `INF`, `NaN`) | collapsed |
 * | `integer`, `int`, `long`, `short`, `unsignedInt`, `unsignedLong`, `unsignedShort`, `positiveInteger` | `[+-]?[0-9]+` within the type's range | collapsed, compared as integers |
 *
 * Facets: `pattern` (XSD regular expression, see {@link xsdRegexToJs}),
 * `minInclusive`, `maxInclusive` (integer types), `minLength`, `maxLength`,
 * `length` (characters).
 */

export const XSD_LIBRARY = 'http://www.w3.org/2001/XMLSchema-datatypes';

export interface DatatypeParam {
  readonly name: string;
  readonly value: string;
}

const INTEGER_RANGES: Readonly<Record<string, readonly [bigint | undefined, bigint | undefined]>> = {
  integer: [undefined, undefined],
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  short: [-32768n, 32767n],
  unsignedInt: [0n, 2n ** 32n - 1n],
  unsignedLong: [0n, 2n ** 64n - 1n],
  unsignedShort: [0n, 65535n],
  positiveInteger: [1n, undefined],
  nonNegativeInteger: [0n, undefined],
};

const OTHER_XSD = new Set(['string', 'token', 'NCName', 'anyURI', 'dateTime', 'double']);
const FACETS = new Set(['pattern', 'minInclusive', 'maxInclusive', 'minLength', 'maxLength', 'length']);

/** Why a datatype or parameter cannot be used; undefined when it can. */
export function unsupportedDatatype(library: string, type: string, params: readonly DatatypeParam[], checkPatterns = true): string | undefined {
  if (library === '') return type === 'string' || type === 'token' ? undefined : `unknown built-in datatype '${type}'`;
  if (library !== XSD_LIBRARY) return `unknown datatype library '${library}'`;
  if (!(type in INTEGER_RANGES) && !OTHER_XSD.has(type)) return `XSD datatype '${type}' is not supported`;
  for (const p of params) {
    if (!FACETS.has(p.name)) return `facet '${p.name}' is not supported`;
    if ((p.name === 'minInclusive' || p.name === 'maxInclusive') && !(type in INTEGER_RANGES)) return `facet '${p.name}' on '${type}' is not supported`;
    if (p.name === 'pattern' && checkPatterns) {
      try {
        xsdRegexToJs(p.value);
      } catch (e) {
        return `pattern '${p.value}': ${(e as Error).message}`;
      }
    }
  }
  return undefined;
}

const collapse = (s: string): string => s.replace(/[\t\n\r ]+/g, ' ').trim();
// XML's NameChar ranges include combining marks (U+0300–U+036F) on purpose.
// eslint-disable-next-line no-misleading-character-class
const NCNAME = /^[A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}][A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}\-.0-9\u00B7\u0300-\u036F\u203F-\u2040]*$/u;
const DATE_TIME = /^-?(?:[1-9][0-9]{4,}|[0-9]{4})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$/;
const DOUBLE = /^(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[Ee][+-]?[0-9]+)?|-?INF|NaN)$/;
const INTEGER = /^[+-]?[0-9]+$/;
// eslint-disable-next-line no-control-regex -- the characters an anyURI may not hold
const URI_FORBIDDEN = /[\u0000-\u001F\u007F ]/;

/** A datatype with its facets, ready to test values. */
export class Datatype {
  /** Compiled on first use: a grammar has some hundred patterns, a domain uses a few. */
  private compiled: readonly RegExp[] | undefined;
  private readonly range: readonly [bigint | undefined, bigint | undefined] | undefined;
  private readonly min: bigint | undefined;
  private readonly max: bigint | undefined;
  private readonly minLength: number | undefined;
  private readonly maxLength: number | undefined;

  constructor(
    readonly library: string,
    readonly type: string,
    readonly params: readonly DatatypeParam[],
  ) {
    // Patterns were checked when the grammar was built; they compile when first used.
    const why = unsupportedDatatype(library, type, params, false);
    if (why !== undefined) throw new Error(why);
    this.range = library === XSD_LIBRARY ? INTEGER_RANGES[type] : undefined;
    const num = (name: string): bigint | undefined => {
      const p = params.find((x) => x.name === name);
      return p === undefined ? undefined : BigInt(collapse(p.value).replace(/^\+/, ''));
    };
    const len = (name: string): number | undefined => {
      const p = params.find((x) => x.name === name || x.name === 'length');
      return p === undefined ? undefined : Number(collapse(p.value));
    };
    this.min = num('minInclusive');
    this.max = num('maxInclusive');
    this.minLength = len('minLength');
    this.maxLength = len('maxLength');
  }

  /** The value as the type sees it (whitespace handling), before facets. */
  normalize(s: string): string {
    return this.type === 'string' ? s : collapse(s);
  }

  allows(raw: string): boolean {
    const s = this.normalize(raw);
    if (this.range !== undefined) {
      if (!INTEGER.test(s)) return false;
      const n = BigInt(s.replace(/^\+/, ''));
      const [lo, hi] = this.range;
      if ((lo !== undefined && n < lo) || (hi !== undefined && n > hi)) return false;
      if ((this.min !== undefined && n < this.min) || (this.max !== undefined && n > this.max)) return false;
    } else if (this.library === XSD_LIBRARY) {
      if (this.type === 'NCName' && !NCNAME.test(s)) return false;
      if (this.type === 'dateTime' && !DATE_TIME.test(s)) return false;
      if (this.type === 'double' && !DOUBLE.test(s)) return false;
      if (this.type === 'anyURI' && URI_FORBIDDEN.test(s)) return false;
    }
    if (this.minLength !== undefined || this.maxLength !== undefined) {
      const length = [...s].length;
      if (this.minLength !== undefined && length < this.minLength) return false;
      if (this.maxLength !== undefined && length > this.maxLength) return false;
    }
    this.compiled ??= this.params.filter((p) => p.name === 'pattern').map((p) => xsdRegexToJs(p.value));
    return this.compiled.every((re) => re.test(s));
  }

  /** Whether two values are the same value of this type (`<value type=…>`). */
  equal(a: string, b: string): boolean {
    const x = this.normalize(a);
    const y = this.normalize(b);
    if (x === y) return true;
    if (this.range !== undefined && INTEGER.test(x) && INTEGER.test(y)) return BigInt(x.replace(/^\+/, '')) === BigInt(y.replace(/^\+/, ''));
    if (this.type === 'double' && DOUBLE.test(x) && DOUBLE.test(y)) return Number(x.replace(/INF/, 'Infinity')) === Number(y.replace(/INF/, 'Infinity'));
    return false;
  }

  /** The type in words, for messages: "an unsigned 32-bit integer from 1 to 255", "text matching …". */
  describe(): string {
    const words: Record<string, string> = {
      integer: 'an integer',
      int: 'a 32-bit integer',
      long: 'a 64-bit integer',
      short: 'a 16-bit integer',
      unsignedInt: 'an unsigned 32-bit integer',
      unsignedLong: 'an unsigned 64-bit integer',
      unsignedShort: 'an unsigned 16-bit integer',
      positiveInteger: 'a positive integer',
      nonNegativeInteger: 'a non-negative integer',
      NCName: 'a name without colon or spaces (NCName)',
      anyURI: 'a URI',
      dateTime: 'a date and time (YYYY-MM-DDThh:mm:ss)',
      double: 'a number',
      string: 'text',
      token: 'text',
    };
    let out = words[this.type] ?? this.type;
    if (this.min !== undefined && this.max !== undefined) out += ` from ${this.min} to ${this.max}`;
    else if (this.min !== undefined) out += ` ≥ ${this.min}`;
    else if (this.max !== undefined) out += ` ≤ ${this.max}`;
    if (this.maxLength !== undefined) out += ` of at most ${this.maxLength} characters`;
    const patterns = this.params.filter((p) => p.name === 'pattern').map((p) => p.value);
    if (patterns.length > 0) out += ` matching ${patterns.map((p) => `'${p}'`).join(' and ')}`;
    return out;
  }
}

// ---------------------------------------------------------------------------
// XSD regular expressions (XML Schema part 2, appendix F) → JavaScript.

const XML_NAME_START = ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const XML_NAME_CHAR = `${XML_NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;

/** Multi-character escapes as the body of a JS character class (positive form). */
const CLASS_ESCAPES: Readonly<Record<string, string>> = {
  s: ' \\t\\n\\r',
  i: XML_NAME_START,
  c: XML_NAME_CHAR,
  d: '\\p{Nd}',
};

const SINGLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t' };
const META = new Set(['\\', '|', '.', '-', '^', '?', '*', '+', '{', '}', '(', ')', '[', ']']);

function lit(ch: string): string {
  return /[A-Za-z0-9 _]/.test(ch) ? ch : `\\u{${ch.codePointAt(0)!.toString(16)}}`;
}

/**
 * Translates an XSD regular expression into an anchored JavaScript RegExp
 * (flag `u`). XSD patterns match the whole value, have no `^`/`$` anchors
 * (both are ordinary characters), no back-references and no lazy
 * quantifiers; `.` excludes only line feed and carriage return; `\d` is any
 * Unicode decimal digit; `\i`/`\c` are XML name characters; a character class
 * may subtract another (`[a-z-[aeiou]]`). Throws on what is not XSD syntax.
 */
export function xsdRegexToJs(source: string): RegExp {
  let i = 0;
  const chars = [...source];
  const peek = (): string | undefined => chars[i];
  const fail = (what: string): never => {
    throw new Error(`${what} at position ${i} of the pattern`);
  };

  const regExp = (): string => {
    const branches = [branch()];
    while (peek() === '|') {
      i++;
      branches.push(branch());
    }
    return branches.join('|');
  };
  const branch = (): string => {
    let out = '';
    while (i < chars.length && peek() !== '|' && peek() !== ')') out += piece();
    return out;
  };
  const piece = (): string => {
    const a = atom();
    const q = peek();
    if (q === '?' || q === '*' || q === '+') {
      i++;
      return a + q;
    }
    if (q === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(chars.slice(i).join(''));
      if (!m) return fail('a malformed quantifier');
      i += m[0].length;
      return a + m[0];
    }
    return a;
  };
  const atom = (): string => {
    const ch = chars[i++];
    if (ch === undefined) return fail('an unexpected end');
    if (ch === '(') {
      const inner = regExp();
      if (chars[i++] !== ')') fail('a missing )');
      return `(?:${inner})`;
    }
    if (ch === '[') return `(?:${charClass()})`;
    if (ch === '.') return '[^\\n\\r]';
    if (ch === '\\') return escapeAtom();
    if (ch === '?' || ch === '*' || ch === '+' || ch === '{' || ch === '}' || ch === ']' || ch === ')') return fail(`an unescaped '${ch}'`);
    return lit(ch);
  };
  // A multi-character escape as a positive or negated JS class; a single escape as a literal.
  const escape = (): { cls: string; negated: boolean } | { char: string } => {
    const e = chars[i++];
    if (e === undefined) return fail('a trailing backslash');
    if (e in SINGLE_ESCAPES) return { char: SINGLE_ESCAPES[e]! };
    if (META.has(e)) return { char: e };
    const lower = e.toLowerCase();
    if (lower === 'p' && (e === 'p' || e === 'P')) {
      const m = /^\{([A-Za-z0-9-]+)\}/.exec(chars.slice(i).join(''));
      if (!m) return fail('a malformed \\p{…}');
      if (m[1]!.startsWith('Is')) return fail(`the Unicode block escape \\${e}{${m[1]}} (not supported)`);
      i += m[0].length;
      return { cls: `\\p{${m[1]}}`, negated: e === 'P' };
    }
    // XSD \w: every character but punctuation, separators and "other" (\W is those).
    if (lower === 'w') return { cls: '\\p{P}\\p{Z}\\p{C}', negated: e === 'w' };
    if (lower in CLASS_ESCAPES) return { cls: CLASS_ESCAPES[lower]!, negated: e !== lower };
    return fail(`an unknown escape \\${e}`);
  };
  const escapeAtom = (): string => {
    const e = escape();
    if ('char' in e) return lit(e.char);
    return e.negated ? `[^${e.cls}]` : `[${e.cls}]`;
  };
  // After '[': a positive or negative group, possibly followed by -[subtraction], then ']'.
  const charClass = (): string => {
    let negated = false;
    if (peek() === '^') {
      negated = true;
      i++;
    }
    const positives: string[] = [];
    const negatives: string[] = []; // negated escapes (\S, \D…) inside the class
    let first = true;
    while (i < chars.length) {
      const ch = peek();
      if (ch === ']' && !first) break;
      if (ch === '-' && chars[i + 1] === '[') break;
      first = false;
      const start = classChar();
      if (typeof start !== 'string') {
        if (start.negated) negatives.push(start.cls);
        else positives.push(start.cls);
        continue;
      }
      if (peek() === '-' && chars[i + 1] !== ']' && chars[i + 1] !== '[') {
        i++;
        const end = classChar();
        if (typeof end !== 'string') return fail('a class escape as a range end');
        if (end.codePointAt(0)! < start.codePointAt(0)!) fail('a reversed range');
        positives.push(`${lit(start)}-${lit(end)}`);
      } else positives.push(lit(start));
    }
    let subtract: string | undefined;
    if (peek() === '-' && chars[i + 1] === '[') {
      i += 2;
      subtract = charClass();
    }
    if (chars[i++] !== ']') fail('a missing ]');
    // One character matched by the positive part (or any negated escape), as one JS alternative.
    const parts: string[] = [];
    if (positives.length > 0) parts.push(`[${positives.join('')}]`);
    for (const n of negatives) parts.push(`[^${n}]`);
    let body = parts.length === 1 ? parts[0]! : `(?:${parts.join('|')})`;
    if (parts.length === 0) body = '[]';
    if (negated) body = `(?!${body})[^]`;
    if (subtract !== undefined) body = `(?!${subtract})${body}`;
    return body;
  };
  // One character of a class: a literal (string) or a multi-character escape.
  const classChar = (): string | { cls: string; negated: boolean } => {
    const ch = chars[i++];
    if (ch === undefined) return fail('an unterminated character class');
    if (ch === '\\') {
      const e = escape();
      return 'char' in e ? e.char : e;
    }
    if (ch === '[') return fail("an unescaped '[' in a character class");
    return ch;
  };

  const body = regExp();
  if (i < chars.length) fail(`an unexpected '${chars[i]}'`);
  return new RegExp(`^(?:${body})$`, 'u');
}
