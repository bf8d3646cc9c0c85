/**
 * A worker thread of the language server's pool: runs one job at a time
 * (work.ts) and posts back its outcome. The main thread sets `cancel[0]` to 1
 * to stop a fix-all between passes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runJob, type Job } from './work';

interface Request {
  readonly id: number;
  readonly job: Job;
}

const cancel = new Int32Array((workerData as { cancel: SharedArrayBuffer }).cancel);
const isCancelled = (): boolean => Atomics.load(cancel, 0) === 1;

parentPort!.on('message', (req: Request) => {
  try {
    parentPort!.postMessage({ id: req.id, outcome: runJob(req.job, isCancelled) });
  } catch (e) {
    parentPort!.postMessage({ id: req.id, error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
  }
});
parentPort!.postMessage({ ready: true });
