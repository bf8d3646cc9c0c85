/**
 * How the CLI reads the files it lints.
 *
 * Reading opens the file once (`O_NONBLOCK`, so a FIFO swapped in cannot
 * block; `O_NOFOLLOW` unless the path is known to be a symbolic link),
 * checks with `fstat` on that descriptor that it is a regular file, and
 * keeps what it saw: the bytes and the descriptor's status.
 */
import * as fs from 'node:fs';

const C = fs.constants;
const O_NOFOLLOW = C.O_NOFOLLOW ?? 0;
const O_NONBLOCK = C.O_NONBLOCK ?? 0;
const O_NOCTTY = C.O_NOCTTY ?? 0;
const READ_FLAGS = C.O_RDONLY | O_NONBLOCK | O_NOCTTY;

/** A folder, by identity. */
export interface DirId {
  readonly dev: bigint;
  readonly ino: bigint;
}

/** A file as it was read. */
export interface Snapshot {
  /** The path, absolute, as bytes (so names that are not valid UTF-8 work). */
  readonly path: Buffer;
  readonly bytes: Buffer;
  /** `fstat` of the descriptor the bytes were read from. */
  readonly stat: fs.BigIntStats;
  /** The folder holding it, when it was read. */
  readonly dir: DirId;
  /** The path is a symbolic link, read through. */
  readonly link: boolean;
}

export type ReadResult =
  | { readonly kind: 'read'; readonly snapshot: Snapshot }
  | { readonly kind: 'too-large'; readonly size: number }
  | { readonly kind: 'error'; readonly reason: string };

/** A short reason for an errno error, as `ls` or `cp` would say it. */
export function describeErrno(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'file name too long';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EFBIG':
      return 'file too large';
    case 'EROFS':
      return 'read-only file system';
    case 'EIO':
      return 'input/output error';
    default:
      return e.code ?? String(e.message ?? e);
  }
}

/** What a file that is not a regular file is. */
export function describeType(st: fs.Stats | fs.BigIntStats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

const SLASH = 0x2f;

/** The folder part of an absolute path (bytes). */
export function dirnameOf(p: Buffer): Buffer {
  let end = p.length;
  while (end > 1 && p[end - 1] === SLASH) end--;
  const i = p.lastIndexOf(SLASH, end - 1);
  return i <= 0 ? Buffer.from('/') : p.subarray(0, i);
}

/** The last component of a path (bytes). */
export function basenameOf(p: Buffer): Buffer {
  let end = p.length;
  while (end > 1 && p[end - 1] === SLASH) end--;
  return p.subarray(p.lastIndexOf(SLASH, end - 1) + 1, end);
}

/** `a` + '/' + `b`, as bytes. */
export function joinPath(a: Buffer, b: Buffer): Buffer {
  return a.length > 0 && a[a.length - 1] === SLASH ? Buffer.concat([a, b]) : Buffer.concat([a, Buffer.from('/'), b]);
}

function dirId(dir: Buffer): DirId {
  const st = fs.statSync(dir, { bigint: true });
  return { dev: st.dev, ino: st.ino };
}

function sameDir(a: DirId, b: DirId): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** Reads up to `limit` + 1 bytes (more means: over the limit). */
function readAll(fd: number, limit: number, sizeHint: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  let buf = Buffer.allocUnsafe(Math.min(Math.max(sizeHint, 0) + 1, limit + 1, 1 << 24) || 1);
  for (;;) {
    const want = Math.min(buf.length, limit + 1 - total);
    if (want <= 0) break;
    const n = fs.readSync(fd, buf, 0, want, null);
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    total += n;
    if (n === buf.length) buf = Buffer.allocUnsafe(Math.min(buf.length * 2, 1 << 24));
  }
  return Buffer.concat(chunks, total);
}

/**
 * Reads the regular file at `file` (absolute). `link`: the path is known to
 * be a symbolic link and is read through; otherwise a symbolic link there is
 * refused (it was swapped in after the path was looked at). `dir`: the
 * identity of the folder the path was found in; a path that now leads to
 * another folder is refused. Files over `maxSize` bytes are not read.
 */
export function readSnapshot(file: Buffer, options: { readonly maxSize: number; readonly link?: boolean; readonly dir?: DirId }): ReadResult {
  const link = options.link ?? false;
  let fd: number;
  try {
    fd = fs.openSync(file, READ_FLAGS | (link ? 0 : O_NOFOLLOW));
  } catch (e) {
    if (!link && (e as NodeJS.ErrnoException).code === 'ELOOP' && isSymlink(file)) {
      return { kind: 'error', reason: 'it was replaced by a symbolic link while sevlint was running' };
    }
    return { kind: 'error', reason: describeErrno(e) };
  }
  try {
    const stat = fs.fstatSync(fd, { bigint: true });
    if (!stat.isFile()) return { kind: 'error', reason: `${describeType(stat)}, not a regular file` };
    const dir = dirId(dirnameOf(file));
    if (options.dir && !sameDir(options.dir, dir)) return { kind: 'error', reason: 'its folder was replaced while sevlint was running' };
    if (stat.size > BigInt(options.maxSize)) return { kind: 'too-large', size: Number(stat.size) };
    const bytes = readAll(fd, options.maxSize, Number(stat.size));
    if (bytes.length > options.maxSize) return { kind: 'too-large', size: bytes.length };
    return { kind: 'read', snapshot: { path: file, bytes, stat, dir, link } };
  } catch (e) {
    return { kind: 'error', reason: describeErrno(e) };
  } finally {
    fs.closeSync(fd);
  }
}

function isSymlink(p: Buffer): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
