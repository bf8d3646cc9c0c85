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
  /** Client: args [ruleId] (or its docsUrl()); opens the rule's documentation externally, nothing else. */
  showDocumentation: 'sevlint.showDocumentation',
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
} as const;
