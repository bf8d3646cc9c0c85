// sevlint benchmark: prints a table of figures, each against a reference
// measured in the same run, and writes them to bench/results.json.
// It measures and prints; it never fails a build on a number (exit 0 unless
// something could not run at all).
//
//   npm run bench                      build, then everything
//   node bench/run.mjs --only=fleet,large,core,wellformed,lsp,vsix,activation
//   node bench/run.mjs --runs=N        samples per median (default 5)
//
// Needs the compiled output (out/, made by `npm ci` / `npm run build`). The
// references need xmllint (Debian libxml2-utils) and the libvirt schema sevlint
// bundles (schemas/libvirt/domain.rng, 11.3), the one validated against too; a
// missing reference is skipped with a line saying so.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { domainOfSize, largeDomainXml, writeFleet } from './generate.mjs';
import { editLatencies, requestLatencies, rssOf, startServer } from './lsp.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const argValue = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = argValue('only')?.split(',');
const RUNS = Number(argValue('runs') ?? 5);
const want = (what) => !only || only.includes(what);

const MB = 1_000_000;
const figures = [];
const notes = [];
const say = (s) => process.stderr.write(s + '\n');

// ---------------------------------------------------------------- helpers

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Wall time of one process run, in ms; throws when it cannot start or exits above `maxExit`. */
function timeRun(cmd, argv, { maxExit = 0, cwd = ROOT } = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * MB });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  if (r.status === null || r.status > maxExit) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status ?? r.signal}: ${String(r.stderr).slice(0, 400)}`);
  return { ms, status: r.status };
}

function fmtMs(ms) {
  if (ms === undefined || Number.isNaN(ms)) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}
const fmtMB = (b) => (b === undefined ? '—' : `${(b / MB).toFixed(b < 10 * MB ? 2 : 0)} MB`);
const fmtPct = (p) => (p === undefined ? '—' : `${p.toFixed(2)} %`);

/**
 * One row. `budget` is either a ratio to the reference (`ratioBudget`) or an
 * absolute limit on the value (`limit`); `ok` is undefined when it cannot be judged.
 */
function figure(row) {
  const ratio = row.reference !== undefined && row.value !== undefined ? row.value / row.reference : undefined;
  let ok;
  if (row.ratioBudget !== undefined) ok = ratio === undefined ? undefined : ratio <= row.ratioBudget;
  else if (row.limit !== undefined) ok = row.value === undefined ? undefined : row.value <= row.limit;
  const stretchOk = row.stretch !== undefined && ratio !== undefined ? ratio <= row.stretch : undefined;
  const fmt = row.unit === 'bytes' ? fmtMB : row.unit === 'percent' ? fmtPct : fmtMs;
  const r = {
    id: row.id,
    figure: row.figure,
    unit: row.unit,
    value: row.value,
    valueText: fmt(row.value),
    reference: row.reference,
    referenceText: row.reference !== undefined ? `${fmt(row.reference)} ${row.referenceName}` : row.referenceName ?? '—',
    ratio,
    budget: row.ratioBudget !== undefined ? `≤ ${row.ratioBudget}×${row.stretch !== undefined ? ` (stretch ${row.stretch}×)` : ''}` : row.limit !== undefined ? `≤ ${fmt(row.limit)}` : '—',
    ratioBudget: row.ratioBudget,
    stretch: row.stretch,
    limit: row.limit,
    ok,
    stretchOk,
    samples: row.samples,
    detail: row.detail,
  };
  figures.push(r);
  say(`  ${r.figure}: ${r.valueText}${ratio !== undefined ? ` (${ratio.toFixed(3)}× ${r.referenceText})` : ''}`);
  return r;
}

function findSchema() {
  for (const p of [join(ROOT, 'schemas', 'libvirt', 'domain.rng'), resolve(ROOT, '..', 'shared', 'libvirt-schemas-11.3', 'domain.rng'), '/usr/share/libvirt/schemas/domain.rng']) {
    if (existsSync(p)) return p;
  }
  return undefined;
}

function findXmllint() {
  const r = spawnSync('xmllint', ['--version'], { stdio: 'ignore' });
  return r.error ? undefined : 'xmllint';
}

function npm(script) {
  say(`  running npm run ${script} …`);
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', script], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

// ---------------------------------------------------------------- setup

const cli = join(ROOT, 'bin', 'sevlint');
if (!existsSync(join(ROOT, 'out', 'server', 'src', 'cli', 'main.js'))) npm('build');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const schema = findSchema();
const xmllint = findXmllint();
const canValidate = schema !== undefined && xmllint !== undefined;
if (!xmllint) notes.push('xmllint not found (Debian: apt-get install libxml2-utils): the xmllint references are skipped.');
if (!schema) notes.push('libvirt domain.rng not found (../shared/libvirt-schemas-11.3/ or /usr/share/libvirt/schemas/): the xmllint references are skipped.');
const xmllintArgs = (file) => ['--noout', '--relaxng', schema, file];

const work = mkdtempSync(join(tmpdir(), 'sevlint-bench-'));
const started = new Date();
say(`sevlint ${pkg.version} benchmark — ${cpus().length} cores, Node ${process.versions.node}, ${started.toISOString().slice(0, 10)}; ${RUNS} runs per median`);
if (schema) say(`schema: ${schema}`);

try {
  // ------------------------------------------------------------ fleet
  if (want('fleet')) {
    say('fleet: 500 generated domains');
    const dir = join(work, 'fleet');
    const { files, bytes } = writeFleet(dir, 500);
    const cliRuns = Array.from({ length: RUNS }, () => timeRun(process.execPath, [cli, '--exit-zero', dir]).ms);
    let reference;
    let valid;
    if (canValidate) {
      // What virt-xml-validate does: one xmllint per file, schema loaded each time. Once: ~10–25 s.
      valid = 0;
      const t0 = performance.now();
      for (const f of files) if (timeRun(xmllint, xmllintArgs(f), { maxExit: 3 }).status === 0) valid++;
      reference = performance.now() - t0;
    }
    figure({
      id: 'fleet',
      figure: `fleet: CLI over 500 domains (${(bytes / files.length / 1024).toFixed(1)} KiB avg)`,
      unit: 'ms',
      value: median(cliRuns),
      samples: cliRuns,
      reference,
      referenceName: canValidate ? 'xmllint ×500' : 'xmllint skipped',
      ratioBudget: 0.03,
      detail: valid !== undefined ? `${valid}/500 schema-valid; xmllint once, CLI median of ${RUNS}` : undefined,
    });
  }

  // ------------------------------------------------------------ large domain
  const largeText = largeDomainXml(5000);
  const largeFile = join(work, 'large.xml');
  writeFileSync(largeFile, largeText);
  if (want('large')) {
    say(`large: one domain, ${(largeText.length / MB).toFixed(2)} MB, 5000 disks + interfaces`);
    const cliRuns = Array.from({ length: RUNS }, () => timeRun(process.execPath, [cli, '--exit-zero', largeFile]).ms);
    const refRuns = canValidate ? Array.from({ length: RUNS }, () => timeRun(xmllint, xmllintArgs(largeFile), { maxExit: 3 }).ms) : undefined;
    figure({
      id: 'large',
      figure: `large: CLI on one ${(largeText.length / MB).toFixed(2)} MB domain (5000 devices)`,
      unit: 'ms',
      value: median(cliRuns),
      samples: cliRuns,
      reference: refRuns && median(refRuns),
      referenceName: canValidate ? 'xmllint --relaxng' : 'xmllint skipped',
      ratioBudget: 0.5,
    });
  }

  // ------------------------------------------------------------ core, in process (no budget: where the CLI time goes)
  if (want('core')) {
    say('core: lint() and fixAll() in process');
    const { lint, fixAll } = require(join(ROOT, 'out', 'server', 'src', 'linter.js'));
    const { parseXml } = require(join(ROOT, 'out', 'server', 'src', 'xml', 'parse.js'));
    const opts = { fileName: largeFile };
    // The same domain written on one line (minified XML): nothing may cost the length of the line per element.
    const oneLine = largeText.replace(/\n\s*/g, '');
    const cases = {
      parse: () => parseXml(largeText),
      lint: () => lint(largeText, opts),
      noSchema: () => lint(largeText, { ...opts, schema: false }),
      oneLine: () => lint(oneLine, opts),
      fixAll: () => fixAll(largeText, opts),
    };
    for (const f of Object.values(cases)) f(); // warm up
    // Interleaved rounds, so a busy moment of the machine hits every case alike.
    const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    for (let round = 0; round < Math.max(RUNS, 9); round++) {
      for (const [k, f] of Object.entries(cases)) {
        const t0 = performance.now();
        f();
        samples[k].push(performance.now() - t0);
      }
    }
    const m = (k) => ({ value: median(samples[k]), samples: samples[k] });
    const findings = lint(largeText, opts).findings.length;
    const applied = fixAll(largeText, opts).applied;
    figure({ id: 'core-parse-large', figure: 'core: parseXml, large domain', unit: 'ms', ...m('parse'), referenceName: '—' });
    figure({ id: 'core-lint-large', figure: `core: lint(), large domain (${findings} findings)`, unit: 'ms', ...m('lint'), reference: m('parse').value, referenceName: 'parseXml' });
    const schemaShare = 100 * Math.max(0, 1 - m('noSchema').value / m('lint').value);
    figure({ id: 'core-lint-large-no-schema', figure: `core: lint() without libvirt-schema, large domain (schema: ${schemaShare.toFixed(0)} % of lint())`, unit: 'ms', ...m('noSchema'), reference: m('lint').value, referenceName: 'lint()' });
    figure({ id: 'core-lint-large-one-line', figure: 'core: lint(), large domain on one line', unit: 'ms', ...m('oneLine'), reference: m('lint').value, referenceName: 'lint(), indented' });
    figure({ id: 'core-fixall-large', figure: `core: fixAll(), large domain (${applied} fixes)`, unit: 'ms', ...m('fixAll'), reference: m('lint').value, referenceName: 'lint()' });
  }

  // ------------------------------------------------------------ well-formedness against xmllint --noout
  if (want('wellformed')) {
    if (!xmllint) {
      notes.push('xmllint not found: no well-formedness agreement figure.');
    } else {
      say('wellformed: the xml-not-well-formed verdict against xmllint --noout');
      const { loadXmlCorpus, makeCase } = require(join(ROOT, 'out', 'test', 'support', 'fuzz.js'));
      const { compareWithXmllint } = require(join(ROOT, 'out', 'test', 'support', 'wellformed.js'));
      const corpus = loadXmlCorpus();
      const seed = 20_261_202;
      const mutations = Array.from({ length: 2000 }, (_, i) => ({ name: String(i), text: makeCase(corpus, seed, i).text }));
      for (const [id, label, cases] of [
        ['wellformed-corpus', `${corpus.length} corpus files`, corpus.map((f) => ({ name: f.name, text: f.text }))],
        ['wellformed-mutations', `2000 mutations (seed ${seed})`, mutations],
      ]) {
        const r = compareWithXmllint(cases, join(work, id));
        const same = r.filter((x) => x.sameVerdict).length;
        const both = r.filter((x) => x.sameLine !== undefined);
        const lines = both.filter((x) => x.sameLine).length;
        const known = r.filter((x) => x.known).length;
        const unexplained = r.filter((x) => (!x.sameVerdict || x.sameLine === false) && !x.known).length;
        figure({
          id,
          figure: `well-formed: same verdict as xmllint --noout, ${label}`,
          unit: 'percent',
          value: (100 * same) / r.length,
          referenceName: '—',
          detail: `${same}/${r.length} same verdict (${unexplained} unexplained differences, ${known} known ones); first error on xmllint's line ${lines}/${both.length}; ${r.filter((x) => !x.xmllint.wellFormed).length} not well-formed for xmllint`,
        });
      }
    }
  }

  // ------------------------------------------------------------ language server
  if (want('lsp')) {
    say('lsp: didChange → publishDiagnostics over stdio, debounceMs 0');
    const small = domainOfSize(5 * 1024);
    const big = domainOfSize(500 * 1024);
    const server = await startServer(ROOT);
    try {
      const s = await editLatencies(server, 'file:///bench/small.xml', small, { warmup: 20, edits: 200 });
      const rssBefore = rssOf(server.pid);
      const b = await editLatencies(server, 'file:///bench/large.xml', big, { warmup: 0, edits: 100 });
      const rss = rssOf(server.pid);
      figure({
        id: 'lsp-small-p50',
        figure: `lsp: didChange→diagnostics p50, ${(small.length / 1024).toFixed(1)} KiB doc (${s.findings} diagnostics)`,
        unit: 'ms',
        value: s.p50,
        referenceName: '—',
        detail: '200 edits after 20 warm-up edits',
      });
      figure({ id: 'lsp-small-p95', figure: `lsp: didChange→diagnostics p95, ${(small.length / 1024).toFixed(1)} KiB doc`, unit: 'ms', value: s.p95, referenceName: '—', limit: 15 });
      figure({
        id: 'lsp-large-p50',
        figure: `lsp: didChange→diagnostics p50, ${(big.length / 1024).toFixed(0)} KiB doc (${b.findings} diagnostics)`,
        unit: 'ms',
        value: b.p50,
        referenceName: '—',
        detail: '100 edits, no warm-up beyond the small document',
      });
      figure({ id: 'lsp-large-p95', figure: `lsp: didChange→diagnostics p95, ${(big.length / 1024).toFixed(0)} KiB doc`, unit: 'ms', value: b.p95, referenceName: '—' });
      figure({
        id: 'lsp-rss',
        figure: 'lsp: server RSS after 100 edits of the large doc',
        unit: 'bytes',
        value: rss,
        reference: rssBefore,
        referenceName: 'before them',
        limit: 150 * MB,
      });
      if (rss === undefined) notes.push('/proc/<pid>/status is not readable here: no RSS figure.');
      const q = await requestLatencies(server, 'file:///bench/requests.xml', big, { count: 50 });
      for (const [what, id] of [['codeAction', 'code action (no `only`, on a finding)'], ['completion', 'completion'], ['hover', 'hover']]) {
        figure({
          id: `lsp-${what}-p50`,
          figure: `lsp: ${id} p50, ${(big.length / 1024).toFixed(0)} KiB doc`,
          unit: 'ms',
          value: q[what].p50,
          referenceName: '—',
          detail: `50 cursor positions after a warm-up round; ${q.diagnostics} diagnostics`,
        });
        figure({ id: `lsp-${what}-p95`, figure: `lsp: ${id} p95, ${(big.length / 1024).toFixed(0)} KiB doc`, unit: 'ms', value: q[what].p95, referenceName: '—', limit: 50 });
      }
    } finally {
      await server.stop();
    }
  }

  // ------------------------------------------------------------ VSIX
  const vsix = join(ROOT, `${pkg.name}-${pkg.version}.vsix`);
  if (want('vsix')) {
    say('vsix: package size');
    const built = !existsSync(vsix);
    if (built) npm('package');
    figure({
      id: 'vsix-size',
      figure: `vsix: ${pkg.name}-${pkg.version}.vsix size`,
      unit: 'bytes',
      value: statSync(vsix).size,
      referenceName: '—',
      limit: 1.5 * MB,
      detail: built ? 'packaged by this run (npm run package)' : `the existing file from ${statSync(vsix).mtime.toISOString()}; delete it to package afresh`,
    });
  }

  // ------------------------------------------------------------ activation
  if (want('activation')) {
    say('activation: require(dist/extension.js) + activate(), fresh process per sample');
    const extension = join(ROOT, 'dist', 'extension.js');
    if (!existsSync(extension)) npm('bundle');
    const samples = [];
    let last;
    for (let i = 0; i < Math.max(RUNS, 7); i++) {
      const out = execFileSync(process.execPath, [join(ROOT, 'bench', 'activation', 'measure.cjs'), extension], { cwd: ROOT, encoding: 'utf8' });
      last = JSON.parse(out.trim().split('\n').at(-1));
      if (last.error) throw new Error(`activation failed: ${last.error}`);
      samples.push(last);
    }
    const minified = !readFileSync(extension, 'utf8').slice(0, 4000).includes('\n  ');
    figure({
      id: 'activation',
      figure: `activation: load dist/extension.js + activate()${minified ? '' : ' (development bundle)'}`,
      unit: 'ms',
      value: median(samples.map((s) => s.totalMs)),
      samples: samples.map((s) => s.totalMs),
      referenceName: '—',
      limit: 150,
      detail:
        `require ${fmtMs(median(samples.map((s) => s.requireMs)))} + activate ${fmtMs(median(samples.map((s) => s.activateMs)))}; ` +
        'stubbed: the vscode module (no-op API) and the server process (child_process.fork → in-process fake answering initialize), both through module resolution',
    });
    notes.push('activation stubs: `vscode` is a no-op API (bench/activation/vscode-stub.cjs); the language client\'s start() runs for real, but fork() of the server is an in-process fake that answers initialize at once (bench/activation/child-process-stub.cjs). Server start-up is not in this figure.');
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

// ---------------------------------------------------------------- report

const header = ['figure', 'value', 'reference', 'ratio', 'budget', 'ok'];
const rows = figures.map((f) => [
  f.figure,
  f.valueText,
  f.referenceText,
  f.ratio !== undefined ? `${f.ratio.toFixed(3)}×` : '—',
  f.budget,
  f.ok === undefined ? (f.budget === '—' ? '' : 'n/a') : f.ok ? (f.stretchOk === false ? 'ok (stretch MISS)' : 'ok') : 'MISS',
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
console.log();
console.log(`sevlint ${pkg.version} — ${cpus().length} cores (${cpus()[0]?.model?.trim() ?? 'unknown CPU'}), Node ${process.versions.node}, ${started.toISOString().slice(0, 10)}`);
console.log();
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
for (const f of figures) if (f.detail) console.log(`  ${f.id}: ${f.detail}`);
for (const n of notes) console.log(`note: ${n}`);

const results = {
  date: started.toISOString(),
  machine: { cores: cpus().length, cpu: cpus()[0]?.model?.trim(), node: process.versions.node, platform: `${process.platform}-${process.arch}` },
  sevlint: pkg.version,
  runsPerMedian: RUNS,
  schema: schema ?? null,
  xmllint: xmllint ?? null,
  figures,
  notes,
};
writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote bench/results.json`);
