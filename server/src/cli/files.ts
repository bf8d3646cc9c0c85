/**
 * How the CLI reads the files it lints and replaces the files it fixes.
 *
 * Reading opens the file once (`O_NONBLOCK`, so a FIFO swapped in cannot
 * block; `O_NOFOLLOW` unless the path is known to be a symbolic link),
 * checks with `fstat` on that descriptor that it is a regular file, and
 * keeps what it saw: the bytes and the descriptor's status.
 *
 * Replacing never writes into the file. It writes a temporary file beside it
 * (`.<name>.sevlint-<12 hex digits>.tmp`, exclusive create, the original's
 * owner and mode), fsyncs it, checks that the path still names the same file
 * with the same status and bytes as when it was read, renames the temporary
 * file over it and fsyncs the folder. So a crash, a signal or a full disk
 * leaves the old file or the new one, never a part of either, and the
 * original is never touched before the rename. What cannot be closed from
 * Node (no `renameat`, no advisory locks): a change made between the last
 * check and the rename is lost, and a SIGKILL between the create and the
 * rename leaves the temporary file behind.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';

const C = fs.constants;
const O_NOFOLLOW = C.O_NOFOLLOW ?? 0;
const O_NONBLOCK = C.O_NONBLOCK ?? 0;
const O_NOCTTY = C.O_NOCTTY ?? 0;
const O_DIRECTORY = C.O_DIRECTORY ?? 0;
const READ_FLAGS = C.O_RDONLY | O_NONBLOCK | O_NOCTTY;

/** Names of sevlint's own temporary files (a SIGKILL can leave one); a folder walk skips them. */
export const TEMP_NAME = /^\..*\.sevlint-[0-9a-f]{12}\.tmp$/s;

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

export type WriteResult =
  /** Replaced; `warning` when the folder could not be fsynced afterwards. */
  | { readonly kind: 'written'; readonly warning?: string }
  /** The path no longer names the file that was read, as it was read: nothing was written. */
  | { readonly kind: 'changed' }
  /** Nothing was written, for `reason`; the original is untouched and no temporary file is left. */
  | { readonly kind: 'error'; readonly reason: string };

/** Test seams: called just before the last check and just before the rename. */
export interface ReplaceHooks {
  readonly beforeCheck?: () => void;
  readonly beforeRename?: () => void;
}

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

function sameStat(a: fs.BigIntStats, b: fs.BigIntStats): boolean {
  return (
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs &&
    a.mode === b.mode &&
    a.uid === b.uid &&
    a.gid === b.gid &&
    a.nlink === b.nlink
  );
}

/**
 * Whether `snap.path` still names the file that was read, unchanged: the
 * same folder, not a symbolic link, the same device, inode, size, times,
 * mode, owner and link count, and the same bytes. Throws on an I/O error
 * other than the file being gone.
 */
export function unchangedSince(snap: Snapshot): boolean {
  try {
    if (!sameDir(snap.dir, dirId(dirnameOf(snap.path)))) return false;
    const st = fs.lstatSync(snap.path, { bigint: true });
    if (!st.isFile() || !sameStat(st, snap.stat)) return false;
    const fd = fs.openSync(snap.path, READ_FLAGS | O_NOFOLLOW);
    try {
      const now = fs.fstatSync(fd, { bigint: true });
      if (!sameStat(now, snap.stat)) return false;
      return readAll(fd, snap.bytes.length, snap.bytes.length).equals(snap.bytes);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') return false;
    throw e;
  }
}

function tempPath(target: Buffer): Buffer {
  // At most 200 bytes of the name, so the temporary name fits in NAME_MAX (255).
  const base = basenameOf(target).subarray(0, 200);
  return joinPath(dirnameOf(target), Buffer.concat([Buffer.from('.'), base, Buffer.from(`.sevlint-${randomBytes(6).toString('hex')}.tmp`)]));
}

function createTemp(target: Buffer): { fd: number; tmp: Buffer } {
  for (let attempt = 0; ; attempt++) {
    const tmp = tempPath(target);
    try {
      return { fd: fs.openSync(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL | O_NOFOLLOW | O_NOCTTY, 0o600), tmp };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 8) throw e;
    }
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  let off = 0;
  while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
}

/** A write refused for a reason that is not an errno. */
class Refused extends Error {}

function unlinkQuietly(p: Buffer): void {
  try {
    fs.unlinkSync(p);
  } catch {
    // Already gone, or the folder went away: nothing of ours is left to remove.
  }
}

/**
 * Replaces the file `snap` was read from with `bytes`, atomically, unless it
 * changed since. Never follows a symbolic link at the path: `rename` replaces
 * the directory entry itself.
 */
export function replaceFile(snap: Snapshot, bytes: Buffer, hooks: ReplaceHooks = {}): WriteResult {
  const target = snap.path;
  try {
    if (!unchangedSince(snap)) return { kind: 'changed' };
    // The file's own write permission still counts, as it did for an in-place write (root passes).
    fs.accessSync(target, C.W_OK);
  } catch (e) {
    return { kind: 'error', reason: describeErrno(e) };
  }
  let created: { fd: number; tmp: Buffer };
  try {
    created = createTemp(target);
  } catch (e) {
    return { kind: 'error', reason: `${describeErrno(e)} (creating a temporary file in its folder)` };
  }
  const { fd, tmp } = created;
  let open = true;
  try {
    const st = fs.fstatSync(fd, { bigint: true });
    if (st.uid !== snap.stat.uid || st.gid !== snap.stat.gid) {
      try {
        fs.fchownSync(fd, Number(snap.stat.uid), Number(snap.stat.gid));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPERM' || code === 'EACCES') throw new Refused('it is owned by another user or group, and replacing it would change its owner');
        throw e;
      }
    }
    // After fchown, which clears set-user-ID and set-group-ID bits.
    fs.fchmodSync(fd, Number(snap.stat.mode & 0o7777n));
    writeAll(fd, bytes);
    fs.fsyncSync(fd);
    open = false;
    fs.closeSync(fd);
    hooks.beforeCheck?.();
    if (!unchangedSince(snap)) {
      unlinkQuietly(tmp);
      return { kind: 'changed' };
    }
    hooks.beforeRename?.();
    fs.renameSync(tmp, target);
  } catch (e) {
    if (open) {
      try {
        fs.closeSync(fd);
      } catch {
        // The write already failed; that error is the one to report.
      }
    }
    unlinkQuietly(tmp);
    return { kind: 'error', reason: e instanceof Refused ? e.message : describeErrno(e) };
  }
  try {
    const dfd = fs.openSync(dirnameOf(target), C.O_RDONLY | O_DIRECTORY);
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Some file systems cannot fsync a folder; that is not a failure of the write.
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') {
      return { kind: 'written', warning: `the folder could not be synced to disk: ${describeErrno(e)}` };
    }
  }
  return { kind: 'written' };
}
