import type { DomainModel } from '../../domain/model';
import { insertChild, type TextEdit } from '../../xml/edit';
import type { XmlElement } from '../../xml/model';
import { DEFAULT_POLICY, formatLaunchPolicy } from '../../policy';
import { defineRule, type Fix } from '../types';


export const rule = defineRule<DomainModel>()({
  id: 'sev-policy-missing',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  hasSuggestions: true,
  summary: 'A <launchSecurity> of type sev or sev-snp must have a <policy>.',
  messages: {
    missing:
      "<launchSecurity type='{type}'> has no <policy>; libvirt requires one and fails with 'failed to get launch security policy'. Add <policy>{expected}</policy>.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev || sev.policyElement) return;
    const kind = sev.snp ? 'sev-snp' : 'sev';
    const expected = formatLaunchPolicy(kind, DEFAULT_POLICY[kind]);
    const fixes: Fix[] = [{ title: `Add <policy>${expected}</policy>`, edits: [insertPolicy(model, sev.element, expected)], preferred: true }];
    if (!sev.snp) {
      const es = formatLaunchPolicy('sev-es', DEFAULT_POLICY['sev-es']);
      fixes.push({ title: `Add the SEV-ES policy <policy>${es}</policy>`, edits: [insertPolicy(model, sev.element, es)], preferred: false });
    }
    report({ messageId: 'missing', data: { type: sev.type, expected }, span: sev.element.startTag, fixes });
  },
});

/** Inserts `<policy>` where libvirt writes it: after `<cbitpos>`/`<reducedPhysBits>`, else first. */
function insertPolicy(model: DomainModel, parent: XmlElement, value: string): TextEdit {
  const after = parent.children.filter((c) => c.name === 'cbitpos' || c.name === 'reducedPhysBits').pop();
  return insertChild(model.doc, model.style, parent, `<policy>${value}</policy>`, after ? { after } : 'first');
}
