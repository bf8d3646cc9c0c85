import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, SHARED } from './fixtures';

/** libvirt's RelaxNG schema: the one sevlint bundles (11.3), else the copy beside the project, else the system's. */
export function domainSchema(): string | undefined {
  const candidates = [path.join(ROOT, 'schemas', 'libvirt', 'domain.rng'), path.join(SHARED, 'libvirt-schemas-11.3', 'domain.rng'), '/usr/share/libvirt/schemas/domain.rng'];
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

/** What `xmllint --noout` says about one file. */
export interface XmllintVerdict {
  /** xmllint built a document: the file is well-formed for libxml2. */
  readonly wellFormed: boolean;
  /** The first `parser error` line (1-based) and its message, when there is one. */
  readonly firstError?: { readonly line: number; readonly message: string };
}

let sentinelFile: string | undefined;

/**
 * A well-formed file that always prints one line tagged with its own name (a
 * namespace error is no well-formedness error), put between the files of a
 * batch so that each file's lines can be told apart.
 */
function sentinel(dir: string): string {
  if (sentinelFile === undefined || !fs.existsSync(sentinelFile)) {
    sentinelFile = path.join(dir, 'sevlint-sentinel.xml');
    fs.writeFileSync(sentinelFile, '<s:s/>\n');
  }
  return sentinelFile;
}

/**
 * `xmllint --noout` on many files in few processes. A batch runs as
 * `xmllint --noout --timing S f1 S f2 … S`, where S is a sentinel file:
 * xmllint prints `Parsing took` for every document it could build (only the
 * well-formed ones) and tags each error with the file's name, so the lines
 * between two sentinels belong to one file.
 */
export function xmllintWellFormed(files: readonly string[], batch = 400): Map<string, XmllintVerdict> {
  const out = new Map<string, XmllintVerdict>();
  if (files.length === 0) return out;
  const s = sentinel(path.dirname(files[0]!));
  for (let k = 0; k < files.length; k += batch) {
    const chunk = files.slice(k, k + batch);
    const argv = ['--noout', '--timing'];
    for (const f of chunk) argv.push(s, f);
    argv.push(s);
    const r = spawnSync('xmllint', argv, { encoding: 'latin1', maxBuffer: 512 * 1024 * 1024 });
    if (r.error) throw r.error;
    const lines = r.stderr.split('\n');
    // Split at the sentinel's own error lines: segment i (1-based) belongs to chunk[i - 1].
    const segments: string[][] = [[]];
    for (const line of lines) {
      if (line.startsWith(s + ':')) segments.push([]);
      else segments[segments.length - 1]!.push(line);
    }
    if (segments.length !== chunk.length + 2) throw new Error(`xmllint batch: ${segments.length - 1} sentinels for ${chunk.length + 1}`);
    chunk.forEach((f, i) => {
      const seg = segments[i + 1]!;
      // The sentinel's own "Parsing took" and "Freeing took" come first in each segment.
      const timings = seg.filter((l) => l.startsWith('Parsing took '));
      const wellFormed = timings.length === 2;
      if (timings.length !== 1 && timings.length !== 2) throw new Error(`xmllint batch: ${timings.length} timing lines for ${f}`);
      const prefix = f + ':';
      let firstError: XmllintVerdict['firstError'];
      for (const l of seg) {
        if (!l.startsWith(prefix)) continue;
        const m = /^(\d+): parser error : (.*)$/.exec(l.slice(prefix.length));
        if (m) {
          firstError = { line: Number(m[1]), message: m[2]! };
          break;
        }
      }
      out.set(f, { wellFormed, firstError });
    });
  }
  return out;
}
