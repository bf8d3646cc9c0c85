/**
 * What the language server guarantees a misbehaving or hostile client, each
 * over stdio against the built server: the LSP lifecycle (raw JSON-RPC, so
 * every code is exact), the transports it accepts, document sync with changes
 * past the end or malformed, garbage settings, versioned edits and stale
 * diagnostics, the documentation command, and long work on a large document
 * that never holds up other documents.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LSPErrorCodes, type CodeAction, type Diagnostic, type Position, type PublishDiagnosticsParams, type TextDocumentEdit } from 'vscode-languageserver-protocol';
import { fixAll as coreFixAll, fixRule as coreFixRule, lint } from '../../server/src/linter';
import { SERVER_NODE_FLAGS } from '../../server/src/lsp/heap';
import { DEFAULT_SETTINGS, MAX_DEBOUNCE_MS, readSettings } from '../../server/src/lsp/settings';
import { docsUrl } from '../../server/src/rules/docs';
import { ROOT } from '../support/fixtures';
import { LspClient } from '../support/lsp-client';

const BIN = path.join(ROOT, 'bin', 'sevlint-language-server');
const domainText = fs.readFileSync(path.join(ROOT, 'examples', 'domain', 'sev-es-as-generated.xml'), 'utf8');

interface RawMessage {
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/** JSON-RPC over the server's stdio with nothing in between: every message as sent and received. */
class RawServer {
  private readonly proc = spawn(process.execPath, [BIN, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  private buf = Buffer.alloc(0);
  readonly received: RawMessage[] = [];
  private readonly waiters: { pred: (m: RawMessage) => boolean; resolve: (m: RawMessage) => void }[] = [];
  readonly exit: Promise<number | null>;

  constructor() {
    this.proc.stderr.resume();
    this.exit = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
    this.proc.stdout.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const h = this.buf.indexOf('\r\n\r\n');
        if (h < 0) return;
        const len = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, h).toString())![1]);
        if (this.buf.length < h + 4 + len) return;
        const m = JSON.parse(this.buf.subarray(h + 4, h + 4 + len).toString('utf8')) as RawMessage;
        this.buf = this.buf.subarray(h + 4 + len);
        this.received.push(m);
        for (const w of [...this.waiters]) {
          if (w.pred(m)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(m);
          }
        }
      }
    });
  }

  send(m: RawMessage): void {
    const s = JSON.stringify({ jsonrpc: '2.0', ...m });
    this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(s)}\r\n\r\n${s}`);
  }

  private wait(pred: (m: RawMessage) => boolean, what: string): Promise<RawMessage> {
    const seen = this.received.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10_000);
      this.waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  private nextId = 1;
  /** Sends a request and returns its response. */
  async request(method: string, params?: unknown): Promise<RawMessage> {
    const id = this.nextId++;
    this.send(params === undefined ? { id, method } : { id, method, params });
    return this.wait((m) => m.id === id && m.method === undefined, `answer to ${method}`);
  }

  async code(method: string, params?: unknown): Promise<number | 'result'> {
    const r = await this.request(method, params);
    return r.error ? r.error.code : 'result';
  }

  kill(): void {
    this.proc.kill();
  }
}

const hoverParams = (uri: string, line = 0, character = 1) => ({ textDocument: { uri }, position: { line, character } });

describe('language server lifecycle (raw JSON-RPC)', () => {
  it('ServerNotInitialized before initialize (notifications dropped), InvalidParams for a malformed initialize, InvalidRequest for a second one', async () => {
    const s = new RawServer();
    try {
      const uri = 'file:///w/early.xml';
      assert.equal(await s.code('textDocument/hover', hoverParams(uri)), -32002);
      assert.equal(await s.code('shutdown'), -32002);
      assert.equal(await s.code('sevlint/unknown', {}), -32002);
      s.send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'xml', version: 1, text: domainText } } });
      for (const bad of [null, 5, [], {}, { capabilities: 'all' }, { capabilities: {}, processId: 'me' }]) {
        assert.equal(await s.code('initialize', bad), -32602, JSON.stringify(bad));
      }
      assert.equal(await s.code('textDocument/hover', hoverParams(uri)), -32002, 'a malformed initialize initializes nothing');
      assert.equal(await s.code('initialize', { processId: null, rootUri: null, capabilities: {} }), 'result');
      s.send({ method: 'initialized', params: {} });
      assert.equal(await s.code('initialize', { processId: null, rootUri: null, capabilities: {} }), -32600);
      // The didOpen sent before initialize was dropped: the server does not know the document.
      assert.equal((await s.request('textDocument/hover', hoverParams(uri))).result, null);
      assert.ok(!s.received.some((m) => m.method === 'textDocument/publishDiagnostics'));
    } finally {
      s.kill();
    }
  });

  it('params that are not an object get InvalidParams, not InternalError; a malformed $/cancelRequest is dropped', async () => {
    const s = new RawServer();
    try {
      await s.request('initialize', { processId: null, rootUri: null, capabilities: {} });
      s.send({ method: 'initialized', params: {} });
      s.send({ method: '$/cancelRequest' });
      s.send({ method: '$/cancelRequest', params: null });
      s.send({ method: 'textDocument/didOpen', params: [1, 2] });
      for (const method of ['textDocument/hover', 'textDocument/completion', 'textDocument/codeAction', 'workspace/executeCommand']) {
        for (const params of [null, 7, 'x', [1, 2], [{ textDocument: { uri: 'file:///a.xml' } }]]) {
          assert.equal(await s.code(method, params), -32602, `${method} ${JSON.stringify(params)}`);
        }
        assert.equal(await s.code(method), -32602, `${method} without params`);
      }
      for (const position of [null, 'x', { line: -1, character: 0 }, { line: 0.5, character: 0 }, { line: '1', character: 0 }, { line: 0 }]) {
        assert.equal(await s.code('textDocument/hover', { textDocument: { uri: 'file:///a.xml' }, position }), -32602, JSON.stringify(position));
      }
      assert.equal(await s.code('textDocument/codeAction', { textDocument: { uri: 'file:///a.xml' }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [{ range: null }] } }), -32602);
      assert.equal(await s.code('$/sevlint/refused', {}), -32601, 'the internal method cannot be called from outside');
      assert.ok(!s.received.some((m) => m.error?.code === -32603), 'no InternalError');
    } finally {
      s.kill();
    }
  });

  it('after shutdown every request gets InvalidRequest, and exit ends the process with status 0', async () => {
    const s = new RawServer();
    await s.request('initialize', { processId: null, rootUri: null, capabilities: {} });
    s.send({ method: 'initialized', params: {} });
    assert.equal(await s.code('shutdown'), 'result');
    for (const [method, params] of [
      ['textDocument/hover', hoverParams('file:///a.xml')],
      ['shutdown', undefined],
      ['initialize', { processId: null, capabilities: {} }],
      ['sevlint/unknown', {}],
    ] as const) {
      assert.equal(await s.code(method, params), -32600, method);
    }
    s.send({ method: 'exit' });
    assert.equal(await s.exit, 0);
  });
});

describe('language server transports', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input: '', timeout: 10_000 });
  it('--socket and --pipe are refused (stdio and node IPC only), as are unknown arguments', () => {
    for (const args of [['--socket=6009'], ['--socket', '6009'], ['--pipe=/tmp/sevlint.sock'], ['--stdio', '--node-ipc'], ['--tcp'], ['--clientProcessId']]) {
      const r = run(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /^sevlint-language-server: .+\nUsage: sevlint-language-server \[--stdio \| --node-ipc\]/, r.stderr);
    }
    assert.match(run('--socket=6009').stderr, /--socket is not supported: sevlint-language-server speaks LSP over --stdio or --node-ipc only/);
  });
  it("starts node with the server's heap flags (lsp/heap.ts), run as a program", () => {
    const first = fs.readFileSync(BIN, 'utf8').split('\n')[0];
    assert.equal(first, `#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(' ')}`);
    if (process.platform === 'win32') return;
    const r = spawnSync(BIN, ['--help'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, `${String(r.error ?? '')} ${r.stderr}`);
    assert.match(r.stdout, /^Usage: sevlint-language-server/);
  });
  it('--help prints the usage; --stdio with --clientProcessId starts (and ends with its input)', () => {
    const help = run('--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: sevlint-language-server/);
    const r = run('--stdio', `--clientProcessId=${process.pid}`);
    assert.equal(r.stderr, '');
    assert.equal(r.status, 1, 'stdin closed without shutdown: exit status 1, as LSP specifies');
  });
});

/** Every position of `diagnostics` is an integer position inside `text` (a character at most the length of its line). */
function assertInside(text: string, diagnostics: readonly Diagnostic[]): void {
  const lines = text.split(/\r\n|\r|\n/);
  const check = (p: Position, what: string) => {
    assert.ok(Number.isInteger(p.line) && Number.isInteger(p.character), `${what}: ${JSON.stringify(p)}`);
    assert.ok(p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line]!.length, `${what} outside the document: ${JSON.stringify(p)}`);
  };
  for (const d of diagnostics) {
    check(d.range.start, `${d.code} start`);
    check(d.range.end, `${d.code} end`);
  }
}

/** The diagnostics the core finds in `text`, as LSP ranges: what the server must publish when its copy is `text`. */
function expectedRanges(uri: string, text: string): string[] {
  const doc = TextDocument.create(uri, 'xml', 0, text);
  return lint(text, { fileName: new URL(uri).pathname }).findings.map((f) => `${f.ruleId} ${JSON.stringify({ start: doc.positionAt(f.span.start), end: doc.positionAt(f.span.end) })}`);
}
const publishedRanges = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => `${d.code} ${JSON.stringify(d.range)}`);

describe('language server document sync', () => {
  let client: LspClient;
  before(async () => {
    client = new LspClient({ validate: { debounceMs: 0 } });
    await client.initialize();
  });
  after(() => client.dispose());

  it('a change past the end is clamped: later diagnostics have integer positions inside the document, the same as the core finds', async () => {
    const uri = 'file:///w/past-end.xml';
    let doc = TextDocument.create(uri, 'xml', 0, domainText);
    const first = client.nextDiagnostics(uri, 10_000);
    doc = TextDocument.create(uri, 'xml', client.open(uri, domainText), domainText);
    await first;
    // An insertion at line 999 (past the end): LSP reads it as the end of the document.
    const past = { range: { start: { line: 999, character: 5 }, end: { line: 1005, character: 0 } }, text: '\n<!-- appended -->\n' };
    const mirror = (change: { range: { start: Position; end: Position }; text: string }) => {
      const start = doc.offsetAt(change.range.start);
      const end = doc.offsetAt(change.range.end);
      const text = doc.getText();
      doc = TextDocument.create(uri, 'xml', doc.version + 1, text.slice(0, start) + change.text + text.slice(end));
    };
    mirror(past);
    const v2 = client.nextDiagnostics(uri, 10_000, (p) => p.version === doc.version);
    client.change(uri, doc.version, [past]);
    const p2 = await v2;
    assertInside(doc.getText(), p2.diagnostics);
    assert.deepEqual(publishedRanges(p2), expectedRanges(uri, doc.getText()));
    // A character past the end of a line, then an ordinary edit after it: the server's copy still matches.
    for (const change of [
      { range: { start: { line: 0, character: 500 }, end: { line: 0, character: 900 } }, text: ' ' },
      { range: { start: { line: 15, character: 4 }, end: { line: 15, character: 4 } }, text: '<!-- x -->\r\n    ' },
    ]) {
      mirror(change);
      const next = client.nextDiagnostics(uri, 10_000, (p) => p.version === doc.version);
      client.change(uri, doc.version, [change]);
      const p = await next;
      assertInside(doc.getText(), p.diagnostics);
      assert.deepEqual(publishedRanges(p), expectedRanges(uri, doc.getText()));
    }
  });

  it('a malformed change puts the document out of sync (one notice, no hover or edits) until its whole text is sent again', async () => {
    const uri = 'file:///w/out-of-sync.xml';
    const first = client.nextDiagnostics(uri, 10_000);
    const v = client.open(uri, domainText);
    assert.ok((await first).diagnostics.length > 1);
    const notice = client.nextDiagnostics(uri, 10_000);
    client.change(uri, v + 1, [{ range: { start: { line: 0, character: null }, end: { line: 0, character: 0 } }, text: 'x' }]);
    const p = await notice;
    assert.equal(p.version, undefined);
    assert.equal(p.diagnostics.length, 1);
    assert.deepEqual(p.diagnostics[0]!.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    assert.match(p.diagnostics[0]!.message, /sevlint stopped checking this document/);
    assert.ok(client.logs.some((l) => l.includes(`${uri} is out of sync`) && l.includes('character must be an integer of 0 or more, got null')));
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 20 } }, 5000), null);
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } }, 5000);
    assert.deepEqual(actions, []);
    // An incremental change cannot help; a full one can.
    client.change(uri, v + 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' }]);
    const back = client.nextDiagnostics(uri, 10_000, (x) => x.version === v + 3);
    client.change(uri, v + 3, [{ text: domainText }]);
    assert.deepEqual(publishedRanges(await back), expectedRanges(uri, domainText));
  });

  it('a stale or repeated version is refused the same way', async () => {
    const uri = 'file:///w/stale.xml';
    const first = client.nextDiagnostics(uri, 10_000);
    const v = client.open(uri, domainText);
    await first;
    const notice = client.nextDiagnostics(uri, 10_000, (p) => p.version === undefined);
    client.change(uri, v, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' }]);
    await notice;
    assert.ok(client.logs.some((l) => l.includes(`${uri} is out of sync`) && l.includes(`version ${v} is not newer than ${v}`)));
  });
});

describe('language server settings', () => {
  let client: LspClient;
  const uri = 'file:///w/settings.xml';
  before(async () => {
    client = new LspClient({ validate: { debounceMs: 0 } });
    await client.initialize();
    const first = client.nextDiagnostics(uri, 10_000);
    client.open(uri, domainText);
    await first;
  });
  after(() => client.dispose());

  it('reads garbage settings safely: wrong types fall back to defaults, numbers are kept in range', async () => {
    assert.equal(readSettings({ validate: { debounceMs: 1e12 } }).validate.debounceMs, MAX_DEBOUNCE_MS);
    assert.equal(readSettings({ validate: { debounceMs: -5 } }).validate.debounceMs, DEFAULT_SETTINGS.validate.debounceMs);
    assert.equal(readSettings({ maxFileSize: -1 }).maxFileSize, DEFAULT_SETTINGS.maxFileSize);
    assert.equal(readSettings({ maxFileSize: 0.5 }).maxFileSize, DEFAULT_SETTINGS.maxFileSize);
    assert.equal(readSettings({ enable: 'yes' }).enable, true);
    assert.deepEqual({ ...readSettings({ rules: 5 }).rules }, {});
    assert.deepEqual({ ...readSettings({ rules: { a: 'off', b: 7, c: null, ['__proto__']: 'off' } }).rules }, { a: 'off', ['__proto__']: 'off' });
    assert.equal(readSettings({ target: { qemu: '8'.repeat(100) } }).target.qemu, '');
    for (const raw of [null, 5, 'x', [], { target: null, validate: null, rules: null }, { enable: null }]) assert.doesNotThrow(() => readSettings(raw), JSON.stringify(raw));
    // Over LSP: the garbage is answered to workspace/configuration, and diagnostics keep coming.
    client.settings = { enable: 'yes', rules: 5, maxFileSize: -1, validate: { debounceMs: 'soon', nested: { x: null } }, target: null };
    const again = client.nextDiagnostics(uri, 10_000, (p) => p.diagnostics.length > 0);
    void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { sevlint: null } });
    await again;
    client.settings = { validate: { debounceMs: 0 } };
  });
});

describe('language server edits and commands', () => {
  let client: LspClient;
  const uri = 'file:///w/versioned.xml';
  let opened = 0;
  before(async () => {
    client = new LspClient({ validate: { debounceMs: 0 } });
    await client.initialize({ workspace: { configuration: true, workspaceEdit: { documentChanges: true } }, window: { showDocument: { support: true } } });
    const first = client.nextDiagnostics(uri, 10_000);
    opened = client.open(uri, domainText);
    await first;
  });
  after(() => client.dispose());

  const codeActions = (diagnostics: Diagnostic[], only?: string[]) =>
    client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics, ...(only ? { only } : {}) } }, 20_000);

  it('returns edits as documentChanges naming the version they were computed for', async () => {
    const p = client.published.filter((x) => x.uri === uri).at(-1)!;
    const d = p.diagnostics.find((x) => x.code === 'sev-virtio-iommu')!;
    const withEdits = [...(await codeActions([d])), ...(await codeActions([], ['source.fixAll']))].filter((a) => a.edit);
    // The fix, "Fix all sev-virtio-iommu problems in this file", "Disable sev-virtio-iommu for this line", fix-all.
    assert.deepEqual(withEdits.map((a) => a.kind), ['quickfix', 'quickfix', 'quickfix', 'source.fixAll.sevlint']);
    for (const a of withEdits) {
      assert.equal(a.edit!.changes, undefined);
      const [change] = a.edit!.documentChanges as TextDocumentEdit[];
      assert.deepEqual(change!.textDocument, { uri, version: opened });
      const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'xml', opened, domainText), change!.edits);
      assert.notEqual(fixed, domainText);
    }
  });

  it('offers no fix for a diagnostic of an older version (its range is in another text), only its documentation', async () => {
    const stale = client.published.filter((x) => x.uri === uri).at(-1)!;
    const d = stale.diagnostics.find((x) => x.code === 'sev-virtio-iommu')!;
    // Insert a line above it: the old range now points at other text; the new version is not linted yet when asked.
    const next = client.nextDiagnostics(uri, 10_000, (x) => x.version === opened + 1);
    client.change(uri, opened + 1, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '  <!-- moved -->\n' }]);
    const actions = await codeActions([d], ['quickfix']);
    assert.deepEqual(actions.map((a) => a.title), ['Show documentation for sev-virtio-iommu']);
    // The same diagnostic with the current version gets its fix, on the current text.
    const fresh = await next;
    const now = fresh.diagnostics.find((x) => x.code === 'sev-virtio-iommu')!;
    const current = await codeActions([now], ['quickfix']);
    const fix = current.find((a) => a.edit)!;
    assert.equal((fix.edit!.documentChanges![0] as TextDocumentEdit).textDocument.version, opened + 1);
  });

  it('sevlint.server.showDocumentation opens only the documentation of a sevlint rule', async () => {
    const exec = (args: unknown) => client.request('workspace/executeCommand', { command: 'sevlint.server.showDocumentation', arguments: args }, 5000);
    await exec(['sev-virtio-iommu']);
    await exec([docsUrl('kata-swiotlb')]);
    assert.deepEqual(client.shown, [docsUrl('sev-virtio-iommu'), docsUrl('kata-swiotlb')]);
    for (const args of [['https://example.com/'], ['file:///etc/passwd'], ['no-such-rule'], [docsUrl('no-such-rule')], [docsUrl('sev-virtio-iommu') + '?x'], ['command:workbench.action.terminal.new'], [5], [], 'sev-virtio-iommu', null]) {
      await assert.rejects(exec(args), (e: { code?: number }) => e.code === -32602, JSON.stringify(args));
    }
    await assert.rejects(client.request('workspace/executeCommand', { command: 'sevlint.other', arguments: [] }, 5000), (e: { code?: number }) => e.code === -32602);
    assert.equal(client.shown.length, 2, 'nothing else was shown');
  });
});

/** A domain of about `bytes` characters: the example with virtio disks (each one a sev-virtio-iommu finding with a fix) added. */
function largeDomain(bytes: number): string {
  const disks: string[] = [];
  let size = domainText.length;
  for (let i = 0; size < bytes; i++) {
    const d = `    <disk type="file" device="disk">\n      <driver name="qemu" type="raw"/>\n      <source file="/var/lib/libvirt/images/d${i}.img"/>\n      <target dev="vd${i}" bus="virtio"/>\n    </disk>\n`;
    disks.push(d);
    size += d.length;
  }
  return domainText.replace('  </devices>', disks.join('') + '  </devices>');
}

describe('language server long work', () => {
  let client: LspClient;
  const big = 'file:///w/large.xml';
  const small = 'file:///w/small.xml';
  const bigText = largeDomain(1_500_000);
  before(async () => {
    client = new LspClient({ validate: { debounceMs: 0 } });
    await client.initialize();
    const a = client.nextDiagnostics(big, 60_000);
    const b = client.nextDiagnostics(small, 60_000);
    client.open(big, bigText);
    client.open(small, domainText);
    await Promise.all([a, b]);
  });
  after(() => client.dispose());

  it('a fix-all of a 1.5 MB document runs off the main loop: a hover on another document sent after it is answered first', async () => {
    const smallDoc = TextDocument.create(small, 'xml', 0, domainText);
    const t0 = performance.now();
    let fixAllAt = 0;
    let hoverAt = 0;
    const fix = client
      .request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: big }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } }, 60_000)
      .then((r) => ((fixAllAt = performance.now() - t0), r));
    const h = client
      .request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: small }, position: smallDoc.positionAt(domainText.indexOf('0x07') + 1) }, 60_000)
      .then((r) => ((hoverAt = performance.now() - t0), r));
    const completion = client.request<unknown[]>('textDocument/completion', { textDocument: { uri: small }, position: smallDoc.positionAt(domainText.indexOf('<policy>')) }, 60_000);
    const [actions, hovered, items] = await Promise.all([fix, h, completion]);
    assert.match(hovered.contents.value, /NODBG/);
    assert.ok(items.length > 0);
    assert.equal(actions.length, 1);
    assert.ok(hoverAt < fixAllAt, `hover answered after ${hoverAt.toFixed(0)} ms, fix-all after ${fixAllAt.toFixed(0)} ms`);
    assert.ok(hoverAt * 5 < fixAllAt, `hover ${hoverAt.toFixed(0)} ms is not a fifth of the fix-all's ${fixAllAt.toFixed(0)} ms`);
    console.log(`# long work: hover on a small document ${hoverAt.toFixed(1)} ms, fix-all of ${bigText.length} characters ${fixAllAt.toFixed(0)} ms`);
  });

  it('a running fix-all that is cancelled gets RequestCancelled at once; its worker stops at the end of the pass and takes the next request', async () => {
    const source = new CancellationTokenSource();
    const pending = client.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: big }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } }, source.token);
    const doc = TextDocument.create(big, 'xml', 0, bigText);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const t0 = performance.now();
    source.cancel();
    await assert.rejects(pending, (e: { code?: number }) => e.code === -32800);
    const cancelledIn = performance.now() - t0;
    // A hover on the large document runs in the same worker: answered once the cancelled pass ends.
    const hovered = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: big }, position: doc.positionAt(bigText.indexOf('0x07') + 1) }, 60_000);
    const hoverIn = performance.now() - t0;
    assert.match(hovered.contents.value, /NODBG/);
    assert.ok(cancelledIn < hoverIn, `cancelled in ${cancelledIn.toFixed(0)} ms, the next job on the worker in ${hoverIn.toFixed(0)} ms`);
    console.log(`# long work: cancellation answered in ${cancelledIn.toFixed(1)} ms; the worker's next job (a hover) in ${hoverIn.toFixed(0)} ms`);
  });
});

describe('fix-all on demand', () => {
  let client: LspClient;
  const uri = 'file:///w/lazy.xml';
  let opened = 0;
  before(async () => {
    client = new LspClient({ validate: { debounceMs: 0 } });
    await client.initialize({
      workspace: { configuration: true, workspaceEdit: { documentChanges: true } },
      textDocument: { codeAction: { resolveSupport: { properties: ['edit'] } } },
    });
    const first = client.nextDiagnostics(uri, 10_000);
    opened = client.open(uri, domainText);
    await first;
  });
  after(() => client.dispose());

  const lightbulb = () =>
    client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } }, 20_000);

  it('a request without `only` (the lightbulb) gets fix-all without its edit; codeAction/resolve computes it', async () => {
    const actions = await lightbulb();
    const fixAll = actions.find((a) => a.kind === 'source.fixAll.sevlint');
    assert.ok(fixAll, actions.map((a) => a.title).join(' | '));
    assert.equal(fixAll.edit, undefined, 'no fix-all is computed for a lightbulb request');
    const resolved = await client.request<CodeAction>('codeAction/resolve', fixAll, 20_000);
    const [change] = resolved.edit!.documentChanges as TextDocumentEdit[];
    assert.deepEqual(change!.textDocument, { uri, version: opened });
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'xml', opened, domainText), change!.edits);
    assert.equal(fixed, coreFixAll(domainText, { fileName: '/w/lazy.xml' }).text, 'the same text as the core fix-all');
  });

  it('"Fix all RULE problems in this file" next to a fix comes without its edit; codeAction/resolve computes that rule\'s fix-all', async () => {
    const published = client.published.filter((p) => p.uri === uri).at(-1)!;
    const d = published.diagnostics.find((x) => x.code === 'sev-virtio-iommu')!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } }, 20_000);
    const ruleFix = actions.find((a) => a.title === 'Fix all sev-virtio-iommu problems in this file');
    assert.ok(ruleFix, actions.map((a) => a.title).join(' | '));
    assert.equal(actions.indexOf(ruleFix), 1, 'right after the fix of the finding');
    assert.equal(ruleFix.kind, 'quickfix');
    assert.equal(ruleFix.edit, undefined);
    const resolved = await client.request<CodeAction>('codeAction/resolve', ruleFix, 20_000);
    const [change] = resolved.edit!.documentChanges as TextDocumentEdit[];
    assert.deepEqual(change!.textDocument, { uri, version: opened });
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'xml', opened, domainText), change!.edits);
    assert.equal(fixed, coreFixRule(domainText, 'sev-virtio-iommu', { fileName: '/w/lazy.xml' }).text);
    assert.notEqual(fixed, coreFixAll(domainText, { fileName: '/w/lazy.xml' }).text, 'only that rule is fixed');
    // A rule with a single fixable finding gets no such action.
    const single = published.diagnostics.find((x) => x.code === 'sev-memory-hard-limit');
    if (single) {
      const other = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: single.range, context: { diagnostics: [single] } }, 20_000);
      assert.ok(!other.some((a) => / problems in this file$/.test(a.title)), other.map((a) => a.title).join(' | '));
    }
  });

  it('resolving it after the document changed is ContentModified, never an edit for another text', async () => {
    const fixAll = (await lightbulb()).find((a) => a.kind === 'source.fixAll.sevlint')!;
    client.change(uri, opened + 1, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '  <!-- moved -->\n' }]);
    await assert.rejects(client.request('codeAction/resolve', fixAll, 20_000), (e: { code?: number }) => e.code === LSPErrorCodes.ContentModified);
  });
});

