/**
 * Protocol tests: a real JSON-RPC client talks LSP to the built server
 * (bin/sevlint-language-server --stdio), as Neovim or Emacs would.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancellationTokenSource, StreamMessageReader, StreamMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, PublishDiagnosticsParams, TextEdit } from 'vscode-languageserver-protocol';
import { fixAll, fixRule, lint } from '../../server/src/linter';
import { FIXTURES, ROOT } from '../support/fixtures';

const domainText = fs.readFileSync(path.join(ROOT, 'examples', 'domain', 'sev-es-as-generated.xml'), 'utf8');
const kataText = fs.readFileSync(path.join(FIXTURES, 'kata-toml', 'toml-syntax', 'valid-config.toml'), 'utf8').replace('kernel_params = "swiotlb=262144"', 'kernel_params = "console=hvc0"');

let server: ChildProcess;
let conn: MessageConnection;
let settings: Record<string, unknown> = { validate: { debounceMs: 0 } };
const published: PublishDiagnosticsParams[] = [];
const waiters: { pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];

function nextDiagnostics(uri: string, pred: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 5000): Promise<PublishDiagnosticsParams> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
    waiters.push({
      pred: (p) => p.uri === uri && pred(p),
      resolve: (p) => {
        clearTimeout(timer);
        resolve(p);
      },
    });
  });
}

let version = 1;
function open(uri: string, text: string, languageId = 'xml'): void {
  void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: version++, text } });
}

function codes(p: PublishDiagnosticsParams): string[] {
  return p.diagnostics.map((d) => String(d.code));
}

function apply(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'xml', 0, text), edits);
}

describe('language server over stdio', () => {
  before(async () => {
    server = spawn(process.execPath, [path.join(ROOT, 'bin', 'sevlint-language-server'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    conn = createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      published.push(p);
      for (const w of [...waiters]) {
        if (w.pred(p)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    });
    conn.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => settings));
    conn.onRequest('client/registerCapability', () => null);
    conn.onRequest('window/showDocument', () => ({ success: true }));
    conn.listen();
    const init = await conn.sendRequest<{ capabilities: { codeActionProvider: { codeActionKinds: string[] }; hoverProvider: boolean } }>('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } } },
      initializationOptions: { clientCommands: ['sevlint.disableRule'] },
    });
    assert.deepEqual(init.capabilities.codeActionProvider.codeActionKinds, ['quickfix', 'source.fixAll.sevlint']);
    await conn.sendNotification('initialized', {});
  });

  after(() => {
    conn.dispose();
    server.kill();
  });

  it('publishes diagnostics with rule ids, docs links, source and exact ranges', async () => {
    const uri = 'file:///work/guest.xml';
    const got = nextDiagnostics(uri);
    open(uri, domainText);
    const p = await got;
    assert.ok(codes(p).includes('sev-virtio-iommu'));
    assert.ok(codes(p).includes('sev-memory-hard-limit'));
    const d = p.diagnostics.find((x) => x.code === 'sev-virtio-iommu')!;
    assert.equal(d.source, 'sevlint');
    assert.equal(d.severity, 2);
    assert.match(d.codeDescription!.href, /docs\/rules\/sev-virtio-iommu\.md$/);
    assert.deepEqual(d.range, { start: { line: 15, character: 4 }, end: { line: 15, character: 36 } });
    assert.deepEqual(d.data, { ruleId: 'sev-virtio-iommu', version: p.version });
  });

  it('returns quick fixes by code, with the preferred one marked, and documentation / disable actions', async () => {
    const uri = 'file:///work/guest.xml';
    const p = published.filter((x) => x.uri === uri).at(-1)!;
    const d = p.diagnostics.find((x) => x.code === 'sev-virtio-iommu')!;
    const actions = await conn.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    assert.deepEqual(actions.map((a) => a.title), [
      "Set iommu='on' on the disk 'vda' driver",
      'Fix all sev-virtio-iommu problems in this file',
      'Disable sev-virtio-iommu for this line',
      'Show documentation for sev-virtio-iommu',
      'Disable sev-virtio-iommu in settings',
    ]);
    const fix = actions[0]!;
    assert.equal(fix.isPreferred, true);
    const fixed = apply(domainText, fix.edit!.changes![uri]!);
    assert.match(fixed, /<driver name="qemu" type="qcow2" discard="unmap" iommu="on"\/>/);
    // This client cannot resolve code actions: the rule's fix-all comes with its edit, the core's fixRule.
    const ruleFix = actions[1]!;
    assert.equal(ruleFix.kind, 'quickfix');
    assert.equal(ruleFix.isPreferred, undefined);
    const ruleFixed = apply(domainText, ruleFix.edit!.changes![uri]!);
    assert.equal(ruleFixed, fixRule(domainText, 'sev-virtio-iommu', { fileName: '/work/guest.xml' }).text);
    assert.deepEqual(lint(ruleFixed, { fileName: '/work/guest.xml' }).findings.filter((f) => f.ruleId === 'sev-virtio-iommu'), []);
    assert.ok(lint(ruleFixed, { fileName: '/work/guest.xml' }).findings.some((f) => f.ruleId === 'sev-memory-hard-limit'), 'other rules are left alone');
    const suppressed = apply(domainText, actions[2]!.edit!.changes![uri]!);
    assert.equal(suppressed.split('\n')[15], '    <!-- sevlint-disable-next-line sev-virtio-iommu -->');
    assert.equal(actions[2]!.isPreferred, undefined);
    assert.deepEqual(actions[3]!.command, { title: 'Show documentation', command: 'sevlint.server.showDocumentation', arguments: ['sev-virtio-iommu'] });
    assert.deepEqual(actions[4]!.command!.arguments, ['sev-virtio-iommu', uri]);
  });

  it('orders quick fixes by the diagnostic under the cursor, then by severity; one is preferred', async () => {
    const uri = 'file:///work/two-on-a-line.xml';
    const text = domainText.replace(/<launchSecurity type=['"]sev['"]>/, `<launchSecurity type='sev' kernelHashes='on'>`).replace(/<policy>0x07<\/policy>/, '<policy>0x4007</policy>');
    assert.notEqual(text, domainText);
    const got = nextDiagnostics(uri);
    open(uri, text);
    const p = await got;
    const line = p.diagnostics.filter((d) => d.code === 'sev-launch-security-yes-no' || d.code === 'sev-policy-reserved-bits');
    assert.deepEqual(line.map((d) => d.severity), [1, 2]);
    const doc = TextDocument.create(uri, 'xml', 1, text);
    const cursor = doc.positionAt(text.indexOf('0x4007') + 2);
    const ask = async (position: typeof cursor) =>
      (await conn.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: line } })).map(
        (a) => `${a.isPreferred ? '*' : ''}${a.title}`,
      );
    assert.deepEqual((await ask(cursor)).slice(0, 2), ['Clear RESERVED (bit 14, 0x4000): 0x7', "Set kernelHashes='yes'"]);
    const elsewhere = await ask(doc.positionAt(text.indexOf('<launchSecurity')));
    assert.deepEqual(elsewhere.slice(0, 2), ["*Set kernelHashes='yes'", 'Clear RESERVED (bit 14, 0x4000): 0x7']);
    assert.deepEqual(elsewhere.slice(2), [
      'Disable sev-launch-security-yes-no for this line',
      'Show documentation for sev-launch-security-yes-no',
      'Disable sev-launch-security-yes-no in settings',
      'Disable sev-policy-reserved-bits for this line',
      'Show documentation for sev-policy-reserved-bits',
      'Disable sev-policy-reserved-bits in settings',
    ]);
  });

  it('offers source.fixAll.sevlint with the same result as the core fix-all', async () => {
    const uri = 'file:///work/guest.xml';
    const actions = await conn.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    assert.equal(actions.length, 1);
    assert.equal(actions[0]!.kind, 'source.fixAll.sevlint');
    assert.equal(apply(domainText, actions[0]!.edit!.changes![uri]!), fixAll(domainText, { fileName: '/work/guest.xml' }).text);
  });

  it('answers hover (a policy decoded bit by bit) and completion (launchSecurity children) with LSP ranges', async () => {
    const uri = 'file:///work/guest.xml';
    const doc = TextDocument.create(uri, 'xml', 1, domainText);
    const at = domainText.indexOf('0x07');
    const h = await conn.sendRequest<{ contents: { kind: string; value: string }; range: unknown }>('textDocument/hover', { textDocument: { uri }, position: doc.positionAt(at + 1) });
    assert.equal(h.contents.kind, 'markdown');
    assert.match(h.contents.value, /NODBG/);
    assert.match(h.contents.value, /ES/);
    assert.deepEqual(h.range, { start: doc.positionAt(at), end: doc.positionAt(at + 4) });
    const inside = domainText.indexOf('<policy>');
    const items = await conn.sendRequest<{ label: string; textEdit: { range: unknown } }[]>('textDocument/completion', { textDocument: { uri }, position: doc.positionAt(inside) });
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('cbitpos') && labels.includes('reducedPhysBits'), labels.join(', '));
    assert.ok(!labels.includes('policy'), 'policy is already there');
    assert.ok(!labels.includes('idBlock'), 'idBlock belongs to sev-snp');
  });

  it('answers documentSymbol with the outline: the domain, its devices, launchSecurity', async () => {
    const uri = 'file:///work/guest.xml';
    type Sym = { name: string; detail?: string; kind: number; range: unknown; selectionRange: { start: { line: number } }; children?: Sym[] };
    const symbols = await conn.sendRequest<Sym[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(symbols.length, 1);
    const domain = symbols[0]!;
    assert.equal(domain.name, 'sev-es-guest');
    assert.equal(domain.kind, 2 /* Module */);
    const ls = domain.children!.find((c) => c.name === 'launchSecurity')!;
    assert.equal(ls.detail, 'SEV-ES · policy 0x7');
    assert.equal(ls.selectionRange.start.line, 33);
    const devices = domain.children!.find((c) => c.name === 'devices')!;
    assert.ok(devices.children!.some((d) => d.name === 'disk vda'));
    assert.equal(await conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri: 'file:///work/not-open.xml' } }), null);
  });

  it('completion: a launchSecurity block as is (insertTextMode 1), snippets in snippet format (insertTextFormat 2)', async () => {
    const uri = 'file:///work/typing.xml';
    const text = "<domain type='kvm'>\n  <name>g</name>\n  sev-l\n</domain>\n";
    open(uri, text);
    type Item = { label: string; kind: number; insertTextFormat?: number; insertTextMode?: number; textEdit: { newText: string } };
    const list = await conn.sendRequest<Item[]>('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 7 } });
    const snippet = list.find((i) => i.label === 'snp-launchsecurity')!;
    assert.equal(snippet.kind, 15 /* Snippet */);
    assert.equal(snippet.insertTextFormat, 2);
    assert.equal(snippet.insertTextMode, undefined);
    const blocks = await conn.sendRequest<Item[]>('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 3 } });
    const block = blocks.find((i) => i.label === 'launchSecurity SEV-SNP')!;
    assert.equal(block.insertTextMode, 1 /* asIs */);
    assert.equal(block.insertTextFormat, undefined);
  });

  it('completion in an empty .xml file: the sev-domain snippet (not a domain yet, still answered)', async () => {
    const uri = 'file:///work/new-guest.xml';
    open(uri, 'sev-d');
    type Item = { label: string; kind: number; insertTextFormat?: number; textEdit: { newText: string } };
    const list = await conn.sendRequest<Item[] | null>('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 5 } });
    assert.deepEqual(list?.map((i) => [i.label, i.kind, i.insertTextFormat]), [['sev-domain', 15 /* Snippet */, 2]]);
    assert.match(list?.[0]?.textEdit.newText ?? '', /^<domain type='kvm'>\n\t<name>\$\{1:sev-guest\}<\/name>/);
    // Any other XML that is not a domain gets nothing.
    const other = 'file:///work/pom.xml';
    open(other, '<project>\n  x\n</project>\n');
    assert.equal(await conn.sendRequest('textDocument/completion', { textDocument: { uri: other }, position: { line: 1, character: 3 } }), null);
  });

  it('answers no hover, completion or code action where sevlint.enable is false', async () => {
    const uri = 'file:///work/guest.xml';
    const doc = TextDocument.create(uri, 'xml', 1, domainText);
    const at = doc.positionAt(domainText.indexOf('0x07') + 1);
    const inside = doc.positionAt(domainText.indexOf('<policy>'));
    settings = { validate: { debounceMs: 0 }, enable: false };
    const cleared = nextDiagnostics(uri, (x) => x.diagnostics.length === 0);
    void conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await cleared;
    assert.equal(await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: at }), null);
    assert.equal(await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: inside }), null);
    const range = { start: { line: 0, character: 0 }, end: doc.positionAt(domainText.length) };
    assert.deepEqual(await conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [], only: ['source.fixAll.sevlint'] } }), []);
    settings = { validate: { debounceMs: 0 } };
    const back = nextDiagnostics(uri, (x) => x.diagnostics.length > 0);
    void conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await back;
    assert.notEqual(await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: at }), null);
  });

  it('follows settings: a rule turned off disappears, target QEMU lowers severity', async () => {
    const uri = 'file:///work/guest.xml';
    settings = { validate: { debounceMs: 0 }, rules: { 'sev-memory-hard-limit': 'off' }, target: { qemu: '8.2' } };
    const got = nextDiagnostics(uri);
    void conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const p = await got;
    assert.ok(!codes(p).includes('sev-memory-hard-limit'));
    assert.ok(p.diagnostics.filter((d) => d.code === 'sev-virtio-iommu').every((d) => d.severity === 3));
    settings = { validate: { debounceMs: 0 } };
    const back = nextDiagnostics(uri, (x) => codes(x).includes('sev-memory-hard-limit'));
    void conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await back;
  });

  it('a burst of incremental edits ends on the diagnostics of the final text', async () => {
    const uri = 'file:///work/burst.xml';
    settings = { validate: { debounceMs: 30 } };
    void conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const first = nextDiagnostics(uri);
    // Versions must grow from the one the document was opened with (the server refuses older ones).
    let doc = TextDocument.create(uri, 'xml', version, domainText);
    open(uri, domainText);
    await first;
    const anchor = '<memballoon model="virtio"/>';
    for (let i = 0; i < 1000; i++) {
      const at = doc.getText().indexOf(anchor);
      const change = i % 2 === 0
        ? { range: { start: doc.positionAt(at), end: doc.positionAt(at + anchor.length) }, text: '<memballoon model="none"/>' }
        : { range: { start: doc.positionAt(doc.getText().indexOf('<memballoon model="none"/>')), end: doc.positionAt(doc.getText().indexOf('<memballoon model="none"/>') + 26) }, text: anchor };
      doc = TextDocument.update(doc, [change], doc.version + 1);
      void conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges: [change] });
    }
    // The last edit put the virtio balloon back: its finding must be there, for the final version.
    const p = await nextDiagnostics(uri, (x) => x.version === doc.version);
    assert.ok(p.diagnostics.some((d: Diagnostic) => d.code === 'sev-virtio-iommu' && d.message.includes('memballoon')));
    settings = { validate: { debounceMs: 0 } };
    void conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
  });

  it('lints Kata configurations, ignores other XML, and clears diagnostics on close', async () => {
    const other = 'file:///work/caps.xml';
    const kata = 'file:///work/configuration.toml';
    const got = nextDiagnostics(kata);
    open(other, '<domainCapabilities/>');
    open(kata, kataText, 'toml');
    const p = await got;
    assert.deepEqual(codes(p), ['kata-swiotlb']);
    assert.ok(!published.some((x) => x.uri === other), 'nothing is published for a non-domain XML');
    const cleared = nextDiagnostics(kata, (x) => x.diagnostics.length === 0);
    void conn.sendNotification('textDocument/didClose', { textDocument: { uri: kata } });
    await cleared;
  });

  it('lints a Kata configuration of any name sent as plain text', async () => {
    const uri = 'file:///work/nodes/snp-node1.toml';
    const got = nextDiagnostics(uri);
    open(uri, kataText, 'plaintext');
    assert.deepEqual(codes(await got), ['kata-swiotlb']);
  });

  it('honours cancellation: a request cancelled before it is answered gets RequestCancelled', async () => {
    const uri = 'file:///work/guest.xml';
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const source = new CancellationTokenSource();
        const pending = conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } }, source.token);
        source.cancel();
        try {
          await pending;
          return 'answered';
        } catch (e) {
          return (e as { code?: number }).code === -32800 ? 'cancelled' : `error ${(e as Error).message}`;
        }
      }),
    );
    assert.ok(outcomes.every((o) => o === 'cancelled' || o === 'answered'), outcomes.join(', '));
    assert.ok(outcomes.includes('cancelled'), outcomes.join(', '));
    const h = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } });
    assert.ok(h !== undefined, 'the server still answers');
  });

  it('answers malformed params with an error response and keeps serving', async () => {
    for (const method of ['textDocument/hover', 'textDocument/completion', 'textDocument/codeAction']) {
      await assert.rejects(conn.sendRequest(method, {}), (e: { code?: number }) => e.code === -32602, method);
    }
    const r = await conn.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///work/guest.xml' }, position: { line: 0, character: 1 } });
    assert.ok(r !== undefined);
  });

  it('answers requests for unknown documents without failing', async () => {
    const r = await conn.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///nowhere.xml' }, position: { line: 0, character: 0 } });
    assert.equal(r, null);
    const a = await conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: 'file:///nowhere.xml' },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    });
    assert.equal(a, null);
  });
});
