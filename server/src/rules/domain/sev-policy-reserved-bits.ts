import type { DomainModel } from '../../domain/model';
import { policyProblem, SEV } from '../../policy';
import { defineRule } from '../types';
import { problemReport, readablePolicy, setPolicyFix, showPolicy } from './policy-util';

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
    const problem = policyProblem(p.value, 'sev', 'sevReserved');
    if (!problem) return;
    const r = problemReport(model, p, problem, false);
    if (!problem.esTypo) {
      report({ messageId: 'reserved', ...r });
      return;
    }
    const es = showPolicy(p, problem.fixed | SEV.ES);
    const useEs = setPolicyFix(model, p, problem.fixed | SEV.ES, `Use the ES bit 0x4 instead of bit 6: ${es}`, false);
    report({ messageId: 'esTypo', ...r, data: { ...r.data, es }, fixes: [useEs, ...r.fixes] });
  },
});
