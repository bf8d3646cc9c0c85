import type { DomainModel } from '../../domain/model';
import { removeElement } from '../../xml/edit';
import { attrValue } from '../../xml/model';
import { defineRule } from '../types';

export const rule = defineRule<DomainModel>()({
  id: 'sev-launch-security-duplicate',
  target: 'domain-xml',
  severity: 'warning',
  hasSuggestions: true,
  summary: 'A domain has only one <launchSecurity>: libvirt reads the first and ignores the others.',
  messages: {
    extra:
      "This <launchSecurity type='{type}'> is ignored: only the first <launchSecurity> (type='{first}') is used, and libvirt's schema allows just one.",
    extraNoType:
      "This <launchSecurity> is ignored: only the first <launchSecurity> (type='{first}') is used, and libvirt's schema allows just one.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev) return;
    for (const extra of sev.all.slice(1)) {
      const type = attrValue(extra, 'type');
      report({
        messageId: type === undefined ? 'extraNoType' : 'extra',
        data: { type: type ?? '', first: sev.type },
        span: extra.startTag,
        fixes: [{ title: 'Remove this <launchSecurity>', edits: [removeElement(model.doc, extra)], preferred: false }],
      });
    }
  },
});
