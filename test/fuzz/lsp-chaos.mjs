#!/usr/bin/env node
// The long chaos run of the language server: `npm run fuzz:lsp -- [OPS] [SEED] [--max-open N]`.
// OPS defaults to 20000, SEED to a fresh one (printed, so the run can be repeated),
// --max-open to 1000 documents. Prints ops/s and the server's memory; exits 1 with
// the seed and the first failures when an invariant breaks (test/support/lsp-chaos.ts).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { runChaos } = require('../../out/test/support/lsp-chaos.js');

const args = process.argv.slice(2);
const usage = (msg) => {
  process.stderr.write(`fuzz:lsp: ${msg}\nUsage: npm run fuzz:lsp -- [OPS] [SEED] [--max-open N]\n`);
  process.exit(2);
};
let maxOpen = 1000;
const i = args.indexOf('--max-open');
if (i >= 0) {
  maxOpen = Number(args[i + 1]);
  args.splice(i, 2);
}
const num = (s, what) => {
  if (!/^\d+$/.test(s ?? '')) usage(`${what} must be a non-negative integer, got '${s}'`);
  return Number(s);
};
if (!Number.isInteger(maxOpen) || maxOpen < 1) usage('--max-open needs a positive integer');
const ops = args[0] !== undefined ? num(args[0], 'OPS') : 20_000;
const seed = args[1] !== undefined ? num(args[1], 'SEED') >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;

process.stdout.write(`fuzz:lsp: ${ops} operations, seed ${seed}, up to ${maxOpen} documents open\n`);
const s = await runChaos({
  ops,
  seed,
  maxOpen,
  rounds: ops >= 10_000 ? 2 : 1,
  rssLimitMb: 400,
  onProgress: (p) => p.ops % 5000 === 1 && p.ops > 1 && process.stdout.write(`  ${p.ops - 1} operations, ${p.maxOpen} documents open at most, RSS up to ${p.maxRssMb.toFixed(0)} MB…\n`),
});
const fmt = (o) => Object.entries(o).sort().map(([k, v]) => `${k} ${v}`).join(', ');
process.stdout.write(
  `fuzz:lsp: ${s.ops} operations in ${s.seconds.toFixed(1)} s (${(s.ops / s.seconds).toFixed(0)} ops/s), seed ${seed}\n` +
    `  operations: ${fmt(s.counts)}\n` +
    `  answers: ${fmt(s.answers)}\n` +
    `  ${s.maxOpen} documents open at most; ${s.outOfSync} changes refused (out of sync)\n` +
    `  checked: ${s.diagnosticsChecked} publishDiagnostics (${s.diagnosticsCompared} compared with the core), ${s.rangesChecked} ranges, ${s.editsChecked} edits, ${s.fixAllCompared} fix-alls against the core, ${s.fixesApplied} fixes applied and linted again\n` +
    `  server: CPU ${s.serverCpuSeconds.toFixed(1)} s; RSS at most ${s.maxRssMb.toFixed(0)} MB; with every document closed after each round: ${s.rssAfterCloseMb.map((r) => r.toFixed(0) + ' MB').join(', ')}\n`,
);
if (s.failures.length === 0) process.exit(0);
process.stdout.write(`fuzz:lsp: ${s.failures.length} failures (seed ${seed}):\n${s.failures.slice(0, 20).map((f) => '  ' + f).join('\n')}\n`);
if (s.serverStderr.length) process.stdout.write(`server stderr:\n${s.serverStderr.join('')}\n`);
process.exit(1);
