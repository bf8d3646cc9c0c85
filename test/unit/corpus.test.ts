/**
 * Real domain XMLs from libvirt and virt-manager (../shared/corpus, when present):
 * nothing throws, non-SEV domains get no SEV finding, known defects are found.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixAll, lint } from '../../server/src/linter';
import { parseXml } from '../../server/src/xml/parse';
import { SHARED, listDir } from '../support/fixtures';

const corpus = path.join(SHARED, 'corpus');
const skip = fs.existsSync(corpus) ? false : `no corpus at ${corpus}`;
if (skip) console.log(`# NOTE corpus tests skipped: ${skip}`);

function xmlFiles(): string[] {
  return listDir(corpus).filter((d) => fs.statSync(path.join(corpus, d)).isDirectory()).flatMap((d) => listDir(path.join(corpus, d)).filter((f) => f.endsWith('.xml')).map((f) => path.join(corpus, d, f)));
}

describe('corpus', { skip }, () => {
  it('every XML lints and fixes without an exception; fixed text still parses', () => {
    const files = xmlFiles();
    assert.ok(files.length >= 20);
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      const result = lint(text);
      for (const d of result.findings) assert.ok(d.span.start >= 0 && d.span.end <= text.length && d.span.start <= d.span.end, f);
      const fixed = fixAll(text);
      if (result.kind) assert.ok(parseXml(fixed.text).ok, `${f} still parses after fix-all`);
    }
  });

  it('domains without SEV launchSecurity get no finding', () => {
    for (const f of xmlFiles()) {
      const text = fs.readFileSync(f, 'utf8');
      if (/<launchSecurity\s+type=['"]sev/.test(text)) continue;
      assert.deepEqual(lint(text).findings.map((d) => d.ruleId), [], path.basename(f));
    }
  });

  const expectations: [string, string][] = [
    ['virt-manager/virt-install-amd-sev.xml', 'sev-memory-hard-limit'],
    ['libvirt/launch-security-sev.xml', 'sev-uefi-firmware'],
    ['virt-manager/virt-install-amd-sev.xml', 'sev-virtio-iommu'],
  ];
  for (const [file, ruleId] of expectations) {
    it(`${file} gets ${ruleId}`, () => {
      const ids = lint(fs.readFileSync(path.join(corpus, file), 'utf8')).findings.map((d) => d.ruleId);
      assert.ok(ids.includes(ruleId), ids.join(', '));
    });
  }
});
