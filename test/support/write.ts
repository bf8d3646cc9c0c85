/**
 * How the project's own scripts write files (regenerated fixtures, the
 * README's rule tables): through the CLI's atomic, checked replacement
 * (server/src/cli/files.ts), so a crash or a concurrent edit never leaves a
 * file cut short or silently overwritten. A new file is created beside as a
 * temporary one, fsynced, and linked into place, which fails if the name was
 * taken meanwhile.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSnapshot, replaceFile, type Snapshot } from '../../server/src/cli/files';

/** The file as it is now, to replace later only if it is still so; undefined when it does not exist. */
export function snapshot(file: string): Snapshot | undefined {
  const read = readSnapshot(Buffer.from(path.resolve(file)), { maxSize: 256 * 1024 * 1024 });
  if (read.kind === 'read') return read.snapshot;
  if (!fs.existsSync(file)) return undefined;
  throw new Error(`cannot read ${file}: ${read.kind === 'error' ? read.reason : 'too large'}`);
}

/** Writes `text` to `file`: replaces it if it is unchanged since `before` (default: now), or creates it. */
export function writeChecked(file: string, text: string, before: Snapshot | undefined = snapshot(file)): void {
  const bytes = Buffer.from(text, 'utf8');
  if (before) {
    const r = replaceFile(before, bytes);
    if (r.kind === 'changed') throw new Error(`${file} changed while it was being regenerated; not written`);
    if (r.kind === 'error') throw new Error(`cannot write ${file}: ${r.reason}`);
    return;
  }
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx');
  try {
    fs.writeFileSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
  } finally {
    fs.unlinkSync(tmp);
  }
}
