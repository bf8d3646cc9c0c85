import type { KataModel } from '../../kata/model';
import type { TomlEntry } from '../../toml/parse';
import { defineRule, type Severity } from '../types';
import { schemaProblems } from './schema';
import { closest } from './suggest';

const MAX_SUGGESTIONS = 1000;

/**
 * The `[hypervisor.qemu]` keys whose loss changes what protects the guest,
 * with what a misspelling of each costs. Kata reads the main file without
 * looking at the keys it did not decode, so a typo is never reported.
 */
const CRITICAL: Readonly<Record<string, { readonly severity: Severity; readonly effect: string }>> = {
  confidential_guest: { severity: 'error', effect: 'confidential_guest stays false and the guest runs as an ordinary VM, without memory encryption' },
  sev_snp_guest: { severity: 'warning', effect: 'sev_snp_guest stays false, so the guest is not started as SEV-SNP (Kata 3.19 and later fall back to plain SEV or fail)' },
  snp_guest_policy: { severity: 'warning', effect: 'the guest runs with the default policy 0x30000 instead' },
  snp_id_block: { severity: 'warning', effect: 'the guest launches without its ID block' },
  snp_id_auth: { severity: 'warning', effect: 'the guest launches without its ID authentication structure' },
};

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
  summary: 'A key that Kata does not know in [hypervisor.qemu], [agent.kata], [runtime] or [factory]; Kata ignores it (a warning or error when it looks like a misspelt security-critical key).',
  messages: {
    unknown: "Kata has no key '{key}' in [{table}], so it is ignored.",
    didYouMean: "Kata has no key '{key}' in [{table}], so it is ignored. Did you mean '{suggestion}'?",
    critical:
      "Kata has no key '{key}' in [{table}] and ignores it without a word (the runtime does not report unknown keys of the main configuration file): {effect}. Did you mean '{suggestion}'?",
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
      const taken = suggestion !== undefined && defined(model, p.entry, suggestion);
      // A misspelling matters when the key it stands for is not also written correctly.
      const critical = suggestion !== undefined && !taken && p.tableName === 'hypervisor.qemu' ? CRITICAL[suggestion] : undefined;
      report({
        messageId: critical ? 'critical' : suggestion ? 'didYouMean' : 'unknown',
        data: { key, table: p.tableName, suggestion: suggestion ?? '', ...(critical ? { effect: critical.effect } : {}) },
        ...(critical ? { severity: critical.severity } : {}),
        span: p.entry.keySpan,
        // No rename onto a key the table already has: TOML forbids defining a key twice.
        fixes: suggestion && last.type === 'TOMLBare' && !taken ? [{ title: `Rename to '${suggestion}'`, edits: [{ start: last.range[0], end: last.range[1], newText: suggestion }], preferred: false }] : [],
      });
    }
  },
});
