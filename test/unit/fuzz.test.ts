/**
 * A short mutation-fuzzing run (the long one: `npm run fuzz`), and the
 * one-pass template scan of parseToml checked against the former
 * parse-replace-reparse loop on the Kata corpus and on fuzzed TOML.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
import { describeError, parseToml, type Placeholder } from '../../server/src/toml/parse';
import { loadCorpus, makeCase, runFuzz } from '../support/fuzz';

const corpus = loadCorpus();

describe('mutation fuzzing (short run)', () => {
  it('1000 cases: no exception, ranges and edits inside the document, fixes keep it parsing, fixAll ends', () => {
    const seed = 20_240_601;
    const s = runFuzz({ seed, count: 1000, corpus });
    const report = s.failures
      .slice(0, 10)
      .map((f) => `case ${f.fuzzCase.index} (${f.fuzzCase.file.name} after ${f.fuzzCase.mutations.join(', ')}; npm run fuzz -- 1 ${seed} --case ${f.fuzzCase.index}):\n  ${f.problems.join('\n  ')}`)
      .join('\n');
    assert.equal(s.failures.length, 0, report);
    assert.ok(s.corpusFiles > 100, `corpus: ${s.corpusFiles} files`);
    assert.ok(s.parsed > 200 && s.fixesTried > 100, `the run exercises rules and fixes: ${s.parsed} parsed, ${s.fixesTried} fixes`);
  });

  it('cases are reproducible from seed and index alone', () => {
    const a = makeCase(corpus, 5, 123);
    const b = makeCase(corpus, 5, 123);
    assert.equal(a.text, b.text);
    assert.deepEqual(a.mutations, b.mutations);
    assert.notEqual(makeCase(corpus, 5, 124).text, a.text);
  });
});

/** parseToml's template mode before the one-pass scan: parse, replace the bare token at the error, parse again. */
function formerParseToml(text: string): { ok: true; bare: Placeholder[]; value: unknown } | { ok: false; error: { message: string; span: { start: number; end: number } } } {
  const TOKEN = /@([A-Za-z_][A-Za-z0-9_]*)@/y;
  // The one intended difference: a leading byte order mark is now read as a space (it used to fail at offset 0).
  let source = text.startsWith('\ufeff') ? ' ' + text.slice(1) : text;
  const bare: Placeholder[] = [];
  for (;;) {
    try {
      const ast = parseTOML(source, { tomlVersion: '1.0.0' });
      return { ok: true, bare, value: getStaticTOMLValue(ast) };
    } catch (e) {
      const err = e as { index?: number; message?: string };
      const at = typeof err.index === 'number' ? err.index : 0;
      TOKEN.lastIndex = at;
      const m = TOKEN.exec(source);
      if (m && bare.length < 10_000) {
        bare.push({ name: m[1]!, span: { start: at, end: at + m[0].length }, quoted: false });
        source = source.slice(0, at) + `"${m[1]}"` + source.slice(at + m[0].length);
        continue;
      }
      return { ok: false, error: describeError(text, at, err.message ?? String(e)) };
    }
  }
}

describe('TOML template mode: one scan, same result as the former re-parse loop', () => {
  const tomlCorpus = corpus.filter((f) => f.kind === 'toml');
  const samples: { name: string; text: string }[] = [
    ...tomlCorpus.map((f) => ({ name: f.name, text: f.text })),
    { name: 'strings and comments', text: `a = @A@ # @C@\nb = "@B@ \\" @B2@"\nc = '@C@'\nd = """\n@D@ "" \\""" @D2@\n"""\ne = '''@E@'' @E2@'''\n@K@ = 1\n[t.@T@]\nf = [@F1@, { g = @G@ }]\n` },
    { name: 'adjacent and partial tokens', text: 'a = @A@@B@\nb = x@B@\nc = @C@D@\nd = @1@\ne = @@\n' },
    { name: 'unterminated string then a token', text: 'a = "abc\nb = @B@\n' },
    { name: 'a comment ended by a lone carriage return, then a token', text: '# note\r@A@\nb = 1\n' },
  ];
  let fuzzed = 0;
  for (let i = 0; fuzzed < 400 && i < 20_000; i++) {
    const c = makeCase(tomlCorpus, 77, i);
    if (!c.text.includes('@')) continue;
    samples.push({ name: `fuzz case ${i} (${c.file.name} after ${c.mutations.join(', ')})`, text: c.text });
    fuzzed++;
  }

  it(`${samples.length} documents: same placeholders with the same offsets, same value, same error`, () => {
    let differences = 0;
    const report: string[] = [];
    for (const s of samples) {
      const before = formerParseToml(s.text);
      const now = parseToml(s.text);
      let same: boolean;
      if (before.ok && now.ok) {
        const bare = now.document.placeholders.filter((p) => !p.quoted);
        same = JSON.stringify(bare) === JSON.stringify(before.bare) && isDeepStrictEqual(now.document.value, before.value);
      } else if (!before.ok && !now.ok) {
        same = JSON.stringify(before.error) === JSON.stringify(now.error);
      } else {
        same = false;
      }
      if (!same) {
        differences++;
        if (report.length < 5) report.push(`${s.name}: before ${JSON.stringify(before).slice(0, 300)}\n  now ${JSON.stringify(now.ok ? now.document.placeholders : now.error).slice(0, 300)}`);
      }
    }
    assert.equal(differences, 0, report.join('\n'));
  });
});
