/**
 * .sevlintrc.json through the language server: the nearest config above a
 * document applies, settings the user set explicitly win over it, a changed
 * config file (workspace/didChangeWatchedFiles) is read again, an ignored
 * document gets nothing, a malformed config is one warning naming it, and an
 * untrusted workspace reads none.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { FIXTURES } from '../support/fixtures';
import { LspClient } from '../support/lsp-client';
import { writeChecked } from '../support/write';

const TIMEOUT = 10_000;
const devices = fs.readFileSync(path.join(FIXTURES, 'domain-xml', 'sev-virtio-iommu', 'invalid-devices.xml'), 'utf8');

/** rule:severity of each diagnostic, sorted and without repeats. */
function summary(p: PublishDiagnosticsParams): string[] {
  return [...new Set(p.diagnostics.map((d) => `${String(d.code)}:${d.severity}`))].sort();
}

describe('language server: .sevlintrc.json', () => {
  let dir = '';
  let client: LspClient;
  let uri = '';
  let configFile = '';
  const registrations: unknown[] = [];
  const base = { validate: { debounceMs: 0 }, explicit: [] as string[] };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-lsp-config-'));
    fs.mkdirSync(path.join(dir, 'ws', 'vms', 'deep'), { recursive: true });
    configFile = path.join(dir, 'ws', '.sevlintrc.json');
    writeChecked(configFile, JSON.stringify({ rules: { 'sev-interface-rom': 'off' }, target: { qemu: '8.2' } }));
    uri = pathToFileURL(path.join(dir, 'ws', 'vms', 'deep', 'guest.xml')).href;
    client = new LspClient({ ...base });
    client.conn.onRequest('client/registerCapability', (p: { registrations: unknown[] }) => {
      registrations.push(...p.registrations);
      return null;
    });
    const folder = pathToFileURL(path.join(dir, 'ws')).href;
    await client.request(
      'initialize',
      {
        processId: process.pid,
        rootUri: folder,
        workspaceFolders: [{ uri: folder, name: 'ws' }],
        capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, didChangeWatchedFiles: { dynamicRegistration: true } } },
      },
      TIMEOUT,
    );
    await client.conn.sendNotification('initialized', {});
  });
  after(() => {
    client.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Sends a notification and waits for the document's next diagnostics. */
  async function whenNotified(notify: () => Promise<void> | void, pred?: (p: PublishDiagnosticsParams) => boolean): Promise<PublishDiagnosticsParams> {
    const got = client.nextDiagnostics(uri, TIMEOUT, pred);
    await notify();
    return got;
  }
  const settingsChanged = () => client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
  const configChanged = () => client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(configFile).href, type: 2 }] });

  it('watches the config files, and the nearest one above the document applies', async () => {
    const p = await whenNotified(() => void client.open(uri, devices));
    assert.deepEqual(summary(p), ['sev-virtio-iommu:3'], 'sev-interface-rom off; QEMU 8.2 makes sev-virtio-iommu information');
    assert.ok(
      registrations.some((r) => JSON.stringify(r).includes('"globPattern":"**/.sevlintrc.json"') && (r as { method: string }).method === 'workspace/didChangeWatchedFiles'),
      JSON.stringify(registrations),
    );
  });

  it('a setting the user set explicitly wins; the others still come from the file', async () => {
    client.settings = { ...base, target: { qemu: '5.2' }, explicit: ['target.qemu'] };
    let p = await whenNotified(settingsChanged);
    assert.deepEqual(summary(p), ['sev-virtio-iommu:2']);
    // The same value, not marked explicit (the default ''): the file's 8.2 applies. A rule in the setting wins per id.
    client.settings = { ...base, target: { qemu: '' }, rules: { 'sev-interface-rom': 'error' } };
    p = await whenNotified(settingsChanged);
    assert.deepEqual(summary(p), ['sev-interface-rom:1', 'sev-virtio-iommu:3']);
    client.settings = { ...base };
    await whenNotified(settingsChanged);
  });

  it('a changed config file is read again; an ignored document gets no diagnostics', async () => {
    writeChecked(configFile, JSON.stringify({ ignore: ['vms/'] }));
    const p = await whenNotified(configChanged);
    assert.deepEqual(p.diagnostics, []);
  });

  it('a malformed config file is one warning naming it; the document is checked with the settings alone', async () => {
    writeChecked(configFile, '{"rules": {"sev-virtio-iomu": "off"}}');
    const p = await whenNotified(configChanged);
    const first = p.diagnostics[0]!;
    assert.equal(first.code, 'sevlint-config');
    assert.equal(first.severity, 2);
    assert.equal(first.message, `sevlint cannot use ${configFile}: "rules": unknown rule "sev-virtio-iomu". This file is checked with the editor settings alone.`);
    assert.deepEqual(first.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    assert.deepEqual(summary(p), ['sev-interface-rom:2', 'sev-virtio-iommu:2', 'sevlint-config:2']);
  });

  it('reads no config file in a workspace the client says is untrusted', async () => {
    client.settings = { ...base, workspaceTrusted: false };
    const p = await whenNotified(settingsChanged);
    assert.deepEqual(summary(p), ['sev-interface-rom:2', 'sev-virtio-iommu:2']);
  });
});
