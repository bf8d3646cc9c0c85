/**
 * What the language server needs to know about the sevlint settings beyond
 * their values, added to each answer to `workspace/configuration` for the
 * `sevlint` section: which of the settings a `.sevlintrc.json` can also give
 * the user set explicitly (any scope: user, workspace, folder, language), so
 * that those win over the config file and the others do not; and whether the
 * workspace is trusted (no config file is read in Restricted Mode).
 */
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';
import { CONFIGURABLE_SETTINGS } from '../../server/src/lsp/settings';

function explicitlySet(scopeUri: string | undefined): string[] {
  const config = vscode.workspace.getConfiguration('sevlint', scopeUri ? vscode.Uri.parse(scopeUri) : undefined);
  return CONFIGURABLE_SETTINGS.filter((key) => {
    const i = config.inspect(key);
    return (
      i !== undefined &&
      [i.globalValue, i.workspaceValue, i.workspaceFolderValue, i.globalLanguageValue, i.workspaceLanguageValue, i.workspaceFolderLanguageValue].some((v) => v !== undefined)
    );
  });
}

export const configurationMiddleware: Middleware['workspace'] = {
  configuration: async (params, token, next) => {
    const result = await next(params, token);
    if (!Array.isArray(result)) return result;
    return result.map((value: unknown, i) => {
      const item = params.items[i];
      if (item?.section !== 'sevlint' || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
      return { ...(value as Record<string, unknown>), explicit: explicitlySet(item.scopeUri), workspaceTrusted: vscode.workspace.isTrusted };
    });
  },
};
