import type { KataModel } from '../../kata/model';
import type { TomlEntry } from '../../toml/parse';
import { defineRule } from '../types';
import { schemaProblems } from './schema';
import { closest } from './suggest';

const MAX_SUGGESTIONS = 1000;

/** Whether renaming the last key of `entry` to `name` would define a key (or table) that is already there. */
function defined(model: KataModel, entry: TomlEntry, name: string): boolean {
  const renamed = [...entry.path.slice(0, -1), name];
  const under = (path: readonly string[]) => renamed.every((k, i) => path[i] === k);
  return entry.table.entries.some((e) => under(e.path)) || model.doc.tables.some((t) => under(t.path));
}

export const rule = defineRule<KataModel>()({
  id: 'kata-unknown-key',
  target: 'kata-toml',
  severity: 'information',
  hasSuggestions: true,
  summary: 'A key that Kata does not know in [hypervisor.qemu], [agent.kata], [runtime] or [factory]; Kata ignores it.',
  messages: {
    unknown: "Kata has no key '{key}' in [{table}], so it is ignored.",
    didYouMean: "Kata has no key '{key}' in [{table}], so it is ignored. Did you mean '{suggestion}'?",
  },
  check(model, _ctx, report) {
    // Suggestions for the first MAX_SUGGESTIONS unknown keys: a file of thousands of them (hostile or generated) stays fast.
    let suggested = 0;
    for (const p of schemaProblems(model)) {
      if (p.kind !== 'unknown-key') continue;
      const key = p.entry.path[p.entry.path.length - 1]!;
      const suggestion = suggested++ < MAX_SUGGESTIONS ? closest(key, p.known) : undefined;
      const keyNode = p.entry.node.key;
      const last = keyNode.keys[keyNode.keys.length - 1]!;
      report({
        messageId: suggestion ? 'didYouMean' : 'unknown',
        data: { key, table: p.tableName, suggestion: suggestion ?? '' },
        span: p.entry.keySpan,
        // No rename onto a key the table already has: TOML forbids defining a key twice.
        fixes: suggestion && last.type === 'TOMLBare' && !defined(model, p.entry, suggestion) ? [{ title: `Rename to '${suggestion}'`, edits: [{ start: last.range[0], end: last.range[1], newText: suggestion }], preferred: false }] : [],
      });
    }
  },
});
