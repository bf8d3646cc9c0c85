/**
 * The CLI's side of `.sevlintrc.json` (see ../config.ts): found from each
 * linted file's folder upwards to the file system root, the nearest one
 * applying; read through `readSnapshot` (one open, a regular file, at most
 * MAX_CONFIG_BYTES); each folder looked at once per run. A config file that
 * cannot be read or is malformed is a usage error naming it (exit 2).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE_NAME, configLintOptions, ignoredBy, MAX_CONFIG_BYTES, parseConfig, type SevlintConfig } from '../config';
import type { CapabilitiesSource } from '../host/domcaps';
import type { LintOptions } from '../linter';
import { allRuleMetas } from '../rules/index';
import { describeErrno, describeType, readSnapshot } from './files';
import { HostUsageError, readDomcaps } from './host';

/** A config file that cannot be read or is malformed: exit 2, with this message. */
export class ConfigFileError extends Error {}

export interface FoundConfig {
  /** The config file, absolute. */
  readonly file: string;
  /** Its folder: `ignore` globs and relative `host.domainCapabilities` paths are relative to it. */
  readonly dir: string;
  readonly config: SevlintConfig;
  /** Its host capabilities files, read (once). */
  readonly domainCapabilities?: readonly CapabilitiesSource[];
}

export class ConfigLookup {
  /** Folder → the config that applies there (null: none up to the root). */
  private readonly byDir = new Map<string, FoundConfig | null>();

  /** The config that applies to the file at `abs` (absolute), if any. */
  forFile(abs: string): FoundConfig | undefined {
    return this.forDir(path.dirname(abs)) ?? undefined;
  }

  private forDir(dir: string): FoundConfig | null {
    const seen: string[] = [];
    let found: FoundConfig | null | undefined;
    for (let d = dir; ; ) {
      const cached = this.byDir.get(d);
      if (cached !== undefined) {
        found = cached;
        break;
      }
      seen.push(d);
      const here = readConfigAt(d);
      if (here) {
        found = here;
        break;
      }
      const parent = path.dirname(d);
      if (parent === d) {
        found = null;
        break;
      }
      d = parent;
    }
    for (const d of seen) this.byDir.set(d, found);
    return found;
  }
}

/** The config file in folder `dir`, read and checked; undefined when there is none. */
function readConfigAt(dir: string): FoundConfig | undefined {
  const file = path.join(dir, CONFIG_FILE_NAME);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file, { throwIfNoEntry: false });
  } catch {
    // A folder we may not look into: as if there were none.
    return undefined;
  }
  if (!st) return undefined;
  if (!st.isFile()) throw new ConfigFileError(`${file}: ${describeType(st)}, not a regular file`);
  const read = readSnapshot(Buffer.from(file), { maxSize: MAX_CONFIG_BYTES, link: true });
  if (read.kind === 'error') throw new ConfigFileError(`${file}: cannot read it: ${read.reason}`);
  if (read.kind === 'too-large') throw new ConfigFileError(`${file}: ${read.size} bytes is more than a config file may have (${MAX_CONFIG_BYTES})`);
  const parsed = parseConfig(read.snapshot.bytes.toString('utf8'));
  if (!parsed.ok) throw new ConfigFileError(`${file}: ${parsed.error}`);
  const config = parsed.config;
  let domainCapabilities: CapabilitiesSource[] | undefined;
  if (config.domainCapabilities) {
    try {
      domainCapabilities = readDomcaps(config.domainCapabilities, dir);
    } catch (e) {
      if (e instanceof HostUsageError) throw new ConfigFileError(`${file}: "host"."domainCapabilities": ${e.message.replace(/^--domcaps /, '')}`);
      throw new ConfigFileError(`${file}: "host"."domainCapabilities": ${describeErrno(e)}`);
    }
  }
  return { file, dir, config, ...(domainCapabilities ? { domainCapabilities } : {}) };
}

/** `abs` relative to the config's folder, '/'-separated. */
export function relativeTo(found: FoundConfig, abs: string): string {
  return path.relative(found.dir, abs).split(path.sep).join('/');
}

/** The glob of `found` that ignores the file at `abs`, if one does. */
export function ignoringGlob(found: FoundConfig | undefined, abs: string): string | undefined {
  return found ? ignoredBy(found.config.ignore, relativeTo(found, abs)) : undefined;
}

/** The options a file is linted with: the command line's over its config file's. */
export function optionsFor(found: FoundConfig | undefined, cli: LintOptions): LintOptions {
  const merged = configLintOptions(found?.config, cli);
  if (cli.domainCapabilities || !found?.domainCapabilities) return merged;
  return { ...merged, domainCapabilities: found.domainCapabilities };
}

/** `sevlint --print-config FILE`: the effective config for FILE, as JSON. */
export function printConfig(abs: string, found: FoundConfig | undefined, cli: LintOptions, cliDomcaps: readonly string[] | undefined, cwd: string): string {
  const options = configLintOptions(found?.config, cli);
  const glob = ignoringGlob(found, abs);
  const domcaps = cliDomcaps ? cliDomcaps.map((p) => path.resolve(cwd, p)) : (found?.config.domainCapabilities ?? []).map((p) => path.resolve(found!.dir, p));
  const effective = {
    file: abs,
    configFile: found?.file ?? null,
    ignored: glob !== undefined,
    ...(glob !== undefined ? { ignoredBy: glob } : {}),
    rules: Object.fromEntries(allRuleMetas.map((r) => [r.id, options.rules?.[r.id] ?? r.severity])),
    target: { qemu: options.qemu ? options.qemu.join('.') : null },
    host: { domainCapabilities: domcaps },
    schema: { enable: options.schema !== false && options.rules?.['libvirt-schema'] !== 'off' },
    ignore: found?.config.ignore ?? [],
  };
  return JSON.stringify(effective, null, 2) + '\n';
}
