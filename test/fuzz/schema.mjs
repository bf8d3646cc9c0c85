#!/usr/bin/env node
// The long schema run: `npm run fuzz:schema -- [COUNT] [SEED] [--case N]`.
// COUNT (default 10000) seeded mutations of the domain fixtures and of every domain of
// ../shared/corpus — a typo in an element or attribute name, a changed value, a deleted
// attribute or element, a duplicated element, an element moved into another parent —
// each validated by sevlint and by `xmllint --relaxng schemas/libvirt/domain.rng`.
// Prints the agreement and every disagreement; exits 1 below 99.9 %.
// `--case N` replays case N of SEED alone and prints its text and both verdicts.
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const { compareSchemaWithXmllint, domainFiles, mutateForSchema } = require('../../out/test/support/schema.js');
const { FIXTURES, SHARED } = require('../../out/test/support/fixtures.js');
const { hasXmllint } = require('../../out/test/support/xmllint.js');

const args = process.argv.slice(2);
const usage = (msg) => {
  process.stderr.write(`fuzz:schema: ${msg}\nUsage: npm run fuzz:schema -- [COUNT] [SEED] [--case N]\n`);
  process.exit(2);
};
let only;
const at = args.indexOf('--case');
if (at >= 0) {
  only = args[at + 1];
  args.splice(at, 2);
  if (!/^\d+$/.test(only ?? '')) usage('--case needs a case number');
  only = Number(only);
}
for (const a of args) if (!/^\d+$/.test(a)) usage(`'${a}' is not a non-negative integer`);
if (!hasXmllint()) usage('xmllint is needed (Debian: apt-get install libxml2-utils)');
const count = args[0] !== undefined ? Number(args[0]) : 10_000;
const seed = args[1] !== undefined ? Number(args[1]) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;

const sources = [...domainFiles(path.join(FIXTURES, 'domain-xml')), ...domainFiles(path.join(SHARED, 'corpus'))].map((f) => fs.readFileSync(f, 'utf8'));
process.stdout.write(`fuzz:schema: ${only !== undefined ? `case ${only}` : `${count} cases`}, seed ${seed}, ${sources.length} domains\n`);
const cases = [];
for (let i = only ?? 0; only !== undefined ? i === only : cases.length < count; i++) {
  const m = mutateForSchema(sources[(i * 7919) % sources.length], seed, i);
  if (m) cases.push({ name: `case ${i}: ${m.what}`, text: m.text });
  else if (only !== undefined) usage(`case ${only} of seed ${seed} draws no mutation`);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-fuzz-schema-'));
const t0 = performance.now();
const results = compareSchemaWithXmllint(cases, dir);
const ms = performance.now() - t0;
if (only !== undefined) process.stdout.write(`${cases[0].text}\n`);
const wrong = results.filter((r) => r.xmllint !== r.sevlint);
for (const r of wrong) process.stdout.write(`DIFFERENT ${r.name}: xmllint ${r.xmllint ? 'valid' : 'invalid'}, sevlint ${r.sevlint ? 'valid' : 'invalid'}\n`);
const agree = results.length - wrong.length;
const invalid = results.filter((r) => !r.xmllint).length;
const pct = results.length ? (100 * agree) / results.length : 100;
process.stdout.write(`${agree} / ${results.length} verdicts agree (${pct.toFixed(2)} %); ${invalid} invalid by xmllint; ${(ms / 1000).toFixed(1)} s\n`);
if (wrong.length === 0) fs.rmSync(dir, { recursive: true, force: true });
else process.stdout.write(`inputs kept in ${dir}\n`);
process.exit(pct >= 99.9 ? 0 : 1);
