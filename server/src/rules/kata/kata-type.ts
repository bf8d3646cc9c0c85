import type { KataModel } from '../../kata/model';
import { setValue } from '../../toml/edit';
import { defineRule, type Fix } from '../types';
import { schemaAt, schemaProblems } from './schema';
import { closest } from './suggest';

export const rule = defineRule<KataModel>()({
  id: 'kata-type',
  target: 'kata-toml',
  severity: 'error',
  fixable: true,
  hasSuggestions: true,
  summary: 'A Kata key has a value of the wrong type, or one outside the values Kata accepts.',
  messages: {
    type: "'{key}' in [{table}] must be {expected}; found {found}.",
    enum: "'{key}' in [{table}] must be one of {allowed}; found {found}.",
  },
  check(model, _ctx, report) {
    for (const p of schemaProblems(model)) {
      if (p.kind !== 'type') continue;
      const key = p.entry.path.slice(p.entry.table.path.length).join('.');
      const table = p.tableName;
      const found = model.text.slice(p.entry.valueSpan.start, p.entry.valueSpan.end);
      const shown = found.length > 60 ? found.slice(0, 57) + '…' : found;
      const fixes: Fix[] = [];
      if (p.error.keyword === 'enum') {
        const allowed = (schemaAt(p.entry.path)?.enum ?? []).filter((v): v is string => typeof v === 'string');
        const suggestion = typeof p.entry.value === 'string' ? closest(p.entry.value, allowed) : undefined;
        if (suggestion) fixes.push({ title: `Use "${suggestion}"`, edits: [setValue(p.entry, JSON.stringify(suggestion))], preferred: false });
        report({ messageId: 'enum', data: { key, table, allowed: allowed.map((v) => `"${v}"`).join(', '), found: shown }, span: p.entry.valueSpan, fixes });
        continue;
      }
      const expected = String((p.error.params as { type: string }).type);
      const literal = unquoted(p.entry.value, expected);
      if (literal !== undefined) fixes.push({ title: `Write ${literal} without quotes`, edits: [setValue(p.entry, literal)], preferred: true });
      report({ messageId: 'type', data: { key, table, expected: article(expected), found: shown }, span: p.entry.valueSpan, fixes });
    }
  },
});

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** `"true"` for a boolean key, `"2048"` for an integer key: the same value as a TOML literal. */
function unquoted(value: unknown, expected: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  if (expected === 'boolean' && (v === 'true' || v === 'false')) return v;
  if ((expected === 'integer' || expected === 'number') && /^-?(0|[1-9][0-9]*)$/.test(v)) return v;
  return undefined;
}
