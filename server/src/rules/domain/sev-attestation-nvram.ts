import type { DomainModel } from '../../domain/model';
import { insertChild, removeElement, setAttribute, type TextEdit } from '../../xml/edit';
import { attrValue, child, type XmlElement } from '../../xml/model';
import { defineRule, type Fix } from '../types';
import { givenChild } from './launch-security-util';

export const rule = defineRule<DomainModel>()({
  id: 'sev-attestation-nvram',
  target: 'domain-xml',
  severity: 'warning',
  hasSuggestions: true,
  summary: 'A SEV / SEV-ES guest that is attested (<dhCert>, <session>) should use stateless firmware: its NVRAM is not measured.',
  messages: {
    nvram:
      "The {label} guest is set up for attestation (<{input}>) but has an NVRAM variable store ({how}); the launch measurement covers the firmware code, not its variables, so the measurement cannot vouch for how the firmware boots. libvirt's virt-qemu-sev-validate refuses such a domain: Domain firmware with NVRAM cannot be securely measured. Use stateless firmware.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev || sev.snp || !model.os) return;
    const input = ['dhCert', 'session'].find((name) => givenChild(model.text, sev, name));
    if (!input) return;
    const os = model.os;
    const nvram = child(os, 'nvram');
    const loader = child(os, 'loader');
    const stateless = loader !== undefined && attrValue(loader, 'stateless') === 'yes';
    const loaderType = loader ? attrValue(loader, 'type') : undefined;
    const efi = attrValue(os, 'firmware') === 'efi';
    let how: string;
    if (nvram) how = '<nvram>';
    else if (stateless) return;
    else if (loaderType === 'pflash') how = "a pflash <loader> without stateless='yes', for which libvirt creates one";
    else if (efi && loaderType !== 'rom') how = "<os firmware='efi'> without stateless='yes', for which libvirt usually picks firmware with one";
    else return;
    report({ messageId: 'nvram', data: { label: sev.label, input, how }, span: (nvram ?? loader ?? os).startTag, fixes: statelessFix(model, os, loader, nvram, loaderType) });
  },
});

/**
 * Stateless firmware: `stateless='yes'` on a pflash or autoselected loader,
 * without `<nvram>` (libvirt: "NVRAM is not permitted when loader is
 * stateless"); a ROM loader only loses the `<nvram>` it ignores. It changes
 * what the guest sees (no persistent UEFI variables), so it is never applied
 * unseen.
 */
function statelessFix(model: DomainModel, os: XmlElement, loader: XmlElement | undefined, nvram: XmlElement | undefined, loaderType: string | undefined): Fix[] {
  const edits: TextEdit[] = [];
  if (nvram) edits.push(removeElement(model.doc, nvram));
  if (loaderType === 'rom') return edits.length > 0 ? [{ title: 'Remove <nvram> (a ROM loader has none)', edits, preferred: false }] : [];
  if (loader) edits.push(setAttribute(model.style, loader, 'stateless', 'yes'));
  else if (attrValue(os, 'firmware') === 'efi') {
    const type = child(os, 'type');
    edits.push(insertChild(model.doc, model.style, os, "<loader stateless='yes'/>", type ? { after: type } : 'first'));
  }
  else return [];
  return [{ title: nvram ? "Use stateless firmware: remove <nvram> and set stateless='yes'" : "Use stateless firmware: stateless='yes'", edits, preferred: false }];
}
