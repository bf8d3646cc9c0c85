/**
 * sevlint's RelaxNG validation against xmllint's: the domains to compare on,
 * seeded schema mutations of them, and the comparison itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { libvirtDomainGrammar } from '../../server/src/schema/grammar';
import { validate } from '../../server/src/schema/validate';
import type { XmlElement } from '../../server/src/xml/model';
import { parseXmlTolerant } from '../../server/src/xml/parse';
import { ROOT, SHARED } from './fixtures';
import { caseSeed, prng } from './fuzz';
import { invalidFiles } from './xmllint';

/** The bundled schema: what sevlint validates against, and what xmllint is given. */
export const BUNDLED_SCHEMA = path.join(ROOT, 'schemas', 'libvirt', 'domain.rng');
export const LIBVIRT_TESTS = path.join(SHARED, 'corpus', 'libvirt-tests');

/** sevlint's verdict: undefined when the text is not a well-formed document with a root. */
export function sevlintValid(text: string): boolean | undefined {
  const parsed = parseXmlTolerant(text);
  if (parsed.errors.length > 0 || !parsed.document.root) return undefined;
  return validate(libvirtDomainGrammar(), text, parsed.document.root).valid;
}

/** xmllint's verdicts for libvirt's test domains, as recorded beside them (`valid NAME` / `invalid NAME`). */
export function recordedVerdicts(): Map<string, boolean> {
  const file = path.join(LIBVIRT_TESTS, 'schema-verdicts-11.3.txt');
  const out = new Map<string, boolean>();
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^(valid|invalid) (\S+)$/.exec(line);
    if (m) out.set(path.join(LIBVIRT_TESTS, 'qemuxmlconfdata', m[2]!), m[1] === 'valid');
  }
  return out;
}

/** Every `<domain>` XML file under `dir`, recursively. */
export function domainFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.xml') && /^\uFEFF?\s*(<\?[^]*?\?>\s*|<!--[^]*?-->\s*)*<domain[\s>/]/.test(fs.readFileSync(p, 'utf8').slice(0, 4096))) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export interface SchemaMutation {
  readonly text: string;
  /** What was done, to reproduce and to read. */
  readonly what: string;
}

function elementsOf(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}

const VALUES = ['x', 'on', 'off', 'yes', 'no', '1', '-1', '0x10', '', 'virtio', 'scsi', 'sata', 'q35', 'file', 'network', 'disk', 'none', 'auto', '4294967296', 'hd'];

/**
 * One seeded mutation of a well-formed domain that keeps it well-formed, of
 * the kinds a person makes: rename an element or attribute (a typo), change
 * a value, delete an attribute or an element, duplicate an element, move an
 * element into another parent. Undefined when the draw does not apply.
 */
export function mutateForSchema(text: string, seed: number, index: number): SchemaMutation | undefined {
  const rnd = prng(caseSeed(seed, index));
  const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(rnd() * xs.length)];
  const parsed = parseXmlTolerant(text);
  const root = parsed.document.root;
  if (!root || parsed.errors.length > 0) return undefined;
  const els = elementsOf(root).slice(1);
  const e = pick(els);
  if (!e) return undefined;
  const at = (s: number, end: number, by: string): string => text.slice(0, s) + by + text.slice(end);
  const op = Math.floor(rnd() * 7);
  switch (op) {
    case 0: {
      // A typo in an element name: a letter dropped, doubled or swapped.
      const n = e.name;
      const i = Math.floor(rnd() * n.length);
      const typo = rnd() < 0.5 ? n.slice(0, i) + n.slice(i + 1) : n.slice(0, i) + n[i] + n.slice(i);
      if (typo === '' || typo.endsWith(':') || typo.startsWith(':')) return undefined;
      let out = at(e.nameSpan.start, e.nameSpan.end, typo);
      if (e.endTag) {
        const shift = typo.length - n.length;
        out = out.slice(0, e.endTag.start + 2 + shift) + typo + out.slice(e.endTag.start + 2 + shift + n.length);
      }
      return { text: out, what: `rename <${n}> to <${typo}>` };
    }
    case 1: {
      const a = pick(e.attributes.filter((x) => !x.name.startsWith('xmlns')));
      if (!a) return undefined;
      const typo = a.name.slice(0, -1) || 'x';
      if (e.attributes.some((x) => x.name === typo)) return undefined;
      return { text: at(a.nameSpan.start, a.nameSpan.end, typo), what: `rename ${a.name} on <${e.name}> to ${typo}` };
    }
    case 2: {
      const a = pick(e.attributes.filter((x) => !x.name.startsWith('xmlns')));
      if (!a) return undefined;
      const v = rnd() < 0.3 ? a.value + 'x' : pick(VALUES)!;
      return { text: at(a.valueSpan.start, a.valueSpan.end, v), what: `${a.name}='${v}' on <${e.name}>` };
    }
    case 3: {
      const a = pick(e.attributes.filter((x) => !x.name.startsWith('xmlns')));
      if (!a) return undefined;
      return { text: at(a.span.start, a.span.end, ''), what: `delete ${a.name} of <${e.name}>` };
    }
    case 4:
      return { text: at(e.span.start, e.span.end, ''), what: `delete <${e.name}>` };
    case 5:
      return { text: at(e.span.end, e.span.end, text.slice(e.span.start, e.span.end)), what: `duplicate <${e.name}>` };
    default: {
      // Move into another element that is neither inside it nor around it.
      const target = pick(els.filter((o) => o.content && (o.span.end <= e.span.start || o.span.start >= e.span.end)));
      if (!target || !target.content) return undefined;
      const cut = text.slice(e.span.start, e.span.end);
      const ins = target.content.start;
      const out = ins < e.span.start ? text.slice(0, ins) + cut + text.slice(ins, e.span.start) + text.slice(e.span.end) : text.slice(0, e.span.start) + text.slice(e.span.end, ins) + cut + text.slice(ins);
      return { text: out, what: `move <${e.name}> into <${target.name}>` };
    }
  }
}

export interface SchemaComparison {
  readonly name: string;
  readonly xmllint: boolean;
  readonly sevlint: boolean;
}

/** Writes the cases to `dir` and compares both verdicts (xmllint in one process per 500 files). */
export function compareSchemaWithXmllint(cases: readonly { name: string; text: string }[], dir: string): SchemaComparison[] {
  fs.mkdirSync(dir, { recursive: true });
  const files = cases.map((c, i) => {
    const f = path.join(dir, `${i}.xml`);
    fs.writeFileSync(f, c.text);
    return f;
  });
  const invalid = new Set<string>();
  for (let k = 0; k < files.length; k += 500) for (const f of invalidFiles(BUNDLED_SCHEMA, files.slice(k, k + 500)).keys()) invalid.add(f);
  const out: SchemaComparison[] = [];
  cases.forEach((c, i) => {
    const mine = sevlintValid(c.text);
    if (mine === undefined) return;
    out.push({ name: c.name, xmllint: !invalid.has(files[i]!), sevlint: mine });
  });
  return out;
}
