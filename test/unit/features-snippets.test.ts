/**
 * The domain XML snippets (features/snippets.ts): every snippet, expanded with its placeholder defaults
 * (inside a minimal SEV domain when it is a fragment), is valid for libvirt's
 * RelaxNG schema and lints without an error; the launchSecurity snippets are
 * exactly what launchSecurityBlock writes.
 */
import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kindOf, launchSecurityBlock, POLICY_PRESETS } from '../../server/src/features/launch-security';
import { lint } from '../../server/src/linter';
import { readPolicy } from '../../server/src/policy';
import type { DocStyle } from '../../server/src/xml/edit';
import { bodyText, choices, expand, loadSnippets } from '../support/snippets';
import { domainSchema, hasXmllint, invalidFiles } from '../support/xmllint';

/** VS Code snippets indent with tabs (the editor converts them to its own indentation). */
const SNIPPET_STYLE: DocStyle = { eol: '\n', indentUnit: '\t', quote: "'" };

const SEV_BLOCK = launchSecurityBlock('sev', POLICY_PRESETS.sev[0]!.value, {}, SNIPPET_STYLE);

/** A minimal schema-valid SEV domain around a fragment. */
function host(devices: string, launchSecurity: string): string {
  const indent = (s: string, by: string) => s.split('\n').map((l) => by + l).join('\n');
  return [
    "<domain type='kvm'>",
    '\t<name>snippet-test</name>',
    "\t<memory unit='GiB'>4</memory>",
    '\t<memoryBacking>',
    '\t\t<locked/>',
    '\t</memoryBacking>',
    "\t<os firmware='efi'>",
    "\t\t<type arch='x86_64' machine='q35'>hvm</type>",
    "\t\t<loader stateless='yes'/>",
    '\t</os>',
    '\t<features>',
    '\t\t<acpi/>',
    '\t\t<apic/>',
    '\t</features>',
    '\t<devices>',
    ...(devices ? [indent(devices, '\t\t')] : []),
    "\t\t<memballoon model='none'/>",
    '\t</devices>',
    indent(launchSecurity, '\t'),
    '</domain>',
    '',
  ].join('\n');
}

/** The whole document a snippet expands to, by what its first element is. */
function documentFor(expanded: string): string {
  const first = /^<([A-Za-z]+)/.exec(expanded)?.[1];
  if (first === 'domain') return expanded + '\n';
  if (first === 'launchSecurity') return host('', expanded);
  return host(expanded, SEV_BLOCK);
}

const snippets = loadSnippets();
const schema = domainSchema();
const skipSchema = !hasXmllint() ? 'xmllint not found (apt-get install libxml2-utils)' : !schema ? 'no libvirt domain.rng found' : false;
if (skipSchema) console.log(`# NOTE snippet schema validation skipped: ${skipSchema}`);

describe('domain XML snippets', () => {
  it('has the expected snippets, each with a prefix, a description and no variables', () => {
    assert.deepEqual(Object.keys(snippets), [
      'SEV launchSecurity',
      'SEV-ES launchSecurity',
      'SEV-SNP launchSecurity',
      'SEV domain (q35)',
      'SEV virtio NIC',
      'SEV virtio-scsi controller',
      'SEV virtio RNG',
    ]);
    for (const [name, s] of Object.entries(snippets)) {
      assert.ok(s.prefix.length > 0 && s.description, name);
      assert.doesNotMatch(bodyText(s), /\$[A-Z_]|\$\{[A-Z_]/, `${name} uses a variable`);
      assert.doesNotMatch(bodyText(s), /^ /m, `${name} indents with spaces; use \\t`);
    }
  });

  it('expands placeholders to their defaults', () => {
    assert.equal(expand("a${1:b}c${2|x,y|}d$0${3}e\\$"), 'abcxde$');
    assert.equal(expand('${1:outer ${2:inner}}'), 'outer inner');
  });

  it('launchSecurity snippets are launchSecurityBlock output, offering exactly the presets', () => {
    let seen = 0;
    for (const [name, s] of Object.entries(snippets)) {
      const body = bodyText(s);
      if (!body.startsWith('<launchSecurity')) continue;
      seen++;
      const expanded = expand(body);
      const type = /type='(sev|sev-snp)'/.exec(expanded)![1] as 'sev' | 'sev-snp';
      const policy = readPolicy(/<policy>([^<]*)<\/policy>/.exec(expanded)![1]!, type).value!;
      const kind = kindOf(type, policy);
      const presets = POLICY_PRESETS[kind].map((p) => p.label);
      const offered = choices(body)[0] ?? [expanded.match(/<policy>([^<]*)</)![1]!];
      assert.deepEqual(offered, presets, `${name} offers the ${kind} presets`);
      for (const p of POLICY_PRESETS[kind]) {
        const withChoice = expand(body.replace(/\$\{1\|[^|]*\|\}/, p.label));
        assert.equal(withChoice, launchSecurityBlock(kind, p.value, {}, SNIPPET_STYLE), `${name} with ${p.label}`);
      }
    }
    assert.equal(seen, 3);
  });

  it('the domain skeleton holds the SEV launchSecurity snippet', () => {
    const domain = expand(bodyText(snippets['SEV domain (q35)']!));
    const indented = launchSecurityBlock('sev', POLICY_PRESETS.sev[0]!.value, {}, SNIPPET_STYLE, '\t');
    assert.ok(domain.endsWith(`\n\t${indented}\n</domain>`), domain);
  });

  it('each snippet lints without an error in its document', () => {
    for (const [name, s] of Object.entries(snippets)) {
      const doc = documentFor(expand(bodyText(s)));
      const errors = lint(doc).findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId}: ${f.message}`);
      assert.deepEqual(errors, [], name);
    }
  });

  it('each snippet validates against libvirt’s RelaxNG schema', { skip: skipSchema }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-snippets-'));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const files = Object.entries(snippets).map(([name, s], i) => {
      const f = path.join(dir, `${i}-${name.replace(/[^A-Za-z0-9-]+/g, '_')}.xml`);
      fs.writeFileSync(f, documentFor(expand(bodyText(s))));
      return f;
    });
    assert.deepEqual([...invalidFiles(schema as string, files).entries()], []);
  });
});
