import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { documentSymbols, type DocSymbol } from '../../server/src/features/symbols';

/** `kind name — detail [selected text]`, indented by depth; checks every selection lies in its span and every child in its parent. */
function outline(text: string, fileName?: string): string[] {
  const out: string[] = [];
  const walk = (xs: readonly DocSymbol[], depth: number, parent?: DocSymbol) => {
    for (const s of xs) {
      assert.ok(s.span.start <= s.selection.start && s.selection.end <= s.span.end, `${s.name}: selection inside the span`);
      if (parent) assert.ok(parent.span.start <= s.span.start && s.span.end <= parent.span.end, `${s.name} inside ${parent.name}`);
      out.push(`${'  '.repeat(depth)}${s.kind} ${s.name}${s.detail !== undefined ? ` — ${s.detail}` : ''} [${text.slice(s.selection.start, s.selection.end)}]`);
      walk(s.children, depth + 1, s);
    }
  };
  walk(documentSymbols(text, fileName ? { fileName } : {}), 0);
  return out;
}

const DOMAIN = `<domain type='kvm'>
  <name>snp-guest</name>
  <memory unit='GiB'>4</memory>
  <os firmware='efi'>
    <type arch='x86_64' machine='q35'>hvm</type>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/snp-guest.qcow2'/>
      <target dev='sda' bus='scsi'/>
    </disk>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <interface type='network'>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
    <hostdev mode='subsystem' type='pci'><source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source></hostdev>
    <memballoon model='none'/>
  </devices>
  <launchSecurity type='sev-snp'>
    <policy>0x30000</policy>
  </launchSecurity>
</domain>
`;

describe('outline of a domain', () => {
  it('the domain by its name; devices by kind and target; launchSecurity with type and policy', () => {
    assert.deepEqual(outline(DOMAIN), [
      "module snp-guest — domain type='kvm' [snp-guest]",
      '  property memory — 4 GiB [memory]',
      "  object os — firmware='efi' [os]",
      '    property type — hvm · q35 [type]',
      '  object devices [devices]',
      '    struct disk sda — disk · scsi · /var/lib/libvirt/images/snp-guest.qcow2 [disk]',
      "      property driver — type='qcow2' [driver]",
      '      property source [source]',
      '      property target [target]',
      '    struct controller scsi 0 — virtio-scsi [controller]',
      '    struct interface network default — virtio [interface]',
      '      property source [source]',
      "      property model — type='virtio' [model]",
      '    struct hostdev pci — 0x0000:0x01:0x00:0x0 [hostdev]',
      '      object source [source]',
      '        property address [address]',
      '    struct memballoon none [memballoon]',
      '  constant launchSecurity — SEV-SNP · policy 0x30000 [launchSecurity]',
      '    property policy — 0x30000 [policy]',
    ]);
  });

  it('SEV-ES from the policy bits; a policy libvirt cannot read as written', () => {
    const es = DOMAIN.replace("type='sev-snp'", "type='sev'").replace('0x30000', '0x0007');
    assert.ok(outline(es).includes('  constant launchSecurity — SEV-ES · policy 0x7 [launchSecurity]'));
    const bad = DOMAIN.replace('0x30000', 'zz');
    assert.ok(outline(bad).includes("  constant launchSecurity — SEV-SNP · policy 'zz' [launchSecurity]"));
  });

  it('keeps an outline while the file is being typed (not well-formed), none for other XML', () => {
    const typing = DOMAIN.replace('</domain>\n', '').replace("<model type='virtio'/>", "<model type='virtio'");
    const lines = outline(typing);
    assert.equal(lines[0], "module snp-guest — domain type='kvm' [snp-guest]");
    assert.ok(lines.some((l) => l.includes('launchSecurity')));
    assert.deepEqual(outline('<domainCapabilities><path>/usr/bin/qemu</path></domainCapabilities>'), []);
    assert.deepEqual(outline("<domain type='kvm'><devices/></domain>"), ["module domain — domain type='kvm' [domain]", '  property devices [devices]']);
  });
});

describe('outline of a Kata configuration', () => {
  const KATA = `# Kata
[hypervisor.qemu]
path = "/usr/bin/qemu-system-x86_64"
kernel_params = """
  console=hvc0"""
confidential_guest = true   # SNP

[hypervisor]
qemu.sev_snp_guest = true

[[runtime.experimental]]
name = "x"
`;

  it('tables with their keys and values; dotted keys whole; a multi-line value to its end', () => {
    assert.deepEqual(outline(KATA, 'configuration.toml'), [
      'namespace hypervisor.qemu — table [[hypervisor.qemu]]',
      '  key path — "/usr/bin/qemu-system-x86_64" [path]',
      '  key kernel_params — """ … [kernel_params]',
      '  key confidential_guest — true [confidential_guest]',
      'namespace hypervisor — table [[hypervisor]]',
      '  key qemu.sev_snp_guest — true [qemu.sev_snp_guest]',
      'namespace runtime.experimental — array of tables [[[runtime.experimental]]]',
      '  key name — "x" [name]',
    ]);
    const kp = documentSymbols(KATA, { fileName: 'configuration.toml' })[0]!.children[1]!;
    assert.equal(KATA.slice(kp.span.start, kp.span.end), 'kernel_params = """\n  console=hvc0"""');
  });

  it('none for a TOML file that is not a Kata configuration', () => {
    assert.deepEqual(outline('[package]\nname = "x"\n', 'Cargo.toml'), []);
  });
});
