/**
 * `--fix` killed at random moments (SIGKILL, SIGINT, SIGTERM) leaves the file
 * either as it was or fully fixed. A short run; `npm run fuzz:fix` runs the
 * long one (100 iterations on a 4 MB domain by default).
 */
import { it } from 'node:test';
import * as assert from 'node:assert/strict';
import { killLoop } from '../support/kill-loop';

it('kill loop: 12 runs of --fix on a 400 KB domain killed at random moments leave the old or the new file, never a mix', async () => {
  const stats = await killLoop({ iterations: 12, seed: 20261202, bytes: 400_000 });
  assert.equal(stats.iterations, 12);
  assert.equal(stats.killed + stats.finished, 12);
  const total = Object.values(stats.outcomes).reduce((a, b) => a + b, 0);
  assert.equal(total, 12);
  // Every signal and every strategy ran.
  for (const sig of ['SIGKILL', 'SIGINT', 'SIGTERM']) assert.ok(Object.keys(stats.outcomes).some((k) => k.startsWith(sig + '/')), sig);
  for (const s of ['anywhere', 'late', 'on-temp-file']) assert.ok(Object.keys(stats.outcomes).some((k) => k.includes('/' + s + ' ')), s);
});
