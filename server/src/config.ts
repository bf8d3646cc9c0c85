/**
 * The sevlint config file, `.sevlintrc.json`, shared by the CLI and the
 * editor: what it may hold, checked (pure: text in, a config or one error
 * out), its `ignore` globs, and how it becomes LintOptions. Finding and
 * reading the file is the CLI's (`cli/config.ts`) and the language server's
 * (`lsp/config-files.ts`) business.
 *
 * Named after `.eslintrc.json`, `.markdownlint.json` and `.taplo.toml`: a
 * dot-file with the tool's name. The nearest one from the linted file's folder
 * upwards applies, alone (no cascade, so there is no `root` key).
 */
import type { LintOptions } from './linter';
import { allRuleMetas } from './rules/index';
import { parseVersion, type SeveritySetting, type Version } from './rules/types';

export const CONFIG_FILE_NAME = '.sevlintrc.json';

/** Larger config files are not read: a config is a few hundred bytes. */
export const MAX_CONFIG_BYTES = 256 * 1024;

/** At most this many host capabilities files (as the sevlint.host.domainCapabilities setting). */
export const MAX_CONFIG_HOST_FILES = 16;

const SEVERITIES: ReadonlySet<string> = new Set(['error', 'warning', 'information', 'hint', 'off']);
const RULE_IDS: ReadonlySet<string> = new Set(allRuleMetas.map((r) => r.id));
const TOP_KEYS = ['$schema', 'rules', 'target', 'host', 'schema', 'ignore'];

/** A config file's content, checked. Every part is optional. */
export interface SevlintConfig {
  readonly rules: Readonly<Record<string, SeveritySetting>>;
  /** `target.qemu` as written ("8.2"). */
  readonly qemu?: string;
  /** `host.domainCapabilities` as written (relative paths are relative to the config file's folder). */
  readonly domainCapabilities?: readonly string[];
  /** `schema.enable`. */
  readonly schema?: boolean;
  /** `ignore`: globs, relative to the config file's folder. */
  readonly ignore: readonly string[];
}

export type ConfigParse = { readonly ok: true; readonly config: SevlintConfig } | { readonly ok: false; readonly error: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class ConfigError extends Error {}

function only(obj: Record<string, unknown>, keys: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!keys.includes(k)) throw new ConfigError(`${where}unknown key ${JSON.stringify(k)} (expected ${keys.map((x) => JSON.stringify(x)).join(', ')})`);
  }
}

function strings(v: unknown, where: string, max: number): string[] {
  if (!Array.isArray(v)) throw new ConfigError(`${where} must be an array of strings`);
  if (v.length > max) throw new ConfigError(`${where} has ${v.length} entries, at most ${max} are allowed`);
  return v.map((s, i) => {
    if (typeof s !== 'string' || s.trim() === '' || s.includes('\0') || s.length > 4096) throw new ConfigError(`${where}[${i}] must be a non-empty string`);
    return s;
  });
}

/**
 * Reads a config file's text (JSON, an optional byte order mark). Anything
 * wrong — not JSON, a key it does not know, a value of the wrong type, an
 * unknown rule id or severity, a QEMU version that is not one — is one error
 * saying where.
 */
export function parseConfig(text: string): ConfigParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { ok: false, error: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    if (!isRecord(raw)) throw new ConfigError('the file must hold a JSON object');
    only(raw, TOP_KEYS, '');
    // No prototype: a rule id such as "__proto__" is only a key here.
    const rules = Object.create(null) as Record<string, SeveritySetting>;
    if (raw['rules'] !== undefined) {
      if (!isRecord(raw['rules'])) throw new ConfigError('"rules" must be an object of rule id → severity');
      for (const [id, sev] of Object.entries(raw['rules'])) {
        if (!RULE_IDS.has(id)) throw new ConfigError(`"rules": unknown rule ${JSON.stringify(id)}`);
        if (typeof sev !== 'string' || !SEVERITIES.has(sev)) throw new ConfigError(`"rules"."${id}" must be one of "error", "warning", "information", "hint", "off"`);
        rules[id] = sev as SeveritySetting;
      }
    }
    let qemu: string | undefined;
    if (raw['target'] !== undefined) {
      const target = raw['target'];
      if (!isRecord(target)) throw new ConfigError('"target" must be an object');
      only(target, ['qemu'], '"target": ');
      if (target['qemu'] !== undefined) {
        const q = target['qemu'];
        if (typeof q !== 'string' || (q !== '' && !parseVersion(q))) throw new ConfigError('"target"."qemu" must be a QEMU version such as "8.2", or ""');
        qemu = q;
      }
    }
    let domainCapabilities: string[] | undefined;
    if (raw['host'] !== undefined) {
      const host = raw['host'];
      if (!isRecord(host)) throw new ConfigError('"host" must be an object');
      only(host, ['domainCapabilities'], '"host": ');
      if (host['domainCapabilities'] !== undefined) domainCapabilities = strings(host['domainCapabilities'], '"host"."domainCapabilities"', MAX_CONFIG_HOST_FILES);
    }
    let schema: boolean | undefined;
    if (raw['schema'] !== undefined) {
      const s = raw['schema'];
      if (!isRecord(s)) throw new ConfigError('"schema" must be an object');
      only(s, ['enable'], '"schema": ');
      if (s['enable'] !== undefined) {
        if (typeof s['enable'] !== 'boolean') throw new ConfigError('"schema"."enable" must be true or false');
        schema = s['enable'];
      }
    }
    const ignore = raw['ignore'] === undefined ? [] : strings(raw['ignore'], '"ignore"', 1000);
    if (raw['$schema'] !== undefined && typeof raw['$schema'] !== 'string') throw new ConfigError('"$schema" must be a string');
    return {
      ok: true,
      config: { rules, ...(qemu !== undefined ? { qemu } : {}), ...(domainCapabilities ? { domainCapabilities } : {}), ...(schema !== undefined ? { schema } : {}), ignore },
    };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, error: e.message };
    throw e;
  }
}

function escape(s: string): string {
  return s.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
}

/**
 * A glob as a regular expression over '/'-separated relative paths, as in
 * `.gitignore` and ESLint's ignores: `*` matches within a name, `?` one
 * character of a name, `**` any number of folders; a pattern with no `/`
 * (other than a trailing one) matches in any folder; a pattern that matches a
 * folder matches everything below it; a leading `./` or `/` anchors it at the
 * config file's folder.
 */
export function globToRegExp(glob: string): RegExp {
  let g = glob.trim().replace(/\/+$/, '');
  const anchored = /^\.?\//.test(g) || g.replace(/^\.?\//, '').includes('/');
  g = g.replace(/^\.?\/+/, '');
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === '*' && g[i + 1] === '*') {
      const slash = g[i + 2] === '/';
      re += slash ? '(?:[^/]*/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += escape(c);
    }
  }
  return new RegExp(`^${anchored ? '' : '(?:[^/]*/)*'}${re}(?:/.*)?$`, 's');
}

/** The first `ignore` glob that matches `relPath` ('/'-separated, relative to the config file's folder), or undefined. */
export function ignoredBy(patterns: readonly string[], relPath: string): string | undefined {
  if (relPath === '' || relPath.startsWith('../') || relPath === '..') return undefined;
  return patterns.find((p) => globToRegExp(p).test(relPath));
}

/**
 * The CLI's LintOptions: the config file's, under what the command line
 * says (`--qemu`, `--no-schema` and `--domcaps` win over the file).
 */
export function configLintOptions(config: SevlintConfig | undefined, cli: LintOptions): LintOptions {
  if (!config) return cli;
  const qemu: Version | undefined = cli.qemu ?? (config.qemu ? parseVersion(config.qemu) : undefined);
  const schema = cli.schema ?? config.schema;
  return {
    ...cli,
    rules: { ...config.rules, ...cli.rules },
    ...(qemu ? { qemu } : {}),
    ...(schema === false ? { schema: false } : {}),
  };
}
