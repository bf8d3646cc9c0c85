/**
 * What makes sevlint discoverable in the workbench: the palette commands
 * (fix all, restart, output, rule documentation), the status bar item on
 * domain and Kata files, the rule pages shipped in the extension (opened as a
 * Markdown preview, the web page second) and the start-up log.
 */
import * as vscode from 'vscode';
import { statusSummary, statusText } from '../../server/src/features/status-summary';
import { EDITOR_DOCUMENT_SELECTOR } from '../../server/src/file-types';
import { docsUrl } from '../../server/src/rules/docs';

const SOURCE = 'sevlint';
const FIX_ALL_KIND = 'source.fixAll.sevlint';

/** The kebab-case shape of a rule id. */
const RULE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)+$/;

export interface RuleInfo {
  readonly id: string;
  readonly description: string;
}

/** The rules and their one-line descriptions, from the sevlint.rules setting the manifest contributes (no server needed). */
export function rulesOf(extension: vscode.Extension<unknown>): RuleInfo[] {
  const pkg = extension.packageJSON as { contributes?: { configuration?: { properties?: Record<string, { properties?: Record<string, { description?: string }> }> } } };
  const props = pkg.contributes?.configuration?.properties?.['sevlint.rules']?.properties ?? {};
  return Object.entries(props).map(([id, p]) => ({ id, description: p.description ?? '' }));
}

/** `sev-virtio-iommu` or its docsUrl() → the rule id; anything else → undefined. */
export function ruleIdOf(arg: unknown): string | undefined {
  if (typeof arg !== 'string') return undefined;
  if (RULE_ID.test(arg)) return arg;
  const prefix = docsUrl('x').slice(0, -'x.md'.length);
  if (arg.startsWith(prefix) && arg.endsWith('.md')) {
    const id = arg.slice(prefix.length, -'.md'.length);
    return RULE_ID.test(id) ? id : undefined;
  }
  return undefined;
}

export type DocumentationResult = { readonly shown: 'preview' | 'web'; readonly uri: string } | { readonly shown: false; readonly reason: string };

/**
 * `sevlint.showDocumentation`: opens a rule's page. The page ships in the
 * extension (docs/rules/<id>.md) and opens as a Markdown preview beside the
 * file, offline; the
 * web page is opened only when the extension has no such page. It takes a rule
 * id or the documentation address of one and opens nothing else: a command can
 * be invoked by any extension.
 */
export async function showDocumentation(context: vscode.ExtensionContext, arg: unknown, where: 'preview' | 'web' = 'preview'): Promise<DocumentationResult> {
  const id = ruleIdOf(arg);
  if (id === undefined) {
    void vscode.window.showErrorMessage('sevlint: "Show documentation" needs the id of a sevlint rule.');
    return { shown: false, reason: 'not a rule id' };
  }
  const page = vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules', `${id}.md`);
  if (where === 'preview' && (await exists(page))) {
    await vscode.commands.executeCommand('markdown.showPreviewToSide', page);
    return { shown: 'preview', uri: page.toString() };
  }
  const web = vscode.Uri.parse(docsUrl(id), true);
  const opened = await vscode.env.openExternal(web);
  return opened ? { shown: 'web', uri: web.toString() } : { shown: false, reason: `${web.toString()} was not opened` };
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Rule ids of the sevlint diagnostics in a document, most severe first. */
function rulesIn(uri: vscode.Uri): string[] {
  const diags = vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
  diags.sort((a, b) => a.severity - b.severity);
  const ids = diags.map((d) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code)));
  return [...new Set(ids)];
}

/**
 * `sevlint.showRuleDocumentation`: every rule in a QuickPick, those of the
 * active file first; Enter opens the page inside VS Code, the item's button the
 * web page.
 */
export async function pickRuleDocumentation(context: vscode.ExtensionContext, rules: readonly RuleInfo[]): Promise<DocumentationResult | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const inFile = active ? rulesIn(active) : [];
  const web: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('link-external'), tooltip: 'Open the page on the web' };
  type Item = vscode.QuickPickItem & { ruleId?: string };
  const item = (r: RuleInfo): Item => ({ label: r.id, detail: r.description, ruleId: r.id, buttons: [web] });
  const byId = new Map(rules.map((r) => [r.id, r]));
  const first = inFile.flatMap((id) => (byId.has(id) ? [item(byId.get(id)!)] : []));
  const rest = rules.filter((r) => !inFile.includes(r.id)).map(item);
  const items: Item[] = [
    ...(first.length > 0 ? [{ label: 'In this file', kind: vscode.QuickPickItemKind.Separator }, ...first, { label: 'All rules', kind: vscode.QuickPickItemKind.Separator }] : []),
    ...rest,
  ];
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = 'sevlint: Show rule documentation';
  pick.placeholder = 'Rule id or words of its description (Enter: open here; button: open on the web)';
  pick.matchOnDetail = true;
  pick.items = items;
  const chosen = await new Promise<{ id: string; where: 'preview' | 'web' } | undefined>((resolve) => {
    pick.onDidAccept(() => {
      const id = pick.selectedItems[0]?.ruleId;
      resolve(id !== undefined ? { id, where: 'preview' } : undefined);
      pick.hide();
    });
    pick.onDidTriggerItemButton((e) => {
      resolve(e.item.ruleId !== undefined ? { id: e.item.ruleId, where: 'web' } : undefined);
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  return chosen ? showDocumentation(context, chosen.id, chosen.where) : undefined;
}

export interface FixAllResult {
  readonly applied: boolean;
  readonly reason?: string;
}

/** `sevlint.fixAll`: every safe fix of the active document at once (the same edit as source.fixAll.sevlint on save). */
export async function fixAll(output: vscode.OutputChannel): Promise<FixAllResult> {
  const document = vscode.window.activeTextEditor?.document;
  if (!document) {
    void vscode.window.showInformationMessage('sevlint: open a libvirt domain XML or Kata configuration file first.');
    return { applied: false, reason: 'no active editor' };
  }
  const whole = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
  const actions =
    (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[] | undefined>('vscode.executeCodeActionProvider', document.uri, whole, FIX_ALL_KIND)) ?? [];
  const action = actions
    .filter((a): a is vscode.CodeAction => typeof a.command !== 'string')
    .find((a) => a.kind?.value === FIX_ALL_KIND && a.edit !== undefined);
  if (!action?.edit) {
    void vscode.window.showInformationMessage('sevlint: nothing to fix automatically in this file.');
    return { applied: false, reason: 'nothing to fix' };
  }
  const applied = await vscode.workspace.applyEdit(action.edit);
  output.appendLine(`[${new Date().toISOString()}] fix all: ${applied ? 'applied' : 'not applied'} to ${document.uri.toString(true)}`);
  return applied ? { applied } : { applied, reason: 'the edit was not applied' };
}

/**
 * The status bar item on a libvirt domain or Kata file: the domain's SEV
 * generation and policy (`SEV-SNP 0x30000`), or `sevlint`, with the number of
 * sevlint problems. Click: the output; the tooltip links the other commands.
 */
export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sevlint.status', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [this.item];
  private timer: NodeJS.Timeout | undefined;

  constructor(commands: { readonly showOutput: string; readonly fixAll: string; readonly showRuleDocumentation: string; readonly restartServer: string }) {
    this.item.name = 'sevlint';
    this.item.command = commands.showOutput;
    this.tooltipBase = [
      '**sevlint** checks this file for AMD SEV, SEV-ES and SEV-SNP problems.',
      '',
      `[Fix all problems](command:${commands.fixAll}) · [Rule documentation](command:${commands.showRuleDocumentation}) · [Output](command:${commands.showOutput}) · [Restart](command:${commands.restartServer})`,
    ].join('\n');
    this.trusted = { enabledCommands: [commands.fixAll, commands.showRuleDocumentation, commands.showOutput, commands.restartServer] };
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.languages.onDidChangeDiagnostics((e) => {
        const uri = vscode.window.activeTextEditor?.document.uri.toString();
        if (uri !== undefined && e.uris.some((u) => u.toString() === uri)) this.update();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.schedule();
      }),
    );
    this.update();
  }

  private readonly tooltipBase: string;
  private readonly trusted: { readonly enabledCommands: readonly string[] };
  private visible = false;

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update(), 300);
  }

  /** What the item shows now (undefined: hidden); for tests. */
  get shown(): { text: string; tooltip: string } | undefined {
    return this.visible ? { text: this.item.text, tooltip: this.tooltipBase } : undefined;
  }

  update(): void {
    const document = vscode.window.activeTextEditor?.document;
    const summary = document && document.uri.scheme !== 'output' ? statusSummary(document.getText(), document.uri.path) : undefined;
    if (!document || !summary) {
      this.visible = false;
      this.item.hide();
      return;
    }
    const diags = vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === SOURCE);
    const errors = diags.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
    const warnings = diags.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning).length;
    const icon = errors > 0 ? '$(error)' : warnings > 0 ? '$(warning)' : summary.guest ? '$(shield)' : '$(check)';
    this.item.text = `${icon} ${statusText(summary, diags.length)}`;
    this.item.accessibilityInformation = { label: `sevlint: ${statusText(summary, diags.length)}` };
    const guest = summary.guest ? `${summary.guest.label} guest, policy ${summary.guest.policy ?? 'missing'}. ` : '';
    const tooltip = new vscode.MarkdownString(`${guest}${diags.length} sevlint ${diags.length === 1 ? 'problem' : 'problems'} (${errors} errors, ${warnings} warnings).\n\n${this.tooltipBase}`);
    tooltip.isTrusted = this.trusted;
    this.item.tooltip = tooltip;
    this.visible = true;
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/** The sevlint settings as read for `resource`, for the log. */
function settingsLine(resource?: vscode.Uri): string {
  const c = vscode.workspace.getConfiguration('sevlint', resource);
  const rules = c.get<Record<string, string>>('rules') ?? {};
  const overrides = Object.entries(rules).map(([k, v]) => `${k}=${v}`);
  return [
    `enable=${String(c.get('enable'))}`,
    `target.qemu=${JSON.stringify(c.get('target.qemu') ?? '')}`,
    `schema.enable=${String(c.get('schema.enable'))}`,
    `validate.debounceMs=${String(c.get('validate.debounceMs'))}`,
    `maxFileSize=${String(c.get('maxFileSize'))}`,
    `rules: ${overrides.length > 0 ? overrides.join(', ') : 'defaults'}`,
  ].join(', ');
}

/** Logs the versions and the settings at start-up, settings when they change, and why an opened file is not checked. */
export function logStartup(output: vscode.OutputChannel, context: vscode.ExtensionContext, serverModule: string): vscode.Disposable {
  const version = (context.extension.packageJSON as { version?: string }).version ?? '?';
  const stamp = () => new Date().toISOString();
  output.appendLine(`[${stamp()}] sevlint ${version} starting: VS Code ${vscode.version} (${vscode.env.appName}, ${vscode.env.appHost}), Node ${process.versions.node}, ${process.platform}-${process.arch}`);
  output.appendLine(`[${stamp()}] language server: ${serverModule}`);
  output.appendLine(`[${stamp()}] workspace: ${vscode.workspace.workspaceFolders?.map((f) => f.uri.toString(true)).join(', ') ?? 'no folder'}; ${vscode.workspace.isTrusted ? 'trusted' : 'Restricted Mode'}`);
  output.appendLine(`[${stamp()}] settings: ${settingsLine(vscode.workspace.workspaceFolders?.[0]?.uri)}`);
  const seen = new Set<string>();
  const reportSkip = (doc: vscode.TextDocument) => {
    // Only the documents the language server is given (the client's document selector).
    if (vscode.languages.match(EDITOR_DOCUMENT_SELECTOR.map((f) => ({ ...f })), doc) === 0) return;
    const key = doc.uri.toString();
    if (seen.has(key)) return;
    seen.add(key);
    const c = vscode.workspace.getConfiguration('sevlint', doc.uri);
    const max = c.get<number>('maxFileSize') ?? Infinity;
    const name = doc.uri.toString(true);
    if (c.get<boolean>('enable') === false) output.appendLine(`[${stamp()}] skipped ${name}: sevlint.enable is false`);
    else if (doc.getText().length > max) output.appendLine(`[${stamp()}] skipped ${name}: ${doc.getText().length} characters, more than sevlint.maxFileSize (${max})`);
    else if (!statusSummary(doc.getText(), doc.uri.path)) output.appendLine(`[${stamp()}] not checked ${name}: neither a libvirt domain (<domain> root) nor a Kata configuration (a [hypervisor.*] table, or a configuration*.toml name)`);
  };
  vscode.workspace.textDocuments.forEach(reportSkip);
  return vscode.Disposable.from(
    vscode.workspace.onDidOpenTextDocument(reportSkip),
    vscode.workspace.onDidCloseTextDocument((doc) => seen.delete(doc.uri.toString())),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('sevlint')) output.appendLine(`[${stamp()}] settings changed: ${settingsLine(vscode.workspace.workspaceFolders?.[0]?.uri)}`);
    }),
  );
}
