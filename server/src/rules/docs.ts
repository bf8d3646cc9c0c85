/** Where each rule's documentation page lives (docs/rules/<id>.md in the repository). */
export const REPOSITORY_URL = 'https://github.com/sevlint/sevlint';

export function docsUrl(ruleId: string): string {
  return `${REPOSITORY_URL}/blob/main/docs/rules/${ruleId}.md`;
}
