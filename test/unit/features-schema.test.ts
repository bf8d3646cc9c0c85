/**
 * Completion and hover from libvirt's schema, at cursor positions of a
 * document being typed: after `<`, in a start tag, in an attribute value, in
 * text, in an empty element, in an unclosed document, in an end tag.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { complete, type CompletionItem } from '../../server/src/features/completion';
import { hover } from '../../server/src/features/hover';
import { at, spanText } from '../support/cursor';

function schemaItems(marked: string): { text: string; offset: number; items: readonly CompletionItem[] } {
  const { text, offset } = at(marked);
  return { text, offset, items: (complete(text, offset)?.items ?? []).filter((i) => i.source === 'schema') };
}
const labels = (marked: string): string[] => schemaItems(marked).items.map((i) => i.label);
function item(marked: string, label: string): CompletionItem & { replaced: string } {
  const r = schemaItems(marked);
  const found = r.items.find((i) => i.label === label);
  assert.ok(found, `no ${label} in ${r.items.map((i) => i.label).join(', ')}`);
  return { ...found, replaced: spanText(r.text, found.replace) };
}

const DEVICES = ['audio', 'channel', 'console', 'controller', 'crypto', 'disk', 'emulator', 'filesystem', 'graphics', 'hostdev', 'hub', 'input', 'interface', 'iommu', 'lease', 'memballoon', 'memory', 'nvram', 'panic', 'parallel', 'pstore', 'redirdev', 'redirfilter', 'rng', 'serial', 'shmem', 'smartcard', 'sound', 'tpm', 'video', 'vsock', 'watchdog'];

describe('completion from libvirt’s schema', () => {
  it('after < in <devices>: every device element, with required attributes and content', () => {
    const m = "<domain type='kvm'>\n  <devices>\n    <|\n  </devices>\n</domain>\n";
    assert.deepEqual(labels(m), DEVICES);
    assert.equal(item(m, 'rng').insertText, "rng model=''></rng>");
    assert.equal(item(m, 'memballoon').insertText, "memballoon model=''></memballoon>");
    assert.equal(item(m, 'disk').replaced, '');
  });
  it('the name being typed is replaced; a tag with attributes gets the name only', () => {
    assert.equal(item("<domain type='kvm'><devices><di|</devices></domain>", 'disk').replaced, 'di');
    assert.equal(item("<domain type='kvm'><devices><di| type='file'/></devices></domain>", 'disk').insertText, 'disk');
  });
  it('only what may still come: a second <name> or <os> is not offered', () => {
    const l = labels("<domain type='kvm'>\n  <name>g</name>\n  <os><type>hvm</type></os>\n  <|\n</domain>\n");
    assert.ok(l.includes('devices') && l.includes('memory'));
    assert.ok(!l.includes('name') && !l.includes('os'), l.join(', '));
  });
  it('in a start tag: the attributes not yet there, in the tag’s quotes', () => {
    const m = '<domain type="kvm"><devices><disk type="file" |/></devices></domain>';
    // rawio and sgio belong to device='lun' of a block disk, not to type='file'.
    assert.deepEqual(labels(m), ['device', 'model', 'snapshot']);
    assert.equal(item(m, 'device').insertText, 'device=""');
    assert.match(item(m, 'device').detail!, /floppy \| disk \| cdrom/);
  });
  it('in an attribute value: the enumeration, replacing what is typed', () => {
    const m = "<domain type='kvm'><devices><disk type='file'><target dev='sda' bus='sc|'/></disk></devices></domain>";
    assert.deepEqual(labels(m), ['xen', 'uml', 'usb', 'virtio', 'scsi', 'fdc', 'sata', 'ide', 'sd']);
    assert.equal(item(m, 'scsi').replaced, 'sc');
    assert.deepEqual(labels("<domain type='|'/>").slice(0, 3), ['qemu', 'kqemu', 'kvm']);
  });
  it('in text: the values of an enumerated element, in an empty element too', () => {
    assert.deepEqual(labels("<domain type='kvm'><on_reboot>|</on_reboot></domain>"), ['restart', 'destroy', 'preserve', 'rename-restart']);
    assert.equal(item("<domain type='kvm'><on_crash>de|</on_crash></domain>", 'destroy').replaced, 'de');
  });
  it('in an unclosed document: the state of the elements still open', () => {
    const l = labels("<domain type='kvm'>\n  <devices>\n    <disk type='file' device='disk'>\n      <source file='/x'/>\n      <|");
    assert.ok(l.includes('target') && l.includes('driver') && !l.includes('source'), l.join(', '));
    assert.deepEqual(labels("<domain type='kvm'>\n  <devices>\n    <rng model='virtio'>\n      <|"), ['acpi', 'address', 'alias', 'backend', 'driver', 'rate']);
  });
  it('in an end tag: the element it closes', () => {
    assert.deepEqual(labels("<domain type='kvm'><devices></de|></domain>"), ['/devices']);
  });
  it('SEV items first, then the schema’s, without repeating a name', () => {
    const { text, offset } = at("<domain type='kvm'><launchSecurity type='sev'><|</launchSecurity></domain>");
    const all = complete(text, offset)!.items;
    assert.deepEqual(all.map((i) => [i.label, i.source ?? 'sev']), [
      ['cbitpos', 'sev'],
      ['reducedPhysBits', 'sev'],
      ['policy', 'sev'],
      ['handle', 'sev'],
      ['dhCert', 'sev'],
      ['session', 'sev'],
    ]);
  });
  it('nothing inside an element libvirt’s schema does not know, or outside a domain', () => {
    assert.deepEqual(labels("<domain type='kvm'><devices><frob><|</frob></devices></domain>"), []);
    assert.deepEqual(labels('<network><|</network>'), []);
  });
});

describe('hover from libvirt’s schema', () => {
  it('on an element name: its attributes and children, with the libvirt page', () => {
    const { text, offset } = at("<domain type='kvm'><devices><r|ng model='virtio'><backend model='random'>/dev/urandom</backend></rng></devices></domain>");
    const h = hover(text, offset)!;
    assert.equal(spanText(text, h.span), 'rng');
    assert.match(h.markdown, /^\*\*<rng>\*\* in `<devices>`\n\nAttributes: `model`\n\nChildren: `<acpi>`, `<address>`, `<alias>`, `<backend>`, `<driver>`, `<rate>`\n\n\[libvirt: rng\]\(https:\/\/libvirt\.org\/formatdomain\.html#random-number-generator-device\)$/);
  });
  it('on an attribute name: the values allowed', () => {
    const { text, offset } = at("<domain type='kvm'><on_reboot>restart</on_reboot><devices><disk type='file'><target dev='sda' b|us='scsi'/></disk></devices></domain>");
    const h = hover(text, offset)!;
    assert.equal(spanText(text, h.span), 'bus');
    assert.match(h.markdown, /libvirt's schema allows one of: xen, uml, usb, virtio, scsi, fdc, sata, ide, sd\./);
  });
});
