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
import { isLiveQuery, virshArgs } from '../../server/src/host/live-query';
import { liveQueryOf, readLiveAnswer } from '../../server/src/lsp/host-files';
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

describe('language server: sevlint.host.live', () => {
  let client: LspClient;
  const queries: unknown[] = [];
  let answer: unknown;
  before(async () => {
    answer = { name: 'virsh domcapabilities --virttype kvm --arch x86_64 --machine q35', text: fs.readFileSync(path.join(DOMCAPS, 'rome-sev-only.xml'), 'utf8') };
    client = new LspClient({ validate: { debounceMs: 0 }, host: { live: true } });
    client.conn.onRequest('sevlint/liveDomainCapabilities', (q: unknown) => {
      queries.push(q);
      return answer;
    });
    await client.initialize({ workspace: { configuration: true } }, { liveHost: true });
  });
  after(() => client.dispose());

  it("asks the client once per machine and emulator, and names the query in the host findings", async () => {
    const a = 'file:///live/a.xml';
    const b = 'file:///live/b.xml';
    const gotA = client.nextDiagnostics(a, TIMEOUT);
    client.open(a, snp47);
    const p = await gotA;
    assert.deepEqual(
      p.diagnostics.filter((d) => String(d.code).startsWith('host-')).map((d) => d.message),
      [
        "The host cannot start SEV-SNP guests: its capabilities (virsh domcapabilities --virttype kvm --arch x86_64 --machine q35) offer launch security type 'sev', not 'sev-snp'. libvirt refuses the domain: 'sev-snp' launch security is not supported with this QEMU binary.",
      ],
    );
    const gotB = client.nextDiagnostics(b, TIMEOUT);
    client.open(b, snp47.replace('<name>snp-guest</name>', '<name>other</name>'));
    await gotB;
    assert.deepEqual(queries, [{ virttype: 'kvm', arch: 'x86_64', machine: 'q35' }], 'one query for both documents');

    // "sevlint: Refresh host capabilities": the server asks again and lints again.
    answer = { name: 'virsh domcapabilities --virttype kvm --arch x86_64 --machine q35', text: fs.readFileSync(path.join(DOMCAPS, 'genoa-snp.xml'), 'utf8') };
    const again = client.nextDiagnostics(a, TIMEOUT, (x) => !codes(x).includes('host-sev-unsupported'));
    await client.conn.sendNotification('sevlint/refreshHost');
    assert.ok(codes(await again).includes('host-sev-platform'));
    assert.equal(queries.length, 2);
  });
});

describe('live query pieces', () => {
  it('reads the machine and emulator of a domain cheaply', () => {
    assert.deepEqual(liveQueryOf(snp47), { virttype: 'kvm', arch: 'x86_64', machine: 'q35' });
    assert.deepEqual(liveQueryOf("<domain><os><type arch='x86_64' machine='pc-q35-9.2'>hvm</type></os><devices><emulator> /usr/libexec/qemu-kvm </emulator></devices></domain>"), {
      virttype: 'kvm',
      arch: 'x86_64',
      machine: 'pc-q35-9.2',
      emulator: '/usr/libexec/qemu-kvm',
    });
  });

  it('builds a fixed argv and refuses values that are not plain names or paths', () => {
    assert.deepEqual(virshArgs({ virttype: 'kvm', arch: 'x86_64', machine: 'pc-q35-9.2', emulator: '/usr/libexec/qemu-kvm' }), [
      'domcapabilities', '--virttype', 'kvm', '--arch', 'x86_64', '--machine', 'pc-q35-9.2', '--emulatorbin', '/usr/libexec/qemu-kvm',
    ]);
    assert.equal(typeof virshArgs({ virttype: 'kvm', arch: 'x86_64', machine: '--connect=qemu+ssh://x' }), 'string');
    assert.equal(typeof virshArgs({ virttype: 'kvm', arch: 'x86_64', emulator: 'qemu; rm -rf /' }), 'string');
    assert.equal(typeof virshArgs({ virttype: 'kvm', arch: 'x86_64', emulator: '/usr/../tmp/x' }), 'string');
    assert.equal(isLiveQuery({ virttype: 'kvm', arch: 'x86_64', machine: 3 }), false);
  });

  it('checks the answers it gets', () => {
    assert.equal(readLiveAnswer(null), null);
    assert.equal(readLiveAnswer({ name: 'x' }), undefined);
    assert.deepEqual(readLiveAnswer({ name: 'x', text: '', unreadable: 'virsh is not installed' }), { name: 'x', text: '', unreadable: 'virsh is not installed' });
  });
});
