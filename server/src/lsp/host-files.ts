/**
 * The language server's reading of `sevlint.host.domainCapabilities`: the
 * files named there (relative ones against the document's workspace folder),
 * read asynchronously and kept while their size and modification time stay
 * the same. A file that cannot be read is passed on with the reason, so the
 * host-capabilities diagnostic names it. Nothing else is ever read.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LiveCapabilitiesQuery } from '../commands';
import type { CapabilitiesSource } from '../host/domcaps';
import type { LintOptions } from '../linter';
import { pick } from './params';
import type { Settings } from './settings';

/** Larger files are not read: domcapabilities output is tens of kilobytes. */
export const MAX_DOMCAPS_BYTES = 4 * 1024 * 1024;

interface Cached {
  readonly size: number;
  readonly mtimeMs: number;
  readonly text: string;
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return e instanceof Error ? e.message : String(e);
}

/** A file path from a `file:` URI, or undefined for any other scheme. */
export function fsPathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export class HostFiles {
  private readonly cache = new Map<string, Cached>();

  /**
   * The capabilities named by the setting, for a document in `folder` (the
   * file system path of its workspace folder, if any). Each comes back named
   * as written in the setting.
   */
  async load(paths: readonly string[], folder: string | undefined): Promise<CapabilitiesSource[]> {
    return Promise.all(paths.map((p) => this.one(p, folder)));
  }

  private async one(name: string, folder: string | undefined): Promise<CapabilitiesSource> {
    if (!path.isAbsolute(name) && folder === undefined) {
      return { name, text: '', unreadable: 'a relative path needs a workspace folder to be resolved against' };
    }
    const abs = path.resolve(folder ?? '/', name);
    try {
      const st = await fsp.stat(abs);
      if (!st.isFile()) return { name, text: '', unreadable: 'it is not a regular file' };
      if (st.size > MAX_DOMCAPS_BYTES) return { name, text: '', unreadable: `${st.size} bytes is more than virsh domcapabilities output ever is` };
      const hit = this.cache.get(abs);
      if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return { name, text: hit.text };
      const text = await fsp.readFile(abs, 'utf8');
      this.cache.set(abs, { size: st.size, mtimeMs: st.mtimeMs, text });
      return { name, text };
    } catch (e) {
      this.cache.delete(abs);
      return { name, text: '', unreadable: `cannot read it: ${describe(e)}` };
    }
  }
}

/**
 * The values of a domain's `virsh domcapabilities` query, read cheaply from
 * its text: the machine of `<os><type>` and the `<emulator>`. The client
 * checks both again before they reach virsh's argv.
 */
export function liveQueryOf(text: string): LiveCapabilitiesQuery {
  const machine = /<type\b[^>]*?\bmachine\s*=\s*(["'])([^"'<>]{1,64})\1/.exec(text)?.[2]?.trim();
  const emulator = /<emulator>\s*([^<]{1,4096}?)\s*<\/emulator>/.exec(text)?.[1];
  return { virttype: 'kvm', arch: 'x86_64', ...(machine ? { machine } : {}), ...(emulator ? { emulator } : {}) };
}

/** A client's answer to sevlint/liveDomainCapabilities, checked; undefined when it is not one. */
export function readLiveAnswer(v: unknown): CapabilitiesSource | null | undefined {
  if (v === null) return null;
  if (typeof v !== 'object') return undefined;
  const { name, text, unreadable } = v as Record<string, unknown>;
  if (typeof name !== 'string' || typeof text !== 'string' || (unreadable !== undefined && typeof unreadable !== 'string')) return undefined;
  return { name, text, ...(typeof unreadable === 'string' ? { unreadable } : {}) };
}


/**
 * The host capabilities of the language server: the files of
 * sevlint.host.domainCapabilities (resolved against the workspace folders of
 * initialize), and with sevlint.host.live the client's answers to
 * sevlint/liveDomainCapabilities, once per query until forget().
 */
export class HostSources {
  private readonly files = new HostFiles();
  /** The workspace folders' file system paths, longest first. */
  private folders: string[] = [];
  /** The client runs virsh domcapabilities for us (initializationOptions.liveHost). */
  private liveClient = false;
  private readonly live = new Map<string, Promise<CapabilitiesSource | null>>();

  constructor(
    private readonly ask: (query: LiveCapabilitiesQuery) => Promise<unknown>,
    private readonly warn: (message: string) => void,
  ) {}

  /** Reads what it needs from the initialize params. */
  initialize(params: unknown): void {
    this.liveClient = pick(params, 'initializationOptions', 'liveHost') === true;
    const wsFolders = pick(params, 'workspaceFolders');
    const uris = Array.isArray(wsFolders) ? wsFolders.map((f) => pick(f, 'uri')) : [pick(params, 'rootUri')];
    this.folders = uris.flatMap((u) => (typeof u === 'string' ? (fsPathOf(u) ?? []) : [])).sort((a, b) => b.length - a.length);
  }

  /** `options` with the host capabilities the settings name for this document, if any. */
  async options(uri: string, text: string, settings: Settings, options: LintOptions): Promise<LintOptions> {
    const paths = settings.host.domainCapabilities;
    const live = settings.host.live && this.liveClient;
    if (paths.length === 0 && !live) return options;
    const file = fsPathOf(uri);
    const folder = file === undefined ? undefined : this.folders.find((f) => file === f || file.startsWith(f.endsWith(path.sep) ? f : f + path.sep));
    const sources = await this.files.load(paths, folder);
    const answer = live ? await this.liveFor(text) : null;
    if (answer) sources.push(answer);
    return sources.length > 0 ? { ...options, domainCapabilities: sources } : options;
  }

  /** Forgets the live answers ("sevlint: Refresh host capabilities", a settings change). */
  forget(): void {
    this.live.clear();
  }

  private liveFor(text: string): Promise<CapabilitiesSource | null> {
    const query = liveQueryOf(text);
    const key = JSON.stringify(query);
    let answer = this.live.get(key);
    if (!answer) {
      answer = this.ask(query).then(
        (v) => {
          const read = readLiveAnswer(v);
          if (read === undefined) this.warn('sevlint: ignored a malformed answer to sevlint/liveDomainCapabilities');
          return read ?? null;
        },
        (e: unknown) => {
          this.warn(`sevlint: sevlint/liveDomainCapabilities failed: ${e instanceof Error ? e.message : String(e)}`);
          this.live.delete(key);
          return null;
        },
      );
      this.live.set(key, answer);
    }
    return answer;
  }
}
