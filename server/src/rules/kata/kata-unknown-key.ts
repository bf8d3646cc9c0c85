import type { KataModel } from '../../kata/model';
import type { Rule } from '../types';
import { schemaProblems } from './schema';
import { closest } from './suggest';

export const rule: Rule<KataModel> = {
  id: 'kata-unknown-key',
  target: 'kata-toml',
  severity: 'information',
  summary: 'A key that Kata does not know in [hypervisor.qemu], [agent.kata], [runtime] or [factory]; Kata ignores it.',
  messages: {
    unknown: "Kata has no key '{key}' in [{table}], so it is ignored.",
    didYouMean: "Kata has no key '{key}' in [{table}], so it is ignored. Did you mean '{suggestion}'?",
  },
  check(model, _ctx, report) {
    for (const p of schemaProblems(model)) {
      if (p.kind !== 'unknown-key') continue;
      const key = p.entry.path[p.entry.path.length - 1]!;
      const suggestion = closest(key, p.known);
      const keyNode = p.entry.node.key;
      const last = keyNode.keys[keyNode.keys.length - 1]!;
      report({
        messageId: suggestion ? 'didYouMean' : 'unknown',
        data: { key, table: p.tableName, suggestion: suggestion ?? '' },
        span: p.entry.keySpan,
        fixes: suggestion && last.type === 'TOMLBare' ? [{ title: `Rename to '${suggestion}'`, edits: [{ start: last.range[0], end: last.range[1], newText: suggestion }], preferred: false }] : [],
      });
    }
  },
};
