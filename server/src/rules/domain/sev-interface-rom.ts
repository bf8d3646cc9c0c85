import type { DomainModel } from '../../domain/model';
import { virtioDevices } from '../../domain/virtio';
import { insertChild, render, setAttribute, type TextEdit } from '../../xml/edit';
import { attr, attrValue, child, type XmlElement } from '../../xml/model';
import { defineRule, type Fix } from '../types';

const DISABLED_ROM = "<rom enabled='no'/>";

export const rule = defineRule<DomainModel>()({
  id: 'sev-interface-rom',
  target: 'domain-xml',
  severity: 'warning',
  fixable: true,
  hasSuggestions: true,
  summary: "A virtio network interface of a SEV guest should have <rom enabled='no'/>: iPXE is not SEV-aware.",
  messages: {
    missing:
      "virtio interface has no <rom enabled='no'/>, so the firmware runs its iPXE option ROM, which is not aware of {label}. Add <rom enabled='no'/>.",
    enabled:
      "virtio interface has <rom enabled='{value}'>, so the firmware runs its iPXE option ROM, which is not aware of {label}. Set enabled='no'.",
    notDisabled:
      "The <rom> of this virtio interface does not disable the option ROM, so the firmware runs iPXE (or the given ROM file), which is not aware of {label}. Use <rom enabled='no'/>.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev) return;
    for (const dev of virtioDevices(model)) {
      const iface = dev.element;
      if (iface.name !== 'interface' || !hasPciAddress(iface)) continue;
      const rom = child(iface, 'rom');
      const enabled = rom ? attr(rom, 'enabled') : undefined;
      if (enabled?.value === 'no') continue;
      const messageId = !rom ? 'missing' : enabled ? 'enabled' : 'notDisabled';
      report({
        messageId,
        data: { label: sev.label, value: enabled?.value ?? '' },
        span: enabled?.span ?? rom?.startTag ?? iface.startTag,
        fixes: [disableRomFix(model, iface, rom)],
      });
    }
  },
});

/** Only PCI devices have an option ROM (libvirt: "ROM tuning is only supported for PCI devices"). */
function hasPciAddress(iface: XmlElement): boolean {
  const address = child(iface, 'address');
  return !address || attrValue(address, 'type') === 'pci';
}

/**
 * `bar` means nothing once the ROM is disabled, so a `<rom>` with it is
 * rewritten whole; one with a `file` is too, but the user chose that ROM, so
 * that fix is not preferred.
 */
function disableRomFix(model: DomainModel, iface: XmlElement, rom: XmlElement | undefined): Fix {
  const title = "Disable the option ROM: <rom enabled='no'/>";
  if (!rom) return { title, edits: [insertChild(model.doc, model.style, iface, DISABLED_ROM, 'last')], preferred: true };
  const onlyEnabled = rom.attributes.every((a) => a.name === 'enabled');
  const edit: TextEdit = onlyEnabled ? setAttribute(model.style, rom, 'enabled', 'no') : { ...rom.span, newText: render(DISABLED_ROM, '', model.style) };
  return { title, edits: [edit], preferred: attr(rom, 'file') === undefined };
}
