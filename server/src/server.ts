/**
 * The sevlint language server: LSP glue over the pure core. It speaks plain
 * LSP over stdio (`--stdio`) or node IPC (`--node-ipc`, the VS Code client).
 */
import {
  CodeAction,
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  DidChangeConfigurationNotification,
  MarkupKind,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  createConnection,
  type CancellationToken,
  type CodeActionParams,
  type CompletionItem,
  type Connection,
  type Diagnostic,
  type Range,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Commands } from './commands';
import { complete } from './features/completion';
import { hover } from './features/hover';
import { fixAll, lint, type LintResult } from './linter';
import { DEFAULT_SETTINGS, lintOptions, readSettings, type Settings } from './lsp/settings';
import { docsUrl } from './rules/docs';
import type { Finding, Severity } from './rules/types';
import type { Span, TextEdit } from './text-edit';

const SOURCE = 'sevlint';
const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.sevlint`;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

interface Linted {
  readonly version: number;
  readonly settings: Settings;
  readonly result: LintResult;
}

/** `file:///a/b/configuration.toml` → `/a/b/configuration.toml` (what detection and template mode look at). */
export function fileNameOf(uri: string): string {
  try {
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return uri;
  }
}

function toRange(doc: TextDocument, span: Span): Range {
  return { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
}

function toLspEdits(doc: TextDocument, edits: readonly TextEdit[]): LspTextEdit[] {
  return edits.map((e) => ({ range: toRange(doc, e), newText: e.newText }));
}

/** One edit for the part of `before` that differs from `after`. */
function minimalEdit(before: string, after: string): TextEdit {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { start, end: before.length - end, newText: after.slice(start, after.length - end) };
}

/** The document a request is about; a request without one is answered with InvalidParams, never a crash. */
function requireUri(params: unknown): string {
  const uri = (params as { textDocument?: { uri?: unknown } } | undefined)?.textDocument?.uri;
  if (typeof uri !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'textDocument.uri is required');
  return uri;
}

function checkCancelled(token: CancellationToken): void {
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const settingsCache = new Map<string, Promise<Settings>>();
  const linted = new Map<string, Linted>();
  const timers = new Map<string, NodeJS.Timeout>();
  const generation = new Map<string, number>();
  const published = new Set<string>();
  let canConfigure = false;
  let clientCommands = new Set<string>();

  connection.onInitialize((params) => {
    canConfigure = params.capabilities.workspace?.configuration === true;
    const opts = params.initializationOptions as { clientCommands?: unknown } | undefined;
    if (Array.isArray(opts?.clientCommands)) clientCommands = new Set(opts.clientCommands.filter((c): c is string => typeof c === 'string'));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        completionProvider: { triggerCharacters: ['<', '=', '"', "'"] },
        hoverProvider: true,
        executeCommandProvider: { commands: [Commands.serverShowDocumentation] },
      },
      serverInfo: { name: 'sevlint' },
    };
  });

  connection.onInitialized(() => {
    if (canConfigure) void connection.client.register(DidChangeConfigurationNotification.type, undefined);
  });

  function settingsFor(uri: string): Promise<Settings> {
    if (!canConfigure) return Promise.resolve(DEFAULT_SETTINGS);
    let s = settingsCache.get(uri);
    if (!s) {
      s = connection.workspace.getConfiguration({ scopeUri: uri, section: 'sevlint' }).then(readSettings, () => DEFAULT_SETTINGS);
      settingsCache.set(uri, s);
    }
    return s;
  }

  function lintDocument(doc: TextDocument, settings: Settings): Linted {
    const cached = linted.get(doc.uri);
    if (cached && cached.version === doc.version && cached.settings === settings) return cached;
    const text = doc.getText();
    const result: LintResult =
      text.length > settings.maxFileSize
        ? { kind: undefined, findings: [] }
        : lint(text, lintOptions(settings, fileNameOf(doc.uri)));
    const entry = { version: doc.version, settings, result };
    linted.set(doc.uri, entry);
    return entry;
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

  async function validate(uri: string, gen: number): Promise<void> {
    const doc = documents.get(uri);
    if (!doc) return;
    const settings = await settingsFor(uri);
    if (generation.get(uri) !== gen || !documents.get(uri)) return;
    let diagnostics: Diagnostic[] = [];
    if (settings.enable) {
      const text = doc.getText();
      if (text.length > settings.maxFileSize && /\.(xml|toml|in)$/.test(fileNameOf(uri))) {
        diagnostics = [
          {
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
            severity: DiagnosticSeverity.Information,
            source: SOURCE,
            message: `sevlint skips this file: ${text.length} characters is more than sevlint.maxFileSize (${settings.maxFileSize}).`,
          },
        ];
      } else {
        const { result } = lintDocument(doc, settings);
        diagnostics = result.findings.map((f) => toDiagnostic(doc, f));
      }
    }
    if (diagnostics.length === 0 && !published.has(uri)) return;
    if (diagnostics.length > 0) published.add(uri);
    else published.delete(uri);
    await connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
  }

  function schedule(uri: string): void {
    const gen = (generation.get(uri) ?? 0) + 1;
    generation.set(uri, gen);
    clearTimeout(timers.get(uri));
    void settingsFor(uri).then((settings) => {
      if (generation.get(uri) !== gen) return;
      const run = () => {
        timers.delete(uri);
        validate(uri, gen).catch((e: unknown) => connection.console.error(`sevlint: validation failed for ${uri}: ${String(e)}`));
      };
      const ms = settings.validate.debounceMs;
      if (ms <= 0) setImmediate(run);
      else timers.set(uri, setTimeout(run, ms));
    });
  }

  documents.onDidOpen((e) => schedule(e.document.uri));
  documents.onDidChangeContent((e) => schedule(e.document.uri));
  documents.onDidClose((e) => {
    const uri = e.document.uri;
    clearTimeout(timers.get(uri));
    generation.set(uri, (generation.get(uri) ?? 0) + 1);
    linted.delete(uri);
    settingsCache.delete(uri);
    if (published.delete(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
  });

  connection.onDidChangeConfiguration(() => {
    settingsCache.clear();
    linted.clear();
    for (const doc of documents.all()) schedule(doc.uri);
  });

  connection.onCodeAction(async (params: CodeActionParams, token) => {
    const doc = documents.get(requireUri(params));
    if (!doc) return null;
    const settings = await settingsFor(doc.uri);
    checkCancelled(token);
    if (!settings.enable) return [];
    const { result } = lintDocument(doc, settings);
    const only = params.context.only;
    const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(k + '.'));
    const actions: CodeAction[] = [];

    if (wants(CodeActionKind.QuickFix)) {
      for (const d of params.context.diagnostics) {
        if (d.source !== SOURCE || typeof d.code !== 'string') continue;
        const start = doc.offsetAt(d.range.start);
        const end = doc.offsetAt(d.range.end);
        const finding = result.findings.find((f) => f.ruleId === d.code && f.span.start === start && f.span.end === end);
        if (finding) {
          for (const fix of finding.fixes) {
            actions.push({
              title: fix.title,
              kind: CodeActionKind.QuickFix,
              diagnostics: [d],
              isPreferred: fix.preferred,
              edit: { changes: { [doc.uri]: toLspEdits(doc, fix.edits) } },
            });
          }
        }
        actions.push({
          title: `Show documentation for ${d.code}`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          command: { title: 'Show documentation', command: Commands.serverShowDocumentation, arguments: [docsUrl(d.code)] },
        });
        if (clientCommands.has(Commands.disableRule)) {
          actions.push({
            title: `Disable ${d.code} in settings`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            command: { title: 'Disable rule', command: Commands.disableRule, arguments: [d.code, doc.uri] },
          });
        }
      }
    }

    if (wants(FIX_ALL_KIND) && (only !== undefined || result.findings.some((f) => f.fixes.some((x) => x.preferred)))) {
      const text = doc.getText();
      const fixed = fixAll(text, lintOptions(settings, fileNameOf(doc.uri))).text;
      if (fixed !== text) {
        actions.push({
          title: 'Fix all sevlint problems',
          kind: FIX_ALL_KIND,
          edit: { changes: { [doc.uri]: toLspEdits(doc, [minimalEdit(text, fixed)]) } },
        });
      }
    }
    return actions;
  });

  connection.onExecuteCommand(async (params) => {
    if (params.command === Commands.serverShowDocumentation && typeof params.arguments?.[0] === 'string') {
      await connection.window.showDocument({ uri: params.arguments[0], external: true });
    }
  });

  connection.onCompletion(async (params, token) => {
    const doc = documents.get(requireUri(params));
    if (!doc) return null;
    await settingsFor(doc.uri);
    checkCancelled(token);
    const result = complete(doc.getText(), doc.offsetAt(params.position), { fileName: fileNameOf(doc.uri) });
    if (!result) return null;
    const kinds = { element: CompletionItemKind.Property, attribute: CompletionItemKind.Field, value: CompletionItemKind.Value, key: CompletionItemKind.Property };
    return result.items.map(
      (item): CompletionItem => ({
        label: item.label,
        kind: kinds[item.kind],
        ...(item.detail !== undefined ? { detail: item.detail } : {}),
        ...(item.documentation !== undefined ? { documentation: { kind: MarkupKind.Markdown, value: item.documentation } } : {}),
        textEdit: { range: toRange(doc, item.replace), newText: item.insertText },
      }),
    );
  });

  connection.onHover(async (params, token) => {
    const doc = documents.get(requireUri(params));
    if (!doc) return null;
    await settingsFor(doc.uri);
    checkCancelled(token);
    const h = hover(doc.getText(), doc.offsetAt(params.position), { fileName: fileNameOf(doc.uri) });
    if (!h) return null;
    return { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: toRange(doc, h.span) };
  });

  documents.listen(connection);
  connection.listen();
}

if (require.main === module) {
  startServer(createConnection(ProposedFeatures.all));
}
