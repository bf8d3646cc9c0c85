import type { SevlintConfig } from '../config';
import type { LintOptions } from '../linter';
import { parseVersion, type SeveritySetting } from '../rules/types';

/** The `sevlint.*` settings, as the client sends them (any field may be missing or wrong). */
export interface Settings {
  readonly enable: boolean;
  readonly rules: Readonly<Record<string, SeveritySetting>>;
  readonly target: { readonly qemu: string };
  /** `sevlint.schema.enable`: validate domain XML against libvirt's schema. */
  readonly schema: { readonly enable: boolean };
  readonly validate: { readonly debounceMs: number };
  /** Larger documents get one information diagnostic and are not linted. */
  readonly maxFileSize: number;
  /** `virsh domcapabilities` outputs to check domains against: paths, relative ones against the workspace folder. */
  readonly host: {
    readonly domainCapabilities: readonly string[];
    /** Ask the editor for this host's `virsh domcapabilities` (it runs virsh, in a trusted workspace only). */
    readonly live: boolean;
  };
  /**
   * The settings the user set explicitly (in any scope), of those a config
   * file can also give: `target.qemu`, `schema.enable`,
   * `host.domainCapabilities`. The VS Code client sends them; without them a
   * setting counts as set when it differs from its default.
   */
  readonly explicit?: ReadonlySet<string>;
  /** False in an untrusted workspace (the VS Code client says so): no config file is read. */
  readonly workspaceTrusted?: boolean;
  /** The config file that applies to the document, once merged in (see {@link withConfig}). */
  readonly config?: { readonly file: string; readonly error?: string; readonly ignoredBy?: string };
}

/** The settings a config file can also give, by their dotted names. */
export const CONFIGURABLE_SETTINGS = ['target.qemu', 'schema.enable', 'host.domainCapabilities'] as const;

export const DEFAULT_SETTINGS: Settings = {
  enable: true,
  rules: {},
  target: { qemu: '' },
  schema: { enable: true },
  validate: { debounceMs: 200 },
  maxFileSize: 5_000_000,
  host: { domainCapabilities: [], live: false },
};

/** The bounds package.json gives sevlint.host.domainCapabilities, and a path's length. */
export const MAX_HOST_FILES = 16;
const MAX_PATH = 4096;

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);
/** The bounds package.json gives sevlint.validate.debounceMs. */
export const MAX_DEBOUNCE_MS = 10_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads settings defensively: a value of the wrong type or out of range falls
 * back to its default (or, for debounceMs, to the nearest bound) instead of
 * breaking validation.
 */
export function readSettings(raw: unknown): Settings {
  if (!isRecord(raw)) return DEFAULT_SETTINGS;
  // No prototype: a rule id such as "__proto__" or "constructor" is only a key here.
  const rules: Record<string, SeveritySetting> = Object.create(null) as Record<string, SeveritySetting>;
  if (isRecord(raw['rules'])) {
    for (const [id, sev] of Object.entries(raw['rules'])) {
      if (typeof sev === 'string' && SEVERITIES.has(sev)) rules[id] = sev as SeveritySetting;
    }
  }
  const target = isRecord(raw['target']) ? raw['target'] : {};
  const validate = isRecord(raw['validate']) ? raw['validate'] : {};
  const debounce = validate['debounceMs'];
  const maxFileSize = raw['maxFileSize'];
  const qemu = target['qemu'];
  const schema = isRecord(raw['schema']) ? raw['schema'] : {};
  const host = isRecord(raw['host']) ? raw['host'] : {};
  const caps = host['domainCapabilities'];
  const domainCapabilities = Array.isArray(caps)
    ? caps.filter((c): c is string => typeof c === 'string' && c.trim() !== '' && c.length <= MAX_PATH && !c.includes('\0')).slice(0, MAX_HOST_FILES)
    : DEFAULT_SETTINGS.host.domainCapabilities;
  const explicitRaw = raw['explicit'];
  const explicit = Array.isArray(explicitRaw) ? new Set((CONFIGURABLE_SETTINGS as readonly unknown[]).filter((k) => explicitRaw.includes(k)) as string[]) : undefined;
  return {
    ...(explicit ? { explicit } : {}),
    ...(raw['workspaceTrusted'] === false ? { workspaceTrusted: false } : {}),
    enable: typeof raw['enable'] === 'boolean' ? raw['enable'] : DEFAULT_SETTINGS.enable,
    rules,
    // A version is a few characters; anything long is not one.
    target: { qemu: typeof qemu === 'string' && qemu.length <= 64 ? qemu : '' },
    schema: { enable: typeof schema['enable'] === 'boolean' ? schema['enable'] : DEFAULT_SETTINGS.schema.enable },
    validate: {
      debounceMs: typeof debounce === 'number' && Number.isFinite(debounce) && debounce >= 0 ? Math.min(Math.round(debounce), MAX_DEBOUNCE_MS) : DEFAULT_SETTINGS.validate.debounceMs,
    },
    maxFileSize: typeof maxFileSize === 'number' && Number.isFinite(maxFileSize) && maxFileSize >= 1 ? Math.floor(maxFileSize) : DEFAULT_SETTINGS.maxFileSize,
    host: { domainCapabilities, live: host['live'] === true },
  };
}

export function lintOptions(settings: Settings, fileName: string): LintOptions {
  const qemu = parseVersion(settings.target.qemu);
  return { fileName, rules: settings.rules, ...(qemu ? { qemu } : {}), ...(settings.schema.enable ? {} : { schema: false }) };
}

/** What the language server found for a document: its config file, read and checked, or why it could not be used. */
export type ConfigForDocument =
  | { readonly file: string; readonly config: SevlintConfig; readonly domainCapabilities?: readonly string[]; readonly ignoredBy?: string }
  | { readonly file: string; readonly error: string };

/**
 * The settings of a document with its config file merged in. A setting the
 * user set explicitly wins over the config file; `rules` merge per rule id
 * (an id in the `sevlint.rules` setting wins over the same id in the file);
 * a file the config's `ignore` matches is not checked (`enable: false`).
 * `domainCapabilities`: the config's paths, made absolute by the caller. A
 * config file with an error changes nothing but `config.error`.
 */
export function withConfig(settings: Settings, found: ConfigForDocument): Settings {
  if ('error' in found) return { ...settings, config: { file: found.file, error: found.error } };
  const { config } = found;
  const set = (key: (typeof CONFIGURABLE_SETTINGS)[number], differs: boolean) => (settings.explicit ? settings.explicit.has(key) : differs);
  const rules = Object.assign(Object.create(null) as Record<string, SeveritySetting>, config.rules, settings.rules);
  const qemu = set('target.qemu', settings.target.qemu !== DEFAULT_SETTINGS.target.qemu) || config.qemu === undefined ? settings.target.qemu : config.qemu;
  const schema = set('schema.enable', settings.schema.enable !== DEFAULT_SETTINGS.schema.enable) || config.schema === undefined ? settings.schema.enable : config.schema;
  const caps =
    set('host.domainCapabilities', settings.host.domainCapabilities.length > 0) || found.domainCapabilities === undefined ? settings.host.domainCapabilities : found.domainCapabilities;
  return {
    ...settings,
    enable: settings.enable && found.ignoredBy === undefined,
    rules,
    target: { qemu },
    schema: { enable: schema },
    host: { ...settings.host, domainCapabilities: caps },
    config: { file: found.file, ...(found.ignoredBy !== undefined ? { ignoredBy: found.ignoredBy } : {}) },
  };
}
