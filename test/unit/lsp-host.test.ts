/**
 * sevlint.host.domainCapabilities through the language server: paths resolved
 * against the document's workspace folder, the host findings naming the file,
 * an unreadable file named in one diagnostic, the preferred fix, and the host
 * checks gone when the setting is emptied.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { DOMCAPS, FIXTURES } from '../support/fixtures';
import { LspClient } from '../support/lsp-client';

const TIMEOUT = 10_000;
const snp47 = fs.readFileSync(path.join(FIXTURES, 'domain-xml', 'host-sev-platform', 'invalid-cbitpos-47-on-genoa.xml'), 'utf8');

function codes(p: PublishDiagnosticsParams): string[] {
  return p.diagnostics.map((d) => String(d.code));
}

describe('language server: sevlint.host.domainCapabilities', () => {
  let dir = '';
  let client: LspClient;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-lsp-host-'));
    fs.mkdirSync(path.join(dir, 'ws', 'caps'), { recursive: true });
    fs.copyFileSync(path.join(DOMCAPS, 'genoa-snp.xml'), path.join(dir, 'ws', 'caps', 'genoa.xml'));
    client = new LspClient({ validate: { debounceMs: 0 }, host: { domainCapabilities: ['caps/genoa.xml'] } });
    const folder = pathToFileURL(path.join(dir, 'ws')).href;
    await client.request('initialize', { processId: process.pid, rootUri: folder, workspaceFolders: [{ uri: folder, name: 'ws' }], capabilities: { workspace: { configuration: true } } }, TIMEOUT);
    await client.conn.sendNotification('initialized', {});
  });
  after(() => {
    client.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('checks a domain against the file named in the setting, relative to the workspace folder', async () => {
    const uri = pathToFileURL(path.join(dir, 'ws', 'guest.xml')).href;
    const got = client.nextDiagnostics(uri, TIMEOUT);
    client.open(uri, snp47);
    const p = await got;
    assert.ok(codes(p).includes('host-sev-platform'), codes(p).join(' '));
    assert.ok(!codes(p).includes('sev-cbitpos-host'), 'the host rule supersedes the guess');
    const d = p.diagnostics.find((x) => x.code === 'host-sev-platform')!;
    assert.equal(d.message, "cbitpos 47 is not this host's C-bit: the host capabilities (caps/genoa.xml) report 51. QEMU refuses to start the guest: cbitpos check failed, host '51' requested '47'.");
    assert.deepEqual(d.range, { start: { line: 25, character: 4 }, end: { line: 25, character: 25 } });
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } }, TIMEOUT);
    const fix = actions.find((a) => a.isPreferred)!;
    assert.equal(fix.title, "Set cbitpos to 51, the host's value");
  });

  it('tells the insert command what the configured host offers for a document', async () => {
    const uri = pathToFileURL(path.join(dir, 'ws', 'guest.xml')).href;
    const choices = await client.request<unknown>('sevlint/hostLaunchChoices', { textDocument: { uri } }, TIMEOUT);
    assert.deepEqual(choices, { source: 'caps/genoa.xml', kinds: ['sev-es', 'sev', 'sev-snp'], cbitpos: 51, reducedPhysBits: 1 });
    assert.equal(await client.request<unknown>('sevlint/hostLaunchChoices', { textDocument: { uri: 'file:///not/open.xml' } }, TIMEOUT), null);
  });

  it('names a file it cannot read in one diagnostic; without the setting, nothing of the host is checked', async () => {
    const uri = pathToFileURL(path.join(dir, 'ws', 'other.xml')).href;
    client.settings = { validate: { debounceMs: 0 }, host: { domainCapabilities: ['caps/genoa.xml', 'caps/missing.xml'] } };
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const got = client.nextDiagnostics(uri, TIMEOUT);
    client.open(uri, snp47);
    const p = await got;
    const bad = p.diagnostics.filter((x) => x.code === 'host-capabilities');
    assert.deepEqual(
      bad.map((x) => x.message),
      ['Host capabilities caps/missing.xml cannot be used: cannot read it: no such file. Give the output of virsh domcapabilities; no host check was made against this file.'],
    );
    assert.ok(codes(p).includes('host-sev-platform'), 'the readable file is still used');

    client.settings = { validate: { debounceMs: 0 } };
    const again = client.nextDiagnostics(uri, TIMEOUT, (x) => !codes(x).some((c) => c.startsWith('host-')));
    await client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.ok(codes(await again).includes('sev-cbitpos-host'));
  });
});
