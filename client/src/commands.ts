/**
 * The client-side commands. Thin: the launchSecurity text comes from the
 * core's launchSecurityEdit (the same as the quick fix and the snippet's
 * test use); what the host offers comes from the language server
 * (sevlint.host.domainCapabilities) or else from `virsh domcapabilities`.
 */
import * as vscode from 'vscode';
import {
  KIND_LABELS,
  LAUNCH_SECURITY_KINDS,
  launchSecurityEdit,
  POLICY_PRESETS,
  type LaunchSecurityKind,
} from '../../server/src/features/launch-security';
import type { HostLaunchChoices } from '../../server/src/host/launch-choices';
import { readHostSevCaps, type HostSevCaps } from './host-caps';

/** Asks the language server what the configured host capabilities offer for a document (null: none configured). */
export type AskServer = (uri: string) => Promise<HostLaunchChoices | null>;

/**
 * What the insert command's UI asks. Passed as the command's argument, it skips
 * the UI (tests, keybindings): `{ kind: 'sev-snp', policy: '0x30000' }`.
 */
export interface InsertLaunchSecurityArgs {
  readonly kind: LaunchSecurityKind;
  /** As an argument: a number, or a string such as `0x30000` or `196608`. */
  readonly policy: bigint;
  readonly cbitpos?: number;
  readonly reducedPhysBits?: number;
  /** The answer to "replace the existing <launchSecurity>?"; asked (modal) when left out. */
  readonly confirm?: boolean;
}

export interface InsertLaunchSecurityResult {
  readonly applied: boolean;
  readonly reason?: string;
}

const KIND_DETAILS: Readonly<Record<LaunchSecurityKind, string>> = {
  sev: "<launchSecurity type='sev'>: guest memory is encrypted (EPYC 7001 Naples and later)",
  'sev-es': "<launchSecurity type='sev'> with policy bit 2 (ES): memory and CPU register state are encrypted (EPYC 7002 Rome and later)",
  'sev-snp': "<launchSecurity type='sev-snp'>: encryption with integrity protection (EPYC 7003 Milan and later; libvirt 10.5, QEMU 9.1)",
};

let virshMissingShown = false;

export async function insertLaunchSecurity(output: vscode.OutputChannel, rawArgs?: unknown, askServer?: AskServer): Promise<InsertLaunchSecurityResult> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showErrorMessage('SEV: open a libvirt domain XML file first.');
    return { applied: false, reason: 'no active editor' };
  }
  const document = editor.document;

  const args = rawArgs === undefined ? await pickArgs(output, document, askServer) : parseArgs(rawArgs);
  if (!args) {
    if (rawArgs === undefined) return { applied: false, reason: 'cancelled' };
    void vscode.window.showErrorMessage('sevlint: Insert SEV launchSecurity: the argument must be { kind, policy, cbitpos?, reducedPhysBits?, confirm? }.');
    return { applied: false, reason: 'bad argument' };
  }
  const compute = () => launchSecurityEdit(document.getText(), args.kind, args.policy, args);
  let result = compute();
  if (result.ok && result.replaces) {
    const ok =
      args.confirm ??
      (await vscode.window.showWarningMessage(
        'This domain already has a <launchSecurity>. Replace it?',
        { modal: true, detail: 'Its policy and every child element (cbitpos, reducedPhysBits, session, dhCert, …) are replaced.' },
        'Replace',
      )) === 'Replace';
    if (!ok) return { applied: false, reason: 'not confirmed' };
    result = compute(); // the document may have changed while the question was open
  }
  if (!result.ok) {
    void vscode.window.showErrorMessage(`SEV: ${result.message}`);
    return { applied: false, reason: result.message };
  }

  const { start, end, newText } = result.edit;
  const range = new vscode.Range(document.positionAt(start), document.positionAt(end));
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, range, newText);
  const applied = await vscode.workspace.applyEdit(edit);
  if (applied && vscode.window.activeTextEditor?.document === document) {
    const inserted = new vscode.Range(document.positionAt(start), document.positionAt(start + newText.length));
    vscode.window.activeTextEditor.revealRange(inserted, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  return applied ? { applied } : { applied, reason: 'the edit was not applied' };
}

function parseArgs(raw: unknown): InsertLaunchSecurityArgs | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const a = raw as Record<string, unknown>;
  const kind = LAUNCH_SECURITY_KINDS.find((k) => k === a['kind']);
  const policy = parsePolicy(a['policy']);
  if (kind === undefined || policy === undefined) return undefined;
  // Ranges are checked by launchSecurityEdit, which says what is wrong.
  const { cbitpos, reducedPhysBits, confirm } = a;
  if (![cbitpos, reducedPhysBits].every((v) => v === undefined || typeof v === 'number')) return undefined;
  if (confirm !== undefined && typeof confirm !== 'boolean') return undefined;
  return {
    kind,
    policy,
    ...(typeof cbitpos === 'number' ? { cbitpos } : {}),
    ...(typeof reducedPhysBits === 'number' ? { reducedPhysBits } : {}),
    ...(typeof confirm === 'boolean' ? { confirm } : {}),
  };
}

async function pickArgs(output: vscode.OutputChannel, document: vscode.TextDocument, askServer: AskServer | undefined): Promise<InsertLaunchSecurityArgs | undefined> {
  const configured = askServer
    ? await askServer(document.uri.toString()).catch((e: unknown) => {
        output.appendLine(`[sevlint] the language server could not say what the configured host offers: ${e instanceof Error ? e.message : String(e)}`);
        return null;
      })
    : null;
  // Else ask this host; only in a trusted workspace (it runs a program).
  const host: Promise<HostSevCaps> | undefined = configured ? undefined : vscode.workspace.isTrusted ? readHostSevCaps() : undefined;
  const choices = configured ?? (host ? hostChoices(await host, output) : undefined);

  let kinds = LAUNCH_SECURITY_KINDS;
  if (choices) {
    if (choices.kinds.length === 0) {
      void vscode.window.showErrorMessage(`SEV: the host (${choices.source}) cannot start SEV guests: its capabilities offer no SEV launch security.`);
      return undefined;
    }
    kinds = choices.kinds;
  }
  const kindPick = await vscode.window.showQuickPick(
    kinds.map((sevKind, i) => ({
      label: KIND_LABELS[sevKind],
      description: choices && i === 0 ? `default on this host (${choices.source})` : '',
      detail: KIND_DETAILS[sevKind],
      sevKind,
    })),
    { title: 'Insert SEV launchSecurity (1/2): kind', placeHolder: choices ? `What the host offers (${choices.source})` : 'Which AMD SEV generation does the guest use?', matchOnDetail: true },
  );
  if (!kindPick) return undefined;

  const presetPick = await vscode.window.showQuickPick(
    POLICY_PRESETS[kindPick.sevKind].map((p, i) => ({ label: p.label, description: i === 0 ? 'default' : '', detail: p.detail, policy: p.value })),
    { title: `Insert SEV launchSecurity (2/2): ${kindPick.label} guest policy`, placeHolder: 'Guest policy preset', matchOnDescription: true, matchOnDetail: true },
  );
  if (!presetPick) return undefined;

  const platform = choices ? await hostPlatformValues(choices) : {};
  if (platform === undefined) return undefined;
  return { kind: kindPick.sevKind, policy: presetPick.policy, ...platform };
}

/** What virsh said, as choices; undefined (offer everything, leave the platform values out) when it could not say. */
function hostChoices(caps: HostSevCaps, output: vscode.OutputChannel): HostLaunchChoices | undefined {
  switch (caps.status) {
    case 'missing':
      if (!virshMissingShown) {
        virshMissingShown = true;
        void vscode.window.showInformationMessage(
          "SEV: virsh was not found, so every kind is offered and this host's <cbitpos> and <reducedPhysBits> are left out. libvirt 6.9 and later fill them in when the guest starts.",
        );
      }
      return undefined;
    case 'failed':
      output.appendLine(`[sevlint] virsh domcapabilities failed: ${caps.reason}; every kind is offered, <cbitpos> and <reducedPhysBits> are left out.`);
      return undefined;
    case 'ok':
      return caps.choices;
  }
}

/** `0x30000`, `196608`, 196608 or 196608n → 196608n; anything else → undefined. */
function parsePolicy(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : undefined;
  if (typeof v === 'string' && /^\s*(0[xX][0-9a-fA-F]+|\d+)\s*$/.test(v)) return BigInt(v.trim());
  return undefined;
}

/**
 * Offers the host's <cbitpos>/<reducedPhysBits>. `{}`: leave them out (libvirt
 * 6.9 and later fill them in); undefined: the user cancelled.
 */
async function hostPlatformValues(choices: HostLaunchChoices): Promise<{ cbitpos?: number; reducedPhysBits?: number } | undefined> {
  const { cbitpos, reducedPhysBits } = choices;
  if (cbitpos === undefined || reducedPhysBits === undefined) return {};
  const pick = await vscode.window.showQuickPick(
    [
      { label: "Use this host's values", description: `cbitpos ${cbitpos}, reducedPhysBits ${reducedPhysBits}`, detail: 'Written into <cbitpos> and <reducedPhysBits>; they must match the host the guest runs on.', use: true },
      { label: 'Leave them out', detail: 'libvirt 6.9 and later fill in the values of the host the guest starts on.', use: false },
    ],
    { title: `Insert SEV launchSecurity: platform values from ${choices.source}` },
  );
  if (!pick) return undefined;
  return pick.use ? { cbitpos, reducedPhysBits } : {};
}

/** `sevlint.disableRule`: sets sevlint.rules[ruleId] = "off" where the resource's settings live. */
export async function disableRule(ruleId: unknown, resource?: unknown): Promise<void> {
  if (typeof ruleId !== 'string' || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(ruleId)) {
    void vscode.window.showErrorMessage('sevlint: "Disable rule" needs a rule id.');
    return;
  }
  const uri = typeof resource === 'string' ? vscode.Uri.parse(resource) : resource instanceof vscode.Uri ? resource : vscode.window.activeTextEditor?.document.uri;
  const config = vscode.workspace.getConfiguration('sevlint', uri);
  const folder = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
  const inspected = config.inspect<Record<string, string>>('rules');
  let target: vscode.ConfigurationTarget;
  let current: Record<string, string> | undefined;
  if (folder && (vscode.workspace.workspaceFolders?.length ?? 0) > 1) {
    target = vscode.ConfigurationTarget.WorkspaceFolder;
    current = inspected?.workspaceFolderValue;
  } else if (vscode.workspace.workspaceFolders?.length) {
    target = vscode.ConfigurationTarget.Workspace;
    current = inspected?.workspaceValue;
  } else {
    target = vscode.ConfigurationTarget.Global;
    current = inspected?.globalValue;
  }
  const rules = typeof current === 'object' && current !== null && !Array.isArray(current) ? current : {};
  await config.update('rules', { ...rules, [ruleId]: 'off' }, target);
  const where = target === vscode.ConfigurationTarget.Global ? 'user' : target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'folder';
  void vscode.window.showInformationMessage(`sevlint: ${ruleId} is off in the ${where} settings (sevlint.rules).`);
}
