/**
 * The editor's discoverable parts that can be checked without an editor: the
 * status bar summary, the manifest's commands and activation, the rule pages in
 * the VSIX, the documentation links, and the Kata schema's links for taplo.
 * test/e2e/suite/index.js checks the same things in a real workbench.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STATUS_PARSE_LIMIT, statusSummary, statusText } from '../../server/src/features/status-summary';
import { allRuleMetas } from '../../server/src/rules/index';
import { docsUrl, REPOSITORY_URL } from '../../server/src/rules/docs';
import { ROOT } from '../support/fixtures';

const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  displayName: string;
  repository: { url: string };
  activationEvents: string[];
  categories: string[];
  keywords: string[];
  contributes: { commands: { command: string; title: string; category: string }[] };
};

describe('status bar summary', () => {
  const domain = (ls: string) => `<domain type='kvm'>\n  <name>g</name>\n${ls}</domain>\n`;

  it('names the SEV generation and the policy as written', () => {
    const snp = statusSummary(domain("  <launchSecurity type='sev-snp'>\n    <policy>0x30000</policy>\n  </launchSecurity>\n"), '/w/g.xml');
    assert.deepEqual(snp, { kind: 'domain-xml', guest: { label: 'SEV-SNP', policy: '0x30000' } });
    assert.equal(statusText(snp, 0), 'SEV-SNP 0x30000');
    assert.equal(statusText(snp, 1), 'SEV-SNP 0x30000 · 1 problem');
    // SEV-ES is type 'sev' with policy bit 2, read as libvirt reads it (hex, with or without 0x).
    const es = statusSummary(domain("  <launchSecurity type='sev'>\n    <policy>0007</policy>\n  </launchSecurity>\n"), '/w/g.xml');
    assert.deepEqual(es?.guest, { label: 'SEV-ES', policy: '0007' });
    const sev = statusSummary(domain("  <launchSecurity type='sev'>\n    <policy>0x0003</policy>\n  </launchSecurity>\n"), '/w/g.xml');
    assert.equal(statusText(sev!, 5), 'SEV 0x0003 · 5 problems');
    const noPolicy = statusSummary(domain("  <launchSecurity type='sev'/>\n"), '/w/g.xml');
    assert.deepEqual(noPolicy?.guest, { label: 'SEV', policy: undefined });
    assert.equal(statusText(noPolicy, 0), 'SEV');
  });

  it('says sevlint for a domain without SEV, one not well-formed, and a Kata file', () => {
    const plain = statusSummary(domain(''), '/w/g.xml');
    assert.deepEqual(plain, { kind: 'domain-xml' });
    assert.equal(statusText(plain, 2), 'sevlint · 2 problems');
    assert.deepEqual(statusSummary("<?xml version='1.0'?>\n<!-- x -->\n<domain type='kvm'><launchSecurity type='sev'>", '/w/g.xml'), { kind: 'domain-xml' });
    assert.deepEqual(statusSummary('[hypervisor.qemu]\nconfidential_guest = true\n', '/w/snp-node1.toml'), { kind: 'kata-toml' });
    assert.deepEqual(statusSummary('', '/etc/kata-containers/configuration-qemu-snp.toml.in'), { kind: 'kata-toml' });
  });

  it('does not parse a domain larger than the limit for it (the item updates as you type)', () => {
    const big = domain(`  <description>${'x'.repeat(STATUS_PARSE_LIMIT)}</description>\n  <launchSecurity type='sev'><policy>0x0003</policy></launchSecurity>\n`);
    assert.deepEqual(statusSummary(big, '/w/g.xml'), { kind: 'domain-xml' });
  });

  it('shows nothing for files sevlint does not lint', () => {
    assert.equal(statusSummary('<project><name>x</name></project>', '/w/pom.xml'), undefined);
    assert.equal(statusSummary('[package]\nname = "x"\n', '/w/Cargo.toml'), undefined);
    assert.equal(statusSummary('', '/w/empty.xml'), undefined);
  });
});

describe('extension manifest', () => {
  it('puts every palette command under the sevlint category', () => {
    const byId = Object.fromEntries(pkg.contributes.commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
    assert.deepEqual(byId, {
      'sevlint.fixAll': 'sevlint: Fix all problems',
      'sevlint.showRuleDocumentation': 'sevlint: Show rule documentation…',
      'sevlint.insertLaunchSecurity': 'sevlint: Insert SEV launchSecurity',
      'sevlint.refreshHostCapabilities': 'sevlint: Refresh host capabilities',
      'sevlint.checkHost': 'sevlint: Check this host',
      'sevlint.showOutput': 'sevlint: Show output',
      'sevlint.restartServer': 'sevlint: Restart language server',
    });
    const ids = read('server/src/commands.ts');
    for (const c of pkg.contributes.commands) assert.ok(ids.includes(`'${c.command}'`), `${c.command} is in server/src/commands.ts`);
  });

  it('activates on the languages it lints only: no start-up activation, no redundant onCommand', () => {
    assert.deepEqual(pkg.activationEvents, ['onLanguage:xml', 'onLanguage:toml', 'onLanguage:plaintext']);
  });

  it('has a store name, categories and keywords people search for', () => {
    assert.match(pkg.displayName, /SEV/);
    assert.ok(pkg.categories.includes('Linters'));
    for (const k of ['SEV', 'SEV-SNP', 'libvirt', 'Kata', 'confidential computing']) assert.ok(pkg.keywords.includes(k), k);
    assert.ok(pkg.keywords.length <= 30, 'the Marketplace takes at most 30 keywords');
  });

  it('ships every rule page in the VSIX', () => {
    const ignore = read('.vscodeignore').split(/\r?\n/);
    assert.ok(ignore.includes('!docs/rules/*.md'));
    for (const r of allRuleMetas) assert.ok(fs.existsSync(path.join(ROOT, 'docs', 'rules', `${r.id}.md`)), `docs/rules/${r.id}.md`);
  });

  it("links the documentation in the repository package.json names", () => {
    assert.equal(pkg.repository.url, REPOSITORY_URL);
    assert.equal(docsUrl('sev-virtio-iommu'), `${pkg.repository.url}/blob/main/docs/rules/sev-virtio-iommu.md`);
    const manifest = read('package.json');
    const links = [...manifest.matchAll(/https:\/\/github\.com\/[^\s)"]+/g)].map((m) => m[0]);
    assert.ok(links.length > 0);
    for (const l of links) assert.ok(l === REPOSITORY_URL || l.startsWith(`${REPOSITORY_URL}/`), `${l} is in ${REPOSITORY_URL}`);
  });
});

describe('Kata JSON schema for other TOML tools', () => {
  interface Node {
    properties?: Record<string, Node>;
    'x-taplo'?: { links?: { key?: string } };
  }
  const schema = JSON.parse(read('schemas/kata-configuration.schema.json')) as Node & { $id: string };

  function links(node: Node, at = '', out: [string, string][] = []): [string, string][] {
    for (const [k, v] of Object.entries(node.properties ?? {})) {
      const key = at ? `${at}.${k}` : k;
      if (v['x-taplo']?.links?.key) out.push([key, v['x-taplo'].links.key]);
      links(v, key, out);
    }
    return out;
  }

  it('links keys to the pages of the rules that check them, at the documentation URL', () => {
    const found = links(schema);
    const kataRules = allRuleMetas.filter((r) => r.id.startsWith('kata-')).map((r) => r.id);
    for (const [key, url] of found) {
      const id = kataRules.find((r) => docsUrl(r) === url);
      assert.ok(id, `${key}: ${url} is the page of a kata rule`);
    }
    const linked = new Set(found.map(([, url]) => url));
    // Every rule about particular keys is reachable from one of them.
    for (const id of ['kata-swiotlb', 'kata-firmware', 'kata-guest-assets', 'kata-snp-guest-policy', 'kata-snp-id-block', 'kata-hotplug', 'kata-nvdimm', 'kata-shared-fs', 'kata-machine-type', 'kata-nesting-checks']) {
      assert.ok(linked.has(docsUrl(id)), `a key links to ${id}`);
    }
    assert.deepEqual(Object.fromEntries(found.filter(([k]) => k.startsWith('hypervisor.qemu.snp_'))), {
      'hypervisor.qemu.snp_id_block': docsUrl('kata-snp-id-block'),
      'hypervisor.qemu.snp_id_auth': docsUrl('kata-snp-id-block'),
      'hypervisor.qemu.snp_guest_policy': docsUrl('kata-snp-guest-policy'),
    });
  });

  it('has the raw address the README gives for #:schema as its $id', () => {
    assert.equal(schema.$id, 'https://raw.githubusercontent.com/sevlint/sevlint/main/schemas/kata-configuration.schema.json');
    assert.ok(read('README.md').includes(`#:schema ${schema.$id}`));
  });
});
