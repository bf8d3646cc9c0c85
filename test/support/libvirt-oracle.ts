/**
 * libvirt 11.3 itself as a test oracle (../shared/libvirt-oracle, built once
 * by its build.sh into a cache): does libvirt accept a domain on an AMD
 * SEV-SNP host, and with which error if not. Absent on a machine without
 * ../shared or without the build; tests then skip with a visible note.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SHARED } from './fixtures';

const CHECK = path.join(SHARED, 'libvirt-oracle', 'check');
const CACHE = process.env['SEVLINT_ORACLE_CACHE'] ?? path.join(os.homedir(), '.cache', 'sevlint-libvirt-oracle');
const BINARY = path.join(CACHE, 'build', 'tests', 'qemuxmlconftest');

/** Why the oracle cannot run here, or undefined when it can. */
export function oracleMissing(): string | undefined {
  if (!fs.existsSync(CHECK)) return `${CHECK} not found`;
  if (!fs.existsSync(BINARY)) return `libvirt oracle not built (run ${path.join(SHARED, 'libvirt-oracle', 'build.sh')})`;
  return undefined;
}

export interface Verdict {
  readonly file: string;
  readonly accepted: boolean;
  /** libvirt's error when rejected. */
  readonly error: string | null;
}

/** libvirt's verdict on each file, in one run of the oracle; `args` picks another host (`--variant ''`, `--caps-del …`, `--firmware-dir …`). */
export function libvirtVerdicts(files: readonly string[], args: readonly string[] = []): Map<string, Verdict> {
  const out = new Map<string, Verdict>();
  if (files.length === 0) return out;
  const r = spawnSync(CHECK, ['--json', ...args, ...files], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0 && r.stdout.trim() === '') throw new Error(`libvirt oracle failed: ${r.stderr.split('\n').slice(-5).join('\n')}`);
  for (const v of JSON.parse(r.stdout) as Verdict[]) out.set(path.resolve(v.file), { file: v.file, accepted: v.accepted, error: v.error });
  for (const f of files) if (!out.has(path.resolve(f))) throw new Error(`libvirt oracle gave no verdict for ${f}`);
  return out;
}
