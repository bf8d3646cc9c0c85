/**
 * The language service (server/src/service.ts): one lint per document version
 * whatever asks, the same answers as the core's functions, settings honoured
 * by every feature, and large texts handed to the offload.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { complete } from '../../server/src/features/completion';
import { hover } from '../../server/src/features/hover';
import { launchSecurityEdit } from '../../server/src/features/launch-security';
import { fixableCounts, fixAll, fixRule, lint } from '../../server/src/linter';
import { DEFAULT_SETTINGS, readSettings } from '../../server/src/lsp/settings';
import { minimalEdit, runJob, type Job, type JobOf, type JobResults, type Outcome } from '../../server/src/lsp/work';
import { createLanguageService, type Offload, type ServiceDocument } from '../../server/src/service';
import { applyEdits } from '../../server/src/text-edit';
import { ROOT } from '../support/fixtures';

const URI = 'file:///vms/guest.xml';
const text = fs.readFileSync(path.join(ROOT, 'examples', 'domain', 'sev-i440fx-seabios.xml'), 'utf8');
const doc = (version: number, t = text, uri = URI): ServiceDocument => ({ uri, version, text: t });

/** Runs every job inline and counts them by kind. */
function countingOffload(minLength = 0): Offload & { counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  return {
    minLength,
    counts,
    run<K extends Job['op']>(job: JobOf<K>): Promise<Outcome<JobResults[K]>> {
      counts[job.op] = (counts[job.op] ?? 0) + 1;
      return Promise.resolve(runJob(job, () => false));
    },
  };
}

function value<T>(o: Outcome<T>): T {
  assert.ok(o.ok, 'not cancelled');
  return o.value;
}

describe('language service', () => {
  it('lints each version once: validation, code actions and fix-all share it', async () => {
    const offload = countingOffload();
    const s = createLanguageService({ offload });
    const v = value(await s.validate(doc(1), DEFAULT_SETTINGS));
    assert.equal(v.status, 'linted');
    const findings = v.status === 'linted' ? v.result.findings : [];
    assert.deepEqual(findings, lint(text, { fileName: '/vms/guest.xml' }).findings);
    const withFix = findings.find((f) => f.fixes.length > 0)!;
    const actions = value(await s.codeActions(doc(1), DEFAULT_SETTINGS, [{ ruleId: withFix.ruleId, span: withFix.span }, { ruleId: 'sev-uefi-firmware', span: { start: 0, end: 1 } }]));
    assert.deepEqual(actions.fixes, [withFix.fixes, []]);
    assert.equal(actions.fixAllAvailable, true);
    assert.deepEqual(actions.fixableByRule, fixableCounts(findings));
    const edit = value(await s.fixAll(doc(1), DEFAULT_SETTINGS));
    assert.ok(edit);
    assert.equal(applyEdits(text, [edit]), fixAll(text, { fileName: '/vms/guest.xml' }).text);
    assert.deepEqual(offload.counts, { lint: 1, fixAll: 1 });
    // One rule's fix-all is a fixAll job naming the rule, from the same lint.
    const ruleEdit = value(await s.fixRule(doc(1), DEFAULT_SETTINGS, withFix.ruleId));
    assert.ok(ruleEdit);
    assert.equal(applyEdits(text, [ruleEdit]), fixRule(text, withFix.ruleId, { fileName: '/vms/guest.xml' }).text);
    assert.deepEqual(offload.counts, { lint: 1, fixAll: 2 });

    // A new version is linted again; a request about the old one afterwards does not replace it.
    const edited = text.replace('<name>', '<name>x');
    await s.validate(doc(2, edited), DEFAULT_SETTINGS);
    await s.codeActions(doc(2, edited), DEFAULT_SETTINGS, []);
    assert.equal(offload.counts['lint'], 2);
    await s.validate(doc(1), DEFAULT_SETTINGS);
    await s.validate(doc(2, edited), DEFAULT_SETTINGS);
    assert.equal(offload.counts['lint'], 3);

    // Other settings: linted again with them; forget() drops the version.
    const other = readSettings({ rules: { [withFix.ruleId]: 'off' } });
    const v2 = value(await s.validate(doc(2, edited), other));
    assert.ok(v2.status === 'linted' && v2.result.findings.every((f) => f.ruleId !== withFix.ruleId));
    assert.equal(offload.counts['lint'], 4);
    s.forget(URI);
    await s.validate(doc(2, edited), other);
    assert.equal(offload.counts['lint'], 5);
  });

  it('answers in-process as the core functions do, from one tree', async () => {
    const s = createLanguageService();
    const at = text.indexOf('<policy>') + '<policy>'.length + 1;
    const options = { fileName: '/vms/guest.xml' };
    assert.deepEqual(value(await s.hover(doc(1), at, DEFAULT_SETTINGS)), hover(text, at, options) ?? null);
    assert.ok(value(await s.hover(doc(1), at, DEFAULT_SETTINGS)));
    assert.deepEqual(value(await s.complete(doc(1), at, DEFAULT_SETTINGS)), complete(text, at, options) ?? null);
    const v = value(await s.validate(doc(1), DEFAULT_SETTINGS));
    assert.deepEqual(v, { status: 'linted', result: lint(text, options) });
    const fixed = fixAll(text, options).text;
    assert.deepEqual(value(await s.fixAll(doc(1), DEFAULT_SETTINGS)), minimalEdit(text, fixed));
  });

  it('honours sevlint.enable and sevlint.maxFileSize in every feature', async () => {
    const offload = countingOffload();
    const s = createLanguageService({ offload });
    const at = text.indexOf('<policy>') + '<policy>'.length + 1;
    const off = readSettings({ enable: false });
    assert.deepEqual(value(await s.validate(doc(1), off)), { status: 'disabled' });
    assert.equal(value(await s.hover(doc(1), at, off)), null);
    assert.equal(value(await s.complete(doc(1), at, off)), null);
    assert.equal(value(await s.fixAll(doc(1), off)), null);
    assert.deepEqual(value(await s.codeActions(doc(1), off, [{ ruleId: 'x', span: { start: 0, end: 0 } }])), { findings: [undefined], fixes: [[]], kind: undefined, fixAllAvailable: false, fixableByRule: new Map() });
    assert.equal(value(await s.fixRule(doc(1), off, 'sev-virtio-iommu')), null);
    const small = readSettings({ maxFileSize: 100 });
    assert.deepEqual(value(await s.validate(doc(1), small)), { status: 'too-large', length: text.length, maxFileSize: 100 });
    // Not named like a file sevlint lints: no notice, no findings.
    assert.deepEqual(value(await s.validate(doc(1, text, 'untitled:Untitled-1'), small)), { status: 'linted', result: { kind: undefined, findings: [] } });
    assert.equal(value(await s.hover(doc(1), at, small)), null);
    assert.equal(value(await s.fixAll(doc(1), small)), null);
    assert.deepEqual(offload.counts, {});
  });

  it('offloads only texts of minLength characters or more', async () => {
    const offload = countingOffload(text.length + 1);
    const s = createLanguageService({ offload });
    const at = text.indexOf('<policy>') + 9;
    await s.validate(doc(1), DEFAULT_SETTINGS);
    await s.hover(doc(1), at, DEFAULT_SETTINGS);
    assert.deepEqual(offload.counts, {});
    const big = text.replace('</domain>', `<!--${' '.repeat(10)}-->\n</domain>`);
    await s.validate(doc(2, big), DEFAULT_SETTINGS);
    await s.hover(doc(2, big), at, DEFAULT_SETTINGS);
    await s.complete(doc(2, big), at, DEFAULT_SETTINGS);
    assert.deepEqual(offload.counts, { lint: 1, hover: 1, complete: 1 });
  });

  it('a job fix-all after a lint of the same text starts from its findings, and only with the same options', () => {
    const options = { fileName: '/vms/guest.xml' };
    const scratch = fixAll(text, options).text;
    runJob({ op: 'lint', text, options }, () => false);
    const edit = value(runJob({ op: 'fixAll', text, options }, () => false));
    assert.ok(edit);
    assert.equal(applyEdits(text, [edit]), scratch);
    // The last lint had every rule on; a fix-all with a rule off must not take its findings.
    const off = lint(text, options).findings.find((f) => f.fixes.some((x) => x.preferred))!.ruleId;
    const withOff = { ...options, rules: { [off]: 'off' as const } };
    const edit2 = value(runJob({ op: 'fixAll', text, options: withOff }, () => false));
    assert.equal(edit2 ? applyEdits(text, [edit2]) : text, fixAll(text, withOff).text);
    assert.notEqual(fixAll(text, withOff).text, scratch);
  });

  it('inserts launchSecurity from the version tree, and refuses a malformed document', () => {
    const s = createLanguageService();
    const plain = fs.readFileSync(path.join(ROOT, 'examples', 'domain', 'plain-guest.xml'), 'utf8');
    assert.deepEqual(s.insertLaunchSecurity(doc(1, plain), 'sev-snp', 0x30000n), launchSecurityEdit(plain, 'sev-snp', 0x30000n));
    const broken = s.insertLaunchSecurity(doc(2, plain.replace('</domain>', '')), 'sev', 0x33n);
    assert.ok(!broken.ok);
    assert.match(broken.message, /^The document is not well-formed XML \(.+\); fix that before inserting <launchSecurity>\.$/);
  });
});
