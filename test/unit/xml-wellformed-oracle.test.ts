/**
 * xmllint as the oracle of well-formedness: sevlint's verdict equals
 * `xmllint --noout`'s, and its first error is on the line xmllint names, on
 * every XML file of ../shared/corpus (when present), on seeded mutations of
 * them (400 here; `npm run fuzz -- --wellformed` runs 10 000 and more) and on
 * the hand-made malformed inputs of test/support/malformed.ts. The
 * differences that are by design are listed in KNOWN_DIFFERENCES
 * (test/support/wellformed.ts), each with its reason and examples that are
 * checked to still differ.
 */
import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadXmlCorpus, makeCase } from '../support/fuzz';
import { SHARED } from '../support/fixtures';
import { MALFORMED, WELL_FORMED_EDGES } from '../support/malformed';
import { compareWithXmllint, KNOWN_DIFFERENCES, type Comparison, type WellFormedCase } from '../support/wellformed';
import { hasXmllint } from '../support/xmllint';

const skip = hasXmllint() ? false : 'xmllint not found (apt-get install libxml2-utils)';
if (skip) console.log(`# NOTE well-formedness oracle skipped: ${skip}`);
const corpusDir = path.join(SHARED, 'corpus');
const noCorpus = fs.existsSync(corpusDir) ? false : `${corpusDir} not found`;
if (!skip && noCorpus) console.log(`# NOTE well-formedness oracle on the shared corpus skipped: ${noCorpus}`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-wf-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let run = 0;
const compare = (cases: readonly WellFormedCase[]): Comparison[] => compareWithXmllint(cases, path.join(dir, String(run++)));

/** The disagreements not explained by KNOWN_DIFFERENCES, as report lines. */
function unexplained(results: readonly Comparison[]): string[] {
  return results
    .filter((r) => (!r.sameVerdict || r.sameLine === false) && r.known === undefined)
    .map((r) => `${r.case.name}: sevlint ${r.sevlint.wellFormed ? 'well-formed' : `line ${r.sevlint.line}: ${r.sevlint.message}`}; xmllint ${r.xmllint.wellFormed ? 'well-formed' : `line ${r.xmllint.firstError?.line}: ${r.xmllint.firstError?.message}`}`);
}

describe('well-formedness: xmllint --noout as the oracle', { skip }, () => {
  it('the hand-made malformed inputs: xmllint rejects each too, its first error on the same line; the edge cases it accepts', () => {
    const results = compare([...MALFORMED.map(([text]) => ({ name: JSON.stringify(text), text })), ...WELL_FORMED_EDGES.map((text) => ({ name: JSON.stringify(text), text }))]);
    const bad = unexplained(results);
    assert.deepEqual(bad, []);
    assert.equal(results.filter((r) => r.known).length, 0, 'no hand-made case relies on a known difference');
  });

  it(`the known differences (${KNOWN_DIFFERENCES.length}) still hold, each recognised by its own entry`, () => {
    const cases = KNOWN_DIFFERENCES.flatMap((k) => k.examples);
    const results = compare(cases);
    for (const r of results) {
      assert.ok(!r.sameVerdict, `${r.case.name}: sevlint and xmllint now agree; remove it from KNOWN_DIFFERENCES`);
      const owner = KNOWN_DIFFERENCES.find((k) => k.examples.includes(r.case));
      assert.equal(r.known, owner!.reason, r.case.name);
    }
  });

  it('every XML file of ../shared/corpus: the same verdict and first-error line', { skip: noCorpus }, () => {
    const files = loadXmlCorpus().filter((f) => f.name.startsWith('../shared/'));
    assert.ok(files.length > 2000, `${files.length} files`);
    const results = compare(files.map((f) => ({ name: f.name, text: f.text })));
    assert.deepEqual(unexplained(results), []);
    const rejected = results.filter((r) => !r.xmllint.wellFormed).length;
    console.log(`corpus: ${results.length} files, ${rejected} not well-formed for xmllint; ${results.filter((r) => r.known).length} known differences`);
  });

  it('400 seeded mutations of the corpus: the same verdict and first-error line', () => {
    const corpus = loadXmlCorpus();
    const seed = 20_261_201;
    const cases = Array.from({ length: 400 }, (_, i) => {
      const c = makeCase(corpus, seed, i);
      return { name: `case ${i} of seed ${seed} (${c.file.name} after ${c.mutations.join(', ')}; npm run fuzz -- --wellformed 1 ${seed} --case ${i})`, text: c.text };
    });
    const results = compare(cases);
    assert.deepEqual(unexplained(results), []);
    const rejected = results.filter((r) => !r.xmllint.wellFormed).length;
    assert.ok(rejected > 80 && rejected < 320, `the mutations make both kinds: ${rejected} of 400 not well-formed`);
  });
});
