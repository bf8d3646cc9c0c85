/**
 * RELAX NG validation by derivatives (James Clark, "An algorithm for RELAX NG
 * validation", 2002): a pattern is matched against a document by taking its
 * derivative with respect to each start tag, attribute, text and end tag;
 * the document is valid when what remains is nullable.
 *
 * Patterns are hash-consed (one object per structure), so every derivative
 * can be memoised on the pattern it is taken of: validating the thousandth
 * `<disk>` of a domain costs a few map lookups.
 */

import { Datatype } from './datatypes';
import { contains, nameClassKey, type NameClass, type QName } from './name-class';

export type Pattern =
  | Leaf<'empty'>
  | Leaf<'notAllowed'>
  | Leaf<'text'>
  | ChoiceP
  | Binary<'group'>
  | Binary<'interleave'>
  | Binary<'after'>
  | OneOrMoreP
  | ListP
  | DataP
  | ValueP
  | AttributeP
  | ElementP;

interface Base {
  readonly id: number;
  readonly nullable: boolean;
  /** Has an attribute pattern outside any element: attribute derivatives of anything else are notAllowed at once. */
  readonly attrs: boolean;
  /** Memoised derivatives (see {@link Deriver}). */
  memo?: Memo;
}
interface Leaf<K extends string> extends Base {
  readonly k: K;
}
export interface ChoiceP extends Base {
  readonly k: 'choice';
  /** Two or more members, none a choice or notAllowed, ordered by id, no duplicates. */
  readonly members: readonly Pattern[];
}
interface Binary<K extends string> extends Base {
  readonly k: K;
  readonly a: Pattern;
  readonly b: Pattern;
}
export interface OneOrMoreP extends Base {
  readonly k: 'oneOrMore';
  readonly p: Pattern;
}
export interface ListP extends Base {
  readonly k: 'list';
  readonly p: Pattern;
}
export interface DataP extends Base {
  readonly k: 'data';
  readonly type: Datatype;
  readonly except: Pattern | undefined;
}
export interface ValueP extends Base {
  readonly k: 'value';
  readonly type: Datatype;
  readonly value: string;
}
export interface AttributeP extends Base {
  readonly k: 'attribute';
  readonly nc: NameClass;
  readonly p: Pattern;
}
export interface ElementP extends Base {
  readonly k: 'element';
  readonly nc: NameClass;
  /** Set once after construction: element patterns may be recursive. */
  content: Pattern;
  /** The `define` the element came from, for documentation links. */
  readonly define: string | undefined;
}

interface Memo {
  startTagOpen?: Map<string, Pattern>;
  /** By attribute name. */
  att?: Map<string, ValueClasses>;
  attLenient?: Map<string, Pattern>;
  text?: ValueClasses;
  /** The whole content white space (see `wholeText`). */
  whitespace?: Map<string, Pattern>;
  startTagClose?: Pattern;
  startTagCloseLenient?: Pattern;
  endTag?: Pattern;
  textLenient?: Pattern;
}

/** Builds hash-consed patterns; one builder per grammar. */
export class PatternBuilder {
  private nextId = 0;
  private readonly table = new Map<string, Pattern>();
  private readonly types = new Map<string, Datatype>();
  readonly empty: Pattern = this.intern('e', () => ({ k: 'empty', id: this.nextId++, nullable: true, attrs: false }));
  readonly notAllowed: Pattern = this.intern('n', () => ({ k: 'notAllowed', id: this.nextId++, nullable: false, attrs: false }));
  readonly text: Pattern = this.intern('t', () => ({ k: 'text', id: this.nextId++, nullable: true, attrs: false }));

  private intern(key: string, make: () => Pattern): Pattern {
    let p = this.table.get(key);
    if (p === undefined) {
      p = make();
      this.table.set(key, p);
    }
    return p;
  }

  get size(): number {
    return this.table.size;
  }

  datatype(library: string, type: string, params: readonly { name: string; value: string }[]): Datatype {
    const key = JSON.stringify([library, type, params]);
    let dt = this.types.get(key);
    if (dt === undefined) {
      dt = new Datatype(library, type, params);
      this.types.set(key, dt);
    }
    return dt;
  }

  choice(a: Pattern, b: Pattern): Pattern {
    if (a.k === 'notAllowed' || a === b) return b;
    if (b.k === 'notAllowed') return a;
    const members = mergeMembers(a, b);
    if (a.k === 'choice' && members.length === a.members.length) return a;
    if (b.k === 'choice' && members.length === b.members.length) return b;
    return this.intern(`|${members.map((m) => m.id).join(',')}`, () => ({
      k: 'choice',
      id: this.nextId++,
      nullable: members.some((m) => m.nullable),
      attrs: members.some((m) => m.attrs),
      members,
    }));
  }

  choiceOf(ps: readonly Pattern[]): Pattern {
    let out = this.notAllowed;
    for (const p of ps) out = this.choice(out, p);
    return out;
  }

  group(a: Pattern, b: Pattern): Pattern {
    if (a.k === 'notAllowed' || b.k === 'notAllowed') return this.notAllowed;
    if (a.k === 'empty') return b;
    if (b.k === 'empty') return a;
    return this.intern(`,${a.id},${b.id}`, () => ({ k: 'group', id: this.nextId++, nullable: a.nullable && b.nullable, attrs: a.attrs || b.attrs, a, b }));
  }

  interleave(a: Pattern, b: Pattern): Pattern {
    if (a.k === 'notAllowed' || b.k === 'notAllowed') return this.notAllowed;
    if (a.k === 'empty') return b;
    if (b.k === 'empty') return a;
    // Interleave is commutative: one order, so that both derivations of a state meet.
    const [x, y] = a.id <= b.id ? [a, b] : [b, a];
    return this.intern(`&${x.id},${y.id}`, () => ({ k: 'interleave', id: this.nextId++, nullable: x.nullable && y.nullable, attrs: x.attrs || y.attrs, a: x, b: y }));
  }

  after(a: Pattern, b: Pattern): Pattern {
    if (a.k === 'notAllowed' || b.k === 'notAllowed') return this.notAllowed;
    return this.intern(`>${a.id},${b.id}`, () => ({ k: 'after', id: this.nextId++, nullable: false, attrs: a.attrs, a, b }));
  }

  oneOrMore(p: Pattern): Pattern {
    if (p.k === 'notAllowed' || p.k === 'empty') return p;
    return this.intern(`+${p.id}`, () => ({ k: 'oneOrMore', id: this.nextId++, nullable: p.nullable, attrs: p.attrs, p }));
  }

  list(p: Pattern): Pattern {
    if (p.k === 'notAllowed') return p;
    return this.intern(`l${p.id}`, () => ({ k: 'list', id: this.nextId++, nullable: false, attrs: false, p }));
  }

  data(type: Datatype, except: Pattern | undefined): Pattern {
    const key = `d${JSON.stringify([type.library, type.type, type.params])}${except ? `-${except.id}` : ''}`;
    return this.intern(key, () => ({ k: 'data', id: this.nextId++, nullable: false, attrs: false, type, except }));
  }

  value(type: Datatype, value: string): Pattern {
    const key = `v${JSON.stringify([type.library, type.type, type.params, value])}`;
    return this.intern(key, () => ({ k: 'value', id: this.nextId++, nullable: false, attrs: false, type, value }));
  }

  attribute(nc: NameClass, p: Pattern): Pattern {
    if (p.k === 'notAllowed') return p;
    return this.intern(`@${nameClassKey(nc)}=${p.id}`, () => ({ k: 'attribute', id: this.nextId++, nullable: false, attrs: true, nc, p }));
  }

  /** A new element pattern (elements are never merged: each is its own define). */
  element(nc: NameClass, define: string | undefined): ElementP {
    const el: ElementP = { k: 'element', id: this.nextId++, nullable: false, attrs: false, nc, content: this.notAllowed, define };
    this.table.set(`<${el.id}`, el);
    return el;
  }
}

function membersOf(p: Pattern): readonly Pattern[] {
  return p.k === 'choice' ? p.members : [p];
}

function mergeMembers(a: Pattern, b: Pattern): Pattern[] {
  const x = membersOf(a);
  const y = membersOf(b);
  const out: Pattern[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    const p = x[i];
    const q = y[j];
    if (q === undefined || (p !== undefined && p.id < q.id)) {
      out.push(p!);
      i++;
    } else if (p === undefined || q.id < p.id) {
      out.push(q);
      j++;
    } else {
      out.push(p);
      i++;
      j++;
    }
  }
  return out;
}

const isWhitespace = (s: string): boolean => /^[ \t\n\r]*$/.test(s);

/**
 * The derivatives of one pattern for the values of one attribute name (or for
 * texts). A value only matters through which of the value patterns it can
 * reach (`leaves`) it matches: values that match the same ones — every
 * distinct PCI slot, MAC address, path — give the same derivative, so it is
 * kept by that signature. The values seen most often are kept as they are
 * too, up to a bound, so that a repeated `type='file'` costs one lookup.
 */
interface ValueClasses {
  /**
   * The value patterns the derivative reads, in a fixed order: for texts, the
   * `value`, `data`, `list` and `text` patterns; for attributes, the content
   * of each attribute pattern of that name (matched as `valueMatch` does).
   */
  readonly leaves: readonly Pattern[];
  readonly attribute: boolean;
  /** Signature (which leaves match, as bits or a string of 0/1) → derivative. */
  readonly bySignature: Map<number | string, Pattern>;
  readonly byValue: Map<string, Pattern>;
}

/** Values (at most this long, at most this many per pattern) whose derivatives are kept by the value itself. */
const MEMO_VALUE_MAX = 40;
const MEMO_VALUES_PER_PATTERN = 64;

function memo(p: Pattern): Memo {
  return (p.memo ??= {});
}

function remember(vc: ValueClasses, value: string, r: Pattern): void {
  if (value.length <= MEMO_VALUE_MAX && vc.byValue.size < MEMO_VALUES_PER_PATTERN) vc.byValue.set(value, r);
}

/**
 * Calls `f` once for each attribute pattern a start tag in state `p` may
 * still meet: through the first half of `after`, choices, groups,
 * interleaves and `oneOrMore` (attributes come in any order), as
 * `computeAttribute` walks.
 */
function eachAttribute(p: Pattern, f: (a: AttributeP) => void): void {
  const seen = new Set<number>();
  const walk = (x: Pattern): void => {
    if (!x.attrs || seen.has(x.id)) return;
    seen.add(x.id);
    switch (x.k) {
      case 'after':
        walk(x.a);
        break;
      case 'choice':
        for (const m of x.members) walk(m);
        break;
      case 'group':
      case 'interleave':
        walk(x.a);
        walk(x.b);
        break;
      case 'oneOrMore':
        walk(x.p);
        break;
      case 'attribute':
        f(x);
        break;
      default:
    }
  };
  walk(p);
}

/** The value patterns an attribute derivative of `p` for `name` reaches: the contents of its attribute patterns of that name. */
function attributeLeaves(p: Pattern, name: QName): Pattern[] {
  const out: Pattern[] = [];
  eachAttribute(p, (x) => {
    if (contains(x.nc, name) && !out.includes(x.p)) out.push(x.p);
  });
  return out;
}

/** The value patterns a text derivative of `p` reaches (as `computeText` walks). */
function textLeaves(p: Pattern): Pattern[] {
  const out: Pattern[] = [];
  const seen = new Set<number>();
  const walk = (x: Pattern): void => {
    if (seen.has(x.id)) return;
    seen.add(x.id);
    switch (x.k) {
      case 'choice':
        for (const m of x.members) walk(m);
        break;
      case 'interleave':
        walk(x.a);
        walk(x.b);
        break;
      case 'group':
        walk(x.a);
        if (x.a.nullable) walk(x.b);
        break;
      case 'after':
        walk(x.a);
        break;
      case 'oneOrMore':
        walk(x.p);
        break;
      case 'text':
      case 'value':
      case 'data':
      case 'list':
        out.push(x);
        break;
      default:
    }
  };
  walk(p);
  return out;
}

/** The attribute of a start tag, with its name resolved. */
export interface AttributeNode {
  readonly name: QName;
  readonly value: string;
}

/**
 * The derivatives of Clark's algorithm, memoised on the patterns. The
 * `lenient` variants are for error recovery: they accept any attribute value
 * or text, or take a missing attribute as present, so that one mistake gives
 * one diagnostic.
 */
export class Deriver {
  constructor(readonly b: PatternBuilder) {}

  startTagOpen(p: Pattern, q: QName): Pattern {
    // No string is built for a name in no namespace (nearly every name of a domain).
    const key = q.ns === '' ? q.local : `${q.ns}\u0000${q.local}`;
    const m = (memo(p).startTagOpen ??= new Map<string, Pattern>());
    let r = m.get(key);
    if (r === undefined) {
      r = this.computeStartTagOpen(p, q);
      m.set(key, r);
    }
    return r;
  }

  private computeStartTagOpen(p: Pattern, q: QName): Pattern {
    const b = this.b;
    switch (p.k) {
      case 'choice':
        return b.choiceOf(p.members.map((x) => this.startTagOpen(x, q)));
      case 'element':
        return contains(p.nc, q) ? b.after(p.content, b.empty) : b.notAllowed;
      case 'interleave': {
        const { a: p1, b: p2 } = p;
        return b.choice(
          this.applyAfter((x) => b.interleave(x, p2), this.startTagOpen(p1, q)),
          this.applyAfter((x) => b.interleave(p1, x), this.startTagOpen(p2, q)),
        );
      }
      case 'oneOrMore':
        return this.applyAfter((x) => b.group(x, b.choice(p, b.empty)), this.startTagOpen(p.p, q));
      case 'group': {
        const { a: p1, b: p2 } = p;
        const x = this.applyAfter((y) => b.group(y, p2), this.startTagOpen(p1, q));
        return p1.nullable ? b.choice(x, this.startTagOpen(p2, q)) : x;
      }
      case 'after':
        return this.applyAfter((x) => b.after(x, p.b), this.startTagOpen(p.a, q));
      default:
        return b.notAllowed;
    }
  }

  applyAfter(f: (p: Pattern) => Pattern, p: Pattern): Pattern {
    const b = this.b;
    if (p.k === 'after') return b.after(p.a, f(p.b));
    if (p.k === 'choice') return b.choiceOf(p.members.map((x) => this.applyAfter(f, x)));
    return b.notAllowed;
  }

  attribute(p: Pattern, att: AttributeNode, lenient = false): Pattern {
    if (!p.attrs) return this.b.notAllowed;
    const name = att.name.ns === '' ? att.name.local : `${att.name.ns}\u0000${att.name.local}`;
    const memos = memo(p);
    if (lenient) {
      const m = (memos.attLenient ??= new Map<string, Pattern>());
      let r = m.get(name);
      if (r === undefined) {
        r = this.computeAttribute(p, att, true);
        m.set(name, r);
      }
      return r;
    }
    const byName = (memos.att ??= new Map<string, ValueClasses>());
    let vc = byName.get(name);
    if (vc === undefined) byName.set(name, (vc = { leaves: attributeLeaves(p, att.name), attribute: true, bySignature: new Map(), byValue: new Map() }));
    return this.byValueClass(vc, att.value, () => this.computeAttribute(p, att, false));
  }

  /** The derivative for `value` from `vc`, computing it (`compute`) for a value unlike any before. */
  private byValueClass(vc: ValueClasses, value: string, compute: () => Pattern): Pattern {
    let r = vc.byValue.get(value);
    if (r !== undefined) return r;
    const sig = this.signature(vc, value);
    r = vc.bySignature.get(sig);
    if (r === undefined) {
      r = compute();
      vc.bySignature.set(sig, r);
    }
    remember(vc, value, r);
    return r;
  }

  /** Which of the leaves `value` matches: bits while they fit in a small integer, else a string of 0/1. */
  private signature(vc: ValueClasses, value: string): number | string {
    const { leaves, attribute } = vc;
    if (leaves.length <= 30) {
      let bits = 0;
      for (let i = 0; i < leaves.length; i++) if (this.leafMatches(leaves[i]!, value, attribute)) bits |= 1 << i;
      return bits;
    }
    let s = '';
    for (const leaf of leaves) s += this.leafMatches(leaf, value, attribute) ? '1' : '0';
    return s;
  }

  /** What the derivative reads of a leaf: an attribute's value matches it, or a text leaf's derivative is nullable. */
  private leafMatches(p: Pattern, s: string, attribute: boolean): boolean {
    return attribute ? this.valueMatch(p, s) : this.computeText(p, s).nullable;
  }

  private computeAttribute(p: Pattern, att: AttributeNode, lenient: boolean): Pattern {
    const b = this.b;
    switch (p.k) {
      case 'after':
        return b.after(this.attribute(p.a, att, lenient), p.b);
      case 'choice':
        return b.choiceOf(p.members.map((x) => this.attribute(x, att, lenient)));
      case 'group':
        return b.choice(p.a.attrs ? b.group(this.attribute(p.a, att, lenient), p.b) : b.notAllowed, p.b.attrs ? b.group(p.a, this.attribute(p.b, att, lenient)) : b.notAllowed);
      case 'interleave':
        return b.choice(p.a.attrs ? b.interleave(this.attribute(p.a, att, lenient), p.b) : b.notAllowed, p.b.attrs ? b.interleave(p.a, this.attribute(p.b, att, lenient)) : b.notAllowed);
      case 'oneOrMore':
        return b.group(this.attribute(p.p, att, lenient), b.choice(p, b.empty));
      case 'attribute':
        return contains(p.nc, att.name) && (lenient || this.valueMatch(p.p, att.value)) ? b.empty : b.notAllowed;
      default:
        return b.notAllowed;
    }
  }

  valueMatch(p: Pattern, s: string): boolean {
    return (p.nullable && isWhitespace(s)) || this.text(p, s).nullable;
  }

  startTagClose(p: Pattern, lenient = false): Pattern {
    if (!p.attrs) return p;
    const m = memo(p);
    const cached = lenient ? m.startTagCloseLenient : m.startTagClose;
    if (cached !== undefined) return cached;
    const r = this.computeStartTagClose(p, lenient);
    if (lenient) m.startTagCloseLenient = r;
    else m.startTagClose = r;
    return r;
  }

  private computeStartTagClose(p: Pattern, lenient: boolean): Pattern {
    const b = this.b;
    switch (p.k) {
      case 'after':
        return b.after(this.startTagClose(p.a, lenient), p.b);
      case 'choice':
        return b.choiceOf(p.members.map((x) => this.startTagClose(x, lenient)));
      case 'group':
        return b.group(this.startTagClose(p.a, lenient), this.startTagClose(p.b, lenient));
      case 'interleave':
        return b.interleave(this.startTagClose(p.a, lenient), this.startTagClose(p.b, lenient));
      case 'oneOrMore':
        return b.oneOrMore(this.startTagClose(p.p, lenient));
      case 'attribute':
        return lenient ? b.empty : b.notAllowed;
      default:
        return p;
    }
  }

  /** The derivative for a text node (`s` as an XML processor reports it). */
  text(p: Pattern, s: string): Pattern {
    switch (p.k) {
      case 'text':
      case 'value':
      case 'data':
      case 'list':
      case 'empty':
      case 'notAllowed':
      case 'element':
      case 'attribute':
        // A leaf: its own test is cheaper than any lookup.
        return this.computeText(p, s);
      default: {
        const m = memo(p);
        const vc = (m.text ??= { leaves: textLeaves(p), attribute: false, bySignature: new Map(), byValue: new Map() });
        return this.byValueClass(vc, s, () => this.computeText(p, s));
      }
    }
  }

  private computeText(p: Pattern, s: string): Pattern {
    const b = this.b;
    switch (p.k) {
      case 'choice':
        return b.choiceOf(p.members.map((x) => this.text(x, s)));
      case 'interleave':
        return b.choice(b.interleave(this.text(p.a, s), p.b), b.interleave(p.a, this.text(p.b, s)));
      case 'group': {
        const x = b.group(this.text(p.a, s), p.b);
        return p.a.nullable ? b.choice(x, this.text(p.b, s)) : x;
      }
      case 'after':
        return b.after(this.text(p.a, s), p.b);
      case 'oneOrMore':
        return b.group(this.text(p.p, s), b.choice(p, b.empty));
      case 'text':
        return p;
      case 'value':
        return p.type.equal(p.value, s) ? b.empty : b.notAllowed;
      case 'data':
        return p.type.allows(s) && (p.except === undefined || !this.text(p.except, s).nullable) ? b.empty : b.notAllowed;
      case 'list':
        return this.listMatches(p.p, s) ? b.empty : b.notAllowed;
      default:
        return b.notAllowed;
    }
  }

  private listMatches(p: Pattern, s: string): boolean {
    let q = p;
    for (const word of s.split(/[ \t\n\r]+/).filter((w) => w !== '')) {
      q = this.text(q, word);
      if (q.k === 'notAllowed') return false;
    }
    return q.nullable;
  }

  /**
   * The derivative for an element's whole content when it is text only (or
   * nothing): white space may also be no text at all. Kept for white space
   * (nearly always the empty content of `<x/>`), whose value classes would
   * otherwise intern a choice each time.
   */
  wholeText(p: Pattern, s: string, whitespace: boolean): Pattern {
    if (!whitespace) return this.text(p, s);
    const m = (memo(p).whitespace ??= new Map<string, Pattern>());
    let r = m.get(s);
    if (r === undefined) {
      r = this.b.choice(p, this.text(p, s));
      if (m.size < MEMO_VALUES_PER_PATTERN) m.set(s, r);
    }
    return r;
  }

  /** Error recovery: the derivative for a text node that takes any text where text, data or a value is allowed. */
  textLenient(p: Pattern): Pattern {
    const m = memo(p);
    if (m.textLenient !== undefined) return m.textLenient;
    const b = this.b;
    let r: Pattern;
    switch (p.k) {
      case 'choice':
        r = b.choiceOf(p.members.map((x) => this.textLenient(x)));
        break;
      case 'interleave':
        r = b.choice(b.interleave(this.textLenient(p.a), p.b), b.interleave(p.a, this.textLenient(p.b)));
        break;
      case 'group': {
        const x = b.group(this.textLenient(p.a), p.b);
        r = p.a.nullable ? b.choice(x, this.textLenient(p.b)) : x;
        break;
      }
      case 'after':
        r = b.after(this.textLenient(p.a), p.b);
        break;
      case 'oneOrMore':
        r = b.group(this.textLenient(p.p), b.choice(p, b.empty));
        break;
      case 'text':
        r = p;
        break;
      case 'value':
      case 'data':
      case 'list':
        r = b.empty;
        break;
      default:
        r = b.notAllowed;
    }
    m.textLenient = r;
    return r;
  }

  endTag(p: Pattern): Pattern {
    const m = memo(p);
    if (m.endTag !== undefined) return m.endTag;
    const b = this.b;
    let r: Pattern;
    if (p.k === 'choice') r = b.choiceOf(p.members.map((x) => this.endTag(x)));
    else if (p.k === 'after') r = p.a.nullable ? p.b : b.notAllowed;
    else r = b.notAllowed;
    m.endTag = r;
    return r;
  }

  /** Error recovery: what follows the current element whatever its content (the continuations of `after`s). */
  continuation(p: Pattern): Pattern {
    if (p.k === 'after') return p.b;
    if (p.k === 'choice') return this.b.choiceOf(p.members.map((x) => this.continuation(x)));
    return this.b.notAllowed;
  }
}

/**
 * The element and attribute patterns that may come next in `p` — the
 * content of the current element (the first halves of `after`s): what the
 * messages list as expected, and what completion offers.
 */
export function firstPatterns(p: Pattern): { elements: ElementP[]; attributes: AttributeP[]; text: Pattern[] } {
  const elements = new Set<ElementP>();
  const attributes = new Set<AttributeP>();
  const text = new Set<Pattern>();
  const seen = new Set<number>();
  const walk = (x: Pattern): void => {
    if (seen.has(x.id)) return;
    seen.add(x.id);
    switch (x.k) {
      case 'after':
        walk(x.a);
        break;
      case 'choice':
        x.members.forEach(walk);
        break;
      case 'group':
        walk(x.a);
        // Attributes come in any order; elements only once what precedes them may be empty.
        if (x.a.nullable) walk(x.b);
        else eachAttribute(x.b, (a) => attributes.add(a));
        break;
      case 'interleave':
        walk(x.a);
        walk(x.b);
        break;
      case 'oneOrMore':
        walk(x.p);
        break;
      case 'element':
        elements.add(x);
        break;
      case 'attribute':
        attributes.add(x);
        break;
      case 'text':
      case 'data':
      case 'value':
      case 'list':
        text.add(x);
        break;
      default:
    }
  };
  walk(p);
  return { elements: [...elements], attributes: [...attributes], text: [...text] };
}

/** The values a text pattern enumerates (`<value>`s), for messages and completion; undefined when it allows more. */
export function enumeratedValues(ps: readonly Pattern[]): string[] | undefined {
  const out = new Set<string>();
  let open = false;
  eachPart(ps, (x) => {
    if (x.k === 'value') out.add(x.value);
    else if (!STRUCTURE.has(x.k) && x.k !== 'empty' && x.k !== 'notAllowed') open = true;
  });
  return open ? undefined : [...out];
}

/** The kinds that only combine other patterns. */
const STRUCTURE: ReadonlySet<Pattern['k']> = new Set(['choice', 'group', 'interleave', 'after', 'oneOrMore']);

/**
 * Calls `f` once for each distinct pattern the patterns are made of: through
 * choices, groups, interleaves, `oneOrMore` and the first half of `after`,
 * not into elements and attributes (a content's own level).
 */
export function eachPart(ps: readonly Pattern[], f: (x: Pattern) => void): void {
  const seen = new Set<number>();
  const walk = (x: Pattern): void => {
    if (seen.has(x.id)) return;
    seen.add(x.id);
    f(x);
    if (x.k === 'choice') x.members.forEach(walk);
    else if (x.k === 'group' || x.k === 'interleave') {
      walk(x.a);
      walk(x.b);
    } else if (x.k === 'after') walk(x.a);
    else if (x.k === 'oneOrMore') walk(x.p);
  };
  ps.forEach(walk);
}
