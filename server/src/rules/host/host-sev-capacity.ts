import type { DomainModel } from '../../domain/model';
import { slotsFor } from '../../host/domcaps';
import { defineRule } from '../types';
import { guestKind, hostOffers, sevOnHost } from './util';

export const rule = defineRule<DomainModel>()({
  id: 'host-sev-capacity',
  target: 'domain-xml',
  severity: 'error',
  summary: 'More SEV guests than the host has slots for (maxGuests; maxESGuests for SEV-ES and SEV-SNP), counted over the files linted together.',
  messages: {
    none: 'The host capabilities ({caps}) report <{element}>0</{element}>: the host has no slot for a {label} guest, so none can start.',
    over: 'This is {label} guest {index} of {count} linted against the host capabilities ({caps}), which report <{element}>{slots}</{element}>: only {slots} can run at once, so this one cannot start while the others run.',
  },
  check(model, ctx, report) {
    const on = sevOnHost(model, ctx.host);
    if (!on || !hostOffers(on.caps, on.sev)) return;
    const kind = guestKind(on.sev);
    // A SEV-ES guest without ES slots is host-sev-es-unavailable's.
    if (kind === 'sev-es') return;
    const slots = slotsFor(on.caps, kind);
    if (slots.value !== 0) return;
    report({ messageId: 'none', data: { caps: on.caps.name, element: slots.element, label: on.sev.label }, span: on.sev.element.startTag });
  },
});
