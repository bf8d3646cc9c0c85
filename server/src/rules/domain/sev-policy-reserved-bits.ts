import type { DomainModel } from '../../domain/model';
import { describeBits, SEV } from '../../policy';
import { defineRule } from '../types';
import { readablePolicy, setPolicyFix, showPolicy } from './policy-util';

/** Bit 6: set in AMD's sample-sev-es.xml (0x41) where the ES bit 0x4 was meant. */
const BIT6 = 0x40n;

export const rule = defineRule<DomainModel>()({
  id: 'sev-policy-reserved-bits',
  target: 'domain-xml',
  severity: 'warning',
  hasSuggestions: true,
  summary: 'A SEV / SEV-ES policy must leave the reserved bits 6–15 clear.',
  messages: {
    reserved: 'The SEV policy {value} sets {bits}; bits 6–15 are reserved and must be zero. Expected {expected}.',
    esTypo:
      'The SEV policy {value} sets reserved bit 6 (0x40), not the ES bit 2 (0x4), so the guest runs as plain SEV, not SEV-ES. For SEV-ES write {es}; for plain SEV, {expected}.',
  },
  check(model, _ctx, report) {
    const p = readablePolicy(model);
    if (!p || p.sev.type !== 'sev') return;
    const reserved = p.value & SEV.RESERVED;
    if (reserved === 0n) return;
    const cleared = p.value & ~SEV.RESERVED;
    const expected = showPolicy(p, cleared);
    const clear = setPolicyFix(model, p, cleared, `Clear the reserved bits: ${expected}`, false);
    if (reserved === BIT6 && (p.value & SEV.ES) === 0n) {
      const es = showPolicy(p, cleared | SEV.ES);
      const useEs = setPolicyFix(model, p, cleared | SEV.ES, `Use the ES bit 0x4 instead of bit 6: ${es}`, false);
      report({ messageId: 'esTypo', data: { value: showPolicy(p), es, expected }, span: p.element.span, fixes: [useEs, clear] });
      return;
    }
    report({ messageId: 'reserved', data: { value: showPolicy(p), bits: describeBits(p.value, SEV.RESERVED, 'sev'), expected }, span: p.element.span, fixes: [clear] });
  },
});
