import type { DomainModel } from '../../domain/model';
import { SEV } from '../../policy';
import { readablePolicy, setPolicyFix, showPolicy } from '../domain/policy-util';
import { defineRule } from '../types';
import { hostOffers, sevOnHost } from './util';

export const rule = defineRule<DomainModel>()({
  id: 'host-sev-es-unavailable',
  target: 'domain-xml',
  severity: 'error',
  hasSuggestions: true,
  summary: 'A SEV-ES policy (bit 2) on a host whose capabilities report no SEV-ES guests (maxESGuests 0 or absent).',
  messages: {
    absent:
      'The policy {value} requires SEV-ES (bit 2), but the host capabilities ({caps}) report no <maxESGuests>: the host has no SEV-ES. QEMU fails with: guest policy requires SEV-ES, but host SEV-ES support unavailable.',
    zero:
      'The policy {value} requires SEV-ES (bit 2), but the host capabilities ({caps}) report <maxESGuests>0</maxESGuests>: no SEV-ES guest can start there (QEMU: guest policy requires SEV-ES, but host SEV-ES support unavailable).',
  },
  check(model, ctx, report) {
    const on = sevOnHost(model, ctx.host);
    const p = readablePolicy(model);
    if (!on || !p || on.sev.type !== 'sev' || !hostOffers(on.caps, on.sev) || (p.value & SEV.ES) === 0n) return;
    const max = on.caps.sev?.maxESGuests;
    if (max !== undefined && max > 0) return;
    const plain = p.value & ~SEV.ES;
    const fix = setPolicyFix(model, p, plain, `Clear the ES bit: ${showPolicy(p, plain)} (the guest runs as plain SEV, without encrypted register state)`, false);
    report({ messageId: max === undefined ? 'absent' : 'zero', data: { value: showPolicy(p), caps: on.caps.name }, span: p.element.span, fixes: [fix] });
  },
});
