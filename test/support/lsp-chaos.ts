/**
 * A seeded chaos run against the real language server over stdio
 * (bin/sevlint-language-server --stdio): open / change / close (up to
 * `maxOpen` documents at once, incremental and full changes, ranges past the
 * end and malformed ones, stale and non-integer versions), code actions on
 * current and stale diagnostics, hover and completion anywhere (and at
 * malformed positions), executeCommand with garbage, configuration changes
 * with garbage values (workspace/configuration is answered with seeded
 * garbage too), and now and then a fix applied and linted again.
 *
 * The client keeps its own copy of every document, restating the server's
 * sync rules independently (a position past the end is clamped; a malformed
 * change or a version not newer than the last puts the document out of sync
 * until its whole text is sent), and checks:
 * - the server never exits;
 * - every answer is a result or an expected error: InvalidParams exactly when
 *   the params were malformed, RequestCancelled only when cancelled,
 *   ContentModified only for a code action whose document changed meanwhile,
 *   MethodNotFound only for a method the server does not have; never
 *   InternalError or RequestFailed;
 * - every range in diagnostics, completions, hovers and edits is an integer
 *   position inside the client's text of the version it is for;
 * - every edit names (documentChanges) the version the request was sent at,
 *   applies cleanly (in range, no overlap), and fix-all gives what the core's
 *   fixAll gives on the client's text (when the effective settings are known);
 * - no fix is offered for a diagnostic of another version;
 * - window/showDocument only ever names a sevlint rule's documentation;
 * - the server's resident memory stays under `rssLimitMb`, and after every
 *   document is closed it does not grow from one round to the next.
 *
 * The operations are drawn from a generator seeded with `seed`; what some of
 * them act on (the diagnostics last received, a fix applied) also depends on
 * when answers arrive, so a failing seed reproduces the same kind of run, not
 * always the same failure at the same step.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancellationTokenSource, ResponseError, StreamMessageReader, StreamMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CompletionItem, Diagnostic, Hover, Position, PublishDiagnosticsParams, Range, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol';
import { fixAll, lint } from '../../server/src/linter';
import { lintOptions, readSettings } from '../../server/src/lsp/settings';
import { docsUrl } from '../../server/src/rules/docs';
import { allRuleMetas } from '../../server/src/rules/index';
import { ROOT } from './fixtures';
import { prng } from './fuzz';

export interface ChaosOptions {
  readonly ops: number;
  readonly seed: number;
  /** Documents open at most at once. */
  readonly maxOpen: number;
  /** The run is cut in rounds; every document is closed at the end of each, and the server's memory read. */
  readonly rounds: number;
  readonly rssLimitMb: number;
  /** Requests in flight at most. */
  readonly inFlight?: number;
  readonly onProgress?: (s: ChaosStats) => void;
}

export interface ChaosStats {
  ops: number;
  seconds: number;
  /** Operations by kind. */
  readonly counts: Record<string, number>;
  /** Answers by outcome: `result`, or the error code. */
  readonly answers: Record<string, number>;
  maxOpen: number;
  diagnosticsChecked: number;
  /** Publications compared with the core's lint of the client's text. */
  diagnosticsCompared: number;
  rangesChecked: number;
  editsChecked: number;
  fixAllCompared: number;
  fixesApplied: number;
  outOfSync: number;
  maxRssMb: number;
  /** CPU time the server used (user + system). */
  serverCpuSeconds: number;
  /** Resident memory after each round's documents are all closed. */
  readonly rssAfterCloseMb: number[];
  readonly failures: string[];
  readonly serverStderr: string[];
}

const RULE_IDS = allRuleMetas.map((r) => r.id);
const DOCS = new Set(RULE_IDS.map(docsUrl));
const FIX_ALL = 'source.fixAll.sevlint';

interface CorpusDoc {
  readonly name: string;
  readonly kind: 'xml' | 'toml';
  readonly text: string;
}

/** examples/** and test/fixtures/**: domain XML and Kata TOML. */
function loadDocs(): CorpusDoc[] {
  const out: CorpusDoc[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.xml$/.test(e.name) && !e.name.includes('.fixed.')) out.push({ name: path.relative(ROOT, p), kind: 'xml', text: fs.readFileSync(p, 'utf8') });
      else if (/\.toml(\.in)?$/.test(e.name) && !e.name.includes('.fixed.')) out.push({ name: path.relative(ROOT, p), kind: 'toml', text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(path.join(ROOT, 'examples'));
  walk(path.join(ROOT, 'test', 'fixtures'));
  return out;
}

/** utime + stime of a process in seconds (Linux), 0 elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** VmRSS of a process in MB (Linux), 0 elsewhere. */
export function rssMb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function fileNameOf(uri: string): string {
  return decodeURIComponent(new URL(uri).pathname);
}

/** The client's copy of a document. */
interface Doc {
  readonly uri: string;
  readonly kind: 'xml' | 'toml';
  /** The newest version the server accepted (applied or not). */
  version: number;
  synced: boolean;
  text: string;
  /** The last diagnostics published for it, with their version. */
  lastDiagnostics?: { version: number; diagnostics: Diagnostic[] };
}

const isCoord = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The sync rules, restated from the spec and the README: what the server must have made of a didChange. */
function wellFormedChanges(changes: unknown): { text: string; range?: Range }[] | undefined {
  if (!Array.isArray(changes)) return undefined;
  const out: { text: string; range?: Range }[] = [];
  for (const c of changes) {
    if (!isRecord(c) || typeof c['text'] !== 'string') return undefined;
    if (c['range'] === undefined) {
      out.push({ text: c['text'] });
      continue;
    }
    const r = c['range'];
    if (!isRecord(r) || !isRecord(r['start']) || !isRecord(r['end'])) return undefined;
    const s = r['start'];
    const e = r['end'];
    if (![s['line'], s['character'], e['line'], e['character']].every(isCoord)) return undefined;
    const start = { line: s['line'] as number, character: s['character'] as number };
    const end = { line: e['line'] as number, character: e['character'] as number };
    if (end.line < start.line || (end.line === start.line && end.character < start.character)) return undefined;
    out.push({ text: c['text'], range: { start, end } });
  }
  return out;
}

/** The text after incremental changes, each clamped as LSP specifies for positions (TextDocument.offsetAt clamps). */
function applyClamped(text: string, changes: readonly { text: string; range?: Range }[]): string {
  let t = text;
  for (const c of changes) {
    if (!c.range) {
      t = c.text;
      continue;
    }
    const d = TextDocument.create('file:///m', 'x', 0, t);
    const a = d.offsetAt(c.range.start);
    const b = d.offsetAt(c.range.end);
    t = t.slice(0, a) + c.text + t.slice(b);
  }
  return t;
}

/** An integer position inside `doc`: a line that exists, a character at most the line's length (its line break excluded). */
function positionProblem(doc: TextDocument, p: unknown): string | undefined {
  if (!isRecord(p) || !isCoord(p['line']) || !isCoord(p['character'])) return `not an integer position: ${JSON.stringify(p)}`;
  const line = p['line'];
  const character = p['character'];
  if (line >= doc.lineCount) return `line ${line} of a ${doc.lineCount}-line document`;
  const start = doc.offsetAt({ line, character: 0 });
  const end = doc.offsetAt({ line, character: Number.MAX_SAFE_INTEGER });
  if (character > end - start) return `character ${character} on a line of ${end - start}`;
  return undefined;
}

function rangeProblem(doc: TextDocument, r: unknown): string | undefined {
  if (!isRecord(r)) return `not a range: ${JSON.stringify(r)}`;
  const p = positionProblem(doc, r['start']) ?? positionProblem(doc, r['end']);
  if (p) return p;
  const range = r as unknown as Range;
  if (doc.offsetAt(range.end) < doc.offsetAt(range.start)) return `range ends before it starts: ${JSON.stringify(r)}`;
  return undefined;
}

/** Applies LSP edits to `text` strictly: every range inside, none overlapping. */
function applyStrict(text: string, edits: readonly TextEdit[]): { text: string } | { problem: string } {
  const doc = TextDocument.create('file:///e', 'x', 0, text);
  const spans: { start: number; end: number; newText: string }[] = [];
  for (const e of edits) {
    const p = rangeProblem(doc, e.range);
    if (p) return { problem: p };
    if (typeof e.newText !== 'string') return { problem: 'newText is not a string' };
    spans.push({ start: doc.offsetAt(e.range.start), end: doc.offsetAt(e.range.end), newText: e.newText });
  }
  spans.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const s of spans) {
    if (s.start < pos) return { problem: `overlapping edits at offset ${s.start}` };
    out += text.slice(pos, s.start) + s.newText;
    pos = s.end;
  }
  return { text: out + text.slice(pos) };
}

const PIECES = ['', 'a', ' ', 'é', '𝄞', '\u00e9\u0301', '\n', '\r\n', '\r', '\t', '\ud83d', '<', '>', '/>', '"', "'", '=', '#', '@X@', '[', ']'];
const XML_SNIPPETS = ['<driver iommu="on"/>', "<launchSecurity type='sev-snp'><policy>0x30000</policy></launchSecurity>", '<policy>0x0007</policy>', '<memoryBacking><locked/></memoryBacking>', '</devices>', '<devices>', '<!-- x -->', '<os firmware="efi">', '<disk type="file"><target dev="vdz" bus="virtio"/></disk>\r\n'];
const TOML_SNIPPETS = ['confidential_guest = true\n', 'sev_snp_guest = true\n', '[hypervisor.qemu]\n', 'kernel_params = "root=/dev/vda1"\n', '"""\n', "'''", 'machine_type = "pc"\n', '[runtime]\r\n', 'a = { b = [1, 2] }\n'];

/** Garbage for settings: right and wrong types, out-of-range numbers, nested nulls. */
function garbageSettings(r: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  if (r() < 0.1) return pick([null, 5, 'sevlint', [], [{}], true]);
  const s: Record<string, unknown> = {};
  if (r() < 0.7) s['enable'] = pick([true, true, true, false, 'yes', 0, null]);
  if (r() < 0.7) s['rules'] = pick([{}, 5, null, [], { 'sev-virtio-iommu': 'off' }, { 'sev-memory-hard-limit': 'hint', 'kata-swiotlb': 'error' }, { 'sev-virtio-iommu': 7, x: 'off', ['__proto__']: 'off' }, { [pick(RULE_IDS)]: pick(['off', 'error', 'bogus', null]) }]);
  if (r() < 0.6) s['maxFileSize'] = pick([-1, 0, 0.5, 1e300, 5_000_000, 100_000, 2000, '5000000', null]);
  if (r() < 0.8) s['validate'] = pick([null, 5, { debounceMs: 0 }, { debounceMs: 0 }, { debounceMs: 10 }, { debounceMs: -5 }, { debounceMs: 'soon' }, { debounceMs: 1e12 }, { debounceMs: null }, { nested: { x: null } }]);
  if (r() < 0.5) s['target'] = pick([null, 'x', { qemu: '8.2' }, { qemu: 5 }, { qemu: 'x'.repeat(300) }, { qemu: '6.0.0' }, { qemu: null }]);
  return s;
}

/** Mostly harmless settings, so validation keeps flowing: debounce 0. */
const calmSettings = { validate: { debounceMs: 0 } };

interface Sent {
  readonly method: string;
  readonly uri: string | undefined;
  /** The params were malformed on purpose: InvalidParams is the only right answer. */
  readonly invalid: boolean;
  /** The client's copy when the request was sent (undefined: not open). */
  readonly doc: Doc | undefined;
  readonly version: number | undefined;
  readonly synced: boolean;
  readonly text: string;
  readonly cancelled: boolean;
  readonly epoch: number;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosStats> {
  const rand = prng(o.seed);
  // Answers arrive when they arrive: what is decided on an answer draws from its own generator, not from the operations'.
  const onAnswer = prng(o.seed ^ 0x5bd1e995);
  const int = (n: number) => Math.floor(rand() * n);
  const chance = (p: number) => rand() < p;
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const corpus = loadDocs();
  const xmlWithDevices = corpus.filter((d) => d.kind === 'xml' && d.text.includes('</devices>') && d.text.includes('<launchSecurity'));

  const stats: ChaosStats = {
    ops: 0,
    seconds: 0,
    counts: {},
    answers: {},
    maxOpen: 0,
    diagnosticsChecked: 0,
    diagnosticsCompared: 0,
    rangesChecked: 0,
    editsChecked: 0,
    fixAllCompared: 0,
    fixesApplied: 0,
    outOfSync: 0,
    maxRssMb: 0,
    serverCpuSeconds: 0,
    rssAfterCloseMb: [],
    failures: [],
    serverStderr: [],
  };
  const fail = (msg: string) => {
    if (stats.failures.length < 50) stats.failures.push(`op ${stats.ops} (seed ${o.seed}): ${msg}`);
  };
  const count = (k: string) => (stats.counts[k] = (stats.counts[k] ?? 0) + 1);

  const server = spawn(process.execPath, [path.join(ROOT, 'bin', 'sevlint-language-server'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let exited: string | undefined;
  server.on('exit', (code, signal) => (exited = `the server exited (code ${code}, signal ${signal})`));
  server.stderr.on('data', (d: Buffer) => {
    if (stats.serverStderr.length < 20) stats.serverStderr.push(d.toString('utf8').slice(0, 2000));
  });
  const conn: MessageConnection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));

  // ---- the client's state
  const docs = new Map<string, Doc>();
  /** Texts by version (versions are unique across documents: one counter). */
  const history = new Map<number, { uri: string; text: string; epoch: number }>();
  let lastVersion = 0;
  const nextVersion = () => ++lastVersion;
  let settings: unknown = calmSettings;
  /** How workspace/configuration is answered: as asked, with a non-array, or with an error. */
  let configMode: 'normal' | 'not-an-array' | 'error' = 'normal';
  /** Bumped with every configuration change. */
  let epoch = 0;
  /** The epoch whose configuration change the server has processed (it answered a request sent after it). */
  let settled = 0;
  let uriCounter = 0;
  const openLarge = new Set<string>();

  conn.onRequest('workspace/configuration', (params: { items: unknown[] }) => {
    if (configMode === 'error') throw new ResponseError(-32603, 'no configuration today');
    if (configMode === 'not-an-array') return 5;
    return params.items.map(() => settings);
  });
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/showDocument', (p: { uri?: unknown }) => {
    if (typeof p.uri !== 'string' || !DOCS.has(p.uri)) fail(`window/showDocument for ${JSON.stringify(p.uri)}, not a sevlint rule's documentation`);
    return { success: true };
  });
  conn.onNotification('window/logMessage', () => undefined);
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => checkDiagnostics(p));
  conn.listen();

  function remember(uri: string, version: number, text: string): void {
    history.set(version, { uri, text, epoch });
    // Keep the last 4000 versions, and each open document's current one.
    if (history.size > 6000) {
      const keep = new Set([...docs.values()].map((d) => d.version));
      for (const v of [...history.keys()]) {
        if (v < lastVersion - 4000 && !keep.has(v)) history.delete(v);
      }
    }
  }

  function checkDiagnostics(p: PublishDiagnosticsParams): void {
    stats.diagnosticsChecked++;
    if (typeof p.uri !== 'string' || !Array.isArray(p.diagnostics)) return fail(`malformed publishDiagnostics ${JSON.stringify(p).slice(0, 200)}`);
    if (p.version === undefined || p.version === null) {
      // The out-of-sync notice, the clearing of a closed document: nothing but the start of the document.
      if (p.diagnostics.length > 1 || p.diagnostics.some((d) => JSON.stringify(d.range) !== '{"start":{"line":0,"character":0},"end":{"line":0,"character":0}}')) {
        fail(`unversioned diagnostics for ${p.uri} with ranges: ${JSON.stringify(p.diagnostics.map((d) => d.range))}`);
      }
      return;
    }
    const h = history.get(p.version);
    if (!h) {
      if (p.version > lastVersion - 4000) fail(`diagnostics for ${p.uri} version ${p.version}, which the client never sent`);
      return;
    }
    if (h.uri !== p.uri) return fail(`diagnostics for ${p.uri} version ${p.version}, a version of ${h.uri}`);
    const doc = TextDocument.create(p.uri, 'x', p.version, h.text);
    for (const d of p.diagnostics) {
      stats.rangesChecked++;
      const problem = rangeProblem(doc, d.range);
      if (problem) fail(`diagnostic ${String(d.code)} of ${p.uri} v${p.version}: ${problem}`);
      const dv = isRecord(d.data) ? d.data['version'] : undefined;
      if (d.code !== undefined && dv !== p.version) fail(`diagnostic ${String(d.code)} of v${p.version} carries data.version ${JSON.stringify(dv)}`);
    }
    // The same diagnostics as the core finds in the client's text, when the settings the server used are known:
    // a server copy that drifted from the client's shows here.
    // Known: the version was sent under the current settings (the server re-read them before it), or the server has
    // answered a request sent after the last configuration change (so it has dropped every validation begun before).
    if ((h.epoch === epoch || settled === epoch) && configMode === 'normal' && h.text.length < 64 * 1024) {
      const eff = readSettings(settings);
      const fileName = fileNameOf(p.uri);
      const want = !eff.enable
        ? []
        : h.text.length > eff.maxFileSize
          ? /\.(xml|toml|in)$/.test(fileName) ? ['information 0:0-0:0'] : []
          : lint(h.text, lintOptions(eff, fileName)).findings.map((f) => {
              const a = doc.positionAt(f.span.start);
              const b = doc.positionAt(f.span.end);
              return `${f.ruleId} ${a.line}:${a.character}-${b.line}:${b.character} ${f.message}`;
            });
      const got = p.diagnostics.map((d) =>
        d.code === undefined ? `information ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}` : `${String(d.code)} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`,
      );
      stats.diagnosticsCompared++;
      if (JSON.stringify(got) !== JSON.stringify(want)) fail(`diagnostics of ${p.uri} v${p.version} differ from the core's lint of the client's text:\n    server ${JSON.stringify(got).slice(0, 400)}\n    core   ${JSON.stringify(want).slice(0, 400)}`);
    }
    const current = docs.get(p.uri);
    if (current) current.lastDiagnostics = { version: p.version, diagnostics: p.diagnostics };
  }

  // ---- sending
  const pending = new Set<Promise<void>>();
  const inFlight = o.inFlight ?? 24;

  async function request(method: string, params: unknown, meta: { uri?: string; invalid: boolean }, check: (result: unknown, sent: Sent) => void): Promise<void> {
    const doc = meta.uri ? docs.get(meta.uri) : undefined;
    const cancel = chance(0.08);
    const sent: Sent = {
      method,
      uri: meta.uri,
      invalid: meta.invalid,
      doc,
      version: doc?.version,
      synced: doc?.synced ?? false,
      text: doc?.text ?? '',
      cancelled: cancel,
      epoch,
    };
    const source = new CancellationTokenSource();
    const p = conn.sendRequest(method, params, source.token).then(
      (result) => {
        stats.answers['result'] = (stats.answers['result'] ?? 0) + 1;
        if (meta.invalid) return fail(`${method} with malformed params was answered with a result: ${JSON.stringify(params).slice(0, 300)}`);
        try {
          check(result, sent);
        } catch (e) {
          fail(`${method}: checking the answer threw ${String(e)}`);
        }
      },
      (e: unknown) => {
        const code = (e as { code?: unknown }).code;
        stats.answers[String(code)] = (stats.answers[String(code)] ?? 0) + 1;
        const message = (e as Error).message;
        if (code === -32602 && meta.invalid) return;
        if (code === -32800 && cancel) return;
        if (code === -32801 && (method === 'textDocument/codeAction' || method === 'codeAction/resolve')) return;
        if (code === -32601 && method.startsWith('sevlint/')) return;
        if (meta.invalid) fail(`${method} with malformed params got ${String(code)} (${message}), not InvalidParams; params ${JSON.stringify(params).slice(0, 300)}`);
        else fail(`${method} got error ${String(code)}: ${message}; params ${JSON.stringify(params).slice(0, 300)}`);
      },
    );
    if (cancel) setImmediate(() => source.cancel());
    const tracked = p.finally(() => pending.delete(tracked));
    pending.add(tracked);
    if (pending.size >= inFlight) await Promise.race(pending);
  }

  async function notify(method: string, params: unknown): Promise<void> {
    await conn.sendNotification(method, params);
  }

  // ---- positions and ranges the client sends
  function randomPosition(doc: Doc): { position: unknown; invalid: boolean } {
    const t = TextDocument.create(doc.uri, 'x', 0, doc.text);
    const roll = rand();
    if (roll < 0.06) return { position: pick([{ line: null, character: 0 }, { line: 0, character: -1 }, { line: 0.5, character: 0 }, { line: '1', character: 2 }, { line: 0 }, null, 'x', { line: 1e300, character: 0 }]), invalid: true };
    if (roll < 0.16) return { position: { line: t.lineCount + int(5), character: int(50) }, invalid: false };
    const line = int(t.lineCount);
    const len = t.offsetAt({ line, character: Number.MAX_SAFE_INTEGER }) - t.offsetAt({ line, character: 0 });
    return { position: { line, character: chance(0.1) ? len + 1 + int(20) : int(len + 1) }, invalid: false };
  }

  function randomRange(doc: Doc): { range: unknown; invalid: boolean } {
    const a = randomPosition(doc);
    const b = randomPosition(doc);
    if (a.invalid || b.invalid) return { range: { start: a.position, end: b.position }, invalid: true };
    const pa = a.position as Position;
    const pb = b.position as Position;
    const ordered = pa.line < pb.line || (pa.line === pb.line && pa.character <= pb.character);
    if (!ordered && chance(0.15)) return { range: { start: pa, end: pb }, invalid: true }; // reversed
    return { range: ordered ? { start: pa, end: pb } : { start: pb, end: pa }, invalid: false };
  }

  function insertText(doc: Doc): string {
    const roll = rand();
    if (roll < 0.4) return Array.from({ length: int(4) }, () => pick(PIECES)).join('');
    if (roll < 0.7) return pick(doc.kind === 'xml' ? XML_SNIPPETS : TOML_SNIPPETS);
    const at = int(doc.text.length + 1);
    return doc.text.slice(at, at + int(200));
  }

  // ---- the mirror
  function applyDidChange(doc: Doc, version: unknown, changes: unknown): void {
    const ok = wellFormedChanges(changes);
    if (!Number.isSafeInteger(version) || (version as number) <= doc.version || !ok) {
      doc.synced = false;
      stats.outOfSync++;
      return;
    }
    doc.version = version as number;
    let from = -1;
    for (let i = ok.length - 1; i >= 0; i--) {
      if (!ok[i]!.range) {
        from = i;
        break;
      }
    }
    if (from < 0 && !doc.synced) return;
    doc.text = applyClamped(from < 0 ? doc.text : '', ok.slice(Math.max(from, 0)));
    doc.synced = true;
    remember(doc.uri, doc.version, doc.text);
  }

  async function sendChange(doc: Doc, version: unknown, changes: unknown): Promise<void> {
    applyDidChange(doc, version, changes);
    await notify('textDocument/didChange', { textDocument: { uri: doc.uri, version }, contentChanges: changes });
  }

  function largeText(): CorpusDoc {
    const base = pick(xmlWithDevices);
    const disk = (i: number) => `    <disk type="file" device="disk">\n      <driver name="qemu" type="raw"/>\n      <source file="/var/lib/libvirt/images/c${i}.img"/>\n      <target dev="vd${i}" bus="virtio"/>\n    </disk>\n`;
    const target = 70_000 + int(130_000);
    const parts: string[] = [];
    for (let i = 0, n = base.text.length; n < target; i++) n += (parts[parts.length] = disk(i)).length;
    return { name: base.name, kind: 'xml', text: base.text.replace('</devices>', parts.join('') + '</devices>') };
  }

  // ---- operations
  async function open(): Promise<void> {
    const reopen = docs.size > 0 && chance(0.05);
    const large = !reopen && openLarge.size < 3 && chance(0.01);
    const src = large ? largeText() : pick(corpus);
    const uri = reopen
      ? pick([...docs.keys()])
      : src.kind === 'xml'
        ? `file:///chaos/d${++uriCounter}${pick(['', '-é', '%20x'])}.xml`
        : `file:///chaos/k${++uriCounter}/${src.name.endsWith('.toml.in') ? 'configuration-qemu.toml.in' : pick(['configuration.toml', 'configuration-qemu-snp.toml'])}`;
    const kind = reopen ? docs.get(uri)!.kind : src.kind;
    const text = reopen ? pick(corpus.filter((c) => c.kind === kind)).text : src.text;
    const crlf = chance(0.15);
    const body = crlf ? text.replace(/\r?\n/g, '\r\n') : text;
    if (chance(0.02)) {
      count('open-malformed');
      await notify('textDocument/didOpen', { textDocument: { uri, languageId: 'xml', version: pick(['1', null, 1.5]), text: body } });
      return;
    }
    count(large ? 'open-large' : reopen ? 'reopen' : 'open');
    const version = nextVersion();
    const doc: Doc = { uri, kind, version, synced: true, text: body };
    docs.set(uri, doc);
    if (large) openLarge.add(uri);
    remember(uri, version, body);
    stats.maxOpen = Math.max(stats.maxOpen, docs.size);
    await notify('textDocument/didOpen', { textDocument: { uri, languageId: kind, version, text: body } });
  }

  async function close(uri: string): Promise<void> {
    docs.delete(uri);
    openLarge.delete(uri);
    await notify('textDocument/didClose', { textDocument: { uri } });
  }

  async function change(doc: Doc): Promise<void> {
    const roll = rand();
    if (roll < (doc.synced ? 0.05 : 0.3)) {
      count('change-full');
      const src = pick(corpus.filter((c) => c.kind === doc.kind)).text;
      return sendChange(doc, nextVersion(), [{ text: chance(0.2) ? src.replace(/\n/g, '\r\n') : src }]);
    }
    if (roll < (doc.synced ? 0.1 : 0.35)) {
      count('change-malformed');
      const bad = pick<[unknown, unknown]>([
        [nextVersion(), [{ range: { start: { line: 0, character: null }, end: { line: 0, character: 0 } }, text: 'x' }]],
        [nextVersion(), [{ range: { start: { line: -1, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }]],
        [nextVersion(), [{ range: { start: { line: 0, character: 0.5 }, end: { line: 0, character: 1 } }, text: 'x' }]],
        [nextVersion(), [{ range: { start: { line: '0', character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }]],
        [nextVersion(), [{ range: { start: { line: 2, character: 0 }, end: { line: 1, character: 0 } }, text: 'x' }]],
        [nextVersion(), [{ range: null, text: 'x' }]],
        [nextVersion(), [{ text: 5 }]],
        [nextVersion(), { text: 'x' }],
        [doc.version, [{ text: 'stale' }]],
        [doc.version - 1, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'old' }]],
        [nextVersion() + 0.5, [{ text: 'x' }]],
        [null, [{ text: 'x' }]],
      ]);
      return sendChange(doc, bad[0], bad[1]);
    }
    count(doc.synced ? 'change' : 'change-out-of-sync');
    if (chance(0.4)) {
      // An edit that keeps the document parseable (a comment or a line break at the start of a line), so rules and fixes keep running.
      const t = TextDocument.create(doc.uri, 'x', 0, doc.text);
      const at = { line: int(t.lineCount), character: 0 };
      const eol = doc.text.includes('\r\n') ? '\r\n' : '\n';
      const text = pick(doc.kind === 'xml' ? ['<!-- é𝄞 -->' + eol, eol, '  ' + eol] : ['# é𝄞' + eol, eol]);
      return sendChange(doc, nextVersion(), [{ range: { start: at, end: at }, text }]);
    }
    if (chance(0.08)) {
      // Past the end, over as many lines as the text has line breaks: what used to leave holes in TextDocument's line index.
      const t = TextDocument.create(doc.uri, 'x', 0, doc.text);
      const k = int(4);
      const start = { line: t.lineCount + int(3), character: int(6) };
      const end = { line: start.line + k, character: int(6) };
      const text = Array.from({ length: k + 1 }, () => pick(doc.kind === 'xml' ? ['<!-- tail -->', '', ' '] : ['# tail', '', ' '])).join(pick(['\n', '\r\n']));
      count('change-past-end');
      return sendChange(doc, nextVersion(), [{ range: { start, end }, text }]);
    }
    const n = chance(0.2) ? 2 + int(4) : 1;
    const changes: unknown[] = [];
    let mirror = doc.text;
    for (let i = 0; i < n; i++) {
      const m: Doc = { ...doc, text: mirror };
      let r = randomRange(m);
      while (r.invalid) r = randomRange(m);
      const c = { range: r.range as Range, text: insertText(m) };
      changes.push(c);
      mirror = applyClamped(mirror, [c]);
    }
    return sendChange(doc, nextVersion(), changes);
  }

  async function hoverOrCompletion(method: 'textDocument/hover' | 'textDocument/completion', doc: Doc | undefined): Promise<void> {
    count(method.slice('textDocument/'.length));
    const uri = doc?.uri ?? `file:///chaos/closed${int(100)}.xml`;
    const p = doc ? randomPosition(doc) : { position: { line: int(5), character: int(5) }, invalid: false };
    const malformedDoc = chance(0.02);
    const params = malformedDoc ? { textDocument: pick([null, { uri: 5 }, 'x']), position: p.position } : { textDocument: { uri }, position: p.position };
    await request(method, params, { uri, invalid: p.invalid || malformedDoc }, (result, sent) => {
      if (result === null) return;
      if (!sent.doc || !sent.synced) return fail(`${method} answered for ${uri}, which is ${sent.doc ? 'out of sync' : 'not open'}`);
      const t = TextDocument.create(uri, 'x', 0, sent.text);
      if (method === 'textDocument/hover') {
        const h = result as Hover;
        if (h.range !== undefined) {
          stats.rangesChecked++;
          const problem = rangeProblem(t, h.range);
          if (problem) fail(`hover range in ${uri} v${sent.version}: ${problem}`);
        }
      } else {
        if (!Array.isArray(result)) return fail(`completion answered ${JSON.stringify(result).slice(0, 200)}`);
        for (const item of result as CompletionItem[]) {
          const edit = item.textEdit as TextEdit | undefined;
          if (!edit) continue;
          stats.rangesChecked++;
          const problem = rangeProblem(t, edit.range);
          if (problem) fail(`completion ${item.label} range in ${uri} v${sent.version}: ${problem}`);
        }
      }
    });
  }

  async function codeAction(doc: Doc | undefined): Promise<void> {
    count('codeAction');
    const uri = doc?.uri ?? `file:///chaos/closed${int(100)}.xml`;
    let invalid = false;
    let diagnostics: unknown[] = [];
    const last = doc?.lastDiagnostics;
    if (last && last.diagnostics.length > 0 && chance(0.85)) {
      const k = 1 + int(3);
      diagnostics = Array.from({ length: k }, () => pick(last.diagnostics));
      // Now and then without data (a client that drops it), or with a garbage version.
      if (chance(0.1)) diagnostics = diagnostics.map((d) => ({ ...(d as Diagnostic), data: undefined }));
      if (chance(0.05)) diagnostics = diagnostics.map((d) => ({ ...(d as Diagnostic), data: pick([null, 5, { version: 'x' }, { version: -1 }]) }));
    }
    if (chance(0.05)) diagnostics.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, source: 'other', code: 12, message: 'not ours' });
    if (chance(0.03)) {
      diagnostics.push(pick([null, 5, { range: null }, { range: { start: { line: -1, character: 0 }, end: { line: 0, character: 0 } } }]));
      invalid = true;
    }
    const r = doc ? randomRange(doc) : { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, invalid: false };
    invalid ||= r.invalid;
    const onlyRoll = rand();
    const only = onlyRoll < 0.35 ? undefined : onlyRoll < 0.95 ? pick([['quickfix'], ['source.fixAll'], [FIX_ALL], ['source'], ['refactor'], ['quickfix', FIX_ALL]]) : pick([5, 'quickfix', [1]]);
    if (onlyRoll >= 0.95) invalid = true;
    const context: Record<string, unknown> = { diagnostics };
    if (only !== undefined) context['only'] = only;
    const params = chance(0.02) ? { textDocument: { uri }, range: r.range, context: pick([null, 5, { diagnostics: 'x' }]) } : { textDocument: { uri }, range: r.range, context };
    if (params.context !== context) invalid = true;
    const wantsFixAll = Array.isArray(only) && only.some((k) => typeof k === 'string' && FIX_ALL.startsWith(k));
    await request('textDocument/codeAction', params, { uri, invalid }, (result, sent) => checkActions(result, sent, wantsFixAll));
  }

  function checkActions(result: unknown, sent: Sent, wantsFixAll: boolean): void {
    if (result === null) {
      if (sent.doc) fail(`codeAction answered null for open ${sent.uri}`);
      return;
    }
    if (!Array.isArray(result)) return fail(`codeAction answered ${JSON.stringify(result).slice(0, 200)}`);
    const actions = result as CodeAction[];
    if (!sent.doc) return fail(`codeAction answered ${actions.length} actions for ${sent.uri}, which is not open`);
    if (!sent.synced && actions.length > 0) return fail(`codeAction answered ${actions.length} actions for ${sent.uri}, which is out of sync`);
    let fixAllAction: CodeAction | undefined;
    for (const a of actions) {
      if (a.command) {
        const arg: unknown = a.command.arguments?.[0];
        if (a.command.command === 'sevlint.server.showDocumentation' && !(typeof arg === 'string' && RULE_IDS.includes(arg))) fail(`documentation action for ${JSON.stringify(arg)}`);
      }
      if (!a.edit) {
        // Fix-all offered to a lightbulb request: its edit comes from codeAction/resolve, checked like any other.
        if (a.kind === FIX_ALL) {
          count('resolve-fix-all');
          void request('codeAction/resolve', a, { uri: sent.uri, invalid: false }, (r, again) => checkActions([r], again, true));
        }
        continue;
      }
      count(a.kind === FIX_ALL ? 'answer-fix-all' : 'answer-quick-fix');
      if (a.kind === FIX_ALL) fixAllAction = a;
      if (a.edit.changes !== undefined) fail('edit without a version (changes) for a client that takes documentChanges');
      const dcs = (a.edit.documentChanges ?? []) as TextDocumentEdit[];
      if (dcs.length !== 1) return fail(`${dcs.length} documentChanges in one action`);
      const dc = dcs[0]!;
      if (dc.textDocument.uri !== sent.uri) fail(`an edit for ${dc.textDocument.uri} from a code action on ${sent.uri}`);
      if (dc.textDocument.version !== sent.version) fail(`an edit names version ${dc.textDocument.version}, the request was sent at ${sent.version}`);
      const h = history.get(dc.textDocument.version ?? -1);
      if (!h) {
        if ((dc.textDocument.version ?? 0) > lastVersion - 4000) fail(`an edit names version ${dc.textDocument.version}, which the client never sent`);
        continue;
      }
      stats.editsChecked++;
      const applied = applyStrict(h.text, dc.edits);
      if ('problem' in applied) {
        fail(`${a.title}: the edit does not apply to ${sent.uri} v${dc.textDocument.version}: ${applied.problem}`);
        continue;
      }
      if (a.kind === 'quickfix') {
        for (const d of (a.diagnostics ?? [])) {
          const dv = isRecord(d.data) ? d.data['version'] : undefined;
          if (dv !== undefined && dv !== dc.textDocument.version) fail(`a fix for a diagnostic of version ${JSON.stringify(dv)} on version ${dc.textDocument.version}`);
        }
      }
      // Now and then, apply it (as incremental changes, last first) and let the server lint the result.
      const current = docs.get(sent.uri!);
      if (current && current.synced && current.version === dc.textDocument.version && onAnswer() < 0.3) {
        const t = TextDocument.create(sent.uri!, 'x', 0, current.text);
        const edits = [...(dc.edits as TextEdit[])].sort((x, y) => t.offsetAt(y.range.start) - t.offsetAt(x.range.start));
        const expected = applied.text;
        applyDidChange(current, nextVersion(), edits.map((e) => ({ range: e.range, text: e.newText })));
        if (current.text !== expected) fail(`${a.title}: applying its edits one by one gives another text than applying them at once`);
        stats.fixesApplied++;
        void notify('textDocument/didChange', { textDocument: { uri: current.uri, version: current.version }, contentChanges: edits.map((e) => ({ range: e.range, text: e.newText })) });
      }
    }
    // Fix-all against the core, when the settings the server used are known.
    if (wantsFixAll && sent.synced && sent.epoch === epoch && configMode === 'normal' && sent.text.length < 64 * 1024) {
      const eff = readSettings(settings);
      if (!eff.enable || sent.text.length > eff.maxFileSize) {
        if (fixAllAction) fail('fix-all offered while sevlint is disabled or the document too large');
        return;
      }
      const want = fixAll(sent.text, lintOptions(eff, fileNameOf(sent.uri!))).text;
      stats.fixAllCompared++;
      const dc = fixAllAction ? ((fixAllAction.edit!.documentChanges ?? []) as TextDocumentEdit[])[0] : undefined;
      const got = dc ? applyStrict(sent.text, dc.edits) : { text: sent.text };
      if (!('text' in got) || got.text !== want) fail(`fix-all of ${sent.uri} v${sent.version} differs from the core's fixAll`);
    }
  }

  async function executeCommand(): Promise<void> {
    count('executeCommand');
    const valid = chance(0.3);
    const params = valid
      ? { command: 'sevlint.server.showDocumentation', arguments: [chance(0.5) ? pick(RULE_IDS) : docsUrl(pick(RULE_IDS))] }
      : pick<unknown>([
          { command: 'sevlint.server.showDocumentation', arguments: ['https://example.com/'] },
          { command: 'sevlint.server.showDocumentation', arguments: [docsUrl('nope')] },
          { command: 'sevlint.server.showDocumentation', arguments: ['file:///etc/passwd'] },
          { command: 'sevlint.server.showDocumentation', arguments: [null] },
          { command: 'sevlint.server.showDocumentation', arguments: 'sev-virtio-iommu' },
          { command: 'sevlint.server.showDocumentation' },
          { command: 'sevlint.disableRule', arguments: ['sev-virtio-iommu'] },
          { command: 5 },
          {},
        ]);
    await request('workspace/executeCommand', params, { invalid: !valid }, () => undefined);
  }

  async function configure(): Promise<void> {
    count('configuration');
    epoch++;
    const roll = rand();
    settings = roll < 0.45 ? calmSettings : garbageSettings(rand);
    configMode = chance(0.9) ? 'normal' : chance(0.5) ? 'not-an-array' : 'error';
    await notify('workspace/didChangeConfiguration', { settings: chance(0.5) ? null : { sevlint: garbageSettings(rand) } });
    const e = epoch;
    void conn.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///chaos/none.xml' }, position: { line: 0, character: 0 } }).then(() => {
      if (epoch === e) settled = e;
    });
  }

  async function garbageRequest(): Promise<void> {
    count('garbage');
    const [method, params, invalid] = pick<[string, unknown, boolean]>([
      ['sevlint/unknown', {}, false],
      ['textDocument/hover', 'x', true],
      ['textDocument/completion', [1, 2, 3], true],
      ['textDocument/codeAction', null, true],
      ['textDocument/hover', { textDocument: { uri: 5 }, position: { line: 0, character: 0 } }, true],
      ['textDocument/hover', { position: { line: 0, character: 0 } }, true],
    ]);
    await request(method, params, { invalid }, () => undefined);
  }

  async function closeAll(): Promise<void> {
    for (const uri of [...docs.keys()]) await close(uri);
    await Promise.all(pending);
    // Let the server settle, then read its memory.
    await conn.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///chaos/none.xml' }, position: { line: 0, character: 0 } });
    await new Promise((r) => setTimeout(r, 500));
    stats.rssAfterCloseMb.push(rssMb(server.pid!));
  }

  // ---- the run
  const t0 = performance.now();
  try {
    await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, workspaceEdit: { documentChanges: true } },
        window: { showDocument: { support: true } },
        textDocument: { publishDiagnostics: { versionSupport: true }, codeAction: { resolveSupport: { properties: ['edit'] } } },
      },
      initializationOptions: { clientCommands: ['sevlint.disableRule'] },
    });
    await conn.sendNotification('initialized', {});
    const perRound = Math.ceil(o.ops / o.rounds);
    for (let i = 0; i < o.ops && !exited; i++) {
      stats.ops = i + 1;
      const open_ = [...docs.values()];
      const any = () => (open_.length > 0 && chance(0.95) ? pick(open_) : undefined);
      const w = rand();
      const openWeight = docs.size < o.maxOpen ? 0.2 : 0;
      // With nothing to act on: open a document while there is room, else ask about one that is not open.
      const instead = () => (docs.size < o.maxOpen ? open() : hoverOrCompletion('textDocument/hover', undefined));
      if (w < openWeight) await open();
      else if (w < openWeight + 0.05) {
        if (open_.length > 0) {
          count('close');
          await close(pick(open_).uri);
        } else await instead();
      } else if (w < openWeight + 0.35) {
        const d = any();
        await (d ? change(d) : instead());
      } else if (w < openWeight + 0.47) await hoverOrCompletion('textDocument/hover', any());
      else if (w < openWeight + 0.59) await hoverOrCompletion('textDocument/completion', any());
      else if (w < openWeight + 0.75) {
        // Mostly on a document whose last diagnostics are of its current version, as an editor asks.
        const fresh = open_.filter((d) => d.synced && d.lastDiagnostics?.version === d.version && d.lastDiagnostics.diagnostics.length > 0);
        await codeAction(fresh.length > 0 && chance(0.7) ? pick(fresh) : any());
      } else if (w < openWeight + 0.77) await executeCommand();
      else if (w < openWeight + 0.785) await configure();
      else if (w < openWeight + 0.8) await garbageRequest();
      else {
        const d = any();
        await (d ? change(d) : instead());
      }
      if (i % 100 === 0) {
        stats.maxRssMb = Math.max(stats.maxRssMb, rssMb(server.pid!));
        o.onProgress?.(stats);
      }
      if ((i + 1) % perRound === 0 || i + 1 === o.ops) {
        count('round');
        await closeAll();
      }
    }
    await Promise.all(pending);
    stats.maxRssMb = Math.max(stats.maxRssMb, rssMb(server.pid!), ...stats.rssAfterCloseMb);
    stats.serverCpuSeconds = cpuSeconds(server.pid!);
    // Still there, and still right: a fresh document gets its diagnostics.
    settings = calmSettings;
    configMode = 'normal';
    await conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const uri = 'file:///chaos/final.xml';
    const text = fs.readFileSync(path.join(ROOT, 'examples', 'domain', 'sev-es-as-generated.xml'), 'utf8');
    const version = nextVersion();
    remember(uri, version, text);
    const got = new Promise<PublishDiagnosticsParams>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no diagnostics for a fresh document within 20 s')), 20_000);
      conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
        checkDiagnostics(p);
        if (p.uri === uri && p.version === version) {
          clearTimeout(timer);
          resolve(p);
        }
      });
    });
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'xml', version, text } });
    const final = await got.catch((e: Error) => (fail(e.message), undefined));
    if (final && !final.diagnostics.some((d) => d.code === 'sev-virtio-iommu')) fail('the final document lacks its sev-virtio-iommu diagnostics');
  } catch (e) {
    fail(`the run stopped: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    stats.seconds = (performance.now() - t0) / 1000;
    if (exited) fail(exited);
    if (stats.maxRssMb > o.rssLimitMb) fail(`the server's resident memory reached ${stats.maxRssMb.toFixed(0)} MB (limit ${o.rssLimitMb} MB)`);
    const [first, ...rest] = stats.rssAfterCloseMb;
    for (const [k, r] of rest.entries()) {
      if (first !== undefined && r > first * 1.5 + 50) fail(`after round ${k + 2} the server holds ${r.toFixed(0)} MB with every document closed, after round 1 ${first.toFixed(0)} MB`);
    }
    conn.dispose();
    server.kill();
  }
  return stats;
}
