/**
 * Where the language server's text work runs. A document shorter than
 * `inlineBelow` characters is linted, fixed, hovered and completed on the main
 * thread (a few milliseconds; a worker round trip would cost more). A longer
 * one goes to a small pool of worker threads, so a lint or fix-all that takes
 * a second on a multi-megabyte document never holds up the requests of other
 * documents: the main thread keeps reading and answering messages.
 *
 * Cancellation is answered at once. A job still queued is dropped; a running
 * fix-all stops at the end of its current pass (a shared flag the worker
 * reads); a running lint, hover or completion cannot be interrupted, so its
 * result is dropped when it comes. Either way the worker takes no other job
 * until it is done, and when it is still busy `killAfterMs` after the
 * cancellation it is terminated and replaced. A worker that dies (an exception, its heap limit)
 * fails its job and is replaced; when workers cannot even start, everything
 * runs on the main thread.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Cancellation } from '../service';
import { YOUNG_GENERATION_MB } from './heap';
import { runJob, type Job, type JobOf, type JobResults, type Outcome } from './work';

export interface PoolOptions {
  /** Texts shorter than this many characters run on the main thread. */
  readonly inlineBelow: number;
  /** Worker threads at most. */
  readonly size: number;
  readonly workerFile: string;
  /** How long a cancelled job may keep running before its worker is replaced. */
  readonly killAfterMs: number;
  readonly log: (message: string) => void;
}

export const DEFAULT_POOL_OPTIONS: Omit<PoolOptions, 'log'> = {
  inlineBelow: 64 * 1024,
  // Leave a core to the main thread (and to the editor).
  size: Math.max(1, Math.min(2, os.availableParallelism() - 1)),
  // Next to server.js in both the tsc output and the bundle (dist/lint-worker.js).
  workerFile: path.join(__dirname, 'lint-worker.js'),
  killAfterMs: 2000,
};

/** A job failed: its worker threw or died. */
export class JobFailed extends Error {}

interface Pending {
  readonly id: number;
  readonly job: Job;
  readonly resolve: (o: Outcome<unknown>) => void;
  readonly reject: (e: Error) => void;
  cancelled: boolean;
  settled: boolean;
  slot?: Slot;
  killTimer?: NodeJS.Timeout;
  listener?: { dispose(): void };
}

interface Slot {
  readonly worker: Worker;
  readonly cancel: Int32Array;
  ready: boolean;
  current?: Pending;
}

const CANCELLED: Outcome<never> = { ok: false, cancelled: true };

export class WorkPool {
  private readonly queue: Pending[] = [];
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private failedStarts = 0;
  private broken = false;
  private disposed = false;

  constructor(private readonly options: PoolOptions) {}

  run<K extends Job['op']>(job: JobOf<K>, token?: Cancellation): Promise<Outcome<JobResults[K]>> {
    if (job.text.length < this.options.inlineBelow || this.broken || this.disposed || this.options.size < 1) {
      return Promise.resolve().then(() => runJob(job, () => token?.isCancellationRequested === true));
    }
    if (token?.isCancellationRequested) return Promise.resolve(CANCELLED);
    return new Promise<Outcome<unknown>>((resolve, reject) => {
      const p: Pending = { id: this.nextId++, job, resolve, reject, cancelled: false, settled: false };
      if (token) p.listener = token.onCancellationRequested(() => this.cancel(p));
      this.queue.push(p);
      this.pump();
    }) as Promise<Outcome<JobResults[K]>>;
  }

  /** Workers alive (for tests and the log). */
  get workers(): number {
    return this.slots.length;
  }

  dispose(): void {
    this.disposed = true;
    for (const p of this.queue.splice(0)) this.settle(p, CANCELLED);
    for (const s of this.slots.splice(0)) {
      if (s.current) this.settle(s.current, CANCELLED);
      void s.worker.terminate();
    }
  }

  private cancel(p: Pending): void {
    if (p.settled) return;
    p.cancelled = true;
    const i = this.queue.indexOf(p);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.settle(p, CANCELLED);
      return;
    }
    const slot = p.slot;
    if (!slot) return;
    // Answered now; the worker stays busy until it notices the flag (fix-all, between passes) or its job ends.
    this.settle(p, CANCELLED);
    Atomics.store(slot.cancel, 0, 1);
    p.killTimer = setTimeout(() => {
      if (slot.current !== p) return;
      this.options.log(`sevlint: a cancelled ${p.job.op} of ${p.job.text.length} characters was still running after ${this.options.killAfterMs} ms; its worker is replaced`);
      void slot.worker.terminate();
    }, this.options.killAfterMs);
    p.killTimer.unref();
  }

  private settle(p: Pending, outcome: Outcome<unknown> | Error): void {
    if (p.settled) return;
    p.settled = true;
    clearTimeout(p.killTimer);
    p.listener?.dispose();
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  private pump(): void {
    if (this.disposed) return;
    if (this.broken) {
      for (const p of this.queue.splice(0)) {
        try {
          this.settle(p, runJob(p.job, () => p.cancelled));
        } catch (e) {
          this.settle(p, e instanceof Error ? e : new Error(String(e)));
        }
      }
      return;
    }
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.ready && s.current === undefined);
      if (!slot) {
        if (this.slots.length < this.options.size) this.spawn();
        return; // a worker that finishes, or the new one when ready, pumps again
      }
      const p = this.queue.shift()!;
      slot.current = p;
      p.slot = slot;
      Atomics.store(slot.cancel, 0, 0);
      slot.worker.ref();
      slot.worker.postMessage({ id: p.id, job: p.job });
    }
    // An idle worker does not keep the process alive.
    for (const s of this.slots) if (s.ready && s.current === undefined) s.worker.unref();
  }

  private spawn(): void {
    const cancel = new SharedArrayBuffer(4);
    let worker: Worker;
    try {
      worker = new Worker(this.options.workerFile, {
        workerData: { cancel },
        // The worker's output would otherwise go to this process's stdout, which is the LSP channel under --stdio.
        stdout: true,
        stderr: true,
        execArgv: [],
        resourceLimits: { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      });
    } catch (e) {
      this.startFailed(`sevlint: cannot start a worker thread (${String(e)})`);
      return;
    }
    const slot: Slot = { worker, cancel: new Int32Array(cancel), ready: false };
    this.slots.push(slot);
    const forward = (chunk: Buffer) => this.options.log(`sevlint worker: ${chunk.toString('utf8').trimEnd()}`);
    worker.stdout.on('data', forward);
    worker.stderr.on('data', forward);
    worker.on('message', (m: { ready?: true; id?: number; outcome?: Outcome<unknown>; error?: string }) => {
      if (m.ready) {
        slot.ready = true;
        this.failedStarts = 0;
        this.pump();
        return;
      }
      const p = slot.current;
      if (!p || p.id !== m.id) return;
      slot.current = undefined;
      clearTimeout(p.killTimer);
      if (m.error !== undefined) this.settle(p, new JobFailed(`${p.job.op} failed in a worker: ${m.error}`));
      else this.settle(p, p.cancelled ? CANCELLED : m.outcome!);
      this.pump();
    });
    worker.on('error', (e) => this.options.log(`sevlint: a worker thread failed: ${e.message}`));
    worker.on('exit', (code) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const p = slot.current;
      slot.current = undefined;
      clearTimeout(p?.killTimer);
      if (p) this.settle(p, p.cancelled ? CANCELLED : new JobFailed(`${p.job.op} failed: its worker thread stopped (exit code ${code})`));
      if (this.disposed) return;
      if (!slot.ready) this.startFailed(`sevlint: a worker thread stopped before it was ready (exit code ${code})`);
      else this.pump();
    });
  }

  private startFailed(message: string): void {
    this.options.log(message);
    if (++this.failedStarts >= 2) {
      this.broken = true;
      this.options.log('sevlint: worker threads do not start here; large documents are linted on the main thread');
    }
    this.pump();
  }
}
