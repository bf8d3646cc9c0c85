import type { DomainModel } from '../../domain/model';
import { setAttribute } from '../../xml/edit';
import { attrValue, child } from '../../xml/model';
import { defineRule, type Fix } from '../types';

export const rule = defineRule<DomainModel>()({
  id: 'sev-q35-machine',
  target: 'domain-xml',
  severity: 'warning',
  hasSuggestions: true,
  summary: 'A SEV guest should use the q35 machine type, not the legacy PC (i440fx) machine.',
  messages: {
    explicit:
      "The machine '{machine}' is not q35; libvirt strongly discourages the legacy PC machine for {label} guests, and virt-install and OpenStack Nova refuse it. Use machine='q35'.",
    implicit:
      "<type> names no machine, so QEMU uses its default 'pc' (i440fx); libvirt strongly discourages the legacy PC machine for {label} guests, and virt-install and OpenStack Nova refuse it. Use machine='q35'.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    const { typeElement, attribute, name, isQ35 } = model.machine;
    if (!sev || isQ35) return;
    const span = attribute?.span ?? typeElement?.span ?? model.os?.startTag ?? sev.element.startTag;
    const fixes: Fix[] =
      typeElement && canSwitchToQ35(model)
        ? [{ title: "Use the q35 machine: set machine='q35'", edits: [setAttribute(model.style, typeElement, 'machine', 'q35')], preferred: false }]
        : [];
    report({ messageId: name ? 'explicit' : 'implicit', data: { machine: name ?? 'pc', label: sev.label }, span, fixes });
  },
});

/**
 * False when the devices are laid out for the PC machine: q35 rejects IDE
 * ("IDE controllers are unsupported for this QEMU binary or machine type"),
 * and PCI controllers and guest PCI addresses written for the i440fx bus
 * topology are not valid on q35's PCI Express root.
 */
function canSwitchToQ35(model: DomainModel): boolean {
  const devices = model.devices;
  if (!devices) return true;
  for (const dev of devices.children) {
    if (dev.name === 'controller' && ['ide', 'pci'].includes(attrValue(dev, 'type') ?? '')) return false;
    const target = dev.name === 'disk' ? child(dev, 'target') : undefined;
    if (target && attrValue(target, 'bus') === 'ide') return false;
    // Only the device's own <address>: a <hostdev>'s <source><address> is on the host.
    const address = child(dev, 'address');
    if (address && attrValue(address, 'type') === 'pci') return false;
  }
  return true;
}
