import type { DomainModel } from '../../domain/model';
import { insertChild, removeAttribute, removeElement, render, setAttribute, type TextEdit } from '../../xml/edit';
import { attr, child, textContent, type XmlElement } from '../../xml/model';
import { defineRule, type Fix } from '../types';

/** Where Fedora's edk2-ovmf and libvirt's test firmware descriptors put the AmdSev build. */
const SNP_FIRMWARE_EXAMPLE = '/usr/share/edk2/ovmf/OVMF.amdsev.fd';

export const rule = defineRule<DomainModel>()({
  id: 'snp-firmware-rom',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  hasSuggestions: true,
  summary: "A SEV-SNP guest must load its firmware as a ROM (<loader type='rom'>): no pflash loader, no firmware autoselection, no <nvram>.",
  messages: {
    pflash:
      "The firmware is mapped as pflash, but KVM has no read-only memory for {label} guests, so QEMU fails ('pflash with kvm requires KVM readonly memory support'). Load an SNP-capable firmware (such as OVMF.amdsev.fd) with type='rom'.",
    autoselect:
      "<os firmware='efi'> lets libvirt pick the {label} firmware from the host's firmware descriptors: unless one loads an SNP-capable build as ROM, libvirt finds none ('Unable to find 'efi' firmware that is compatible with the current configuration'), or with stateless='yes' maps it as pflash, which QEMU refuses for SNP. Load the firmware with <loader type='rom'>.",
    nvram: '<nvram> needs a pflash-mapped firmware, which a {label} guest cannot use (KVM has no read-only memory for it). Remove <nvram>.',
    nvramIgnored: '<nvram> has no effect next to a ROM loader: libvirt accepts it and ignores it, and a {label} guest has no UEFI variable store. Remove <nvram>.',
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    const os = model.os;
    if (!sev?.snp || !os) return;
    const loader = child(os, 'loader');
    const type = loader ? attr(loader, 'type') : undefined;
    const pflashLoader = type?.value === 'pflash' ? loader : undefined;
    const firmware = attr(os, 'firmware');
    const autoselect = firmware?.value === 'efi' ? firmware : undefined;
    const nvram = child(os, 'nvram');
    if (!pflashLoader && !autoselect && !nvram) return;

    const data = { label: sev.label };
    const nvramSpan = nvram ? (nvram.children.length === 0 ? nvram.span : nvram.startTag) : undefined;
    const loaderPath = loader ? textContent(model.text, loader).trim() : '';
    if (!pflashLoader && !autoselect && nvram && nvramSpan && loaderPath !== '') {
      // A loader with a path and no type='pflash' is a ROM for SNP (libvirt passes -bios); libvirt 11.3 accepts <nvram> then and ignores it.
      const fix: Fix = { title: 'Remove <nvram>, which a ROM firmware ignores', edits: [removeElement(model.doc, nvram)], preferred: true };
      report({ messageId: 'nvramIgnored', data, span: nvramSpan, severity: 'warning', fixes: [fix] });
      return;
    }
    const fixes = [romFix(model, os, loader, nvram)];
    if (type && pflashLoader) report({ messageId: 'pflash', data, span: type.span, fixes });
    // Host-dependent: a descriptor that maps the AmdSev build as 'memory' makes autoselection work.
    if (autoselect) report({ messageId: 'autoselect', data, span: autoselect.span, severity: 'warning', fixes });
    if (nvram && nvramSpan && !autoselect) report({ messageId: 'nvram', data, span: nvramSpan, fixes });
  },
});

/**
 * The firmware as a ROM: `<loader type='rom'>` with the loader's path (or an
 * example path), no firmware autoselection (`firmware='efi'`, `<firmware>`),
 * no `stateless` (libvirt: a loader with stateless='no' must be pflash, "Only
 * pflash loader type permits NVRAM"), no `<nvram>`. Not preferred: the
 * firmware file must be an SNP-capable build that runs from ROM, the example
 * path is only an example, and removing `<nvram>` drops the user's variable
 * store.
 */
function romFix(model: DomainModel, os: XmlElement, loader: XmlElement | undefined, nvram: XmlElement | undefined): Fix {
  const edits: TextEdit[] = [];
  const parts: string[] = [];
  const firmware = attr(os, 'firmware');
  if (firmware) {
    edits.push(removeAttribute(model.doc, os, 'firmware')!);
    parts.push(`remove firmware='${firmware.value}'`);
  }
  const features = child(os, 'firmware');
  // Without <type> the new loader goes first in <os>; when the first child is one this fix removes, the loader takes its place (an insertion inside a removal would overlap it).
  const first = os.children[0];
  const replaced = !child(os, 'type') && first !== undefined && (first === features || first === nvram) && !loader ? first : undefined;
  if (features) {
    if (features !== replaced) edits.push(removeElement(model.doc, features));
    parts.push('remove <firmware>');
  }
  const path = loader ? textContent(model.text, loader).trim() : '';
  if (loader && path !== '') {
    const type = attr(loader, 'type');
    const stateless = attr(loader, 'stateless');
    if (type?.value !== 'rom') parts.push("set type='rom' on <loader>");
    if (type) {
      if (type.value !== 'rom') edits.push(setAttribute(model.style, loader, 'type', 'rom'));
      if (stateless) edits.push(removeAttribute(model.doc, loader, 'stateless')!);
    } else if (stateless) {
      // One edit where stateless was: an insertion at the end of a removal would touch it.
      const q = model.style.quote;
      edits.push({ ...stateless.span, newText: `type=${q}rom${q}` });
    } else {
      edits.push(setAttribute(model.style, loader, 'type', 'rom'));
    }
  } else {
    const markup = `<loader type='rom'>${SNP_FIRMWARE_EXAMPLE}</loader>`;
    if (loader) edits.push({ ...loader.span, newText: render(markup, '', model.style) });
    else if (replaced) edits.push({ ...replaced.span, newText: render(markup, '', model.style) });
    else {
      const type = child(os, 'type');
      edits.push(insertChild(model.doc, model.style, os, markup, type ? { after: type } : 'first'));
    }
    parts.push(`load ${SNP_FIRMWARE_EXAMPLE} as a ROM (check the path on the host)`);
  }
  if (nvram) {
    if (nvram !== replaced) edits.push(removeElement(model.doc, nvram));
    parts.push('remove <nvram>');
  }
  const title = parts.length === 1 && nvram ? 'Remove <nvram>' : `Load the firmware as a ROM: ${parts.join(', ')}`;
  return { title, edits, preferred: false };
}
