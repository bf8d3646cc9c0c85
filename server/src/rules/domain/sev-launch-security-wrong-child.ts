import type { DomainModel, SevType } from '../../domain/model';
import { removeAttribute, removeElement } from '../../xml/edit';
import { attr } from '../../xml/model';
import { defineRule, type Fix } from '../types';
import { SNP_BLOB_NAMES } from './launch-security-util';

/** Children the schema allows only in `type='sev'`. */
const SEV_ONLY_CHILDREN: readonly string[] = ['dhCert', 'session', 'handle'];
/** Children and attributes the schema allows only in `type='sev-snp'`. */
const SNP_ONLY_CHILDREN: readonly string[] = SNP_BLOB_NAMES;
const SNP_ONLY_ATTRIBUTES = ['authorKey', 'vcek'];

export const rule = defineRule<DomainModel>()({
  id: 'sev-launch-security-wrong-child',
  target: 'domain-xml',
  severity: 'warning',
  hasSuggestions: true,
  summary: "<launchSecurity> holds an element or attribute of the other SEV type, which libvirt silently drops.",
  messages: {
    child:
      "<{name}> belongs in <launchSecurity type='{owner}'>; with type='{type}' libvirt ignores it, so its value never reaches QEMU, and the schema rejects it.",
    attribute:
      "{name}='{value}' belongs in <launchSecurity type='sev-snp'>; with type='sev' libvirt ignores it and the schema rejects it.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev) return;
    const owner: SevType = sev.snp ? 'sev' : 'sev-snp';
    const foreign = sev.snp ? SEV_ONLY_CHILDREN : SNP_ONLY_CHILDREN;
    for (const el of sev.element.children) {
      if (!foreign.includes(el.name)) continue;
      const fix: Fix = { title: `Remove <${el.name}>`, edits: [removeElement(model.doc, el)], preferred: false };
      report({ messageId: 'child', data: { name: el.name, owner, type: sev.type }, span: el.startTag, fixes: [fix] });
    }
    if (sev.snp) return;
    for (const name of SNP_ONLY_ATTRIBUTES) {
      const a = attr(sev.element, name);
      const edit = a && removeAttribute(model.doc, sev.element, name);
      if (!a || !edit) continue;
      report({
        messageId: 'attribute',
        data: { name, value: a.value },
        span: a.span,
        fixes: [{ title: `Remove ${name}='${a.value}'`, edits: [edit], preferred: false }],
      });
    }
  },
});
