/**
 * A small LSP client over stdio for tests: spawns the built server
 * (bin/sevlint-language-server --stdio), answers workspace/configuration with
 * the settings given and window/showDocument with success (recording the
 * URI), and collects published diagnostics and log messages.
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
  /** URIs the server asked the client to show (window/showDocument). */
  readonly shown: string[] = [];
  /** window/logMessage messages. */
  readonly logs: string[] = [];
  private readonly waiters: { uri: string; pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private version = 1;
  exited = false;

  constructor(public settings: unknown) {
    this.server = spawn(process.execPath, [path.join(ROOT, 'bin', 'sevlint-language-server'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.server.stderr!.resume();
    this.server.on('exit', () => (this.exited = true));
    this.conn = createMessageConnection(new StreamMessageReader(this.server.stdout!), new StreamMessageWriter(this.server.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      for (const w of [...this.waiters]) {
        if (w.uri === p.uri && w.pred(p)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    });
    this.conn.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => this.settings));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onNotification('window/logMessage', (p: { message: string }) => void this.logs.push(p.message));
    this.conn.onRequest('window/showDocument', (p: { uri: string }) => {
      this.shown.push(p.uri);
      return { success: true };
    });
    this.conn.listen();
  }

  /** `capabilities` replaces the default `{ workspace: { configuration: true } }`. */
  async initialize(capabilities: Record<string, unknown> = { workspace: { configuration: true } }, initializationOptions?: unknown): Promise<unknown> {
    const result = await this.conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities, initializationOptions });
    await this.conn.sendNotification('initialized', {});
    return result;
  }

  /** The next diagnostics published for `uri` (that match `pred`). */
  nextDiagnostics(uri: string, timeoutMs: number, pred: (p: PublishDiagnosticsParams) => boolean = () => true): Promise<PublishDiagnosticsParams> {
    return withTimeout(new Promise((resolve) => this.waiters.push({ uri, pred, resolve })), timeoutMs, `no diagnostics for ${uri} within ${timeoutMs} ms`);
  }

  /** Opens a document; returns the version it was opened with. */
  open(uri: string, text: string, languageId = 'xml'): number {
    const version = this.version++;
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
    return version;
  }

  change(uri: string, version: unknown, contentChanges: unknown): void {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  close(uri: string): void {
    this.notify('textDocument/didClose', { textDocument: { uri } });
  }

  request<T>(method: string, params: unknown, timeoutMs: number): Promise<T> {
    return withTimeout(this.conn.sendRequest<T>(method, params), timeoutMs, `no answer to ${method} within ${timeoutMs} ms`);
  }

  /**
   * Sends a notification. One still queued when the client is disposed fails
   * to write to the closed pipe; that failure is expected and dropped (it used
   * to surface as an unhandled rejection after the test had ended).
   */
  private notify(method: string, params: unknown): void {
    this.conn.sendNotification(method, params).catch((e: unknown) => {
      if (!this.disposed) throw e;
    });
  }

  private disposed = false;

  dispose(): void {
    this.disposed = true;
    this.conn.dispose();
    this.server.kill();
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}
