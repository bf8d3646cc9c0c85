import type { DomainModel } from '../../domain/model';
import { child, textContent, attr } from '../../xml/model';
import { insertChild, removeElement, setAttribute, type TextEdit } from '../../xml/edit';
import { defineRule } from '../types';

/** A loader path that names SeaBIOS rather than an OVMF/edk2 build. */
export function isSeaBiosPath(path: string): boolean {
  const p = path.trim().toLowerCase();
  if (/ovmf|edk2|efi|aavmf/.test(p)) return false;
  return /seabios|(^|\/)bios(-[\w.]+)?\.bin$/.test(p);
}

export const rule = defineRule<DomainModel>()({
  id: 'sev-uefi-firmware',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  summary: 'A SEV guest must boot UEFI firmware (OVMF); SeaBIOS has no SEV support.',
  messages: {
    noFirmware:
      "<os> selects no UEFI firmware (no firmware='efi' and no <loader>), so QEMU boots SeaBIOS, which cannot start a {label} guest. Use <os firmware='efi'>.",
    bios: "<os firmware='bios'> boots SeaBIOS, which cannot start a {label} guest. Use firmware='efi'.",
    seabiosLoader: "The loader '{path}' is SeaBIOS, which cannot start a {label} guest. Use OVMF: <os firmware='efi'>.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    const os = model.os;
    if (!sev || !os) return;
    const firmware = attr(os, 'firmware');
    if (firmware?.value === 'efi') return;
    const loader = child(os, 'loader');
    const loaderPath = loader ? textContent(model.text, loader).trim() : '';
    const seabiosLoader = loader !== undefined && loaderPath !== '' && isSeaBiosPath(loaderPath);
    if (!firmware && loader && !seabiosLoader) return;

    const edits: TextEdit[] = [setAttribute(model.style, os, 'firmware', 'efi')];
    if (seabiosLoader) edits.push(removeElement(model.doc, loader));
    const features = child(model.root, 'features');
    if (features && !child(features, 'acpi')) edits.push(insertChild(model.doc, model.style, features, '<acpi/>', 'first'));
    const fixes = [{ title: "Boot OVMF: set firmware='efi' on <os>", edits, preferred: true }];

    if (firmware?.value === 'bios') {
      report({ messageId: 'bios', data: { label: sev.label }, span: firmware.span, fixes });
    } else if (seabiosLoader) {
      report({ messageId: 'seabiosLoader', data: { label: sev.label, path: loaderPath }, span: loader.span, fixes });
    } else {
      report({ messageId: 'noFirmware', data: { label: sev.label }, span: os.startTag, fixes });
    }
  },
});
