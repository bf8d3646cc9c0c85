import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED } from './fixtures';

/** libvirt's RelaxNG schema: the 11.3 copy beside the project, else the system's. */
export function domainSchema(): string | undefined {
  const candidates = [path.join(SHARED, 'libvirt-schemas-11.3', 'domain.rng'), '/usr/share/libvirt/schemas/domain.rng'];
  return candidates.find((p) => fs.existsSync(p));
}

export function hasXmllint(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Validates files in one xmllint run; returns the files that fail, with xmllint's messages. */
export function invalidFiles(schema: string, files: readonly string[]): Map<string, string> {
  const failed = new Map<string, string>();
  if (files.length === 0) return failed;
  const r = spawnSync('xmllint', ['--noout', '--relaxng', schema, ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const lines = r.stderr.split('\n');
  for (const f of files) {
    if (!lines.includes(`${f} validates`)) {
      failed.set(f, lines.filter((l) => l.startsWith(f + ':')).join('\n') || 'no "validates" line');
    }
  }
  return failed;
}
