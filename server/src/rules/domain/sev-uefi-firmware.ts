import type { DomainModel } from '../../domain/model';
import { attr, child, textContent, type XmlElement } from '../../xml/model';
import { insertChild, removeAttribute, removeElement, setAttribute, type TextEdit } from '../../xml/edit';
import { defineRule, type Fix } from '../types';
import { givenChild } from './launch-security-util';

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
  hasSuggestions: true,
  summary: 'A SEV guest must boot UEFI firmware (OVMF); SeaBIOS has no SEV support.',
  messages: {
    noFirmware: '<os> selects no UEFI firmware (no firmware=\'efi\' and no <loader>), so QEMU boots SeaBIOS, which cannot start a {label} guest. {use}.',
    bios: "<os firmware='bios'> boots SeaBIOS, which cannot start a {label} guest. {use}.",
    seabiosLoader: "The loader '{path}' is SeaBIOS, which cannot start a {label} guest. {use}.",
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

    const fix = sev.snp ? romLoaderFix(model, os) : efiFix(model, os, seabiosLoader ? undefined : loader);
    if (seabiosLoader) fix.edits.push(removeElement(model.doc, loader));
    const acpi = acpiEdit(model);
    if (acpi) fix.edits.push(acpi);
    const fixes = [fix];
    const use = sev.snp ? `Load an SNP-capable OVMF (such as ${SNP_FIRMWARE_EXAMPLE}) as <loader type='rom'>` : "Use <os firmware='efi'>";

    if (firmware?.value === 'bios') {
      report({ messageId: 'bios', data: { label: sev.label, use }, span: firmware.span, fixes });
    } else if (seabiosLoader) {
      report({ messageId: 'seabiosLoader', data: { label: sev.label, path: loaderPath, use }, span: loader.span, fixes });
    } else {
      report({ messageId: 'noFirmware', data: { label: sev.label, use }, span: os.startTag, fixes });
    }
  },
});

/** Where Fedora's edk2-ovmf and libvirt's test firmware descriptors put the AmdSev build. */
const SNP_FIRMWARE_EXAMPLE = '/usr/share/edk2/ovmf/OVMF.amdsev.fd';

type MutableFix = Fix & { edits: TextEdit[] };

/**
 * SEV and SEV-ES: libvirt selects an OVMF build with the SEV feature itself.
 * A guest set up for attestation (<dhCert>, <session>) gets stateless
 * firmware: a variable store is not measured (see sev-attestation-nvram);
 * on a machine other than q35, which has no stateless SEV firmware, the fix
 * is only offered.
 */
function efiFix(model: DomainModel, os: XmlElement, keptLoader: XmlElement | undefined): MutableFix {
  const edits = [setAttribute(model.style, os, 'firmware', 'efi')];
  const sev = model.sev;
  const attested = sev !== undefined && ['dhCert', 'session'].some((name) => givenChild(model.text, sev, name));
  if (!attested || keptLoader || child(os, 'nvram')) return { title: "Boot OVMF: set firmware='efi' on <os>", edits, preferred: true };
  // Stateless SEV firmware is built for q35 only (libvirt finds none for i440fx): there, the fix would hand an attested guest a variable store.
  if (!model.machine.isQ35) return { title: "Boot OVMF: set firmware='efi' on <os> (its variable store is not measured: use q35 and stateless firmware for attestation)", edits, preferred: false };
  const type = child(os, 'type');
  edits.push(insertChild(model.doc, model.style, os, "<loader stateless='yes'/>", type ? { after: type } : 'first'));
  return { title: "Boot stateless OVMF: set firmware='efi' on <os>, <loader stateless='yes'/>", edits, preferred: true };
}

/**
 * SEV-SNP: firmware='efi' is no fix (libvirt finds no compatible build, or
 * with stateless='yes' maps one as pflash, which QEMU refuses for SNP); the
 * firmware must be loaded as a ROM. Not preferred: the path is the host's.
 */
function romLoaderFix(model: DomainModel, os: XmlElement): MutableFix {
  const edits: TextEdit[] = [];
  const firmware = attr(os, 'firmware');
  if (firmware) edits.push(removeAttribute(model.doc, os, 'firmware')!);
  const type = child(os, 'type');
  const loader = `<loader type='rom'>${SNP_FIRMWARE_EXAMPLE}</loader>`;
  edits.push(insertChild(model.doc, model.style, os, loader, type ? { after: type } : 'first'));
  return { title: `Load ${SNP_FIRMWARE_EXAMPLE} as a ROM (check the path on the host)`, edits, preferred: false };
}

/** libvirt: "UEFI requires ACPI on this architecture". */
function acpiEdit(model: DomainModel): TextEdit | undefined {
  const features = child(model.root, 'features');
  if (features) return child(features, 'acpi') ? undefined : insertChild(model.doc, model.style, features, '<acpi/>', 'first');
  const os = model.os;
  return insertChild(model.doc, model.style, model.root, '<features>\n  <acpi/>\n</features>', os ? { after: os } : 'last');
}
