/**
 * A compiled grammar (`compile.ts`) loaded as hash-consed patterns, and
 * libvirt's domain grammar, loaded on first use.
 */

import type { GrammarJson, NameClassJson, NodeJson } from './compile';
import type { NameClass } from './name-class';
import { Deriver, PatternBuilder, type ElementP, type Pattern } from './pattern';

export interface Grammar {
  readonly source: string;
  readonly start: Pattern;
  readonly builder: PatternBuilder;
  readonly deriver: Deriver;
  /** Every element pattern, for completion and hover. */
  readonly elements: readonly ElementP[];
}

function nameClass(j: NameClassJson): NameClass {
  if (typeof j === 'string') return { k: 'name', ns: '', local: j };
  switch (j[0]) {
    case 'name':
      return { k: 'name', ns: j[1], local: j[2] };
    case 'anyName':
      return j[1] === undefined ? { k: 'anyName' } : { k: 'anyName', except: nameClass(j[1]) };
    case 'nsName':
      return j[2] === undefined ? { k: 'nsName', ns: j[1] } : { k: 'nsName', ns: j[1], except: nameClass(j[2]) };
    case 'choice':
      return { k: 'choice', a: nameClass(j[1]), b: nameClass(j[2]) };
  }
}

export function loadGrammar(json: GrammarJson): Grammar {
  if (json.format !== 1) throw new Error(`grammar format ${String(json.format)} is not supported`);
  const b = new PatternBuilder();
  const nodes = json.nodes;
  const built: (Pattern | undefined)[] = new Array<Pattern | undefined>(nodes.length);
  const elements: ElementP[] = [];
  const fill: [ElementP, number][] = [];
  const get = (i: number): Pattern => {
    const done = built[i];
    if (done !== undefined) return done;
    const n: NodeJson | undefined = nodes[i];
    if (n === undefined) throw new Error(`grammar node ${i} does not exist`);
    let p: Pattern;
    switch (n[0]) {
      case 'empty':
        p = b.empty;
        break;
      case 'notAllowed':
        p = b.notAllowed;
        break;
      case 'text':
        p = b.text;
        break;
      case 'choice':
        p = b.choiceOf((n.slice(1) as number[]).map(get));
        break;
      case 'group':
        p = b.group(get(n[1]), get(n[2]));
        break;
      case 'interleave':
        p = b.interleave(get(n[1]), get(n[2]));
        break;
      case 'oneOrMore':
        p = b.oneOrMore(get(n[1]));
        break;
      case 'list':
        p = b.list(get(n[1]));
        break;
      case 'data':
        p = b.data(
          b.datatype(n[1], n[2], n[3].map(([name, value]) => ({ name, value }))),
          n[4] === undefined ? undefined : get(n[4]),
        );
        break;
      case 'value':
        p = b.value(b.datatype(n[1], n[2], []), n[3]);
        break;
      case 'attribute':
        p = b.attribute(nameClass(n[1]), get(n[2]));
        break;
      case 'element': {
        const el = b.element(nameClass(n[1]), n[3]);
        elements.push(el);
        fill.push([el, n[2]]);
        p = el;
        break;
      }
    }
    built[i] = p;
    return p;
  };
  const start = get(json.start);
  // Element contents last, iteratively: recursion through elements is unbounded.
  while (fill.length > 0) {
    const [el, content] = fill.pop()!;
    el.content = get(content);
  }
  return { source: json.source, start, builder: b, deriver: new Deriver(b), elements };
}

let libvirt: Grammar | undefined;

/** libvirt's domain grammar (`schemas/libvirt/`, compiled by `npm run build`). */
export function libvirtDomainGrammar(): Grammar {
  if (libvirt === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: a run that never validates never reads it
    const json = require('./libvirt-domain.grammar.json') as GrammarJson;
    libvirt = loadGrammar(json);
  }
  return libvirt;
}
