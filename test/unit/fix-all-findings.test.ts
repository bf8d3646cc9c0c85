/**
 * Fix-all brings no new problem: after `fixAll`, every error or warning
 * (by rule and message) was already reported on the input. Over every rule
 * fixture and, when present, every file of ../shared/corpus.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixAll, lint, type LintOptions } from '../../server/src/linter';
import type { Finding } from '../../server/src/rules/types';
import { FIXTURES, SHARED, fixtureOptions } from '../support/fixtures';

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.(xml|toml|toml\.in)$/.test(e.name) && !/\.fixed\./.test(e.name) ? [p] : [];
  });
}

/** The errors and warnings of a text, as `rule:message`. */
function problems(text: string, options: LintOptions): Set<string> {
  const serious = (f: Finding) => f.severity === 'error' || f.severity === 'warning';
  return new Set(lint(text, options).findings.filter(serious).map((f) => `${f.ruleId}:${f.messageId}`));
}

describe('fix-all', () => {
  it('adds no error or warning the input did not have', () => {
    const inputs = [...files(FIXTURES), ...files(path.join(SHARED, 'corpus'))];
    assert.ok(inputs.length > 300, `${inputs.length} inputs`);
    const added: string[] = [];
    for (const file of inputs) {
      const text = fs.readFileSync(file, 'utf8');
      const options = fixtureOptions(file);
      const fixed = fixAll(text, options).text;
      if (fixed === text) continue;
      const before = problems(text, options);
      const after = [...problems(fixed, options)].filter((p) => !before.has(p));
      if (after.length > 0) added.push(`${path.basename(path.dirname(file))}/${path.basename(file)}: ${after.join(', ')}`);
    }
    assert.deepEqual(added, []);
  });
});
