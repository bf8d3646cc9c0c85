#!/usr/bin/env node
// The long kill loop for --fix: `npm run fuzz:fix -- [ITERATIONS] [SEED] [BYTES]`.
// ITERATIONS defaults to 100, BYTES to 4000000 (a 4 MB domain), SEED to a fresh one
// (printed, so the run can be repeated). Each run of `bin/sevlint --fix` is killed
// with SIGKILL, SIGINT or SIGTERM at a seeded random moment; the file must then hold
// exactly the original or exactly the fixed bytes. Exits 1 at the first file that
// does not, with the seed and the iteration.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { killLoop } = require('../../out/test/support/kill-loop.js');

const args = process.argv.slice(2);
const num = (s, what) => {
  if (!/^\d+$/.test(s)) {
    process.stderr.write(`fuzz:fix: ${what} must be a non-negative integer, got '${s}'\nUsage: npm run fuzz:fix -- [ITERATIONS] [SEED] [BYTES]\n`);
    process.exit(2);
  }
  return Number(s);
};
const iterations = args[0] !== undefined ? num(args[0], 'ITERATIONS') : 100;
const seed = args[1] !== undefined ? num(args[1], 'SEED') >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const bytes = args[2] !== undefined ? num(args[2], 'BYTES') : 4_000_000;

process.stdout.write(`kill loop: ${iterations} iterations, seed ${seed}, ${bytes} bytes\n`);
const started = performance.now();
try {
  const stats = await killLoop({ iterations, seed, bytes, log: (line) => process.stdout.write(line + '\n') });
  const s = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `\n${stats.iterations} iterations in ${s} s on a ${stats.fileBytes}-byte domain (${stats.fixedBytes} bytes fixed; a clean run took ${stats.cleanRunMs.toFixed(0)} ms):\n` +
      `  killed by the signal: ${stats.killed}, finished before it: ${stats.finished}, temporary files left by SIGKILL: ${stats.tempFilesLeft}\n` +
      Object.entries(stats.outcomes)
        .sort()
        .map(([k, n]) => `  ${k}: ${n}\n`)
        .join('') +
      'every file was the original or the fully fixed text\n',
  );
} catch (e) {
  process.stdout.write(`\nFAIL ${e.message}\n`);
  process.exit(1);
}
