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
  /** Client: args [url]; opens the rule's documentation externally. */
  showDocumentation: 'sevlint.showDocumentation',
  /** Server (workspace/executeCommand): args [url]; asks the client to show the document externally. */
  serverShowDocumentation: 'sevlint.server.showDocumentation',
} as const;
