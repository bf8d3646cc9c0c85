import type { LintOptions } from '../linter';
import { parseVersion, type SeveritySetting } from '../rules/types';

/** The `sevlint.*` settings, as the client sends them (any field may be missing or wrong). */
export interface Settings {
  readonly enable: boolean;
  readonly rules: Readonly<Record<string, SeveritySetting>>;
  readonly target: { readonly qemu: string };
  readonly validate: { readonly debounceMs: number };
  /** Larger documents get one information diagnostic and are not linted. */
  readonly maxFileSize: number;
}

export const DEFAULT_SETTINGS: Settings = {
  enable: true,
  rules: {},
  target: { qemu: '' },
  validate: { debounceMs: 200 },
  maxFileSize: 5_000_000,
};

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads settings defensively: a wrong value falls back to its default instead of breaking validation. */
export function readSettings(raw: unknown): Settings {
  if (!isRecord(raw)) return DEFAULT_SETTINGS;
  const rules: Record<string, SeveritySetting> = {};
  if (isRecord(raw['rules'])) {
    for (const [id, sev] of Object.entries(raw['rules'])) {
      if (typeof sev === 'string' && SEVERITIES.has(sev)) rules[id] = sev as SeveritySetting;
    }
  }
  const target = isRecord(raw['target']) ? raw['target'] : {};
  const validate = isRecord(raw['validate']) ? raw['validate'] : {};
  const debounce = validate['debounceMs'];
  const maxFileSize = raw['maxFileSize'];
  return {
    enable: typeof raw['enable'] === 'boolean' ? raw['enable'] : DEFAULT_SETTINGS.enable,
    rules,
    target: { qemu: typeof target['qemu'] === 'string' ? target['qemu'] : '' },
    validate: { debounceMs: typeof debounce === 'number' && debounce >= 0 ? debounce : DEFAULT_SETTINGS.validate.debounceMs },
    maxFileSize: typeof maxFileSize === 'number' && maxFileSize > 0 ? maxFileSize : DEFAULT_SETTINGS.maxFileSize,
  };
}

export function lintOptions(settings: Settings, fileName: string): LintOptions {
  const qemu = parseVersion(settings.target.qemu);
  return { fileName, rules: settings.rules, ...(qemu ? { qemu } : {}) };
}
