/**
 * RELAX NG schema → one simplified grammar (RELAX NG spec §4), serialised as
 * JSON for the validator to load (`grammar.ts`).
 *
 * What simplification does here: annotations (foreign elements and
 * attributes) dropped; `datatypeLibrary` and `ns` inherited (an attribute's
 * `name` gets `ns=""`); `value` without `type` is the built-in `token`;
 * `include` (with overriding `start`/`define`), `externalRef`, nested
 * `grammar`, `parentRef` and `div` resolved; `define`s with the same name
 * combined (`combine="choice"` / `"interleave"`); `ref`s replaced by what
 * they name; `mixed`, `optional`, `zeroOrMore` rewritten with `interleave`,
 * `choice`, `empty` and `oneOrMore`; elements with several children grouped.
 * Every element becomes a node of its own (the grammar's recursion goes
 * through elements only, as §4.19 requires), everything else is shared by
 * structure.
 *
 * Pure: the schema files come in through `read`.
 */

import { parseXmlTolerant } from '../xml/parse';
import type { XmlElement } from '../xml/model';
import { unsupportedDatatype } from './datatypes';

const RNG_NS = 'http://relaxng.org/ns/structure/1.0';

/** A name class as serialised: a plain local name (no namespace), or a tagged array. */
export type NameClassJson =
  | string
  | readonly ['name', string, string]
  | readonly ['anyName', NameClassJson?]
  | readonly ['nsName', string, NameClassJson?]
  | readonly ['choice', NameClassJson, NameClassJson];

/** One node of the serialised grammar; children are indexes into `nodes`. */
export type NodeJson =
  | readonly ['empty']
  | readonly ['notAllowed']
  | readonly ['text']
  | readonly ['choice', ...number[]]
  | readonly ['group', number, number]
  | readonly ['interleave', number, number]
  | readonly ['oneOrMore', number]
  | readonly ['list', number]
  | readonly ['data', string, string, readonly (readonly [string, string])[], number?]
  | readonly ['value', string, string, string]
  | readonly ['attribute', NameClassJson, number]
  | readonly ['element', NameClassJson, number, string?];

export interface GrammarJson {
  readonly format: 1;
  /** Where the grammar came from, e.g. "libvirt 11.3.0 domain.rng". */
  readonly source: string;
  readonly start: number;
  readonly nodes: readonly NodeJson[];
}

export class SchemaError extends Error {}

interface Rng {
  readonly el: XmlElement;
  readonly file: string;
  readonly text: string;
}

interface DefineEntry {
  readonly combine: string | undefined;
  readonly body: readonly Rng[];
}

/** One `grammar` element's scope: its start and defines after includes and combination. */
class Scope {
  readonly starts: DefineEntry[] = [];
  readonly defines = new Map<string, DefineEntry[]>();
  readonly compiled = new Map<string, number>();
  startId: number | undefined;
  constructor(readonly parent: Scope | undefined) {}
}

/** Compiles the schema whose top file is `top` into one grammar. */
export function compileSchema(top: string, read: (href: string) => string, source: string): GrammarJson {
  return new Compiler(read).run(top, source);
}

class Compiler {
  private readonly nodes: NodeJson[] = [];
  private readonly keys = new Map<string, number>();
  private readonly pending: { id: number; body: readonly Rng[]; scope: Scope; nc: NameClassJson; define: string | undefined }[] = [];
  private readonly files = new Map<string, XmlElement>();

  constructor(private readonly read: (href: string) => string) {}

  run(top: string, source: string): GrammarJson {
    const root = this.load(top);
    const start = this.pattern({ el: root, file: top, text: this.read(top) }, undefined);
    while (this.pending.length > 0) {
      const job = this.pending.pop()!;
      const content = this.group(job.body, job.scope);
      this.nodes[job.id] = job.define === undefined ? ['element', job.nc, content] : ['element', job.nc, content, job.define];
    }
    return { format: 1, source, start, nodes: this.nodes };
  }

  private load(href: string): XmlElement {
    let root = this.files.get(href);
    if (root === undefined) {
      const text = this.read(href);
      const parsed = parseXmlTolerant(text);
      const err = parsed.errors[0];
      if (err || !parsed.document.root) throw new SchemaError(`${href}: not well-formed XML${err ? `: ${err.message}` : ''}`);
      root = parsed.document.root;
      this.files.set(href, root);
    }
    return root;
  }

  private node(n: NodeJson): number {
    const key = JSON.stringify(n);
    let id = this.keys.get(key);
    if (id === undefined) {
      id = this.nodes.length;
      this.nodes.push(n);
      this.keys.set(key, id);
    }
    return id;
  }

  private get empty(): number {
    return this.node(['empty']);
  }

  private get notAllowed(): number {
    return this.node(['notAllowed']);
  }

  private choice(ids: readonly number[]): number {
    const flat = new Set<number>();
    for (const id of ids) {
      const n = this.nodes[id]!;
      if (n[0] === 'notAllowed') continue;
      if (n[0] === 'choice') for (const m of n.slice(1) as number[]) flat.add(m);
      else flat.add(id);
    }
    const members = [...flat].sort((a, b) => a - b);
    if (members.length === 0) return this.notAllowed;
    if (members.length === 1) return members[0]!;
    return this.node(['choice', ...members]);
  }

  private binary(op: 'group' | 'interleave', a: number, b: number): number {
    const na = this.nodes[a]!;
    const nb = this.nodes[b]!;
    if (na[0] === 'notAllowed' || nb[0] === 'notAllowed') return this.notAllowed;
    if (na[0] === 'empty') return b;
    if (nb[0] === 'empty') return a;
    return this.node([op, a, b]);
  }

  private group(items: readonly Rng[], scope: Scope | undefined, op: 'group' | 'interleave' = 'group'): number {
    const ids = items.map((r) => this.pattern(r, scope));
    if (ids.length === 0) return this.empty;
    return ids.reduce((a, b) => this.binary(op, a, b));
  }

  private fail(r: Rng, what: string): never {
    const line = r.text.slice(0, r.el.startTag.start).split('\n').length;
    throw new SchemaError(`${r.file}:${line}: ${what}`);
  }

  /** The RELAX NG children of an element (annotations and text dropped). */
  private kids(r: Rng): Rng[] {
    return r.el.children.filter((c) => isRng(c)).map((el) => ({ el, file: r.file, text: r.text }));
  }

  private pattern(r: Rng, scope: Scope | undefined): number {
    const el = r.el;
    if (!isRng(el)) this.fail(r, `<${el.name}> is not a RELAX NG element`);
    const kids = this.kids(r);
    switch (local(el)) {
      case 'element': {
        const name = attribute(el, 'name');
        const nc = name !== undefined ? this.qname(r, name, inherited(el, 'ns') ?? '') : this.nameClass(this.first(r, kids));
        const body = name !== undefined ? kids : kids.slice(1);
        const id = this.nodes.length;
        this.nodes.push(['element', nc, -1]); // the content is compiled later: elements may be recursive
        this.pending.push({ id, body, scope: scope!, nc, define: definedBy(el) });
        return id;
      }
      case 'attribute': {
        const name = attribute(el, 'name');
        const nc = name !== undefined ? this.qname(r, name, attribute(el, 'ns') ?? '') : this.nameClass(this.first(r, kids));
        const body = name !== undefined ? kids : kids.slice(1);
        if (body.length > 1) this.fail(r, '<attribute> with more than one pattern');
        const p = body.length === 0 ? this.node(['text']) : this.pattern(body[0]!, scope);
        if (this.nodes[p]![0] === 'notAllowed') return p;
        return this.node(['attribute', nc, p]);
      }
      case 'group':
        return this.group(kids, scope);
      case 'interleave':
        return this.group(kids, scope, 'interleave');
      case 'choice':
        return this.choice(kids.map((k) => this.pattern(k, scope)));
      case 'optional':
        return this.choice([this.group(kids, scope), this.empty]);
      case 'zeroOrMore':
        return this.choice([this.oneOrMore(this.group(kids, scope)), this.empty]);
      case 'oneOrMore':
        return this.oneOrMore(this.group(kids, scope));
      case 'mixed':
        return this.binary('interleave', this.group(kids, scope), this.node(['text']));
      case 'list': {
        const p = this.group(kids, scope);
        return this.nodes[p]![0] === 'notAllowed' ? p : this.node(['list', p]);
      }
      case 'empty':
        return this.empty;
      case 'notAllowed':
        return this.notAllowed;
      case 'text':
        return this.node(['text']);
      case 'value': {
        const type = attribute(el, 'type');
        const library = type === undefined ? '' : (inherited(el, 'datatypeLibrary') ?? '');
        const t = type ?? 'token';
        this.checkType(r, library, t, []);
        return this.node(['value', library, t, textOf(r.text, el)]);
      }
      case 'data': {
        const library = inherited(el, 'datatypeLibrary') ?? '';
        const type = attribute(el, 'type');
        if (type === undefined) this.fail(r, '<data> without type');
        const params: [string, string][] = kids.filter((k) => local(k.el) === 'param').map((k) => [attribute(k.el, 'name') ?? '', textOf(r.text, k.el)]);
        this.checkType(r, library, type, params);
        const except = kids.find((k) => local(k.el) === 'except');
        if (except) return this.node(['data', library, type, params, this.choice(this.kids(except).map((k) => this.pattern(k, scope)))]);
        return this.node(['data', library, type, params]);
      }
      case 'ref':
      case 'parentRef': {
        const target = local(el) === 'ref' ? scope : scope?.parent;
        const name = attribute(el, 'name');
        if (target === undefined || name === undefined) this.fail(r, `<${local(el)}> outside a grammar`);
        return this.define(r, target, name);
      }
      case 'externalRef': {
        const href = attribute(el, 'href');
        if (href === undefined) this.fail(r, '<externalRef> without href');
        const root = this.load(href);
        return this.pattern({ el: root, file: href, text: this.read(href) }, scope);
      }
      case 'grammar': {
        const inner = new Scope(scope);
        this.collect(r, inner);
        if (inner.starts.length === 0) this.fail(r, '<grammar> without <start>');
        return this.combined(r, inner.starts, (body) => this.group(body, inner));
      }
      default:
        return this.fail(r, `<${el.name}> is not supported here`);
    }
  }

  private oneOrMore(p: number): number {
    const n = this.nodes[p]![0];
    return n === 'notAllowed' || n === 'empty' ? p : this.node(['oneOrMore', p]);
  }

  private first(r: Rng, kids: readonly Rng[]): Rng {
    const k = kids[0];
    if (k === undefined) this.fail(r, `<${r.el.name}> without a name`);
    return k;
  }

  private checkType(r: Rng, library: string, type: string, params: readonly (readonly [string, string])[]): void {
    const why = unsupportedDatatype(library, type, params.map(([name, value]) => ({ name, value })));
    if (why !== undefined) this.fail(r, why);
  }

  private define(r: Rng, scope: Scope, name: string): number {
    const done = scope.compiled.get(name);
    if (done !== undefined) {
      if (done < 0) this.fail(r, `define '${name}' refers to itself without an element in between`);
      return done;
    }
    const entries = scope.defines.get(name);
    if (entries === undefined) this.fail(r, `no define named '${name}'`);
    scope.compiled.set(name, -1);
    const id = this.combined(r, entries, (body) => this.group(body, scope));
    scope.compiled.set(name, id);
    return id;
  }

  private combined(r: Rng, entries: readonly DefineEntry[], compile: (body: readonly Rng[]) => number): number {
    const methods = new Set(entries.map((e) => e.combine).filter((c) => c !== undefined));
    if (methods.size > 1) this.fail(r, 'defines combined with both choice and interleave');
    if (entries.filter((e) => e.combine === undefined).length > 1) this.fail(r, 'two defines of one name without combine');
    const ids = entries.map((e) => compile(e.body));
    if ([...methods][0] === 'interleave') return ids.reduce((a, b) => this.binary('interleave', a, b));
    return this.choice(ids);
  }

  /** Reads a grammar's components into `scope`: starts and defines, through divs and includes. */
  private collect(r: Rng, scope: Scope, skip?: { start: boolean; defines: ReadonlySet<string> }): void {
    for (const k of this.kids(r)) {
      switch (local(k.el)) {
        case 'start':
          if (!skip?.start) scope.starts.push({ combine: attribute(k.el, 'combine'), body: this.kids(k) });
          break;
        case 'define': {
          const name = attribute(k.el, 'name');
          if (name === undefined) this.fail(k, '<define> without name');
          if (skip?.defines.has(name)) break;
          const list = scope.defines.get(name) ?? [];
          list.push({ combine: attribute(k.el, 'combine'), body: this.kids(k) });
          scope.defines.set(name, list);
          break;
        }
        case 'div':
          this.collect(k, scope, skip);
          break;
        case 'include': {
          const href = attribute(k.el, 'href');
          if (href === undefined) this.fail(k, '<include> without href');
          const root = this.load(href);
          if (!isRng(root) || local(root) !== 'grammar') this.fail(k, `${href} is not a <grammar>`);
          // The include's own components override the included grammar's (§4.7).
          const own = { start: false, defines: new Set<string>() };
          const mark = (x: Rng): void => {
            for (const c of this.kids(x)) {
              if (local(c.el) === 'start') own.start = true;
              else if (local(c.el) === 'define') own.defines.add(attribute(c.el, 'name') ?? '');
              else if (local(c.el) === 'div') mark(c);
            }
          };
          mark(k);
          const merged = {
            start: own.start || (skip?.start ?? false),
            defines: new Set([...own.defines, ...(skip?.defines ?? [])]),
          };
          this.collect({ el: root, file: href, text: this.read(href) }, scope, merged);
          this.collect(k, scope, skip);
          break;
        }
        default:
          this.fail(k, `<${k.el.name}> is not allowed in a grammar`);
      }
    }
  }

  private nameClass(r: Rng): NameClassJson {
    const el = r.el;
    const kids = this.kids(r);
    switch (local(el)) {
      case 'name':
        return this.qname(r, textOf(r.text, el).trim(), inherited(el, 'ns') ?? '');
      case 'anyName': {
        const ex = kids.find((k) => local(k.el) === 'except');
        return ex ? ['anyName', this.nameClassChoice(ex)] : ['anyName'];
      }
      case 'nsName': {
        const ns = inherited(el, 'ns') ?? '';
        const ex = kids.find((k) => local(k.el) === 'except');
        return ex ? ['nsName', ns, this.nameClassChoice(ex)] : ['nsName', ns];
      }
      case 'choice':
        return this.nameClassChoice(r);
      default:
        return this.fail(r, `<${el.name}> is not a name class`);
    }
  }

  private nameClassChoice(r: Rng): NameClassJson {
    const ncs = this.kids(r).map((k) => this.nameClass(k));
    if (ncs.length === 0) this.fail(r, 'an empty name-class choice');
    return ncs.reduce((a, b) => ['choice', a, b]);
  }

  /** A name as written in the schema (`local` or `prefix:local`) in the given default namespace. */
  private qname(r: Rng, name: string, ns: string): NameClassJson {
    const colon = name.indexOf(':');
    if (colon >= 0) {
      const prefix = name.slice(0, colon);
      const uri = inherited(r.el, `xmlns:${prefix}`);
      if (uri === undefined) this.fail(r, `undeclared prefix '${prefix}'`);
      return ['name', uri, name.slice(colon + 1)];
    }
    return ns === '' ? name : ['name', ns, name];
  }
}

function isRng(el: XmlElement): boolean {
  const colon = el.name.indexOf(':');
  const ns = colon < 0 ? inherited(el, 'xmlns') : inherited(el, `xmlns:${el.name.slice(0, colon)}`);
  return ns === RNG_NS;
}

function local(el: XmlElement): string {
  const colon = el.name.indexOf(':');
  return colon < 0 ? el.name : el.name.slice(colon + 1);
}

function attribute(el: XmlElement, name: string): string | undefined {
  const a = el.attributes.find((x) => x.name === name);
  if (a === undefined) return undefined;
  // §4.2: whitespace around name, type, combine and href values is dropped.
  return a.decoded.trim();
}

/** An attribute of the element or of its nearest ancestor that has it (§4.3, §4.9). */
function inherited(el: XmlElement, name: string): string | undefined {
  for (let e: XmlElement | undefined = el; e; e = e.parent) {
    const a = e.attributes.find((x) => x.name === name);
    if (a) return name.startsWith('xmlns') ? a.decoded : a.decoded.trim();
  }
  return undefined;
}

/** The name of the define an element pattern sits directly in, for documentation. */
function definedBy(el: XmlElement): string | undefined {
  const p = el.parent;
  return p && local(p) === 'define' ? attribute(p, 'name') : undefined;
}

/** The character data of an element: references decoded, CDATA sections as written. */
export function textOf(text: string, el: XmlElement): string {
  let out = '';
  for (const n of el.childNodes) {
    if (n.kind === 'text') out += decodeText(text.slice(n.span.start, n.span.end));
    else if (n.kind === 'cdata') out += text.slice(n.content.start, n.content.end);
  }
  return out;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Character data as an XML processor reports it: references decoded, line ends as `\n`. */
export function decodeText(raw: string): string {
  if (!raw.includes('&') && !raw.includes('\r')) return raw;
  return raw.replace(/\r\n?/g, '\n').replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);/g, (m, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return PREDEFINED[ref] ?? m;
  });
}

/** Where the bundled libvirt grammar comes from (schemas/libvirt/README.md says more). */
export const LIBVIRT_SCHEMA_SOURCE = 'libvirt 11.3.0 domain.rng';

/** The grammar as committed: one node per line, so that a schema update reads as a diff. */
export function serializeGrammar(g: GrammarJson): string {
  const lines = g.nodes.map((n) => JSON.stringify(n));
  return `{"format":${g.format},"source":${JSON.stringify(g.source)},"start":${g.start},"nodes":[\n${lines.join(',\n')}\n]}\n`;
}
