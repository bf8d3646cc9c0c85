import type { DomainModel } from '../../domain/model';
import { setAttribute } from '../../xml/edit';
import { attr } from '../../xml/model';
import { defineRule, type Fix } from '../types';
import { givenChild } from './launch-security-util';

/** Spellings whose meaning is clear, by what libvirt wants instead. */
const MEANING: ReadonlyMap<string, 'yes' | 'no'> = new Map<string, 'yes' | 'no'>([
  ['yes', 'yes'],
  ['on', 'yes'],
  ['true', 'yes'],
  ['1', 'yes'],
  ['no', 'no'],
  ['off', 'no'],
  ['false', 'no'],
  ['0', 'no'],
]);

export const rule = defineRule<DomainModel>()({
  id: 'sev-launch-security-yes-no',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  hasSuggestions: true,
  summary: "kernelHashes, authorKey and vcek of <launchSecurity> take 'yes' or 'no', nothing else.",
  messages: {
    fixable:
      "{name} must be 'yes' or 'no', not '{value}'; libvirt fails with: Invalid value for attribute '{name}' in element 'launchSecurity': '{value}'. Use {name}='{suggestion}'.",
    invalid:
      "{name} must be 'yes' or 'no', not '{value}'; libvirt fails with: Invalid value for attribute '{name}' in element 'launchSecurity': '{value}'.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev) return;
    // type='sev' never reads authorKey / vcek (sev-launch-security-wrong-child reports them).
    const names = sev.snp ? ['kernelHashes', 'authorKey', 'vcek'] : ['kernelHashes'];
    for (const name of names) {
      const a = attr(sev.element, name);
      if (!a || a.value === 'yes' || a.value === 'no') continue;
      const suggestion = MEANING.get(a.value.trim().toLowerCase());
      // authorKey='yes' without an <idAuth> is itself a finding (snp-id-auth-pairing): offered, not applied unseen.
      const lonelyAuthorKey = name === 'authorKey' && suggestion === 'yes' && !givenChild(model.text, sev, 'idAuth');
      const fixes: Fix[] = suggestion
        ? [
            {
              title: lonelyAuthorKey ? `Set ${name}='${suggestion}' (it then needs an <idAuth> with the author key)` : `Set ${name}='${suggestion}'`,
              edits: [setAttribute(model.style, sev.element, name, suggestion)],
              preferred: !lonelyAuthorKey,
            },
          ]
        : [];
      report({
        messageId: suggestion ? 'fixable' : 'invalid',
        data: { name, value: a.value, suggestion: suggestion ?? '' },
        span: a.value === '' ? a.span : a.valueSpan,
        fixes,
      });
    }
  },
});
