/**
 * Mutation fuzzing of the core: deterministic mutations (seeded PRNG) of the
 * example, fixture and shared-corpus files, and the invariants every case
 * must keep — lint never throws, every range and edit lies inside the
 * document, every offered fix leaves a document that still parses when the
 * input did, and fixAll ends.
 *
 * Case `i` of seed `s` depends only on `s`, `i` and the corpus, so one case
 * can be replayed alone (`npm run fuzz -- --seed s --case i`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixAll, lint, type LintOptions } from '../../server/src/linter';
import type { Finding } from '../../server/src/rules/types';
import { applyEdits, type Span } from '../../server/src/text-edit';
import { parseToml } from '../../server/src/toml/parse';
import { parseXml } from '../../server/src/xml/parse';
import { kindByName } from '../../server/src/file-types';
import type { CapabilitiesSource } from '../../server/src/host/domcaps';
import { domcapsFixture, FIXTURES, ROOT, SHARED } from './fixtures';

export type Kind = 'xml' | 'toml';

export interface CorpusFile {
  /** Path relative to the repository (or `../shared/...`), used as the lint file name. */
  readonly name: string;
  readonly kind: Kind;
  readonly text: string;
}

/** mulberry32: small, fast, good enough for fuzzing; returns [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The seed of case `index` of a run seeded `seed`. The run seed is mixed
 * before the index is added (XOR-ing the index into it would give every seed
 * the same set of cases, only in another order).
 */
export function caseSeed(seed: number, index: number): number {
  return mix32((mix32(seed ^ 0x5bd1e995) + Math.imul(index + 1, 0x9e3779b9)) >>> 0);
}

function kindOf(file: string): Kind | undefined {
  const kind = kindByName(file);
  return kind === 'domain-xml' ? 'xml' : kind === 'kata-toml' ? 'toml' : undefined;
}

function walk(dir: string, out: string[]): void {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && kindOf(e.name)) out.push(p);
  }
}

/**
 * libvirt's own test data (`corpus/libvirt-tests/`: 2300+ domains and the
 * domain capabilities) is mostly guests without SEV, on which no SEV rule
 * runs; drawn uniformly, it would make the mutation run exercise little but
 * the parser. Only its domains with a `<launchSecurity>` join the corpus.
 */
function sevRelevant(file: string, text: string): boolean {
  const rel = path.relative(path.join(SHARED, 'corpus', 'libvirt-tests'), file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return true;
  return text.includes('<launchSecurity');
}

/** examples/**, test/fixtures/** and, when present, ../shared/corpus/** (see sevRelevant): .xml, .toml and .toml.in, in a stable order. */
export function loadCorpus(): CorpusFile[] {
  const files: string[] = [];
  walk(path.join(ROOT, 'examples'), files);
  walk(FIXTURES, files);
  walk(path.join(SHARED, 'corpus'), files);
  return files
    .map((f) => ({ file: f, text: fs.readFileSync(f, 'utf8') }))
    .filter(({ file, text }) => sevRelevant(file, text))
    .map(({ file, text }) => ({ name: path.relative(ROOT, file).split(path.sep).join('/'), kind: kindOf(file)!, text }));
}

/**
 * Every XML file of examples/, test/fixtures/ and, when present,
 * ../shared/corpus/ (all of libvirt's test domains too), for the
 * well-formedness oracle: there every domain is as good as another.
 */
export function loadXmlCorpus(): CorpusFile[] {
  const files: string[] = [];
  walk(path.join(ROOT, 'examples'), files);
  walk(FIXTURES, files);
  walk(path.join(SHARED, 'corpus'), files);
  return files
    .filter((f) => kindOf(f) === 'xml')
    .map((f) => ({ name: path.relative(ROOT, f).split(path.sep).join('/'), kind: 'xml' as const, text: fs.readFileSync(f, 'utf8') }));
}

// ---------------------------------------------------------------------------
// Mutations

type Rnd = () => number;
const int = (rnd: Rnd, n: number): number => Math.floor(rnd() * n);
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[int(rnd, xs.length)]!;

const CHARS = ['<', '>', '/', '=', '"', "'", '&', ';', '[', ']', '{', '}', '#', '@', ',', '.', '-', '_', '\\', ' ', '\t', '\n', '\r', '\r\n', '0', '9', 'x', 'a', 'Z', '\u0000', '\u00e9', '\ufeff', '\ud83d\ude00', '\ud800', '\udc00', '\u202e'];
const XML_SNIPPETS = ['<', '</', '/>', '<!--', '-->', '<![CDATA[', ']]>', '<?xml version="1.0"?>', '<?pi x?>', '&amp;', '&lt;', '&#x41;', '&#65;', '&bogus;', '&', '<!DOCTYPE domain>', "<!DOCTYPE d [<!ENTITY e 'x'>]>", ' a="1"', " iommu='on'", '<driver/>', '<policy>0x0033</policy>', "<launchSecurity type='sev-snp'>", '</launchSecurity>', '<devices>', '</devices>', '<memoryBacking><locked/></memoryBacking>'];
const TOML_SNIPPETS = ['@X@', '@KERNELPATH@', '@DEFMEMSZ@', '"@X@"', '[', ']', '[[', ']]', '{', '}', '"""', "'''", '"', "'", '#', '=', ' = ', '\\', '\\u00e9', 'true', 'false', '[hypervisor.qemu]', '[runtime]', 'confidential_guest = true', 'sev_snp_guest = true', 'a.b = 1', '"k" = 1', '1979-05-27T07:32:00Z', 'inf', 'nan', '0x1F', '1_000', '+1', '[ ]', '{ }', '{ a = 1 }'];
const NUMBERS = ['0', '1', '-1', '07', '255', '256', '4096', '65535', '0x0', '0x7', '0x33', '0x30000', '0xffffffff', '0x1ffffffffffffffff', '18446744073709551616', '99999999999999999999999', '1e309', '3.5', '-0', '0x', '', 'NaN', '1_0'];
const VALUES = ['', 'on', 'off', 'yes', 'no', 'sev', 'sev-snp', 'sev-es', 'virtio', 'virtio-non-transitional', 'virtio-transitional', 'scsi', 'sata', 'q35', 'pc-i440fx-8.2', 'pc-q35-9.0', 'efi', 'bios', 'rom', 'pflash', 'qemu', 'raw', 'KiB', 'GiB', 'b', 'x'.repeat(300), '&amp;', '&x;', '\u00e9', 'vda', 'sda'];
const TOML_VALUES = ['true', 'false', '0', '-1', '1.5', '""', '"x"', "'x'", '"""a\nb"""', '[]', '[1, "a"]', '{}', '{ a = 1 }', '@DEFVCPUS@', '"@KERNELPATH@"', '1979-05-27', 'inf', 'nan', '"/usr/share/ovmf/AMDSEV.fd"', '"swiotlb=262144 root=/dev/vda1"', '"virtio-fs"', '"nvdimm"', '"virtio-mmio"', '"q35"', '0x30000', '196608'];

function replaceRange(text: string, span: Span, by: string): string {
  return text.slice(0, span.start) + by + text.slice(span.end);
}

function matches(text: string, re: RegExp): Span[] {
  const out: Span[] = [];
  for (const m of text.matchAll(re)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

function lineSpans(text: string): Span[] {
  return matches(text, /[^\n]*\n?/g).filter((s) => s.end > s.start);
}

type Mutator = (text: string, rnd: Rnd, kind: Kind, corpus: readonly CorpusFile[]) => string | undefined;

const MUTATORS: Record<string, Mutator> = {
  flipChar(text, rnd) {
    if (!text) return undefined;
    const i = int(rnd, text.length);
    const by = rnd() < 0.5 ? pick(rnd, CHARS) : String.fromCharCode(text.charCodeAt(i) ^ (1 << int(rnd, 7)));
    return replaceRange(text, { start: i, end: i + 1 }, by);
  },
  insert(text, rnd, kind) {
    const i = int(rnd, text.length + 1);
    return replaceRange(text, { start: i, end: i }, pick(rnd, rnd() < 0.3 ? CHARS : kind === 'xml' ? XML_SNIPPETS : TOML_SNIPPETS));
  },
  deleteRange(text, rnd) {
    if (!text) return undefined;
    const i = int(rnd, text.length);
    return replaceRange(text, { start: i, end: Math.min(text.length, i + 1 + int(rnd, 40)) }, '');
  },
  truncate(text, rnd) {
    return text.slice(0, int(rnd, text.length + 1));
  },
  deleteTag(text, rnd, kind) {
    const tags = matches(text, kind === 'xml' ? /<[^<>]*>/g : /^\[[^\]\n]*\]+[^\n]*\n?/gm);
    return tags.length ? replaceRange(text, pick(rnd, tags), '') : undefined;
  },
  duplicateTag(text, rnd, kind) {
    const tags = matches(text, kind === 'xml' ? /<[^<>]*>/g : /^\[[^\]\n]*\]+[^\n]*\n?/gm);
    if (!tags.length) return undefined;
    const t = pick(rnd, tags);
    const at = rnd() < 0.5 ? t.end : pick(rnd, tags).start;
    return replaceRange(text, { start: at, end: at }, text.slice(t.start, t.end));
  },
  duplicateElement(text, rnd, kind) {
    if (kind !== 'xml') return undefined;
    // An element on one line or a start tag with its end tag found by name.
    const starts = matches(text, /<([A-Za-z][\w:.-]*)[^<>]*>/g).filter((s) => text[s.end - 2] !== '/');
    if (!starts.length) return undefined;
    const s = pick(rnd, starts);
    const name = /^<([A-Za-z][\w:.-]*)/.exec(text.slice(s.start))![1]!;
    const close = text.indexOf(`</${name}>`, s.end);
    if (close < 0) return undefined;
    const end = close + name.length + 3;
    return replaceRange(text, { start: end, end }, text.slice(s.start, end));
  },
  swapAttributes(text, rnd, kind) {
    if (kind !== 'xml') return undefined;
    const tags = matches(text, /<[A-Za-z][^<>]*>/g);
    const withTwo = tags.map((t) => matches(text.slice(t.start, t.end), /[\w:-]+\s*=\s*("[^"]*"|'[^']*')/g).map((a) => ({ start: a.start + t.start, end: a.end + t.start }))).filter((as) => as.length >= 2);
    if (!withTwo.length) {
      // Swap two attributes of different tags instead.
      const all = matches(text, /[\w:-]+\s*=\s*("[^"]*"|'[^']*')/g);
      if (all.length < 2) return undefined;
      withTwo.push(all);
    }
    const attrs = pick(rnd, withTwo);
    const a = int(rnd, attrs.length);
    let b = int(rnd, attrs.length - 1);
    if (b >= a) b++;
    const [x, y] = attrs[a]!.start < attrs[b]!.start ? [attrs[a]!, attrs[b]!] : [attrs[b]!, attrs[a]!];
    return text.slice(0, x.start) + text.slice(y.start, y.end) + text.slice(x.end, y.start) + text.slice(x.start, x.end) + text.slice(y.end);
  },
  changeValue(text, rnd, kind) {
    if (kind === 'xml') {
      const values = [...matches(text, /(?<==\s*")[^"]*(?=")/g), ...matches(text, /(?<==\s*')[^']*(?=')/g), ...matches(text, /(?<=>)[^<>\s][^<>]*(?=<\/)/g)];
      return values.length ? replaceRange(text, pick(rnd, values), pick(rnd, VALUES)) : undefined;
    }
    const values = matches(text, /(?<=^[ \t]*[\w."-]+[ \t]*=[ \t]*)[^\n#]*/gm);
    return values.length ? replaceRange(text, pick(rnd, values), pick(rnd, TOML_VALUES)) : undefined;
  },
  changeNumber(text, rnd) {
    const numbers = matches(text, /0x[0-9a-fA-F]+|\d+(\.\d+)?/g);
    return numbers.length ? replaceRange(text, pick(rnd, numbers), pick(rnd, NUMBERS)) : undefined;
  },
  duplicateLine(text, rnd) {
    const lines = lineSpans(text);
    if (!lines.length) return undefined;
    const l = pick(rnd, lines);
    return replaceRange(text, { start: l.end, end: l.end }, text.slice(l.start, l.end));
  },
  deleteLine(text, rnd) {
    const lines = lineSpans(text);
    return lines.length ? replaceRange(text, pick(rnd, lines), '') : undefined;
  },
  swapLines(text, rnd) {
    const lines = lineSpans(text).filter((l) => text[l.end - 1] === '\n');
    if (lines.length < 2) return undefined;
    const a = int(rnd, lines.length - 1);
    const x = lines[a]!;
    const y = lines[a + 1]!;
    return text.slice(0, x.start) + text.slice(y.start, y.end) + text.slice(x.start, x.end) + text.slice(y.end);
  },
  token(text, rnd, kind) {
    if (kind !== 'toml') return undefined;
    const name = pick(rnd, ['X', 'DEFVCPUS', 'KERNELPATH', 'QEMUPATH', 'FIRMWAREPATH', 'DEFMEMSZ', '_A1', 'a']);
    const token = rnd() < 0.2 ? `"@${name}@"` : `@${name}@`;
    const values = matches(text, /(?<=^[ \t]*[\w."-]+[ \t]*=[ \t]*)[^\n#]*/gm);
    if (values.length && rnd() < 0.7) return replaceRange(text, pick(rnd, values), token);
    const i = int(rnd, text.length + 1);
    return replaceRange(text, { start: i, end: i }, token);
  },
  manyTokens(text, rnd, kind) {
    if (kind !== 'toml') return undefined;
    const n = 1 + int(rnd, 200);
    let add = '';
    for (let k = 0; k < n; k++) add += `t${k} = @T${k}@\n`;
    const lines = lineSpans(text);
    const at = lines.length ? pick(rnd, lines).end : text.length;
    return replaceRange(text, { start: at, end: at }, add);
  },
  lineEndings(text, rnd) {
    if (rnd() < 0.5) return text.replace(/\r?\n/g, '\r\n');
    return text.replace(/\r\n/g, '\n');
  },
  bom(text) {
    return text.startsWith('\ufeff') ? text.slice(1) : '\ufeff' + text;
  },
  splice(text, rnd, kind, corpus) {
    // A few lines of another file of the same kind.
    const others = corpus.filter((f) => f.kind === kind);
    if (!others.length) return undefined;
    const src = pick(rnd, others).text;
    const srcLines = lineSpans(src);
    if (!srcLines.length) return undefined;
    const a = int(rnd, srcLines.length);
    const b = Math.min(srcLines.length - 1, a + int(rnd, 6));
    const chunk = src.slice(srcLines[a]!.start, srcLines[b]!.end);
    const here = lineSpans(text);
    const at = here.length ? pick(rnd, here).end : 0;
    return replaceRange(text, { start: at, end: at }, chunk);
  },
};

const MUTATOR_NAMES = Object.keys(MUTATORS);
/** Mutations that mostly keep the document parsing, so rules and their fixes run on it. */
const MILD = ['changeValue', 'changeNumber', 'swapAttributes', 'duplicateElement', 'deleteTag', 'deleteLine', 'duplicateLine', 'swapLines', 'token', 'lineEndings', 'bom'];

export interface FuzzCase {
  readonly index: number;
  readonly seed: number;
  readonly file: CorpusFile;
  readonly mutations: readonly string[];
  readonly text: string;
}

/** Case `index` of a run seeded `seed`: a corpus file and 1 to 4 mutations of it (mostly one). */
export function makeCase(corpus: readonly CorpusFile[], seed: number, index: number): FuzzCase {
  const rnd = prng(caseSeed(seed, index));
  const file = corpus[int(rnd, corpus.length)]!;
  let text = file.text;
  const mutations: string[] = [];
  const r = rnd();
  const n = r < 0.5 ? 1 : r < 0.8 ? 2 : 3 + int(rnd, 2);
  // Half the cases only mutate mildly, so that more of them parse and reach the rules and fixes.
  const names = rnd() < 0.5 ? MILD : MUTATOR_NAMES;
  for (let tries = 0; mutations.length < n && tries < 20; tries++) {
    const name = pick(rnd, names);
    const next = MUTATORS[name]!(text, rnd, file.kind, corpus);
    if (next === undefined || next === text) continue;
    text = next;
    mutations.push(name);
  }
  return { index, seed, file, mutations, text };
}

// ---------------------------------------------------------------------------
// Invariants

function spanProblem(what: string, s: { start: number; end: number }, length: number): string | undefined {
  if (!Number.isInteger(s.start) || !Number.isInteger(s.end)) return `${what}: offsets are not integers (${s.start}, ${s.end})`;
  if (s.start < 0 || s.end > length || s.start > s.end) return `${what}: [${s.start}, ${s.end}) is outside the document (length ${length}) or reversed`;
  return undefined;
}

function parses(kind: string | undefined, text: string): { ok: boolean; message?: string } {
  if (kind === 'domain-xml') {
    const r = parseXml(text);
    return r.ok ? { ok: true } : { ok: false, message: r.error.message };
  }
  if (kind === 'kata-toml') {
    const r = parseToml(text);
    return r.ok ? { ok: true } : { ok: false, message: r.error.message };
  }
  return { ok: true };
}

function firstLines(e: unknown): string {
  if (e instanceof Error) return (e.stack ?? e.message).split('\n').slice(0, 4).join(' | ');
  return String(e);
}

let fuzzHosts: CapabilitiesSource[] | undefined;
/**
 * Host capabilities for half the cases (those of even length, so a case is
 * checked the same way every time): the host- rules run under mutation too,
 * and sev-cbitpos-host, which they supersede, still runs on the other half.
 */
function hostsFor(text: string): CapabilitiesSource[] | undefined {
  if (text.length % 2 !== 0) return undefined;
  return (fuzzHosts ??= ['genoa-snp.xml', 'genoa-snp-i440fx.xml', 'rome-sev-only.xml'].map(domcapsFixture));
}

/**
 * Checks one document; returns what went wrong (empty: all invariants hold).
 * Each problem is one line that starts with a stable kind ("lint threw", …).
 */
export function checkDocument(text: string, fileName: string): string[] {
  const problems: string[] = [];
  const hosts = hostsFor(text);
  const options: LintOptions = { fileName, ...(hosts ? { domainCapabilities: hosts } : {}) };
  let findings: readonly Finding[];
  let kind: string | undefined;
  try {
    const r = lint(text, options);
    findings = r.findings;
    kind = r.kind;
  } catch (e) {
    return [`lint threw: ${firstLines(e)}`];
  }
  const before = parses(kind, text);
  for (const f of findings) {
    const bad = spanProblem(`finding ${f.ruleId}`, f.span, text.length);
    if (bad) problems.push(`range outside: ${bad}`);
    for (const fix of f.fixes) {
      const what = `fix "${fix.title}" of ${f.ruleId}`;
      const sorted = [...fix.edits].sort((a, b) => a.start - b.start || a.end - b.end);
      let outside = false;
      for (const e of sorted) {
        const badEdit = spanProblem(what, e, text.length);
        if (badEdit) {
          problems.push(`edit outside: ${badEdit}`);
          outside = true;
        }
        if (typeof e.newText !== 'string') problems.push(`edit text: ${what} has a non-string newText`);
      }
      for (let k = 1; k < sorted.length; k++) {
        if (sorted[k]!.start < sorted[k - 1]!.end) problems.push(`edits overlap: ${what}: [${sorted[k - 1]!.start}, ${sorted[k - 1]!.end}) and [${sorted[k]!.start}, ${sorted[k]!.end})`);
      }
      if (fix.scope) {
        const badScope = spanProblem(`${what} scope`, fix.scope, text.length);
        if (badScope) problems.push(`scope outside: ${badScope}`);
      }
      if (outside) continue;
      const fixed = applyEdits(text, fix.edits);
      if (before.ok) {
        const after = parses(kind, fixed);
        if (!after.ok) problems.push(`fix breaks syntax: ${what}: ${after.message}`);
      }
      try {
        lint(fixed, options);
      } catch (e) {
        problems.push(`lint threw after fix: ${what}: ${firstLines(e)}`);
      }
    }
  }
  try {
    const all = fixAll(text, options);
    if (before.ok) {
      const after = parses(kind, all.text);
      if (!after.ok) problems.push(`fixAll breaks syntax: ${after.message}`);
    }
    for (const f of all.findings) {
      const bad = spanProblem(`finding ${f.ruleId} after fixAll`, f.span, all.text.length);
      if (bad) problems.push(`range outside: ${bad}`);
    }
  } catch (e) {
    problems.push(`fixAll threw: ${firstLines(e)}`);
  }
  return problems;
}

export interface CaseFailure {
  readonly fuzzCase: FuzzCase;
  readonly problems: readonly string[];
}

export interface FuzzSummary {
  readonly seed: number;
  readonly cases: number;
  readonly corpusFiles: number;
  readonly ms: number;
  /** The slowest case, in ms. */
  readonly slowest: { readonly index: number; readonly ms: number };
  /** Cases the input parsed for (the rest are syntax errors). */
  readonly parsed: number;
  readonly findings: number;
  readonly fixesTried: number;
  readonly failures: readonly CaseFailure[];
}

export interface FuzzOptions {
  readonly seed: number;
  readonly count: number;
  /** First case index (to replay one: start = i, count = 1). */
  readonly start?: number;
  readonly corpus?: readonly CorpusFile[];
  /** A case slower than this fails; none by default (tests assert how time scales, not time: the slowest case is reported). */
  readonly slowMs?: number;
  readonly onProgress?: (done: number) => void;
}

export function runFuzz(options: FuzzOptions): FuzzSummary {
  const corpus = options.corpus ?? loadCorpus();
  const start = options.start ?? 0;
  const slowMs = options.slowMs;
  const failures: CaseFailure[] = [];
  let parsed = 0;
  let findings = 0;
  let fixesTried = 0;
  let slowest = { index: start, ms: 0 };
  const t0 = performance.now();
  for (let i = start; i < start + options.count; i++) {
    const c = makeCase(corpus, options.seed, i);
    const t = performance.now();
    const problems = checkDocument(c.text, c.file.name);
    const ms = performance.now() - t;
    if (ms > slowest.ms) slowest = { index: i, ms };
    if (slowMs !== undefined && ms > slowMs) problems.push(`slow: ${Math.round(ms)} ms`);
    if (problems.length) failures.push({ fuzzCase: c, problems });
    try {
      const r = lint(c.text, { fileName: c.file.name });
      if (r.findings.every((f) => f.ruleId !== 'xml-not-well-formed' && f.ruleId !== 'toml-syntax')) parsed++;
      findings += r.findings.length;
      fixesTried += r.findings.reduce((n, f) => n + f.fixes.length, 0);
    } catch {
      // Already counted as a failure.
    }
    if ((i - start + 1) % 500 === 0) options.onProgress?.(i - start + 1);
  }
  return { seed: options.seed, cases: options.count, corpusFiles: corpus.length, ms: performance.now() - t0, slowest, parsed, findings, fixesTried, failures };
}
