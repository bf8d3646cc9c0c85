import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  checkLaunchSecurity,
  kindOf,
  LAUNCH_SECURITY_KINDS,
  launchSecurityBlock,
  launchSecurityEdit,
  launchSecurityType,
  POLICY_PRESETS,
  type LaunchSecurityKind,
  type LaunchSecurityOptions,
} from '../../server/src/features/launch-security';
import { lint } from '../../server/src/linter';
import { policyNotes, summarizePolicy } from '../../server/src/policy';
import { applyEdits } from '../../server/src/text-edit';
import { domainSchema, hasXmllint, invalidFiles } from '../support/xmllint';
import { formatLaunchPolicy } from '../../server/src/policy';

/** The rules about <launchSecurity> itself and its policy. */
const LAUNCH_SECURITY_RULES = new Set([
  'sev-policy-missing',
  'sev-policy-format',
  'sev-policy-reserved-bits',
  'snp-policy-required-bits',
  'snp-policy-forbidden-bits',
  'snp-policy-host-dependent-bits',
  'sev-policy-debug-allowed',
  'sev-launch-security-duplicate',
  'sev-launch-security-wrong-child',
  'sev-launch-security-yes-no',
  'sev-platform-value-format',
  'sev-cbitpos-host',
  'snp-base64-blob',
  'snp-id-auth-pairing',
]);

const BASE = `<domain type='kvm'>
  <name>guest</name>
  <memory unit='GiB'>4</memory>
  <memoryBacking>
    <locked/>
  </memoryBacking>
  <os firmware='efi'>
    <type arch='x86_64' machine='q35'>hvm</type>
    <loader stateless='yes'/>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  <devices>
    <memballoon model='none'/>
  </devices>
</domain>
`;

const schema = domainSchema();
const skipSchema = !hasXmllint() ? 'xmllint not found (apt-get install libxml2-utils)' : !schema ? 'no libvirt domain.rng found' : false;
if (skipSchema) console.log(`# NOTE launchSecurityEdit schema validation skipped: ${skipSchema}`);

/** Results to validate against libvirt's schema at the end, in one xmllint run. */
const toValidate: { name: string; text: string }[] = [];

function applied(text: string, kind: LaunchSecurityKind, policy: bigint, opts?: LaunchSecurityOptions): { text: string; replaces: boolean } {
  const r = launchSecurityEdit(text, kind, policy, opts);
  assert.ok(r.ok, r.ok ? '' : r.message);
  return { text: applyEdits(text, [r.edit]), replaces: r.replaces };
}

function assertLintClean(text: string): void {
  const findings = lint(text).findings;
  assert.deepEqual(
    findings.filter((f) => f.severity === 'error' || LAUNCH_SECURITY_RULES.has(f.ruleId)).map((f) => `${f.ruleId}: ${f.message}`),
    [],
  );
}

describe('POLICY_PRESETS', () => {
  it('offers the documented values, the first of each kind being the default', () => {
    assert.deepEqual(
      Object.fromEntries(LAUNCH_SECURITY_KINDS.map((k) => [k, POLICY_PRESETS[k].map((p) => p.label)])),
      { sev: ['0x0003', '0x0033'], 'sev-es': ['0x0007', '0x0037'], 'sev-snp': ['0x30000'] },
    );
  });

  it('decodes each preset with policy.ts', () => {
    assert.equal(POLICY_PRESETS.sev[0]!.detail, 'NODBG | NOKS — libvirt documentation, virt-install');
    assert.equal(POLICY_PRESETS.sev[1]!.detail, 'NODBG | NOKS | DOMAIN | SEV — OpenStack Nova');
    assert.equal(POLICY_PRESETS['sev-es'][0]!.detail, 'NODBG | NOKS | ES — virt-install on a host with SEV-ES');
    assert.match(POLICY_PRESETS['sev-snp'][0]!.detail, /^SMT \| RSVD_MBO — /);
    for (const kind of LAUNCH_SECURITY_KINDS) {
      for (const p of POLICY_PRESETS[kind]) assert.ok(p.detail.startsWith(summarizePolicy(p.value, launchSecurityType(kind))), p.label);
    }
  });

  it('summarizes a policy by field (policy.ts summarizePolicy)', () => {
    assert.equal(summarizePolicy(0x01000041n, 'sev'), 'NODBG | RESERVED (0x40) | API_MINOR=1');
    assert.equal(summarizePolicy(0x30102n, 'sev-snp'), 'ABI_MINOR=2 | ABI_MAJOR=1 | SMT | RSVD_MBO');
    assert.equal(summarizePolicy(0n, 'sev-snp'), 'no bits set');
  });

  it('never offers a policy policy.ts finds anything wrong with, nor one of another kind', () => {
    for (const kind of LAUNCH_SECURITY_KINDS) {
      for (const p of POLICY_PRESETS[kind]) {
        assert.deepEqual(policyNotes(p.value, launchSecurityType(kind)), [], `${kind} ${p.label}`);
        assert.equal(kindOf(launchSecurityType(kind), p.value), kind);
        assert.equal(checkLaunchSecurity(kind, p.value), undefined);
        assert.equal(p.label, formatLaunchPolicy(kind, p.value));
      }
    }
  });
});

describe('launchSecurityBlock', () => {
  it('writes libvirt’s shape: 0x%04x for SEV, unpadded for SNP, cbitpos and reducedPhysBits before policy', () => {
    assert.equal(launchSecurityBlock('sev', 0x3n), "<launchSecurity type='sev'>\n  <policy>0x0003</policy>\n</launchSecurity>");
    assert.equal(launchSecurityBlock('sev-es', 0x37n), "<launchSecurity type='sev'>\n  <policy>0x0037</policy>\n</launchSecurity>");
    assert.equal(
      launchSecurityBlock('sev-snp', 0x30000n, { cbitpos: 51, reducedPhysBits: 1 }),
      "<launchSecurity type='sev-snp'>\n  <cbitpos>51</cbitpos>\n  <reducedPhysBits>1</reducedPhysBits>\n  <policy>0x30000</policy>\n</launchSecurity>",
    );
  });

  it('follows a style and indents the lines after the first', () => {
    assert.equal(
      launchSecurityBlock('sev', 0x33n, { cbitpos: 47 }, { eol: '\r\n', indentUnit: '\t', quote: '"' }, '\t'),
      '<launchSecurity type="sev">\r\n\t\t<cbitpos>47</cbitpos>\r\n\t\t<policy>0x0033</policy>\r\n\t</launchSecurity>',
    );
  });

  it('refuses what is not that kind or out of range', () => {
    assert.throws(() => launchSecurityBlock('sev-es', 0x3n), /ES bit/);
    assert.throws(() => launchSecurityBlock('sev', 0x7n), /SEV-ES/);
    assert.throws(() => launchSecurityBlock('sev', 0x1_0000_0000n), /between 0 and 0xffffffff/);
    assert.throws(() => launchSecurityBlock('sev-snp', -1n), RangeError);
    assert.throws(() => launchSecurityBlock('sev-snp', 0x30000n, { reducedPhysBits: 0 }), /reducedPhysBits must be an integer from 1 to 63/);
    assert.throws(() => launchSecurityBlock('sev', 0x3n, { cbitpos: 51.5 }), /cbitpos/);
  });
});

describe('launchSecurityEdit', () => {
  it('inserts after <devices> in a two-space, single-quoted LF file', () => {
    const r = applied(BASE, 'sev', POLICY_PRESETS.sev[0]!.value);
    assert.equal(r.replaces, false);
    assert.equal(
      r.text,
      BASE.replace(
        '  </devices>\n</domain>',
        "  </devices>\n  <launchSecurity type='sev'>\n    <policy>0x0003</policy>\n  </launchSecurity>\n</domain>",
      ),
    );
    assertLintClean(r.text);
    toValidate.push({ name: 'insert-lf', text: r.text });
  });

  it('inserts in the file’s CRLF, tabs and double quotes', () => {
    const input = BASE.replace(/'/g, '"').replace(/^((?: {2})+)/gm, (m) => '\t'.repeat(m.length / 2)).replace(/\n/g, '\r\n');
    const r = applied(input, 'sev-snp', 0x30000n);
    assert.equal(
      r.text,
      input.replace(
        '\t</devices>\r\n</domain>',
        '\t</devices>\r\n\t<launchSecurity type="sev-snp">\r\n\t\t<policy>0x30000</policy>\r\n\t</launchSecurity>\r\n</domain>',
      ),
    );
    assertLintClean(r.text);
    toValidate.push({ name: 'insert-crlf-tabs', text: r.text });
  });

  it('replaces the first existing <launchSecurity> and says so', () => {
    const input = BASE.replace(
      '</domain>',
      "  <launchSecurity type='sev'>\n    <cbitpos>47</cbitpos>\n    <reducedPhysBits>1</reducedPhysBits>\n    <policy>0x0001</policy>\n  </launchSecurity>\n</domain>",
    );
    const r = applied(input, 'sev-snp', 0x30000n, { cbitpos: 51, reducedPhysBits: 1 });
    assert.equal(r.replaces, true);
    assert.equal(
      r.text,
      BASE.replace(
        '</domain>',
        "  <launchSecurity type='sev-snp'>\n    <cbitpos>51</cbitpos>\n    <reducedPhysBits>1</reducedPhysBits>\n    <policy>0x30000</policy>\n  </launchSecurity>\n</domain>",
      ),
    );
    assertLintClean(r.text);
    toValidate.push({ name: 'replace', text: r.text });
  });

  it('goes before trailing namespaced elements such as <qemu:commandline>', () => {
    const input = BASE.replace("<domain type='kvm'>", "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>").replace(
      '</domain>',
      "  <qemu:commandline>\n    <qemu:arg value='-s'/>\n  </qemu:commandline>\n</domain>",
    );
    const r = applied(input, 'sev-es', 0x7n);
    assert.equal(
      r.text,
      input.replace('  <qemu:commandline>', "  <launchSecurity type='sev'>\n    <policy>0x0007</policy>\n  </launchSecurity>\n  <qemu:commandline>"),
    );
    assertLintClean(r.text);
    toValidate.push({ name: 'before-qemu-commandline', text: r.text });
  });

  it('opens a self-closing <domain/>', () => {
    assert.equal(
      applied("<domain type='kvm'/>\n", 'sev', 0x3n).text,
      "<domain type='kvm'>\n  <launchSecurity type='sev'>\n    <policy>0x0003</policy>\n  </launchSecurity>\n</domain>\n",
    );
  });

  it('every preset of every kind inserts into a clean domain without a launchSecurity finding', () => {
    for (const kind of LAUNCH_SECURITY_KINDS) {
      for (const p of POLICY_PRESETS[kind]) {
        const r = applied(BASE, kind, p.value);
        assertLintClean(r.text);
        toValidate.push({ name: `preset-${kind}-${p.label}`, text: r.text });
      }
    }
  });

  it('explains what it cannot do', () => {
    const notXml = launchSecurityEdit("<domain type='kvm'>\n  <name>x</name>\n", 'sev', 0x3n);
    assert.equal(notXml.ok, false);
    assert.match(notXml.ok ? '' : notXml.message, /^The document is not well-formed XML \(.+\); fix that before inserting <launchSecurity>\.$/);
    assert.deepEqual(launchSecurityEdit("<network>\n  <name>x</name>\n</network>\n", 'sev', 0x3n), {
      ok: false,
      message: 'The root element is <network>, not <domain>: <launchSecurity> belongs in a libvirt domain.',
    });
    assert.deepEqual(launchSecurityEdit(BASE, 'sev-es', 0x3n), {
      ok: false,
      message: 'An SEV-ES policy sets the ES bit (bit 2, 0x4); 0x0003 does not, so the guest would run as plain SEV.',
    });
  });

  it('validates against libvirt’s RelaxNG schema', { skip: skipSchema }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-ls-'));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const files = toValidate.map(({ name, text }) => {
      const f = path.join(dir, `${name}.xml`);
      fs.writeFileSync(f, text);
      return f;
    });
    assert.ok(files.length >= 8, `${files.length} results`);
    assert.deepEqual([...invalidFiles(schema as string, files).entries()], []);
  });
});
