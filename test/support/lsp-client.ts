/**
 * A small LSP client over stdio for tests: spawns the built server
 * (bin/sevlint-language-server --stdio), answers workspace/configuration with
 * the settings given, and collects published diagnostics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { ROOT } from './fixtures';

export class LspClient {
  readonly server: ChildProcess;
  readonly conn: MessageConnection;
  readonly published: PublishDiagnosticsParams[] = [];
  private readonly waiters: { uri: string; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private version = 1;
  exited = false;

  constructor(public settings: Record<string, unknown>) {
    this.server = spawn(process.execPath, [path.join(ROOT, 'bin', 'sevlint-language-server'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.server.stderr!.resume();
    this.server.on('exit', () => (this.exited = true));
    this.conn = createMessageConnection(new StreamMessageReader(this.server.stdout!), new StreamMessageWriter(this.server.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      for (const w of [...this.waiters]) {
        if (w.uri === p.uri) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    });
    this.conn.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => this.settings));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onNotification('window/logMessage', () => undefined);
    this.conn.listen();
  }

  async initialize(): Promise<void> {
    await this.conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } });
    await this.conn.sendNotification('initialized', {});
  }

  /** The next diagnostics published for `uri`. */
  nextDiagnostics(uri: string, timeoutMs: number): Promise<PublishDiagnosticsParams> {
    return withTimeout(new Promise((resolve) => this.waiters.push({ uri, resolve })), timeoutMs, `no diagnostics for ${uri} within ${timeoutMs} ms`);
  }

  open(uri: string, text: string, languageId = 'xml'): void {
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: this.version++, text } });
  }

  close(uri: string): void {
    void this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<T>(method: string, params: unknown, timeoutMs: number): Promise<T> {
    return withTimeout(this.conn.sendRequest(method, params) as Promise<T>, timeoutMs, `no answer to ${method} within ${timeoutMs} ms`);
  }

  dispose(): void {
    this.conn.dispose();
    this.server.kill();
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}
