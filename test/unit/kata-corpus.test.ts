/**
 * Kata's own configuration templates (../shared/corpus/kata, when present):
 * every one lints in template mode without an exception, and the SNP template
 * filled in as a kata-deploy build fills it gives no error.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixAll, lint } from '../../server/src/linter';
import { parseToml } from '../../server/src/toml/parse';
import { SHARED, listDir } from '../support/fixtures';
import { SNP_TEMPLATE_VALUES, fillTemplate } from '../support/kata-template-values';

const dir = path.join(SHARED, 'corpus', 'kata');
const skip = fs.existsSync(dir) ? false : `no Kata templates at ${dir}`;
if (skip) console.log(`# NOTE Kata corpus tests skipped: ${skip}`);

describe('Kata templates', { skip }, () => {
  const templates = listDir(dir).filter((f) => f.endsWith('.toml.in'));

  for (const name of templates) {
    it(`${name}: lints in template mode, placeholders are not findings, fix-all keeps valid TOML`, () => {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      const result = lint(text, { fileName: name });
      assert.equal(result.kind, 'kata-toml');
      const ids = result.findings.map((f) => f.ruleId);
      assert.ok(!ids.includes('toml-syntax'), ids.join(', '));
      assert.ok(!ids.includes('kata-template-placeholder'));
      for (const f of result.findings) assert.ok(f.span.start >= 0 && f.span.end <= text.length);
      const fixed = fixAll(text, { fileName: name });
      assert.ok(parseToml(fixed.text).ok);
      assert.equal(fixAll(fixed.text, { fileName: name }).text, fixed.text, 'a second fix-all changes nothing');
    });
  }

  it('as a plain configuration.toml, a template reports its placeholders', () => {
    const text = fs.readFileSync(path.join(dir, 'configuration-qemu-snp.toml.in'), 'utf8');
    const ids = lint(text, { fileName: 'configuration.toml' }).findings.map((f) => f.ruleId);
    assert.ok(ids.filter((id) => id === 'kata-template-placeholder').length >= 50, ids.join(', '));
  });

  it('configuration-qemu-snp.toml.in filled with plausible values gives no error', () => {
    const text = fillTemplate(fs.readFileSync(path.join(dir, 'configuration-qemu-snp.toml.in'), 'utf8'), SNP_TEMPLATE_VALUES);
    assert.ok(!/@[A-Za-z_]+@/.test(text), 'every placeholder filled');
    const findings = lint(text, { fileName: 'configuration.toml' }).findings;
    assert.deepEqual(findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId}: ${f.message}`), []);
  });
});
