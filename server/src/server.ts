/**
 * The sevlint language server: LSP glue over the pure core. It speaks LSP
 * over stdio (`--stdio`, the default) or node IPC (`--node-ipc`, the VS Code
 * client), nothing else.
 *
 * What reaches a handler has been checked: the lifecycle (lsp/lifecycle.ts),
 * the shape of params (lsp/params.ts, InvalidParams when wrong), and every
 * document change (lsp/documents.ts). What is computed, and the cache of
 * each document version it is computed from, is the language service's
 * (service.ts); this file converts positions and builds LSP messages. Large
 * documents are linted, fixed, hovered and completed off the main thread: the
 * service hands them to the worker pool (lsp/pool.ts).
 */
import { format } from 'node:util';
import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  IPCMessageReader,
  InsertTextFormat,
  InsertTextMode,
  IPCMessageWriter,
  LSPErrorCodes,
  MarkupKind,
  ProposedFeatures,
  ResponseError,
  SymbolKind,
  TextDocumentSyncKind,
  createConnection,
  type CancellationToken,
  type CodeAction,
  type CompletionItem,
  type Connection,
  type Diagnostic,
  type DocumentSymbol,
  type Range,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { Commands, Requests } from './commands';
import { launchChoicesFor, type HostLaunchChoices } from './host/launch-choices';
import { DocumentStore } from './lsp/documents';
import { ConfigFiles } from './lsp/config-files';
import { fsPathOf, HostSources } from './lsp/host-files';
import { CONFIG_FILE_NAME } from './config';
import { Lifecycle, REFUSED_METHOD } from './lsp/lifecycle';
import { isRecord, ParamError, pick, readPosition, readRange, readUri } from './lsp/params';
import { DEFAULT_POOL_OPTIONS, WorkPool, type PoolOptions } from './lsp/pool';
import { DEFAULT_SETTINGS, lintOptions, readSettings, withConfig, type Settings } from './lsp/settings';
import type { Outcome } from './lsp/work';
import { docsUrl } from './rules/docs';
import { allRuleMetas } from './rules/index';
import type { Finding, Severity } from './rules/types';
import type { DocumentKind } from './file-types';
import { createLanguageService, fileNameOf, type ServiceDocument } from './service';
import type { Span, TextEdit } from './text-edit';
import { cursorRank, orderForCursor, orderedFixes } from './features/code-actions';
import type { DocSymbol, SymbolKindName } from './features/symbols';
import { disableForLineFix, unusedSuppressionMeta } from './suppress';

const SOURCE = 'sevlint';
const FIX_ALL_TITLE = 'Fix all sevlint problems';
const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.sevlint`;
/** "Fix all RULE problems in this file", as ESLint words it (offered when the rule has more than one finding with a preferred fix). */
const fixRuleTitle = (ruleId: string) => `Fix all ${ruleId} problems in this file`;

const SYMBOL_KINDS: Record<SymbolKindName, SymbolKind> = {
  module: SymbolKind.Module,
  namespace: SymbolKind.Namespace,
  object: SymbolKind.Object,
  struct: SymbolKind.Struct,
  property: SymbolKind.Property,
  key: SymbolKind.Key,
  string: SymbolKind.String,
  constant: SymbolKind.Constant,
};

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const RULE_IDS: ReadonlySet<string> = new Set(allRuleMetas.map((r) => r.id));
/** The diagnostics about suppression comments: no "Disable … for this line" for them. */
const SUPPRESSION_IDS: ReadonlySet<string> = new Set([unusedSuppressionMeta('domain-xml').id, unusedSuppressionMeta('kata-toml').id]);
/** docsUrl(id) → id, for the URLs older code actions passed to showDocumentation. */
const DOCS_URLS: ReadonlyMap<string, string> = new Map(allRuleMetas.map((r) => [docsUrl(r.id), r.id]));

/**
 * The page `sevlint.server.showDocumentation` may open for its argument: a
 * rule id, or the documentation URL of one (what code actions passed before
 * they passed the id). Anything else: undefined.
 */
export function documentationUrl(arg: unknown): string | undefined {
  if (typeof arg !== 'string') return undefined;
  if (RULE_IDS.has(arg)) return docsUrl(arg);
  return DOCS_URLS.has(arg) ? arg : undefined;
}

function toRange(doc: TextDocument, span: Span): Range {
  return { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
}

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}

function contentModified(uri: string): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.ContentModified, `${uri} changed while the request was computed`);
}

/** `p`, or RequestCancelled as soon as `token` is cancelled. */
function untilCancelled<T>(p: Promise<T>, token: CancellationToken): Promise<T> {
  if (token.isCancellationRequested) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const sub = token.onCancellationRequested(() => reject(cancelled()));
    p.then(resolve, reject).finally(() => sub.dispose());
  });
}

function valueOf<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw cancelled();
  return outcome.value;
}


interface ClientDiagnostic {
  readonly range: Range;
  readonly code: unknown;
  readonly source: unknown;
  readonly data: unknown;
  readonly raw: Record<string, unknown>;
}

function readDiagnostics(v: unknown): ClientDiagnostic[] {
  if (!Array.isArray(v)) throw new ParamError('context.diagnostics must be an array');
  return v.map((d, i) => {
    if (!isRecord(d)) throw new ParamError(`context.diagnostics[${i}] must be an object`);
    return { range: readRange(d['range'], `context.diagnostics[${i}].range`), code: d['code'], source: d['source'], data: d['data'], raw: d };
  });
}

function readOnly(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((k): k is string => typeof k === 'string')) throw new ParamError('context.only must be an array of strings');
  return v;
}

export interface ServerOptions {
  /** The message strategy the connection was created with (main() does); without it the lifecycle is not enforced. */
  readonly lifecycle?: Lifecycle;
  readonly pool?: Partial<Omit<PoolOptions, 'log'>>;
}

/** What the service computes on: the snapshot's text, read once. */
function snapshot(doc: TextDocument): ServiceDocument {
  return { uri: doc.uri, version: doc.version, text: doc.getText() };
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const store = new DocumentStore();
  const poolOptions: PoolOptions = { ...DEFAULT_POOL_OPTIONS, ...options.pool, log: (m) => connection.console.warn(m) };
  const pool = new WorkPool(poolOptions);
  const service = createLanguageService({
    offload: { minLength: poolOptions.inlineBelow, run: (job, token) => pool.run(job, token) },
    // The host capabilities the settings name are read here, never by the core.
    lintOptions: (doc, settings, base) => host.options(doc.uri, doc.text, settings, base),
  });
  const settingsCache = new Map<string, Promise<Settings>>();
  const timers = new Map<string, NodeJS.Timeout>();
  /** The newest validation of each document; one counter for all, so a reopened document never meets an old number. */
  const generation = new Map<string, number>();
  let generations = 0;
  const published = new Set<string>();
  let canConfigure = false;
  let canRegisterConfiguration = false;
  let canWatchFiles = false;
  const configFiles = new ConfigFiles();
  let versionedEdits = false;
  /** The client resolves a code action's edit on demand (codeAction/resolve). */
  let resolvesEdits = false;
  let canShowDocument = false;
  let clientCommands = new Set<string>();
  const host = new HostSources(
    (query) => connection.sendRequest(Requests.liveDomainCapabilities, query),
    (m) => connection.console.warn(m),
  );

  const lifecycle = options.lifecycle;
  if (lifecycle) connection.onRequest(REFUSED_METHOD, (params: unknown) => Promise.reject(lifecycle.refusal(params)));

  /** Wraps a request handler: malformed params → InvalidParams, any other failure → RequestFailed (logged), never InternalError. */
  function handle<R>(method: string, handler: (params: unknown, token: CancellationToken) => Promise<R>) {
    return async (params: unknown, token: CancellationToken): Promise<R> => {
      if (token.isCancellationRequested) throw cancelled();
      try {
        return await handler(params, token);
      } catch (e) {
        if (e instanceof ResponseError) throw e;
        if (e instanceof ParamError) throw new ResponseError(ErrorCodes.InvalidParams, `${method}: ${e.message}`);
        connection.console.error(`sevlint: ${method} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        throw new ResponseError(LSPErrorCodes.RequestFailed, `${method} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
  }

  connection.onInitialize((params) => {
    const caps: unknown = params.capabilities;
    canConfigure = pick(caps, 'workspace', 'configuration') === true;
    canRegisterConfiguration = canConfigure && pick(caps, 'workspace', 'didChangeConfiguration', 'dynamicRegistration') === true;
    canWatchFiles = pick(caps, 'workspace', 'didChangeWatchedFiles', 'dynamicRegistration') === true;
    versionedEdits = pick(caps, 'workspace', 'workspaceEdit', 'documentChanges') === true;
    canShowDocument = pick(caps, 'window', 'showDocument', 'support') === true;
    const resolvable = pick(caps, 'textDocument', 'codeAction', 'resolveSupport', 'properties');
    resolvesEdits = Array.isArray(resolvable) && resolvable.includes('edit');
    const commands = pick(params, 'initializationOptions', 'clientCommands');
    if (Array.isArray(commands)) clientCommands = new Set(commands.filter((c): c is string => typeof c === 'string'));
    host.initialize(params);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: resolvesEdits },
        completionProvider: { triggerCharacters: ['<', '=', '"', "'"] },
        hoverProvider: true,
        documentSymbolProvider: true,
        executeCommandProvider: { commands: [Commands.serverShowDocumentation] },
      },
      serverInfo: { name: 'sevlint' },
    };
  });

  connection.onInitialized(() => {
    if (canRegisterConfiguration) {
      connection.client.register(DidChangeConfigurationNotification.type, undefined).catch((e: unknown) => connection.console.warn(`sevlint: the client refused to register didChangeConfiguration: ${String(e)}`));
    }
    // A config file created, changed or deleted anywhere: documents are checked again with what applies now.
    if (canWatchFiles) {
      connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/${CONFIG_FILE_NAME}` }] })
        .catch((e: unknown) => connection.console.warn(`sevlint: the client refused to watch ${CONFIG_FILE_NAME} files: ${String(e)}`));
    }
  });

  connection.onShutdown(() => {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
    service.clear();
    pool.dispose();
  });

  /**
   * The settings of a document: the editor's (sevlint section), with the
   * nearest .sevlintrc.json above a document on disk merged in (withConfig:
   * what the user set explicitly wins). No config file is read in a workspace
   * the client says is untrusted.
   */
  function settingsFor(uri: string): Promise<Settings> {
    let s = settingsCache.get(uri);
    if (!s) {
      const editor = canConfigure ? connection.workspace.getConfiguration({ scopeUri: uri, section: 'sevlint' }).then(readSettings, () => DEFAULT_SETTINGS) : Promise.resolve(DEFAULT_SETTINGS);
      s = editor.then(async (settings) => {
        const file = fsPathOf(uri);
        if (file === undefined || settings.workspaceTrusted === false) return settings;
        const found = await configFiles.forFile(file).catch((e: unknown) => {
          connection.console.warn(`sevlint: looking for ${CONFIG_FILE_NAME} above ${file} failed: ${e instanceof Error ? e.message : String(e)}`);
          return undefined;
        });
        if (found && 'error' in found) connection.console.warn(`sevlint: ${found.file}: ${found.error}`);
        return found ? withConfig(settings, found) : settings;
      });
      settingsCache.set(uri, s);
    }
    return s;
  }

  function toDiagnostic(doc: TextDocument, f: Finding): Diagnostic {
    return {
      range: toRange(doc, f.span),
      severity: SEVERITY[f.severity],
      code: f.ruleId,
      codeDescription: { href: docsUrl(f.ruleId) },
      source: SOURCE,
      message: f.message,
      data: { ruleId: f.ruleId, version: doc.version },
    };
  }

  function notice(message: string): Diagnostic {
    return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, source: SOURCE, message };
  }

  async function publish(uri: string, version: number | undefined, diagnostics: Diagnostic[]): Promise<void> {
    if (diagnostics.length === 0 && !published.has(uri)) return;
    if (diagnostics.length > 0) published.add(uri);
    else published.delete(uri);
    await connection.sendDiagnostics(version === undefined ? { uri, diagnostics } : { uri, version, diagnostics });
  }

  async function validate(uri: string, gen: number): Promise<void> {
    if (!store.isOpen(uri)) return;
    const doc = store.get(uri);
    if (!doc) {
      // Out of sync: the old diagnostics point into a text the editor no longer has.
      await publish(uri, undefined, [
        notice('sevlint stopped checking this document: the editor sent a change sevlint could not apply (see the sevlint output). Close and reopen the document to check it again.'),
      ]);
      return;
    }
    const settings = await settingsFor(uri);
    if (generation.get(uri) !== gen) return;
    const outcome = await service.validate(snapshot(doc), settings);
    // A newer version or other settings are on their way (the lint was cancelled for them).
    if (generation.get(uri) !== gen || !outcome.ok) return;
    const v = outcome.value;
    const diagnostics =
      v.status === 'disabled'
        ? []
        : v.status === 'too-large'
          ? [notice(`sevlint skips this file: ${v.length} characters is more than sevlint.maxFileSize (${v.maxFileSize}).`)]
          : v.result.findings.map((f) => toDiagnostic(doc, f));
    // A config file that cannot be used: one warning says so, and the document is checked with the editor settings alone.
    const configError = settings.config?.error;
    if (configError !== undefined && settings.enable && (v.status !== 'linted' || v.result.kind !== undefined)) {
      diagnostics.unshift({
        ...notice(`sevlint cannot use ${settings.config!.file}: ${configError}. This file is checked with the editor settings alone.`),
        severity: DiagnosticSeverity.Warning,
        code: 'sevlint-config',
      });
    }
    await publish(uri, doc.version, diagnostics);
  }

  function schedule(uri: string): void {
    const gen = ++generations;
    generation.set(uri, gen);
    clearTimeout(timers.get(uri));
    timers.delete(uri);
    const run = () => {
      timers.delete(uri);
      if (generation.get(uri) !== gen) return;
      validate(uri, gen).catch((e: unknown) => connection.console.error(`sevlint: validation failed for ${uri}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    };
    if (!store.get(uri)) {
      setImmediate(run);
      return;
    }
    void settingsFor(uri).then((settings) => {
      if (generation.get(uri) !== gen) return;
      const ms = settings.validate.debounceMs;
      if (ms <= 0) setImmediate(run);
      else timers.set(uri, setTimeout(run, ms));
    });
  }

  connection.onDidOpenTextDocument((params: unknown) => {
    try {
      const { uri } = store.open(params);
      service.forget(uri);
      schedule(uri);
    } catch (e) {
      connection.console.warn(`sevlint: ignored a didOpen: ${e instanceof Error ? e.message : String(e)}`);
    }
  });

  connection.onDidChangeTextDocument((params: unknown) => {
    const r = store.change(params);
    if (r.kind === 'ignored') {
      connection.console.warn(`sevlint: ignored a didChange: ${r.reason}`);
      return;
    }
    service.forget(r.uri);
    if (r.kind === 'out-of-sync') {
      connection.console.warn(`sevlint: ${r.uri} is out of sync and no longer checked: ${r.reason}. Reopening it, or a change that replaces its whole text, brings it back.`);
    } else if (r.resynced) {
      connection.console.info(`sevlint: ${r.uri} is back in sync (version ${r.doc.version}).`);
    }
    schedule(r.uri);
  });

  connection.onDidCloseTextDocument((params: unknown) => {
    const uri = store.close(params);
    if (uri === undefined) return;
    clearTimeout(timers.get(uri));
    timers.delete(uri);
    generation.delete(uri);
    service.forget(uri);
    settingsCache.delete(uri);
    if (published.delete(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
  });

  connection.onNotification(Requests.refreshHost, () => {
    host.forget();
    // Every version's lint was made with the old answers.
    service.clear();
    for (const uri of store.uris()) schedule(uri);
  });

  connection.onDidChangeWatchedFiles(() => {
    configFiles.forget();
    settingsCache.clear();
    service.clear();
    for (const uri of store.uris()) schedule(uri);
  });

  connection.onDidChangeConfiguration(() => {
    configFiles.forget();
    host.forget();
    settingsCache.clear();
    service.clear();
    for (const uri of store.uris()) schedule(uri);
  });

  /** Edits for `doc`, named with the version they were computed for when the client takes versioned edits. */
  function workspaceEdit(doc: TextDocument, edits: readonly TextEdit[]): WorkspaceEdit {
    const lsp = edits.map((e) => ({ range: toRange(doc, e), newText: e.newText }));
    return versionedEdits ? { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits: lsp }] } : { changes: { [doc.uri]: lsp } };
  }

  connection.onCodeAction(
    handle('textDocument/codeAction', async (params, token): Promise<CodeAction[] | null> => {
      const uri = readUri(params);
      const range = readRange(pick(params, 'range'), 'range');
      const context = pick(params, 'context');
      if (!isRecord(context)) throw new ParamError('context must be an object');
      const only = readOnly(context['only']);
      const diagnostics = readDiagnostics(context['diagnostics']);
      if (!store.isOpen(uri)) return null;
      const doc = store.get(uri);
      if (!doc) return []; // out of sync: no edit can be trusted
      const settings = await untilCancelled(settingsFor(uri), token);
      if (!settings.enable) return [];
      const cursor = { start: doc.offsetAt(range.start), end: doc.offsetAt(range.end) };
      const snap = snapshot(doc);
      const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(k + '.'));
      const ours = diagnostics.filter((d) => d.source === SOURCE && typeof d.code === 'string' && RULE_IDS.has(d.code));
      // A diagnostic published for another version has a range in another text: its fixes are not offered.
      const current = ours.filter((d) => {
        const version = pick(d.data, 'version');
        return version === undefined || version === doc.version;
      });
      // Fix-all runs only when asked for (source.fixAll, on save or from the menu), as in vscode-eslint. A
      // request without `only` (the lightbulb, sent as the cursor moves) gets it as an action whose edit
      // is computed on codeAction/resolve, when the user picks it; a client that cannot resolve gets none.
      const quickFixes = wants(CodeActionKind.QuickFix);
      const offerFixAll = only === undefined && resolvesEdits;
      let found: readonly (Finding | undefined)[] = [];
      let kind: DocumentKind | undefined;
      let fixAllAvailable = false;
      let fixableByRule: ReadonlyMap<string, number> = new Map();
      if ((quickFixes && current.length > 0) || offerFixAll) {
        const refs = quickFixes ? current.map((d) => ({ ruleId: d.code as string, span: { start: doc.offsetAt(d.range.start), end: doc.offsetAt(d.range.end) } })) : [];
        const outcome = await untilCancelled(service.codeActions(snap, settings, refs), token);
        // Cancelled without our token: the document changed, and the lint with it.
        if (!outcome.ok) throw contentModified(uri);
        found = outcome.value.findings;
        kind = outcome.value.kind;
        fixAllAvailable = outcome.value.fixAllAvailable;
        fixableByRule = outcome.value.fixableByRule;
      }

      const actions: CodeAction[] = [];
      if (quickFixes) {
        // Each diagnostic with its finding (none when it was published for another version: its range is in
        // another text), the one under the cursor first, then by severity: Enter applies the fix looked at.
        const matched = ours.map((d) => {
          const i = current.indexOf(d);
          return { d, code: d.code as string, finding: i >= 0 ? found[i] : undefined };
        });
        const severityOf = (d: ClientDiagnostic): Severity => (['error', 'warning', 'information', 'hint'] as const)[(typeof d.raw['severity'] === 'number' ? d.raw['severity'] : 1) - 1] ?? 'error';
        const at = (m: (typeof matched)[number]) => m.finding ?? { span: { start: doc.offsetAt(m.d.range.start), end: doc.offsetAt(m.d.range.end) }, severity: severityOf(m.d) };
        const ordered = orderForCursor(matched, cursor, at);
        const rank = (m: (typeof matched)[number]) => cursorRank(at(m).span, at(m).severity, cursor);
        for (const { item, fix, isPreferred } of orderedFixes(ordered, (m) => m.finding?.fixes ?? [], rank)) {
          actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [item.d.raw as unknown as Diagnostic], isPreferred, edit: workspaceEdit(doc, fix.edits) });
        }
        const ruleFixOffered = new Set<string>();
        for (const { d, code, finding } of ordered) {
          // One "Fix all RULE problems in this file" per rule, after the fixes, when the rule has several fixable findings;
          // its edit is computed on codeAction/resolve (or here, for a client that cannot resolve).
          if (finding?.fixes.some((x) => x.preferred) && (fixableByRule.get(code) ?? 0) > 1 && !ruleFixOffered.has(code)) {
            ruleFixOffered.add(code);
            const action: CodeAction = { title: fixRuleTitle(code), kind: CodeActionKind.QuickFix, diagnostics: [d.raw as unknown as Diagnostic] };
            if (resolvesEdits) {
              actions.push({ ...action, data: { uri, version: doc.version, ruleId: code } });
            } else {
              const edit = valueOf(await untilCancelled(service.fixRule(snap, settings, code, token), token));
              if (edit) actions.push({ ...action, edit: workspaceEdit(doc, [edit]) });
            }
          }
          const suppress = finding && kind && !SUPPRESSION_IDS.has(code) ? disableForLineFix(doc.getText(), kind, finding) : undefined;
          if (suppress) actions.push({ title: suppress.title, kind: CodeActionKind.QuickFix, diagnostics: [d.raw as unknown as Diagnostic], edit: workspaceEdit(doc, suppress.edits) });
          actions.push({
            title: `Show documentation for ${code}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d.raw as unknown as Diagnostic],
            // A client that announced sevlint.showDocumentation opens the page it ships (offline); others get the web page through the server.
            command: { title: 'Show documentation', command: clientCommands.has(Commands.showDocumentation) ? Commands.showDocumentation : Commands.serverShowDocumentation, arguments: [code] },
          });
          if (clientCommands.has(Commands.disableRule)) {
            actions.push({
              title: `Disable ${code} in settings`,
              kind: CodeActionKind.QuickFix,
              diagnostics: [d.raw as unknown as Diagnostic],
              command: { title: 'Disable rule', command: Commands.disableRule, arguments: [code, uri] },
            });
          }
        }
      }

      if (only !== undefined && wants(FIX_ALL_KIND)) {
        const edit = valueOf(await untilCancelled(service.fixAll(snap, settings, token), token));
        if (edit) actions.push({ title: FIX_ALL_TITLE, kind: FIX_ALL_KIND, edit: workspaceEdit(doc, [edit]) });
      } else if (offerFixAll && fixAllAvailable) {
        actions.push({ title: FIX_ALL_TITLE, kind: FIX_ALL_KIND, data: { uri, version: doc.version } });
      }

      // Unversioned edits would be applied to whatever text the client has now.
      if (!versionedEdits && store.version(uri) !== doc.version && actions.some((a) => a.edit)) throw contentModified(uri);
      return actions;
    }),
  );

  connection.onCodeActionResolve(
    handle('codeAction/resolve', async (params, token): Promise<CodeAction> => {
      if (!isRecord(params) || typeof params['title'] !== 'string') throw new ParamError('a code action is required');
      const action = params as unknown as CodeAction;
      const uri = pick(params, 'data', 'uri');
      const version = pick(params, 'data', 'version');
      const ruleId = pick(params, 'data', 'ruleId');
      const fixRule = action.kind === CodeActionKind.QuickFix && typeof ruleId === 'string' && RULE_IDS.has(ruleId);
      if ((action.kind !== FIX_ALL_KIND && !fixRule) || typeof uri !== 'string' || typeof version !== 'number') return action;
      const doc = store.get(uri);
      // The document moved on since the action was offered: no edit computed for another text.
      if (!doc || doc.version !== version) throw contentModified(uri);
      const settings = await untilCancelled(settingsFor(uri), token);
      const snap = snapshot(doc);
      const edit = valueOf(await untilCancelled(fixRule ? service.fixRule(snap, settings, ruleId, token) : service.fixAll(snap, settings, token), token));
      if (store.version(uri) !== version) throw contentModified(uri);
      return edit ? { ...action, edit: workspaceEdit(doc, [edit]) } : action;
    }),
  );

  connection.onExecuteCommand(
    handle('workspace/executeCommand', async (params) => {
      const command = pick(params, 'command');
      if (command !== Commands.serverShowDocumentation) throw new ParamError(`unknown command ${JSON.stringify(command) ?? 'undefined'}`);
      const args = pick(params, 'arguments');
      const url = Array.isArray(args) ? documentationUrl(args[0]) : undefined;
      if (url === undefined) throw new ParamError(`${Commands.serverShowDocumentation} takes the id of a sevlint rule`);
      if (!canShowDocument) throw new ResponseError(LSPErrorCodes.RequestFailed, `the client cannot open documents (window/showDocument); the page is ${url}`);
      const shown = await connection.window.showDocument({ uri: url, external: true }).catch((e: unknown) => {
        throw new ResponseError(LSPErrorCodes.RequestFailed, `the client did not open ${url}: ${e instanceof Error ? e.message : String(e)}`);
      });
      return shown.success ? null : Promise.reject(new ResponseError(LSPErrorCodes.RequestFailed, `the client did not open ${url}`));
    }),
  );

  connection.onRequest(
    Requests.hostLaunchChoices,
    handle(Requests.hostLaunchChoices, async (params, token): Promise<HostLaunchChoices | null> => {
      const uri = readUri(params);
      const doc = store.get(uri);
      if (!doc) return null;
      const settings = await untilCancelled(settingsFor(uri), token);
      const options = await untilCancelled(host.options(uri, doc.getText(), settings, lintOptions(settings, fileNameOf(uri))), token);
      return launchChoicesFor(doc.getText(), options.domainCapabilities ?? []) ?? null;
    }),
  );

  /** The document and offset of a hover or completion request; undefined when the document is not open or out of sync. */
  function target(params: unknown): { doc: TextDocument; offset: number } | undefined {
    const uri = readUri(params);
    const position = readPosition(pick(params, 'position'), 'position');
    const doc = store.get(uri);
    return doc ? { doc, offset: doc.offsetAt(position) } : undefined;
  }

  connection.onCompletion(
    handle('textDocument/completion', async (params, token): Promise<CompletionItem[] | null> => {
      const t = target(params);
      if (!t) return null;
      const { doc } = t;
      const settings = await untilCancelled(settingsFor(doc.uri), token);
      const result = valueOf(await untilCancelled(service.complete(snapshot(doc), t.offset, settings, token), token));
      if (!result) return null;
      const kinds = { element: CompletionItemKind.Property, attribute: CompletionItemKind.Field, value: CompletionItemKind.Value, key: CompletionItemKind.Property, snippet: CompletionItemKind.Snippet };
      return result.items.map(
        (item, i): CompletionItem => ({
          label: item.label,
          kind: kinds[item.kind],
          // The core's order (SEV items before the schema's) is the order shown.
          sortText: String(i).padStart(5, '0'),
          ...(item.detail !== undefined ? { detail: item.detail } : {}),
          ...(item.documentation !== undefined ? { documentation: { kind: MarkupKind.Markdown, value: item.documentation } } : {}),
          textEdit: { range: toRange(doc, item.replace), newText: item.insertText },
          ...(item.snippet ? { insertTextFormat: InsertTextFormat.Snippet } : {}),
          ...(item.asIs ? { insertTextMode: InsertTextMode.asIs } : {}),
        }),
      );
    }),
  );

  connection.onHover(
    handle('textDocument/hover', async (params, token) => {
      const t = target(params);
      if (!t) return null;
      const { doc } = t;
      const settings = await untilCancelled(settingsFor(doc.uri), token);
      const h = valueOf(await untilCancelled(service.hover(snapshot(doc), t.offset, settings, token), token));
      if (!h) return null;
      return { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: toRange(doc, h.span) };
    }),
  );

  connection.onDocumentSymbol(
    handle('textDocument/documentSymbol', async (params, token): Promise<DocumentSymbol[] | null> => {
      const doc = store.get(readUri(params));
      if (!doc) return null;
      const symbols = valueOf(await pool.run({ op: 'symbols', text: doc.getText(), fileName: fileNameOf(doc.uri) }, token));
      const convert = (s: DocSymbol): DocumentSymbol => ({
        name: s.name,
        ...(s.detail !== undefined ? { detail: s.detail } : {}),
        kind: SYMBOL_KINDS[s.kind],
        range: toRange(doc, s.span),
        selectionRange: toRange(doc, s.selection),
        children: s.children.map(convert),
      });
      return symbols.map(convert);
    }),
  );

  connection.listen();
}

const USAGE = 'Usage: sevlint-language-server [--stdio | --node-ipc] [--clientProcessId=PID]\n';

/** The transport the arguments ask for, or what is wrong with them. */
export function parseTransport(argv: readonly string[]): { transport: 'stdio' | 'node-ipc' } | { help: true } | { error: string } {
  let transport: 'stdio' | 'node-ipc' | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--stdio' || a === '--node-ipc') {
      const t = a === '--stdio' ? 'stdio' : 'node-ipc';
      if (transport !== undefined && transport !== t) return { error: 'give one of --stdio and --node-ipc' };
      transport = t;
    } else if (/^--clientProcessId=\d+$/.test(a)) {
      // Read by vscode-languageserver itself: the server exits when that process does.
    } else if (a === '--clientProcessId' && /^\d+$/.test(argv[i + 1] ?? '')) {
      i++;
    } else if (a === '--help' || a === '-h') {
      return { help: true };
    } else if (/^--(socket|pipe)\b/.test(a)) {
      return { error: `${a.split('=')[0]} is not supported: sevlint-language-server speaks LSP over --stdio or --node-ipc only` };
    } else {
      return { error: `unknown argument '${a}'` };
    }
  }
  return { transport: transport ?? 'stdio' };
}

/** The executable's entry point (bin/sevlint-language-server, dist/server.js): an exit status on a usage error, else undefined (the server runs). */
export function main(argv: readonly string[]): number | undefined {
  const parsed = parseTransport(argv);
  if ('help' in parsed) {
    process.stdout.write(`${USAGE}\nThe sevlint language server. It speaks LSP over stdin/stdout (--stdio, the default)\nor over a node IPC channel (--node-ipc, as the VS Code extension starts it).\n`);
    return 0;
  }
  if ('error' in parsed) {
    process.stderr.write(`sevlint-language-server: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const lifecycle = new Lifecycle();
  const options = { messageStrategy: lifecycle };
  const connection =
    parsed.transport === 'node-ipc'
      ? createConnection(ProposedFeatures.all, new IPCMessageReader(process), new IPCMessageWriter(process), options)
      : createConnection(ProposedFeatures.all, process.stdin, process.stdout, options);
  if (parsed.transport === 'stdio') {
    // stdout is the LSP channel: anything printed goes to the client's log instead.
    console.log = console.info = console.debug = (...a: unknown[]) => connection.console.log(format(...a));
    console.warn = (...a: unknown[]) => connection.console.warn(format(...a));
    console.error = (...a: unknown[]) => connection.console.error(format(...a));
  }
  lifecycle.log = (m) => connection.console.log(m);
  startServer(connection, { lifecycle });
  return undefined;
}

if (require.main === module) {
  const status = main(process.argv.slice(2));
  if (status !== undefined) process.exitCode = status;
}
