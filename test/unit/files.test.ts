/**
 * How `--fix` replaces a file (server/src/cli/files.ts), called directly with
 * a snapshot made stale on purpose, and through the CLI: a change by another
 * process, a symbolic link swapped in, concurrent runs and a full disk never
 * cost the original its bytes, and never write anywhere but the named file.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSnapshot, replaceFile, TEMP_NAME, type Snapshot } from '../../server/src/cli/files';
import { run } from '../../server/src/cli/main';
import { bigDomain, SEVLINT } from '../support/cli';
import { ROOT } from '../support/fixtures';

let dir = '';

function p(name: string): string {
  return path.join(dir, name);
}

function snapshotOf(name: string): Snapshot {
  const r = readSnapshot(Buffer.from(p(name)), { maxSize: 50_000_000 });
  assert.equal(r.kind, 'read');
  return (r as { snapshot: Snapshot }).snapshot;
}

/** The names in a folder, sevlint's temporary files included. */
function ls(sub = ''): string[] {
  return fs.readdirSync(path.join(dir, sub)).sort();
}

function cli(args: string[], cwd = dir): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = run(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd });
  return { code, stdout, stderr };
}

const KATA = fs.readFileSync(path.join(ROOT, 'examples', 'kata', 'configuration-snp-from-old-guide.toml'));

describe('replacing a file (--fix)', () => {
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-files-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replaces the file by a new one with the same bytes given, mode and owner, and leaves no temporary file', () => {
    fs.mkdirSync(p('plain'));
    fs.writeFileSync(p('plain/a.xml'), 'old');
    fs.chmodSync(p('plain/a.xml'), 0o640);
    const owner = process.getuid?.() === 0 ? { uid: 1234, gid: 5678 } : { uid: process.getuid!(), gid: process.getgid!() };
    fs.chownSync(p('plain/a.xml'), owner.uid, owner.gid);
    const before = fs.statSync(p('plain/a.xml'));
    const snap = snapshotOf('plain/a.xml');
    assert.deepEqual(replaceFile(snap, Buffer.from('new content')), { kind: 'written' });
    const st = fs.statSync(p('plain/a.xml'));
    assert.equal(fs.readFileSync(p('plain/a.xml'), 'utf8'), 'new content');
    assert.equal(st.mode & 0o7777, 0o640);
    assert.deepEqual({ uid: st.uid, gid: st.gid }, owner);
    assert.notEqual(st.ino, before.ino, 'a new file was renamed over the old one');
    assert.deepEqual(ls('plain'), ['a.xml']);
  });

  it('an edit by another process after the read is kept: a different size, the same size and mtime, or a deleted file', () => {
    fs.writeFileSync(p('edit.xml'), 'original');
    const grown = snapshotOf('edit.xml');
    fs.writeFileSync(p('edit.xml'), 'edited by someone else');
    assert.deepEqual(replaceFile(grown, Buffer.from('fixed')), { kind: 'changed' });
    assert.equal(fs.readFileSync(p('edit.xml'), 'utf8'), 'edited by someone else');

    // Same size, mtime put back: the inode's ctime and the bytes still differ.
    fs.writeFileSync(p('same.xml'), 'aaaa');
    const t = fs.statSync(p('same.xml'));
    const same = snapshotOf('same.xml');
    fs.writeFileSync(p('same.xml'), 'bbbb');
    fs.utimesSync(p('same.xml'), t.atime, t.mtime);
    assert.deepEqual(replaceFile(same, Buffer.from('fixed')), { kind: 'changed' });
    assert.equal(fs.readFileSync(p('same.xml'), 'utf8'), 'bbbb');

    fs.writeFileSync(p('gone.xml'), 'original');
    const gone = snapshotOf('gone.xml');
    fs.rmSync(p('gone.xml'));
    assert.deepEqual(replaceFile(gone, Buffer.from('fixed')), { kind: 'changed' });
    assert.ok(!fs.existsSync(p('gone.xml')), 'not created again');

    // Edited while the temporary file was being written: found by the check before the rename.
    fs.writeFileSync(p('late.xml'), 'original');
    const late = snapshotOf('late.xml');
    const result = replaceFile(late, Buffer.from('fixed'), { beforeCheck: () => fs.appendFileSync(p('late.xml'), ' + edit') });
    assert.deepEqual(result, { kind: 'changed' });
    assert.equal(fs.readFileSync(p('late.xml'), 'utf8'), 'original + edit');
    assert.deepEqual(ls().filter((n) => TEMP_NAME.test(n)), []);
  });

  it('a symbolic link swapped in after the read is never written through, not even in the last moment before the rename', () => {
    fs.mkdirSync(p('swap'));
    fs.writeFileSync(p('secret'), 'secret\n');
    fs.writeFileSync(p('swap/a.xml'), 'original');
    const snap = snapshotOf('swap/a.xml');
    fs.rmSync(p('swap/a.xml'));
    fs.symlinkSync(p('secret'), p('swap/a.xml'));
    assert.deepEqual(replaceFile(snap, Buffer.from('fixed')), { kind: 'changed' });
    assert.equal(fs.readFileSync(p('secret'), 'utf8'), 'secret\n');
    assert.equal(fs.readlinkSync(p('swap/a.xml')), p('secret'));

    // Swapped between the last check and the rename: rename replaces the link itself, the secret is untouched.
    fs.rmSync(p('swap/a.xml'));
    fs.writeFileSync(p('swap/a.xml'), 'original');
    const snap2 = snapshotOf('swap/a.xml');
    const swap = (): void => {
      fs.rmSync(p('swap/a.xml'));
      fs.symlinkSync(p('secret'), p('swap/a.xml'));
    };
    assert.deepEqual(replaceFile(snap2, Buffer.from('fixed'), { beforeRename: swap }), { kind: 'written' });
    assert.equal(fs.readFileSync(p('secret'), 'utf8'), 'secret\n');
    assert.ok(!fs.lstatSync(p('swap/a.xml')).isSymbolicLink());
    assert.equal(fs.readFileSync(p('swap/a.xml'), 'utf8'), 'fixed');

    // The folder swapped for a link to another folder after the read.
    fs.mkdirSync(p('elsewhere'));
    fs.writeFileSync(p('elsewhere/a.xml'), 'elsewhere');
    const snap3 = snapshotOf('swap/a.xml');
    fs.renameSync(p('swap'), p('swap-moved'));
    fs.symlinkSync(p('elsewhere'), p('swap'));
    assert.deepEqual(replaceFile(snap3, Buffer.from('fixed again')), { kind: 'changed' });
    assert.equal(fs.readFileSync(p('elsewhere/a.xml'), 'utf8'), 'elsewhere');
    assert.deepEqual(ls('elsewhere'), ['a.xml']);
  });

  it('reading: a FIFO or a symbolic link swapped in after the walk, or another folder, is refused without blocking', () => {
    fs.mkdirSync(p('read'));
    const fifo = spawnSync('mkfifo', [p('read/pipe.xml')]);
    if (fifo.status === 0) {
      // The walk saw a regular file; a FIFO is there now. O_NONBLOCK: the open does not wait for a writer.
      assert.deepEqual(readSnapshot(Buffer.from(p('read/pipe.xml')), { maxSize: 1000 }), { kind: 'error', reason: 'a FIFO, not a regular file' });
    }
    assert.deepEqual(readSnapshot(Buffer.from('/dev/null'), { maxSize: 1000 }), { kind: 'error', reason: 'a character device, not a regular file' });
    fs.writeFileSync(p('read/real.xml'), 'x');
    fs.symlinkSync('real.xml', p('read/link.xml'));
    assert.deepEqual(readSnapshot(Buffer.from(p('read/link.xml')), { maxSize: 1000 }), { kind: 'error', reason: 'it was replaced by a symbolic link while sevlint was running' });
    assert.equal(readSnapshot(Buffer.from(p('read/link.xml')), { maxSize: 1000, link: true }).kind, 'read');
    const other = fs.statSync(dir, { bigint: true });
    assert.deepEqual(readSnapshot(Buffer.from(p('read/real.xml')), { maxSize: 1000, dir: { dev: other.dev, ino: other.ino } }), {
      kind: 'error',
      reason: 'its folder was replaced while sevlint was running',
    });
    assert.deepEqual(readSnapshot(Buffer.from(p('read/real.xml')), { maxSize: 0 }), { kind: 'too-large', size: 1 });
  });

  it('--fix: a symbolic link named or found is linted but not rewritten; so is a file with hard links', () => {
    fs.mkdirSync(p('links/sub'), { recursive: true });
    fs.mkdirSync(p('outside'));
    const domain = bigDomain(2000);
    fs.writeFileSync(p('outside/real.xml'), domain);
    fs.symlinkSync(p('outside/real.xml'), p('links/link.xml'));
    fs.symlinkSync(p('outside'), p('links/sub/folder-link'));
    fs.writeFileSync(p('links/hard.xml'), domain);
    fs.linkSync(p('links/hard.xml'), p('outside/hard-too.xml'));
    const r = cli(['--fix', 'links/link.xml', 'links']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    const notices = r.stdout.split('\n').filter((l) => l.endsWith('file-not-fixed'));
    assert.deepEqual(notices, [
      'links/link.xml:1:1  information  sevlint does not fix this file: it is a symbolic link, and --fix never writes through one (name the file it points to).  file-not-fixed',
      'links/hard.xml:1:1  information  sevlint does not fix this file: it has 2 hard links, and replacing it would separate them.  file-not-fixed',
      'links/link.xml:1:1  information  sevlint does not fix this file: it is a symbolic link, and --fix never writes through one (name the file it points to).  file-not-fixed',
      'links/sub/folder-link/hard-too.xml:1:1  information  sevlint does not fix this file: it was found through a symbolic link to a folder, and --fix never writes through one (name that folder).  file-not-fixed',
      'links/sub/folder-link/real.xml:1:1  information  sevlint does not fix this file: it was found through a symbolic link to a folder, and --fix never writes through one (name that folder).  file-not-fixed',
    ]);
    assert.match(r.stdout, /^links\/link\.xml:\d+:\d+ {2}warning {2}virtio disk 'vd0' has no <driver iommu='on'\/>/m, 'linted');
    assert.ok(!r.stdout.includes('rewritten'));
    assert.equal(fs.readFileSync(p('outside/real.xml'), 'utf8'), domain);
    assert.equal(fs.readFileSync(p('links/hard.xml'), 'utf8'), domain);
    assert.equal(fs.readlinkSync(p('links/link.xml')), p('outside/real.xml'));
    // The folder named itself, the file it holds is fixed.
    const named = cli(['--fix', 'outside/real.xml']);
    assert.match(named.stdout, /^outside\/real\.xml: rewritten, \d+ fixes applied$/m);
  });

  it('concurrent --fix runs on one Kata file and on one large domain: the old or the fixed file, never a mix; a run that lost says so', async () => {
    fs.mkdirSync(p('concurrent'));
    const domain = Buffer.from(bigDomain(150_000));
    // [name, text, parallel runs, rounds, at most this many rounds until one run has lost the race and skipped]
    const cases: [string, Buffer, number, number, number][] = [
      ['configuration.toml', KATA, 5, 2, 2],
      ['domain.xml', domain, 3, 1, 6],
    ];
    const seen: Record<string, number> = {};
    for (const [name, original, runs, rounds, maxRounds] of cases) {
      const file = p(`concurrent/${name}`);
      // What a run can print: it rewrote the file, it found it changed and skipped it, or it read the fixed file.
      fs.writeFileSync(file, original);
      const wrote = cli(['--fix', name], p('concurrent'));
      const fixed = fs.readFileSync(file);
      assert.ok(!fixed.equals(original));
      const already = cli(['--fix', name], p('concurrent'));
      fs.writeFileSync(file, original);
      const plain = cli([name], p('concurrent'));
      const skipped =
        `${name}:1:1  information  sevlint did not fix this file: it changed while sevlint was running, and was left as it is now.  file-not-fixed\n` +
        plain.stdout.replace(/^(\d+) problems? \((\d+ errors?), (\d+ warnings?), (\d+) info\)/m, (_m, n: string, e: string, w: string, i: string) => `${Number(n) + 1} problems (${e}, ${w}, ${Number(i) + 1} info)`).replace(/ in 1 file\.\n$/, ' in 1 file, 0 fixes applied.\n');
      const expected = new Map([
        [wrote.stdout, { kind: 'rewrote', status: wrote.code }],
        [skipped, { kind: 'skipped', status: plain.code }],
        [already.stdout, { kind: 'already fixed', status: already.code }],
      ]);
      // Whether the runs overlap depends on how the machine schedules them, so the large domain gets more rounds until one skips.
      for (let round = 0; round < rounds || (round < maxRounds && !seen[`${name}: skipped`]); round++) {
        fs.writeFileSync(file, original);
        const results = await Promise.all(
          Array.from(
            { length: runs },
            () =>
              new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
                const child = spawn(process.execPath, [SEVLINT, '--fix', name], { cwd: p('concurrent') });
                let stdout = '';
                let stderr = '';
                child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
                child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
                child.on('close', (code) => resolve({ code, stdout, stderr }));
              }),
          ),
        );
        assert.ok(fs.readFileSync(file).equals(fixed), `${name}, round ${round}: the fixed file, whole`);
        assert.deepEqual(ls('concurrent').filter((n) => TEMP_NAME.test(n)), [], 'no temporary file left');
        for (const r of results) {
          assert.equal(r.stderr, '');
          const kind = expected.get(r.stdout);
          assert.ok(kind, `${name}: an output of one of the three kinds, got:\n${r.stdout.slice(0, 2000)}`);
          assert.equal(r.code, kind.status, kind.kind);
          seen[`${name}: ${kind.kind}`] = (seen[`${name}: ${kind.kind}`] ?? 0) + 1;
        }
        assert.ok(results.some((r) => expected.get(r.stdout)?.kind === 'rewrote'), 'one run rewrote it');
      }
    }
    // On the large domain the runs overlap: one that read the original after another had started must skip.
    assert.ok((seen['domain.xml: skipped'] ?? 0) > 0, JSON.stringify(seen));
    console.log(`concurrent runs: ${JSON.stringify(seen)}`);
  });
});

describe('a full disk or a write limit (--fix)', () => {
  let mnt = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-full-'));
  });
  after(() => {
    if (mnt) spawnSync('umount', [mnt]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const big = Buffer.from(bigDomain(300_000));
  const small = fs.readFileSync(path.join(ROOT, 'examples', 'kata', 'configuration-snp-from-old-guide.toml'));
  const page = (n: number): number => Math.ceil(n / 4096) * 4096;

  /** Runs --fix on a-big.xml (does not fit) and b-small.toml (fits) in `where`; checks both. */
  function check(where: string, spawnArgs: (args: string[]) => [string, string[]], reason: string): void {
    fs.writeFileSync(path.join(where, 'a-big.xml'), big);
    fs.writeFileSync(path.join(where, 'b-small.toml'), small);
    const [cmd, args] = spawnArgs([SEVLINT, '--fix', 'a-big.xml', 'b-small.toml']);
    const r = spawnSync(cmd, args, { cwd: where, encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `sevlint: cannot write a-big.xml: ${reason}; the file is unchanged\n`);
    assert.ok(fs.readFileSync(path.join(where, 'a-big.xml')).equals(big), 'the original, byte for byte');
    assert.match(r.stdout, new RegExp(`^a-big\\.xml:1:1 {2}information {2}sevlint could not fix this file: ${reason}; the file is unchanged\\. {2}file-not-fixed$`, 'm'));
    assert.match(r.stdout, /^a-big\.xml:\d+:\d+ {2}warning {2}virtio disk 'vd0' has no <driver iommu='on'\/>/m, 'the original is reported');
    assert.match(r.stdout, /^b-small\.toml: rewritten, \d+ fixes applied$/m, 'the next file is still fixed');
    assert.match(r.stdout, /in 2 files, \d+ fixes applied, 1 I\/O error\.\n$/);
    assert.notDeepEqual(fs.readFileSync(path.join(where, 'b-small.toml')), small);
    assert.deepEqual(fs.readdirSync(where).sort(), ['a-big.xml', 'b-small.toml'], 'no temporary file left');
  }

  it('a small tmpfs: the file fits, its replacement does not; then read-only', (t) => {
    mnt = path.join(dir, 'mnt');
    fs.mkdirSync(mnt);
    // Room for both files and the small one's replacement, not for the big one's.
    const size = page(big.length) + 2 * page(small.length) + 64 * 1024;
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt], { encoding: 'utf8' });
    if (mount.status !== 0) {
      mnt = '';
      t.skip(`cannot mount a tmpfs here (${(mount.stderr || mount.error?.message || '').trim()}); the ulimit case below covers the write error`);
      return;
    }
    check(mnt, (args) => [process.execPath, args], 'no space left on device');
    // Read-only: refused before anything is created.
    fs.writeFileSync(path.join(mnt, 'b-small.toml'), small);
    assert.equal(spawnSync('mount', ['-o', 'remount,ro', mnt]).status, 0);
    const r = spawnSync(process.execPath, [SEVLINT, '--fix', 'b-small.toml'], { cwd: mnt, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'sevlint: cannot write b-small.toml: read-only file system; the file is unchanged\n');
    assert.ok(fs.readFileSync(path.join(mnt, 'b-small.toml')).equals(small));
  });

  it('ulimit -f: a write past the limit fails with EFBIG (Node ignores SIGXFSZ) and leaves the original', () => {
    fs.mkdirSync(path.join(dir, 'ulimit'));
    // 128 blocks: 64 KiB (dash counts 512 bytes) or 128 KiB (bash counts 1024): above the small file's replacement, far below the big one's.
    const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    check(path.join(dir, 'ulimit'), (args) => ['/bin/sh', ['-c', `ulimit -f 128 && exec ${[process.execPath, ...args].map(quote).join(' ')}`]], 'file too large');
  });
});
