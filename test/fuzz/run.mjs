#!/usr/bin/env node
// The long fuzz run: `npm run fuzz -- [--wellformed] [COUNT] [SEED] [--case N]`.
// COUNT defaults to 10000, SEED to a fresh one (printed, so the run can be repeated).
// `--case N` replays case N of SEED alone and prints its text. Exits 1 when a case fails,
// with the seed and the case index to reproduce it; the failing inputs are written to a folder.
// `--wellformed` (also `npm run fuzz:wellformed`): mutations of every XML file of the corpus,
// each checked against `xmllint --noout` (same verdict, first error on the same line); prints
// the agreement and every disagreement that is not a known, by-design difference.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const { runFuzz, loadCorpus, loadXmlCorpus, makeCase, checkDocument } = require('../../out/test/support/fuzz.js');

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const usage = (msg) => {
  process.stderr.write(`fuzz: ${msg}\nUsage: npm run fuzz -- [COUNT] [SEED] [--case N]\n`);
  process.exit(2);
};
const caseArg = flag('--case');
const wellformedAt = args.indexOf('--wellformed');
const wellformed = wellformedAt >= 0;
if (wellformed) args.splice(wellformedAt, 1);
const num = (s, what) => {
  if (!/^\d+$/.test(s)) usage(`${what} must be a non-negative integer, got '${s}'`);
  return Number(s);
};
const count = args[0] !== undefined ? num(args[0], 'COUNT') : 10_000;
const seed = args[1] !== undefined ? num(args[1], 'SEED') >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const corpus = wellformed ? loadXmlCorpus() : loadCorpus();

if (wellformed) {
  const { compareWithXmllint } = require('../../out/test/support/wellformed.js');
  const { hasXmllint } = require('../../out/test/support/xmllint.js');
  if (!hasXmllint()) usage('--wellformed needs xmllint (Debian: apt-get install libxml2-utils)');
  const first = caseArg !== undefined ? num(caseArg, '--case') : 0;
  const n = caseArg !== undefined ? 1 : count;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-wellformed-'));
  process.stdout.write(`fuzz --wellformed: ${n} cases, seed ${seed}, ${corpus.length} XML corpus files\n`);
  const t0 = performance.now();
  const cases = [];
  for (let i = first; i < first + n; i++) {
    const c = makeCase(corpus, seed, i);
    cases.push({ name: `case ${i} (${c.file.name} after ${c.mutations.join(', ')}): npm run fuzz -- --wellformed 1 ${seed} --case ${i}`, text: c.text });
  }
  const results = [];
  for (let k = 0; k < cases.length; k += 2000) results.push(...compareWithXmllint(cases.slice(k, k + 2000), path.join(dir, String(k))));
  const ms = performance.now() - t0;
  const verdicts = results.filter((r) => r.sameVerdict).length;
  const bothBad = results.filter((r) => r.sameLine !== undefined);
  const lines = bothBad.filter((r) => r.sameLine).length;
  const rejected = results.filter((r) => !r.xmllint.wellFormed).length;
  const known = new Map();
  for (const r of results) if (r.known) known.set(r.known, (known.get(r.known) ?? 0) + 1);
  const unexplained = results.filter((r) => (!r.sameVerdict || r.sameLine === false) && !r.known);
  const pct = (a, b) => (b ? ((100 * a) / b).toFixed(2) : '100.00');
  process.stdout.write(
    `fuzz --wellformed: ${results.length} cases in ${(ms / 1000).toFixed(1)} s; ${rejected} not well-formed for xmllint\n` +
      `  same verdict: ${verdicts}/${results.length} (${pct(verdicts, results.length)} %)\n` +
      `  same first-error line, where both reject: ${lines}/${bothBad.length} (${pct(lines, bothBad.length)} %)\n`,
  );
  for (const [reason, k] of known) process.stdout.write(`  known difference ×${k}: ${reason}\n`);
  for (const r of unexplained.slice(0, 30)) {
    process.stdout.write(`DIFF ${r.case.name}\n  sevlint: ${JSON.stringify(r.sevlint)}\n  xmllint: ${JSON.stringify(r.xmllint)}\n`);
  }
  if (caseArg !== undefined) process.stdout.write(`----- text (${cases[0].text.length} characters) -----\n${cases[0].text}\n----- end -----\n`);
  if (unexplained.length === 0) fs.rmSync(dir, { recursive: true, force: true });
  else process.stdout.write(`${unexplained.length} unexplained; the inputs are in ${dir}\n`);
  process.exit(unexplained.length ? 1 : 0);
}

if (caseArg !== undefined) {
  const c = makeCase(corpus, seed, num(caseArg, '--case'));
  const problems = checkDocument(c.text, c.file.name);
  process.stdout.write(`case ${c.index} of seed ${seed}: ${c.file.name} after ${c.mutations.join(', ')}\n`);
  process.stdout.write(`----- text (${c.text.length} characters) -----\n${c.text}\n----- end -----\n`);
  process.stdout.write(problems.length ? problems.map((p) => `FAIL ${p}`).join('\n') + '\n' : 'ok\n');
  process.exit(problems.length ? 1 : 0);
}

process.stdout.write(`fuzz: ${count} cases, seed ${seed}, ${corpus.length} corpus files\n`);
const s = runFuzz({ seed, count, corpus, onProgress: (n) => n % 5000 === 0 && process.stdout.write(`  ${n} cases…\n`) });
process.stdout.write(
  `fuzz: ${s.cases} cases in ${(s.ms / 1000).toFixed(1)} s (slowest: case ${s.slowest.index}, ${Math.round(s.slowest.ms)} ms); ` +
    `${s.parsed} parsed, ${s.findings} findings, ${s.fixesTried} fixes applied and checked; ${s.failures.length} failing\n`,
);
if (s.failures.length === 0) process.exit(0);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-fuzz-'));
const kinds = new Map();
for (const f of s.failures) {
  const c = f.fuzzCase;
  const ext = c.file.name.endsWith('.toml.in') ? '.toml.in' : path.extname(c.file.name);
  fs.writeFileSync(path.join(dir, `case-${c.index}${ext}`), c.text);
  for (const p of f.problems) {
    const k = p.replace(/\d+/g, 'N').slice(0, 160);
    if (!kinds.has(k)) kinds.set(k, { count: 0, example: c, problem: p });
    kinds.get(k).count++;
  }
}
for (const { count: n, example, problem } of kinds.values()) {
  process.stdout.write(`FAIL ×${n}: ${problem}\n  e.g. case ${example.index} (${example.file.name} after ${example.mutations.join(', ')}): npm run fuzz -- 1 ${seed} --case ${example.index}\n`);
}
process.stdout.write(`failing inputs written to ${dir}\n`);
process.exit(1);
