/**
 * The sevlint VS Code extension: starts the bundled language server and
 * registers the client-side commands. Everything else (diagnostics, fixes,
 * completion, hover) is the server's.
 *
 * Languages: sevlint takes over no language id. XML and TOML files keep the
 * language their own extensions (Red Hat XML, Even Better TOML) give them;
 * sevlint joins as a second provider through its document selector
 * (`EDITOR_DOCUMENT_SELECTOR`). Every `.toml` and Kata template `.toml.in` is
 * matched by file pattern whatever its language (plain text without a TOML
 * extension); the server decides by content. package.json declares the `toml`
 * id for `.toml` (no grammar; merged with a TOML extension's), so opening one
 * activates sevlint; `.toml.in` keeps its language: made TOML, it would have
 * other TOML tools flag every `@NAME@` placeholder.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { Commands, Requests } from '../../server/src/commands';
import { SERVER_NODE_FLAGS } from '../../server/src/lsp/heap';
import { EDITOR_DOCUMENT_SELECTOR } from '../../server/src/file-types';
import type { HostLaunchChoices } from '../../server/src/host/launch-choices';
import { disableRule, insertLaunchSecurity } from './commands';
import { checkHost, LiveHost } from './host-live';
import { configurationMiddleware } from './settings-scope';
import { fixAll, logStartup, pickRuleDocumentation, rulesOf, showDocumentation, StatusItem } from './ui';

let client: LanguageClient | undefined;

/** Restarts allowed within three minutes before the client gives up (the library's default too). */
const MAX_RESTARTS = 4;

/** What activate() hands other extensions (and the end-to-end tests). */
export interface SevlintApi {
  /** The status bar item's text and tooltip, undefined while it is hidden. */
  readonly statusBar: () => { readonly text: string; readonly tooltip: string } | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<SevlintApi> {
  const output = vscode.window.createOutputChannel('sevlint');
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  context.subscriptions.push(output, logStartup(output, context, serverModule));
  const status = new StatusItem(Commands);
  const liveHost = new LiveHost(output);
  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.insertLaunchSecurity, (args?: unknown) => insertLaunchSecurity(output, args, askServer)),
    vscode.commands.registerCommand(Commands.disableRule, disableRule),
    vscode.commands.registerCommand(Commands.showDocumentation, (id: unknown) => showDocumentation(context, id)),
    vscode.commands.registerCommand(Commands.showRuleDocumentation, () => pickRuleDocumentation(context, rulesOf(context.extension))),
    vscode.commands.registerCommand(Commands.fixAll, () => fixAll(output)),
    vscode.commands.registerCommand(Commands.showOutput, () => output.show(true)),
    vscode.commands.registerCommand(Commands.restartServer, () => restartServer(output)),
    vscode.commands.registerCommand(Commands.refreshHostCapabilities, async () => {
      liveHost.forget();
      if (client?.isRunning()) await client.sendNotification(Requests.refreshHost);
    }),
    vscode.commands.registerCommand(Commands.checkHost, checkHost),
    // Trust granted: the server reads the settings again, and with them the .sevlintrc.json files.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (client?.isRunning()) void client.sendNotification('workspace/didChangeConfiguration', { settings: null });
    }),
    status,
  );

  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: EDITOR_DOCUMENT_SELECTOR.map((f) => ({ ...f })),
    synchronize: { configurationSection: 'sevlint' },
    // Which settings the user set explicitly (they win over .sevlintrc.json), and whether the workspace is trusted.
    middleware: { workspace: configurationMiddleware },
    outputChannel: output,
    // The server offers "Disable <rule> in settings" only to clients that can run it.
    initializationOptions: { clientCommands: [Commands.disableRule, Commands.showDocumentation], liveHost: true },
    errorHandler: crashReporter(output),
  };

  client = new SevlintLanguageClient('sevlint', 'sevlint', serverOptions, clientOptions);
  // Registered before start, so it is there for the first lint.
  client.onRequest(Requests.liveDomainCapabilities, (params: unknown) => liveHost.query(params));
  await client.start();
  output.appendLine(`[${new Date().toISOString()}] language server started (${client.initializeResult?.serverInfo?.name ?? 'sevlint'})`);
  return { statusBar: () => status.shown };
}

/** `sevlint.restartServer`: stops and starts the language server (a new process, settings read again). */
async function restartServer(output: vscode.OutputChannel): Promise<boolean> {
  if (!client) {
    void vscode.window.showErrorMessage('sevlint: the language server is not running; run "Developer: Reload Window" to start it.');
    return false;
  }
  output.appendLine(`[${new Date().toISOString()}] restarting the language server`);
  // Just after a crash the client is still starting its replacement: let that finish, then restart it.
  if (client.state === State.Starting) await client.start();
  if (client.state === State.Running) await client.restart();
  else await client.start();
  output.appendLine(`[${new Date().toISOString()}] language server restarted`);
  return true;
}

/** What the configured host capabilities offer for a document, from the language server (null: none configured, or no server). */
function askServer(uri: string): Promise<HostLaunchChoices | null> {
  if (!client?.isRunning()) return Promise.resolve(null);
  return client.sendRequest<HostLaunchChoices | null>(Requests.hostLaunchChoices, { textDocument: { uri } });
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/**
 * vscode-languageclient 9 passes a restart's "show a notification" flag where
 * the log data goes ("Connection to server got closed. Server will restart.",
 * then a line reading `true`): a boolean is taken for that flag here.
 */
class SevlintLanguageClient extends LanguageClient {
  override info(message: string, data?: unknown, showNotification = true): void {
    if (typeof data === 'boolean') super.info(message, undefined, data);
    else super.info(message, data, showNotification);
  }
}

/**
 * Restarts the server after a crash like the library does (at most
 * MAX_RESTARTS times in three minutes), saying so in the output, and tells the
 * user in plain words when it stops trying.
 */
function crashReporter(output: vscode.OutputChannel): ErrorHandler {
  const crashes: number[] = [];
  return {
    error(error, _message, count): ErrorHandlerResult {
      output.appendLine(`[sevlint] connection error: ${error.message}`);
      return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
    },
    closed(): CloseHandlerResult {
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && now - crashes[0]! > 3 * 60 * 1000) crashes.shift();
      if (crashes.length <= MAX_RESTARTS) {
        output.appendLine(`[sevlint] the language server stopped unexpectedly; restarting it (${crashes.length} of ${MAX_RESTARTS} restarts in 3 minutes).`);
        return { action: CloseAction.Restart };
      }
      return {
        action: CloseAction.DoNotRestart,
        message:
          `The sevlint language server crashed ${crashes.length} times in 3 minutes and was not restarted, so SEV problems are no longer reported. ` +
          'The "sevlint" output has its log; run "Developer: Reload Window" to start it again.',
      };
    },
  };
}
