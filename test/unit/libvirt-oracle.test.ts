/**
 * libvirt 11.3 as the oracle of the fixes: a preferred fix (what --fix and
 * fix-all apply) never turns a domain libvirt accepts into one it rejects,
 * the examples sevlint calls clean are accepted, and a domain fixture that
 * says what libvirt makes of it in a first-line comment is right:
 *   <!-- libvirt 11.3 accepts -->
 *   <!-- libvirt 11.3 rejects: ERROR -->     (ERROR: part of libvirt's message)
 * A `<case>.caps-del` beside a fixture removes QEMU capabilities for the
 * oracle (an older QEMU; see ../shared/libvirt-oracle/README.md). Needs the
 * oracle built (../shared/libvirt-oracle/build.sh; .ci/run builds it); skips
 * otherwise.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixAll, lint } from '../../server/src/linter';
import { FIXTURES, ROOT, SHARED, fixtureOptions, listDir } from '../support/fixtures';
import { libvirtVerdicts, oracleMissing } from '../support/libvirt-oracle';
import { writeChecked } from '../support/write';

const missing = oracleMissing();
if (missing) console.log(`# NOTE libvirt oracle tests skipped: ${missing}`);

function xmlFiles(dir: string, recursive: boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return recursive ? xmlFiles(p, true) : [];
    return e.isFile() && e.name.endsWith('.xml') && !e.name.endsWith('.fixed.xml') ? [p] : [];
  });
}

/** Domain fixtures and the SEV domains of ../shared/corpus: every domain with a <launchSecurity>. */
function sevDomains(): string[] {
  const fixtures = listDir(path.join(FIXTURES, 'domain-xml')).flatMap((rule) => xmlFiles(path.join(FIXTURES, 'domain-xml', rule), false));
  const corpus = xmlFiles(path.join(SHARED, 'corpus'), true);
  return [...fixtures, ...corpus].filter((f) => {
    const text = fs.readFileSync(f, 'utf8');
    return /<launchSecurity\b/.test(text) && /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<domain[\s>]/.test(text);
  });
}

/** What a fixture's first comment says libvirt makes of it. */
const CLAIM = /^\s*(?:<\?xml[^>]*>\s*)?<!--\s*libvirt 11\.3 (accepts|rejects)(?::\s*([\s\S]*?))?\s*-->/;

interface Claim {
  readonly file: string;
  readonly accepted: boolean;
  readonly error: string | undefined;
}

function claims(): Claim[] {
  return listDir(path.join(FIXTURES, 'domain-xml')).flatMap((rule) =>
    xmlFiles(path.join(FIXTURES, 'domain-xml', rule), false).flatMap((file) => {
      const m = CLAIM.exec(fs.readFileSync(file, 'utf8'));
      return m ? [{ file, accepted: m[1] === 'accepts', error: m[2] }] : [];
    }),
  );
}

describe('libvirt 11.3 oracle', { skip: missing ?? false }, () => {
  it('every domain fixture that says what libvirt makes of it is right', () => {
    const all = claims();
    assert.ok(all.length >= 10, `${all.length} fixtures say what libvirt makes of them`);
    const verdicts = libvirtVerdicts(all.map((c) => c.file));
    const wrong = all.flatMap((c) => {
      const v = verdicts.get(path.resolve(c.file))!;
      const right = c.accepted ? v.accepted : !v.accepted && (c.error === undefined || (v.error ?? '').includes(c.error));
      return right ? [] : [`${path.relative(ROOT, c.file)}: says ${c.accepted ? 'accepted' : `rejected (${c.error ?? ''})`}, libvirt: ${v.accepted ? 'accepted' : v.error ?? ''}`];
    });
    assert.deepEqual(wrong, []);
  });

  it('every preferred fix of a libvirt-accepted SEV domain leaves it accepted', () => {
    const inputs = sevDomains();
    const before = libvirtVerdicts(inputs);
    const accepted = inputs.filter((f) => before.get(path.resolve(f))!.accepted);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-libvirt-'));
    try {
      const outputs = new Map<string, string>();
      accepted.forEach((f, i) => {
        const text = fs.readFileSync(f, 'utf8');
        const fixed = fixAll(text, fixtureOptions(f)).text;
        if (fixed === text) return;
        const out = path.join(tmp, `${i}-${path.basename(f)}`);
        writeChecked(out, fixed);
        const capsDel = f.replace(/\.xml$/, '.caps-del');
        if (fs.existsSync(capsDel)) writeChecked(out.replace(/\.xml$/, '.caps-del'), fs.readFileSync(capsDel, 'utf8'));
        outputs.set(out, path.relative(ROOT, f));
      });
      assert.ok(accepted.length > 50, `${accepted.length} accepted SEV domains`);
      assert.ok(outputs.size > 30, `${outputs.size} of them changed by fix-all`);
      const after = libvirtVerdicts([...outputs.keys()]);
      const broken = [...outputs].filter(([out]) => !after.get(path.resolve(out))!.accepted).map(([out, src]) => `${src}: ${after.get(path.resolve(out))!.error}`);
      assert.deepEqual(broken, [], 'fix-all made libvirt reject these');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('every example sevlint calls clean is accepted', () => {
    const examples = xmlFiles(path.join(ROOT, 'examples', 'domain'), false);
    const clean = examples.filter((f) => lint(fs.readFileSync(f, 'utf8'), { fileName: f }).findings.every((x) => x.severity !== 'error' && x.severity !== 'warning'));
    assert.ok(clean.length >= 2, clean.join(', '));
    const verdicts = libvirtVerdicts(clean);
    assert.deepEqual(
      clean.filter((f) => !verdicts.get(path.resolve(f))!.accepted).map((f) => `${path.basename(f)}: ${verdicts.get(path.resolve(f))!.error}`),
      [],
    );
  });
});
