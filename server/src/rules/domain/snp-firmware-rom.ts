import type { DomainModel } from '../../domain/model';
import { removeAttribute, removeElement, setAttribute, type TextEdit } from '../../xml/edit';
import { attr, attrValue, child, type XmlElement } from '../../xml/model';
import { defineRule, type Fix } from '../types';

export const rule = defineRule<DomainModel>()({
  id: 'snp-firmware-rom',
  target: 'domain-xml',
  severity: 'error',
  hasSuggestions: true,
  summary: 'A SEV-SNP guest must load its firmware as a ROM: no pflash loader, no <nvram>.',
  messages: {
    pflash:
      "The firmware is mapped as pflash, but KVM has no read-only memory for {label} guests, so QEMU fails ('pflash with kvm requires KVM readonly memory support'). Load an SNP-capable firmware (such as OVMF.amdsev.fd) with type='rom'.",
    nvram: '<nvram> needs a pflash-mapped firmware, which a {label} guest cannot use (KVM has no read-only memory for it). Remove <nvram>.',
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    const os = model.os;
    if (!sev?.snp || !os) return;
    const loader = child(os, 'loader');
    const type = loader ? attr(loader, 'type') : undefined;
    const pflashLoader = type?.value === 'pflash' ? loader : undefined;
    const nvram = child(os, 'nvram');
    if (!pflashLoader && !nvram) return;

    const fixes = [romFix(model, pflashLoader, nvram)];
    const data = { label: sev.label };
    if (type && pflashLoader) report({ messageId: 'pflash', data, span: type.span, fixes });
    if (nvram) report({ messageId: 'nvram', data, span: nvram.children.length === 0 ? nvram.span : nvram.startTag, fixes });
  },
});

/**
 * Not preferred: the firmware file itself must be an SNP-capable build that
 * runs from ROM, and removing `<nvram>` drops the user's variable store.
 */
function romFix(model: DomainModel, pflashLoader: XmlElement | undefined, nvram: XmlElement | undefined): Fix {
  const edits: TextEdit[] = [];
  if (pflashLoader) {
    edits.push(setAttribute(model.style, pflashLoader, 'type', 'rom'));
    // libvirt: a loader with stateless='no' must be pflash ("Only pflash loader type permits NVRAM").
    if (attrValue(pflashLoader, 'stateless') === 'no') edits.push(removeAttribute(model.doc, pflashLoader, 'stateless')!);
  }
  if (nvram) edits.push(removeElement(model.doc, nvram));
  const title = pflashLoader
    ? `Load the firmware as ROM: set type='rom' on <loader>${nvram ? ' and remove <nvram>' : ''}`
    : 'Remove <nvram>';
  return { title, edits, preferred: false };
}
