/**
 * Table-driven rule tests from test/fixtures/<target>/<rule-id>/ (extension .xml for
 * domain-xml; .toml, or .toml.in for a template, for kata-toml):
 *   valid-*.EXT            the document parses and the rule must not fire
 *   invalid-*.EXT          must give exactly invalid-*.expected.json (this rule's findings:
 *                          rule id, severity, message id and data, range, and the exact
 *                          edits of every fix offered, preferred or not); every fix leaves
 *                          a document that still parses
 *   invalid-*.fixed.EXT    the text after the rule's preferred fixes; then the finding is
 *                          gone, no other finding is new, and fixing again changes nothing
 *   *.options.json         lint options for the case ({"qemu": "6.0", "fileName": "configuration.toml"})
 * UPDATE_FIXTURES=1 rewrites the expected and fixed files (review the diff);
 * FIXTURE_RULE=id[,id] limits the run to those rules.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILE_TYPES } from '../../server/src/file-types';
import { lint, type LintOptions } from '../../server/src/linter';
import type { Finding } from '../../server/src/rules/types';
import { applyEdits } from '../../server/src/text-edit';
import { writeChecked } from '../support/write';
import { FIXTURES, UPDATE, fixRule, formatExpected, fixtureOptions, listDir, toExpected, type ExpectedDiagnostic } from '../support/fixtures';

function key(f: Finding): string {
  return `${f.ruleId}: ${f.messageId} ${JSON.stringify(f.data)}`;
}

const SYNTAX_RULES = new Set(['xml-not-well-formed', 'toml-syntax']);

function syntaxErrors(text: string, options: LintOptions): string[] {
  return lint(text, options).findings.filter((f) => SYNTAX_RULES.has(f.ruleId)).map((f) => f.message);
}

for (const { kind: target, extensions } of Object.values(FILE_TYPES)) {
  const only = process.env['FIXTURE_RULE']?.split(',');
  for (const ruleId of listDir(path.join(FIXTURES, target))) {
    if (only && !only.includes(ruleId)) continue;
    const dir = path.join(FIXTURES, target, ruleId);
    describe(`${target}/${ruleId}`, () => {
      for (const name of listDir(dir)) {
        const ext = extensions.find((e) => name.endsWith(e));
        if (!ext || name.endsWith('.fixed' + ext) || name.endsWith('.expected.json')) continue;
        const file = path.join(dir, name);
        const base = file.slice(0, -ext.length);
        const text = fs.readFileSync(file, 'utf8');
        const options = fixtureOptions(base + ext);

        if (name.startsWith('valid-')) {
          it(`${name}: parses and does not fire`, () => {
            if (!SYNTAX_RULES.has(ruleId)) assert.deepEqual(syntaxErrors(text, options), [], 'a valid- case must parse');
            const found = lint(text, options).findings.filter((f) => f.ruleId === ruleId);
            assert.deepEqual(toExpected(text, found), []);
          });
          continue;
        }
        assert.ok(name.startsWith('invalid-'), `fixture ${name} must start with valid- or invalid-`);

        it(`${name}: fires exactly as expected`, () => {
          const found = lint(text, options).findings.filter((f) => f.ruleId === ruleId);
          const actual = toExpected(text, found);
          const expectedFile = base + '.expected.json';
          if (UPDATE) writeChecked(expectedFile, formatExpected(actual));
          const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8')) as ExpectedDiagnostic[];
          assert.ok(expected.length > 0, 'an invalid fixture must expect at least one finding');
          assert.deepEqual(actual, expected);
        });

        it(`${name}: every fix offered keeps the document parsing`, () => {
          const parsedBefore = syntaxErrors(text, options).length === 0;
          for (const f of lint(text, options).findings.filter((x) => x.ruleId === ruleId)) {
            for (const fix of f.fixes) {
              const after = applyEdits(text, fix.edits);
              assert.notEqual(after, text, `'${fix.title}' changes the text`);
              if (parsedBefore) assert.deepEqual(syntaxErrors(after, options), [], `'${fix.title}' leaves a document that parses`);
            }
          }
        });

        it(`${name}: fix round-trip`, () => {
          const fixedFile = base + '.fixed' + ext;
          const fixed = fixRule(text, ruleId, options);
          if (UPDATE) {
            if (fixed !== text) writeChecked(fixedFile, fixed);
            else if (fs.existsSync(fixedFile)) fs.unlinkSync(fixedFile);
          }
          if (!fs.existsSync(fixedFile)) {
            assert.equal(fixed, text, 'the rule offers a preferred fix here: add ' + path.basename(fixedFile));
            return;
          }
          assert.equal(fixed, fs.readFileSync(fixedFile, 'utf8'));
          const after = lint(fixed, options).findings;
          assert.deepEqual(after.filter((f) => f.ruleId === ruleId).map(key), [], 'the finding is gone after the fix');
          const before = new Set(lint(text, options).findings.map(key));
          assert.deepEqual(after.map(key).filter((k) => !before.has(k)), [], 'the fix brings no new finding');
          assert.equal(fixRule(fixed, ruleId, options), fixed, 'a second fix changes nothing');
        });
      }
    });
  }
}
