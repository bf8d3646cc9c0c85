/**
 * The kill loop for `--fix`: runs `bin/sevlint --fix` on a multi-megabyte
 * domain again and again and kills it with SIGKILL, SIGINT or SIGTERM at a
 * seeded random moment, then checks that the file holds exactly the original
 * bytes or exactly the fully fixed bytes, never anything else.
 *
 * The moments come from three strategies in turn, so the write itself is hit
 * and not only the long lint before it: anywhere in the run (0–110 % of a
 * clean run's time), late in the run (75–105 %), and as soon as sevlint's
 * temporary file appears in the folder (inotify, then 0–10 ms), which lands
 * in the write, the fsync or the rename. Used by `npm test` (a short run)
 * and `npm run fuzz:fix` (the long one).
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TEMP_NAME } from '../../server/src/cli/files';
import { bigDomain, SEVLINT } from './cli';
import { prng } from './fuzz';

export const SIGNALS = ['SIGKILL', 'SIGINT', 'SIGTERM'] as const;
export const STRATEGIES = ['anywhere', 'late', 'on-temp-file'] as const;
type Sig = (typeof SIGNALS)[number];
type Strategy = (typeof STRATEGIES)[number];

export interface KillLoopOptions {
  readonly iterations: number;
  readonly seed: number;
  /** Size of the generated domain. */
  readonly bytes: number;
  /** Called after each iteration with a one-line description. */
  readonly log?: (line: string) => void;
}

export interface KillLoopStats {
  readonly fileBytes: number;
  readonly fixedBytes: number;
  /** A clean `--fix` run, used to scale the delays. */
  readonly cleanRunMs: number;
  readonly iterations: number;
  /** Outcomes, as `SIGNAL/strategy → old|new` counts. */
  readonly outcomes: Record<string, number>;
  /** Runs that ended by the signal sent. */
  readonly killed: number;
  /** Runs that finished (exit 0) before the signal was sent. */
  readonly finished: number;
  /** Temporary files left behind (only SIGKILL may leave one). */
  readonly tempFilesLeft: number;
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

function temps(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => TEMP_NAME.test(n));
}

/** One run, killed by `sig` at the moment `strategy` picks. */
function killedRun(dir: string, file: string, sig: Sig, strategy: Strategy, at: number): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SEVLINT, '--fix', file], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    let timer: NodeJS.Timeout | undefined;
    let watcher: fs.FSWatcher | undefined;
    const kill = (): void => {
      timer = undefined;
      child.kill(sig);
    };
    if (strategy === 'on-temp-file') {
      watcher = fs.watch(dir, (_event, name) => {
        if (name && TEMP_NAME.test(String(name)) && !timer) {
          watcher?.close();
          timer = setTimeout(kill, at);
        }
      });
    } else {
      timer = setTimeout(kill, at);
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      watcher?.close();
      resolve({ code, signal, stderr });
    });
  });
}

/** Runs the loop; throws an AssertionError (with the seed and iteration) at the first file that is neither old nor new. */
export async function killLoop(options: KillLoopOptions): Promise<KillLoopStats> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-kill-'));
  try {
    const original = Buffer.from(bigDomain(options.bytes));
    const file = path.join(dir, 'domain.xml');
    // The expected result: a clean run on the same file. Timed twice (the faster counts: a busy machine only slows runs down).
    let cleanRunMs = Infinity;
    let fixed = Buffer.alloc(0);
    for (let k = 0; k < 2; k++) {
      fs.writeFileSync(file, original);
      const t = performance.now();
      const clean = spawnSync(process.execPath, [SEVLINT, '--fix', 'domain.xml'], { cwd: dir, encoding: 'utf8' });
      cleanRunMs = Math.min(cleanRunMs, performance.now() - t);
      assert.equal(clean.status, 0, clean.stderr);
      const result = fs.readFileSync(file);
      if (k > 0) assert.ok(result.equals(fixed), 'two clean runs give the same result');
      fixed = result;
    }
    assert.ok(!fixed.equals(original), 'the clean run fixed the file');
    assert.deepEqual(temps(dir), []);

    const random = prng(options.seed);
    const outcomes: Record<string, number> = {};
    let killed = 0;
    let finished = 0;
    let tempFilesLeft = 0;
    for (let i = 0; i < options.iterations; i++) {
      const sig = SIGNALS[i % SIGNALS.length]!;
      const strategy = STRATEGIES[Math.floor(i / SIGNALS.length) % STRATEGIES.length]!;
      const u = random();
      const at = strategy === 'anywhere' ? u * 1.1 * cleanRunMs : strategy === 'late' ? (0.75 + 0.3 * u) * cleanRunMs : u * 10;
      fs.rmSync(file, { force: true });
      fs.writeFileSync(file, original);
      const exit = await killedRun(dir, 'domain.xml', sig, strategy, at);
      const where = `seed ${options.seed}, iteration ${i}: ${sig} ${strategy} at ${at.toFixed(1)} ms (clean run ${cleanRunMs.toFixed(0)} ms)`;
      const now = fs.readFileSync(file);
      const state = now.equals(original) ? 'old' : now.equals(fixed) ? 'new' : undefined;
      assert.ok(state, `${where}: the file is neither the original nor the fixed text (${now.length} bytes; original ${original.length}, fixed ${fixed.length})`);
      assert.ok(!exit.stderr.includes('    at '), `${where}: no stack trace, got ${exit.stderr.slice(0, 300)}`);
      if (exit.signal !== null) {
        assert.equal(exit.signal, sig, where);
        killed++;
      } else {
        // Finished before the signal was sent: the fix is complete.
        assert.equal(exit.code, 0, `${where}: ${exit.stderr}`);
        assert.equal(state, 'new', where);
        finished++;
      }
      const left = temps(dir);
      if (sig !== 'SIGKILL') assert.deepEqual(left, [], `${where}: SIGINT and SIGTERM leave no temporary file`);
      tempFilesLeft += left.length;
      for (const n of left) fs.rmSync(path.join(dir, n));
      assert.deepEqual(fs.readdirSync(dir), ['domain.xml'], where);
      const key = `${sig}/${strategy} → ${state}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      options.log?.(`${where} → ${state}${exit.signal ? ' (killed)' : ` (exit ${exit.code})`}${left.length ? `, ${left.length} temporary file left` : ''}`);
    }
    return { fileBytes: original.length, fixedBytes: fixed.length, cleanRunMs, iterations: options.iterations, outcomes, killed, finished, tempFilesLeft };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
