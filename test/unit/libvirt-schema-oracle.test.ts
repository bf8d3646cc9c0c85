/**
 * sevlint's libvirt-schema verdict against xmllint's (`xmllint --noout
 * --relaxng schemas/libvirt/domain.rng`): on every domain fixture and example
 * (xmllint needed), on every domain of ../shared/corpus (libvirt's 2318 test
 * domains through the verdicts recorded beside them), and on seeded
 * mutations. `npm run fuzz:schema` runs the long mutation run.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lint } from '../../server/src/linter';
import { domainRules } from '../../server/src/rules/index';
import { FIXTURES, ROOT, SHARED } from '../support/fixtures';
import { compareSchemaWithXmllint, domainFiles, LIBVIRT_TESTS, mutateForSchema, recordedVerdicts, sevlintValid, type SchemaComparison } from '../support/schema';
import { hasXmllint } from '../support/xmllint';

/**
 * libvirt's test domains on which sevlint and xmllint disagree, with the
 * cause. Empty: they agree on every one. The test fails on a disagreement not
 * listed, and on a listed one that no longer disagrees.
 */
export const KNOWN_SCHEMA_DIFFERENCES: readonly { readonly file: string; readonly cause: string }[] = [];

const noXmllint = hasXmllint() ? false : 'xmllint not found (apt-get install libxml2-utils)';
if (noXmllint) console.log(`# NOTE libvirt-schema oracle (xmllint) skipped: ${noXmllint}`);
const noCorpus = fs.existsSync(LIBVIRT_TESTS) ? false : `${LIBVIRT_TESTS} not found`;
if (noCorpus) console.log(`# NOTE libvirt-schema corpus agreement skipped: ${noCorpus}`);

function disagreements(results: readonly SchemaComparison[]): string[] {
  return results.filter((r) => r.xmllint !== r.sevlint).map((r) => `${r.name}: xmllint ${r.xmllint ? 'valid' : 'invalid'}, sevlint ${r.sevlint ? 'valid' : 'invalid'}`);
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-schema-'));
}

describe('libvirt-schema against xmllint', () => {
  it('every domain fixture and example: the same verdict', { skip: noXmllint }, () => {
    const files = [...domainFiles(path.join(FIXTURES, 'domain-xml')), ...domainFiles(path.join(ROOT, 'examples'))].filter((f) => sevlintValid(fs.readFileSync(f, 'utf8')) !== undefined);
    const dir = tmp();
    try {
      const results = compareSchemaWithXmllint(files.map((f) => ({ name: path.relative(ROOT, f), text: fs.readFileSync(f, 'utf8') })), dir);
      assert.ok(results.length > 100, `${results.length} files compared`);
      assert.ok(results.some((r) => !r.xmllint), 'some fixtures are invalid');
      assert.deepEqual(disagreements(results), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("libvirt's 2318 test domains: the verdicts xmllint recorded", { skip: noCorpus }, () => {
    const recorded = recordedVerdicts();
    assert.ok(recorded.size > 2000, `${recorded.size} recorded verdicts`);
    const known = new Set(KNOWN_SCHEMA_DIFFERENCES.map((k) => k.file));
    const wrong: string[] = [];
    let invalid = 0;
    for (const [file, valid] of recorded) {
      // Not well-formed (xml-not-well-formed) is not valid either.
      const mine = sevlintValid(fs.readFileSync(file, 'utf8')) ?? false;
      if (!valid) invalid++;
      const differs = mine !== valid;
      if (differs !== known.has(path.basename(file))) wrong.push(`${path.basename(file)}: xmllint ${valid ? 'valid' : 'invalid'}, sevlint ${mine ? 'valid' : 'invalid'}${differs ? '' : ' (listed as a known difference, but they agree)'}`);
    }
    assert.ok(invalid >= 30, `${invalid} invalid ones among them`);
    assert.deepEqual(wrong, []);
  });

  it('the other domains of ../shared/corpus: the same verdict', { skip: noCorpus || noXmllint }, () => {
    const files = domainFiles(path.join(SHARED, 'corpus')).filter((f) => !f.startsWith(LIBVIRT_TESTS + path.sep));
    const dir = tmp();
    try {
      const results = compareSchemaWithXmllint(files.map((f) => ({ name: path.relative(SHARED, f), text: fs.readFileSync(f, 'utf8') })), dir);
      assert.ok(results.length > 20, `${results.length} files compared`);
      assert.deepEqual(disagreements(results), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const SCHEMA_ONLY = Object.fromEntries(domainRules.filter((r) => r.id !== 'libvirt-schema').map((r) => [r.id, 'off' as const]));

  it('600 seeded mutations of the fixtures and corpus domains: the same verdict, and every invalid one has a finding', { skip: noXmllint }, () => {
    const sources = [...domainFiles(path.join(FIXTURES, 'domain-xml')), ...domainFiles(path.join(SHARED, 'corpus'))].map((f) => fs.readFileSync(f, 'utf8'));
    const seed = 20261202;
    const cases: { name: string; text: string }[] = [];
    for (let i = 0; cases.length < 600; i++) {
      const src = sources[(i * 7919) % sources.length]!;
      const m = mutateForSchema(src, seed, i);
      if (m) cases.push({ name: `case ${i}: ${m.what} (npm run fuzz:schema -- 1 ${seed} --case ${i})`, text: m.text });
    }
    const dir = tmp();
    try {
      const results = compareSchemaWithXmllint(cases, dir);
      assert.ok(results.filter((r) => !r.xmllint).length > 200, 'most mutations are invalid');
      assert.deepEqual(disagreements(results), []);
      for (const c of cases.slice(0, 150)) {
        const valid = sevlintValid(c.text);
        if (valid !== false) continue;
        // The other rules off: lint() drops a schema finding that a SEV rule reports at the same place.
        const findings = lint(c.text, { rules: SCHEMA_ONLY }).findings.filter((f) => f.ruleId === 'libvirt-schema');
        assert.ok(findings.length > 0, `${c.name}: invalid, and libvirt-schema says so`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
