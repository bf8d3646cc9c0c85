import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { complete, type CompletionItem } from '../../server/src/features/completion';
import { tableKeys } from '../../server/src/features/kata-docs';
import { at, spanText } from '../support/cursor';

const KATA = { fileName: '/etc/kata-containers/configuration.toml' };

/** The SEV items at the marked offset (those from libvirt's schema are tested in features-schema). */
function items(marked: string, fileName?: string): { text: string; offset: number; items: readonly CompletionItem[] } {
  const { text, offset } = at(marked);
  const r = complete(text, offset, fileName ? { fileName } : {});
  return { text, offset, items: (r?.items ?? []).filter((i) => i.source !== 'schema') };
}

function labels(list: readonly CompletionItem[]): string[] {
  return list.map((i) => i.label);
}

function item(list: readonly CompletionItem[], label: string): CompletionItem {
  const found = list.find((i) => i.label === label);
  assert.ok(found, `no item ${label} in ${labels(list).join(', ')}`);
  return found;
}

/** Every item replaces the same span. */
function replaceOf(list: readonly CompletionItem[]): { start: number; end: number } {
  assert.ok(list.length > 0);
  const r = list[0]!.replace;
  for (const i of list) assert.deepEqual(i.replace, r, i.label);
  return r;
}

const dom = (inner: string): string => `<domain type='kvm'>\n  <name>g</name>\n${inner}\n</domain>\n`;

describe('completion in <launchSecurity>', () => {
  it('offers the SEV children after <, inserting the whole element', () => {
    const r = items(dom("  <launchSecurity type='sev'>\n    <|\n  </launchSecurity>"));
    assert.deepEqual(labels(r.items), ['cbitpos', 'reducedPhysBits', 'policy', 'handle', 'dhCert', 'session']);
    assert.deepEqual(replaceOf(r.items), { start: r.offset, end: r.offset });
    assert.equal(item(r.items, 'policy').insertText, 'policy>0x0003</policy>');
    assert.equal(item(r.items, 'reducedPhysBits').insertText, 'reducedPhysBits>1</reducedPhysBits>');
    assert.equal(item(r.items, 'policy').kind, 'element');
    assert.match(item(r.items, 'cbitpos').documentation!, /47 on EPYC Naples and Rome, 51 on Milan and Genoa/);
  });

  it('offers only SNP children not yet present, on a blank line', () => {
    const r = items(dom("  <launchSecurity type='sev-snp'>\n    <policy>0x30000</policy>\n    |\n  </launchSecurity>"));
    assert.deepEqual(labels(r.items), ['cbitpos', 'reducedPhysBits', 'guestVisibleWorkarounds', 'idBlock', 'idAuth', 'hostData']);
    assert.deepEqual(replaceOf(r.items), { start: r.offset, end: r.offset });
    assert.equal(item(r.items, 'idBlock').insertText, '<idBlock></idBlock>');
    assert.match(item(r.items, 'idBlock').documentation!, /96 bytes/);
  });

  it('replaces the element name being typed', () => {
    const r = items(dom("  <launchSecurity type='sev'>\n    <cbitpos>51</cbitpos>\n    <po|\n  </launchSecurity>"));
    assert.deepEqual(labels(r.items), ['reducedPhysBits', 'policy', 'handle', 'dhCert', 'session']);
    assert.equal(spanText(r.text, replaceOf(r.items)), 'po');
    assert.deepEqual(replaceOf(r.items), { start: r.offset - 2, end: r.offset });
  });

  it('works while nothing after the cursor is written yet', () => {
    const r = items("<domain type='kvm'>\n  <launchSecurity type='sev-snp'>\n    <|");
    assert.deepEqual(labels(r.items), ['cbitpos', 'reducedPhysBits', 'policy', 'guestVisibleWorkarounds', 'idBlock', 'idAuth', 'hostData']);
    assert.equal(item(r.items, 'policy').insertText, 'policy>0x30000</policy>');
  });

  it('offers the common children only when the type is missing', () => {
    const r = items(dom('  <launchSecurity>\n    <|\n  </launchSecurity>'));
    assert.deepEqual(labels(r.items), ['cbitpos', 'reducedPhysBits', 'policy']);
  });

  it('offers the SEV and SEV-ES policy presets with their meaning', () => {
    const r = items(dom("  <launchSecurity type='sev'>\n    <policy>0x|</policy>\n  </launchSecurity>"));
    assert.deepEqual(labels(r.items), ['0x0003', '0x0033', '0x0007', '0x0037']);
    assert.deepEqual(replaceOf(r.items), { start: r.offset - 2, end: r.offset });
    const first = item(r.items, '0x0003');
    assert.equal(first.kind, 'value');
    assert.equal(first.detail, 'SEV: NODBG | NOKS — libvirt documentation, virt-install');
    assert.equal(item(r.items, '0x0037').detail, 'SEV-ES: NODBG | NOKS | ES | DOMAIN | SEV — OpenStack Nova');
    assert.match(first.documentation!, /\| 0 \| NODBG \| \*\*1\*\* \| debugging of the guest is disallowed \|/);
  });

  it('offers the SNP preset, replacing the whole value around the cursor', () => {
    const r = items(dom("  <launchSecurity type='sev-snp'>\n    <policy>|0x1</policy>\n  </launchSecurity>"));
    assert.deepEqual(labels(r.items), ['0x30000']);
    assert.equal(spanText(r.text, replaceOf(r.items)), '0x1');
    assert.deepEqual(replaceOf(r.items), { start: r.offset, end: r.offset + 3 });
    assert.equal(r.items[0]!.insertText, '0x30000');
  });

  it('offers the attributes valid for the type, in the tag’s quotes', () => {
    const snp = items(dom("  <launchSecurity type='sev-snp' |>\n  </launchSecurity>"));
    assert.deepEqual(labels(snp.items), ['kernelHashes', 'authorKey', 'vcek']);
    assert.deepEqual(replaceOf(snp.items), { start: snp.offset, end: snp.offset });
    assert.deepEqual(
      snp.items.map((i) => i.insertText),
      ["kernelHashes='yes'", "authorKey='no'", "vcek='yes'"],
    );
    const untyped = items(dom('  <launchSecurity |>\n  </launchSecurity>'));
    assert.deepEqual(labels(untyped.items), ['type', 'kernelHashes']);
    assert.equal(item(untyped.items, 'type').insertText, "type='sev'");
    const dq = items(dom('  <launchSecurity type="sev" k|>\n  </launchSecurity>'));
    assert.deepEqual(labels(dq.items), ['kernelHashes']);
    assert.equal(dq.items[0]!.insertText, 'kernelHashes="yes"');
    assert.deepEqual(dq.items[0]!.replace, { start: dq.offset - 1, end: dq.offset });
  });

  it('adds a space after a value that ends where the cursor is', () => {
    const r = items(dom("  <launchSecurity type='sev'|>\n  </launchSecurity>"));
    assert.deepEqual(r.items.map((i) => i.insertText), [" kernelHashes='yes'"]);
  });

  it('offers nothing when every attribute for the type is there', () => {
    const { text, offset } = at(dom("  <launchSecurity type='sev' kernelHashes='no' |>\n  </launchSecurity>"));
    assert.equal(complete(text, offset), undefined);
  });

  it('offers type and yes/no values, closing an open quote', () => {
    const type = items(dom("  <launchSecurity type='|'>\n  </launchSecurity>"));
    assert.deepEqual(labels(type.items), ['sev', 'sev-snp']);
    assert.deepEqual(replaceOf(type.items), { start: type.offset, end: type.offset });
    assert.deepEqual(type.items.map((i) => i.insertText), ['sev', 'sev-snp']);

    const open = items("<domain type='kvm'>\n  <launchSecurity type='sev-|\n</domain>\n");
    assert.equal(spanText(open.text, replaceOf(open.items)), 'sev-');
    assert.deepEqual(open.items.map((i) => i.insertText), ["sev'", "sev-snp'"]);

    const bare = items(dom('  <launchSecurity type=|>\n  </launchSecurity>'));
    assert.deepEqual(bare.items.map((i) => i.insertText), ["'sev'", "'sev-snp'"]);

    const yesNo = items(dom("  <launchSecurity type='sev-snp' vcek='y|'>\n  </launchSecurity>"));
    assert.deepEqual(labels(yesNo.items), ['yes', 'no']);
    assert.equal(spanText(yesNo.text, replaceOf(yesNo.items)), 'y');
  });

  it('offers a whole <launchSecurity> per kind in <domain>, from launchSecurityBlock', () => {
    const r = items(dom('  <devices/>\n  <la|'));
    assert.deepEqual(labels(r.items), ['launchSecurity SEV', 'launchSecurity SEV-ES', 'launchSecurity SEV-SNP']);
    assert.deepEqual(replaceOf(r.items), { start: r.offset - 2, end: r.offset });
    assert.equal(item(r.items, 'launchSecurity SEV').insertText, "launchSecurity type='sev'>\n    <policy>0x0003</policy>\n  </launchSecurity>");
    assert.equal(item(r.items, 'launchSecurity SEV-SNP').insertText, "launchSecurity type='sev-snp'>\n    <policy>0x30000</policy>\n  </launchSecurity>");
    const word = items(dom('  <devices/>\n  launch|'));
    assert.deepEqual(replaceOf(word.items), { start: word.offset - 6, end: word.offset });
    assert.equal(item(word.items, 'launchSecurity SEV-ES').insertText, "<launchSecurity type='sev'>\n    <policy>0x0007</policy>\n  </launchSecurity>");
    const blank = at(dom('  <devices/>\n  |'));
    assert.equal(complete(blank.text, blank.offset), undefined, 'no list on a blank line of <domain>');
  });

  it('offers no second <launchSecurity>', () => {
    const { text, offset } = at(dom("  <launchSecurity type='sev'>\n    <policy>0x0003</policy>\n  </launchSecurity>\n  <la|"));
    const all = complete(text, offset)?.items ?? [];
    assert.deepEqual(all.filter((i) => i.source !== 'schema'), []);
    // Nor does libvirt's schema: it allows one.
    assert.ok(all.length > 10 && !all.some((i) => i.label.startsWith('launchSecurity')), labels(all).join(', '));
  });
});

describe('completion of <driver iommu>', () => {
  it('offers on/off with the SEV note', () => {
    const r = items(dom("  <devices>\n    <interface type='network'>\n      <model type='virtio'/>\n      <driver iommu='o|'/>\n    </interface>\n  </devices>"));
    assert.deepEqual(labels(r.items), ['on', 'off']);
    assert.equal(spanText(r.text, replaceOf(r.items)), 'o');
    assert.match(item(r.items, 'on').documentation!, /SEV, SEV-ES and SEV-SNP guests need it/);
  });

  it('offers the attribute on a virtio device’s <driver>', () => {
    const r = items(dom("  <devices>\n    <controller type='scsi' model='virtio-scsi'>\n      <driver |/>\n    </controller>\n  </devices>"));
    assert.deepEqual(labels(r.items), ['iommu']);
    assert.equal(r.items[0]!.insertText, "iommu='on'");
  });

  it('offers no SEV item elsewhere', () => {
    for (const marked of [
      dom('  <devices>\n    <interface type="network"><driver iommu="on" |/></interface>\n  </devices>'),
      dom('  <devices>\n    <hostdev mode="subsystem"><driver |/></hostdev>\n  </devices>'),
      dom('  <title>a|</title>'),
      dom('  <!-- <launchSecurity type="sev"><| -->'),
      "<network>\n  <launchSecurity type='sev'>\n    <|\n  </launchSecurity>\n</network>\n",
    ]) {
      assert.deepEqual(items(marked).items, [], marked);
    }
  });
});

describe('completion in Kata configuration.toml', () => {
  it('offers the [hypervisor.qemu] keys not yet present, with schema docs and defaults', () => {
    const r = items('[hypervisor.qemu]\nconfidential_guest = true\nsev_|\nshared_fs = "none"\n', KATA.fileName);
    const expected = tableKeys(['hypervisor', 'qemu']).map(([k]) => k).filter((k) => k !== 'confidential_guest' && k !== 'shared_fs');
    assert.deepEqual(labels(r.items), expected);
    assert.ok(!labels(r.items).includes('factory'), 'tables are not keys');
    assert.deepEqual(replaceOf(r.items), { start: r.offset - 4, end: r.offset });
    const snp = item(r.items, 'sev_snp_guest');
    assert.equal(snp.kind, 'key');
    assert.equal(snp.insertText, 'sev_snp_guest = false');
    assert.equal(snp.detail, 'boolean · default false');
    assert.match(snp.documentation!, /^\*\*sev_snp_guest\*\* in `\[hypervisor\.qemu\]`/);
    assert.match(snp.documentation!, /configuration-qemu-snp\.toml\.in/);
    assert.equal(item(r.items, 'snp_guest_policy').insertText, 'snp_guest_policy = 196608');
    assert.equal(item(r.items, 'kernel').insertText, 'kernel = ""');
    assert.equal(item(r.items, 'enable_annotations').insertText, 'enable_annotations = []');
  });

  it('offers only the key name when the line has a value already', () => {
    const r = items('[hypervisor.qemu]\nshared_f| = "none"\n', KATA.fileName);
    assert.equal(item(r.items, 'shared_fs').insertText, 'shared_fs');
    assert.equal(spanText(r.text, replaceOf(r.items)), 'shared_f');
  });

  it('covers [runtime], [agent.kata] and [factory]', () => {
    const runtime = items('[runtime]\nstatic_|\n', KATA.fileName);
    assert.equal(item(runtime.items, 'static_sandbox_resource_mgmt').insertText, 'static_sandbox_resource_mgmt = false');
    const agent = items('[hypervisor.qemu]\n[agent.kata]\n|\n', KATA.fileName);
    assert.deepEqual(labels(agent.items), tableKeys(['agent', 'kata']).map(([k]) => k));
    const factory = items('[hypervisor.qemu]\n\n[factory]\nenable_template = false\n|', KATA.fileName);
    assert.deepEqual(labels(factory.items), ['template_path', 'vm_cache_number', 'vm_cache_endpoint']);
    assert.equal(item(factory.items, 'template_path').insertText, 'template_path = "/run/vc/vm/template"');
  });

  it('offers enum values quoted, replacing the value being typed', () => {
    const empty = items('[hypervisor.qemu]\nshared_fs = |\n', KATA.fileName);
    assert.deepEqual(labels(empty.items), ['"virtio-fs"', '"virtio-9p"', '"virtio-fs-nydus"', '"none"', '""']);
    assert.deepEqual(replaceOf(empty.items), { start: empty.offset, end: empty.offset });
    assert.equal(item(empty.items, '"virtio-fs"').detail, 'default');
    const typed = items('[hypervisor.qemu]\nshared_fs = "no|" # comment\n', KATA.fileName);
    assert.equal(spanText(typed.text, replaceOf(typed.items)), '"no"');
    assert.deepEqual(replaceOf(typed.items), { start: typed.offset - 3, end: typed.offset + 1 });
  });

  it('offers true/false for booleans and the SNP preset for snp_guest_policy', () => {
    const b = items('[hypervisor.qemu]\nsev_snp_guest = t|\n', KATA.fileName);
    assert.deepEqual(labels(b.items), ['true', 'false']);
    assert.deepEqual(replaceOf(b.items), { start: b.offset - 1, end: b.offset });
    const p = items('[hypervisor.qemu]\nsnp_guest_policy = |\n', KATA.fileName);
    assert.deepEqual(labels(p.items), ['0x30000']);
    assert.match(p.items[0]!.detail!, /^= 196608 · SMT \| RSVD_MBO — /);
    const m = items('[hypervisor.qemu]\nmachine_type = |\n', KATA.fileName);
    assert.deepEqual(labels(m.items), ['"q35"']);
  });

  it('works in a .toml.in template with placeholders', () => {
    const r = items('[hypervisor.qemu]\npath = @QEMUPATH@\nmachine_|\n', '/src/configuration-qemu-snp.toml.in');
    assert.equal(item(r.items, 'machine_type').insertText, 'machine_type = "q35"');
  });

  it('works with CRLF line endings', () => {
    const key = items('[hypervisor.qemu]\r\nconfidential_guest = true\r\nsev_snp|\r\n', KATA.fileName);
    assert.equal(spanText(key.text, replaceOf(key.items)), 'sev_snp');
    const value = items('[hypervisor.qemu]\r\nshared_fs = "|"\r\n', KATA.fileName);
    assert.equal(spanText(value.text, replaceOf(value.items)), '""');
    const xml = items("<domain type='kvm'>\r\n  <devices/>\r\n  <la|\r\n</domain>\r\n");
    assert.equal(item(xml.items, 'launchSecurity SEV').insertText, "launchSecurity type='sev'>\r\n    <policy>0x0003</policy>\r\n  </launchSecurity>");
  });

  it('stays quiet in comments, multi-line values, unknown tables and non-Kata files', () => {
    for (const [marked, fileName] of [
      ['[hypervisor.qemu]\n# sh|\n', KATA.fileName],
      ['[hypervisor.qemu]\n[agent.kata]\nkernel_modules = [\n  |\n]\n', KATA.fileName],
      ['[hypervisor.clh]\n|\n', KATA.fileName],
      ['[hypervisor.qemu]\nshared_fs = "none"  |\n', KATA.fileName],
      ['[package]\nna|\n', '/x/Cargo.toml'],
    ] as const) {
      const { text, offset } = at(marked);
      assert.equal(complete(text, offset, { fileName }), undefined, marked);
    }
  });
});

describe('snippets from the server, only where their element may go', () => {
  const snippetLabels = (list: readonly CompletionItem[]) => list.filter((i) => i.kind === 'snippet').map((i) => i.label);

  it('launchSecurity snippets in <domain> while a word is typed, in snippet syntax, replacing the word', () => {
    const r = items(dom('  sev-la|'));
    assert.deepEqual(snippetLabels(r.items), ['sev-launchsecurity', 'launchSecurity-sev', 'sev-es-launchsecurity', 'launchSecurity-sev-es', 'snp-launchsecurity', 'launchSecurity-sev-snp']);
    const snp = item(r.items, 'snp-launchsecurity');
    assert.equal(snp.snippet, true);
    assert.equal(snp.insertText, "<launchSecurity type='sev-snp'>\n\t<policy>${1:0x30000}</policy>\n</launchSecurity>$0");
    assert.equal(spanText(r.text, snp.replace), 'sev-la');
    assert.equal(snp.asIs, undefined, 'a snippet body is indented as the line it goes on');
  });

  it('no second <launchSecurity>: neither the blocks nor the snippets where one exists', () => {
    const r = items(dom("  <launchSecurity type='sev'><policy>0x3</policy></launchSecurity>\n  la|"));
    assert.deepEqual(labels(r.items), []);
    const tag = items(dom("  <launchSecurity type='sev'><policy>0x3</policy></launchSecurity>\n  <la|"));
    assert.deepEqual(labels(tag.items), []);
  });

  it('device snippets in <devices>; nothing inside a start tag or after <', () => {
    assert.deepEqual(snippetLabels(items(dom('  <devices>\n    sev-v|\n  </devices>')).items), ['sev-virtio-interface', 'sev-virtio-scsi', 'sev-virtio-rng']);
    assert.deepEqual(labels(items(dom("  <devices>\n    <interface type='network' sev|>\n  </devices>")).items), []);
    assert.deepEqual(labels(items("<domain type='kvm' sev-|>\n</domain>\n").items), []);
    assert.deepEqual(snippetLabels(items(dom('  <sev-la|')).items), []);
    assert.deepEqual(labels(items(dom('  <devices>\n    |\n  </devices>')).items), [], 'nothing before a word is typed');
  });

  it('the domain snippet in an empty .xml file', () => {
    assert.deepEqual(snippetLabels(items('sev-d|', '/srv/guest.xml').items), ['sev-domain']);
    assert.deepEqual(labels(items('sev-d|', '/srv/notes.txt').items), []);
    assert.deepEqual(labels(items('|', '/srv/guest.xml').items), []);
  });

  it('a launchSecurity block is already indented for its place: inserted as is', () => {
    const r = items(dom('    l|'));
    const block = item(r.items, 'launchSecurity SEV');
    assert.equal(block.asIs, true);
    // The line's own indentation (4) goes before the first line already; the others carry theirs.
    assert.equal(block.insertText, "<launchSecurity type='sev'>\n      <policy>0x0003</policy>\n    </launchSecurity>");
  });
});
