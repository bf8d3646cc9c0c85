import type { DomainModel } from '../../domain/model';
import { replaceContent } from '../../xml/edit';
import { child, rawContent, textContent } from '../../xml/model';
import { readLibvirtUInt } from '../domain/launch-security-util';
import { defineRule, type Fix } from '../types';
import { hostOffers, sevOnHost } from './util';

export const rule = defineRule<DomainModel>()({
  id: 'host-sev-platform',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  hasSuggestions: true,
  summary: "<cbitpos> and <reducedPhysBits> must be the host's, as its capabilities report them (supersedes sev-cbitpos-host).",
  messages: {
    cbitpos:
      "cbitpos {value} is not this host's C-bit: the host capabilities ({caps}) report {host}. QEMU refuses to start the guest: cbitpos check failed, host '{host}' requested '{value}'.",
    reducedPhysBits:
      'reducedPhysBits {value} differs from the {host} the host capabilities ({caps}) report. QEMU accepts any value from 1 to 63, but the guest is then told a different number of address bits than the host takes away.',
  },
  check(model, ctx, report) {
    const on = sevOnHost(model, ctx.host);
    if (!on || !hostOffers(on.caps, on.sev)) return;
    const hostSev = on.caps.sev;
    for (const name of ['cbitpos', 'reducedPhysBits'] as const) {
      const host = hostSev?.[name];
      const el = child(on.sev.element, name);
      if (host === undefined || !el) continue;
      const reading = readLibvirtUInt(textContent(model.text, el));
      if (reading.kind !== 'ok' || reading.value === host) continue;
      const edit = replaceContent(el, String(host));
      // Preferred only for cbitpos, where every other value fails, and when nothing but the number is replaced.
      const preferred = name === 'cbitpos' && !rawContent(model.text, el).includes('<');
      const fixes: Fix[] = edit ? [{ title: `Set ${name} to ${host}, the host's value`, edits: [edit], preferred }] : [];
      report({ messageId: name, severity: name === 'cbitpos' ? 'error' : 'warning', data: { value: reading.value, host, caps: on.caps.name }, span: el.span, fixes });
    }
  },
});
