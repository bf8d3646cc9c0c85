/**
 * The language server's side of `.sevlintrc.json` (see ../config.ts): for a
 * document on disk, the nearest config file from its folder upwards to the
 * file system root. Looked up asynchronously (one stat per folder), read
 * through the CLI's `readSnapshot` (one open, a regular file, at most
 * MAX_CONFIG_BYTES), and kept while its size and modification time stay the
 * same. A config that cannot be read or is malformed comes back as an error
 * naming it.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { readSnapshot } from '../cli/files';
import { CONFIG_FILE_NAME, ignoredBy, MAX_CONFIG_BYTES, parseConfig, type ConfigParse } from '../config';
import type { ConfigForDocument } from './settings';

interface Cached {
  readonly size: number;
  readonly mtimeMs: number;
  readonly parsed: ConfigParse;
}

export class ConfigFiles {
  private readonly cache = new Map<string, Cached>();

  /** The config of the file at `fsPath` (absolute), merged-ready; undefined when no folder above it has one. */
  async forFile(fsPath: string): Promise<ConfigForDocument | undefined> {
    for (let dir = path.dirname(fsPath); ; ) {
      const file = path.join(dir, CONFIG_FILE_NAME);
      const found = await this.read(file);
      if (found) {
        if (!found.ok) return { file, error: found.error };
        const { config } = found;
        const rel = path.relative(dir, fsPath).split(path.sep).join('/');
        const glob = ignoredBy(config.ignore, rel);
        return {
          file,
          config,
          ...(config.domainCapabilities ? { domainCapabilities: config.domainCapabilities.map((p) => path.resolve(dir, p)) } : {}),
          ...(glob !== undefined ? { ignoredBy: glob } : {}),
        };
      }
      const parent = path.dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }

  /** Forgets what was read (a config file changed). */
  forget(): void {
    this.cache.clear();
  }

  /** The config file at `file` read and checked; undefined when there is none. */
  private async read(file: string): Promise<ConfigParse | undefined> {
    let st;
    try {
      st = await fsp.stat(file);
    } catch (e) {
      this.cache.delete(file);
      const code = (e as NodeJS.ErrnoException).code;
      // Absent, or in a folder we may not look into: as if there were none.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM') return undefined;
      return { ok: false, error: `cannot look at it: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (!st.isFile()) return { ok: false, error: 'it is not a regular file' };
    const hit = this.cache.get(file);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.parsed;
    const read = readSnapshot(Buffer.from(file), { maxSize: MAX_CONFIG_BYTES, link: true });
    const parsed: ConfigParse =
      read.kind === 'error'
        ? { ok: false, error: `cannot read it: ${read.reason}` }
        : read.kind === 'too-large'
          ? { ok: false, error: `${read.size} bytes is more than a config file may have (${MAX_CONFIG_BYTES})` }
          : parseConfig(read.snapshot.bytes.toString('utf8'));
    this.cache.set(file, { size: st.size, mtimeMs: st.mtimeMs, parsed });
    return parsed;
  }
}
