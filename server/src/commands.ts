/**
 * Command ids shared by the VS Code client (which registers the client-side
 * ones) and the language server (whose code actions invoke them). Constants
 * only: this module is imported by both bundles.
 */
export const Commands = {
  /** Client: QuickPick kind and policy preset, then insert or replace <launchSecurity>. */
  insertLaunchSecurity: 'sevlint.insertLaunchSecurity',
  /** Client: args [ruleId, resourceUri?]; sets sevlint.rules[ruleId] = "off". */
  disableRule: 'sevlint.disableRule',
  /** Client: args [ruleId] (or its docsUrl()); opens the rule's page from the extension (Markdown preview), the web page when it is not there; nothing else. */
  showDocumentation: 'sevlint.showDocumentation',
  /** Client: runs virsh domcapabilities again for every domain (sevlint.host.live). */
  refreshHostCapabilities: 'sevlint.refreshHostCapabilities',
  /** Client, trusted workspaces only: shows the `sevlint host` report of this machine. */
  checkHost: 'sevlint.checkHost',
  /** Client (palette "sevlint: Fix all problems"): applies source.fixAll.sevlint to the active document. */
  fixAll: 'sevlint.fixAll',
  /** Client (palette): stops and starts the language server. */
  restartServer: 'sevlint.restartServer',
  /** Client (palette, status bar item): shows the "sevlint" output. */
  showOutput: 'sevlint.showOutput',
  /** Client (palette): QuickPick of the rules (the active file's first), then showDocumentation. */
  showRuleDocumentation: 'sevlint.showRuleDocumentation',
  /** Server (workspace/executeCommand): args [ruleId] (or its docsUrl()); asks the client to show that page externally. Anything else: InvalidParams. */
  serverShowDocumentation: 'sevlint.server.showDocumentation',
} as const;

/** Requests of the sevlint protocol beyond LSP, shared by client and server. */
export const Requests = {
  /**
   * Client → server, params `{ textDocument: { uri } }`: what "Insert SEV launchSecurity" may
   * offer for that document according to sevlint.host.domainCapabilities
   * (HostLaunchChoices), or null when no capabilities are configured.
   */
  hostLaunchChoices: 'sevlint/hostLaunchChoices',
  /**
   * Server → client, params LiveCapabilitiesQuery: this host's `virsh
   * domcapabilities` for those values, as CapabilitiesSource, or null when the
   * client does not run virsh (untrusted workspace, sevlint.host.live off).
   * Asked only of a client that sent `initializationOptions.liveHost: true`.
   */
  liveDomainCapabilities: 'sevlint/liveDomainCapabilities',
  /** Client → server notification: the host changed ("sevlint: Refresh host capabilities"); ask again and re-lint. */
  refreshHost: 'sevlint/refreshHost',
} as const;

/** What the server asks virsh domcapabilities for: the domain's values, each checked by the client before it reaches virsh's argv. */
export interface LiveCapabilitiesQuery {
  readonly virttype: 'kvm';
  readonly arch: 'x86_64';
  readonly machine?: string;
  readonly emulator?: string;
}
