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
