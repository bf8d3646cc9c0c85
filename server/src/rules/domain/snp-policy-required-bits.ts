import type { DomainModel } from '../../domain/model';
import { policyProblem } from '../../policy';
import { defineRule } from '../types';
import { problemReport, readablePolicy } from './policy-util';

export const rule = defineRule<DomainModel>()({
  id: 'snp-policy-required-bits',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  hasSuggestions: true,
  summary: 'A SEV-SNP policy must set bit 16 (SMT) and bit 17 (reserved, must be one).',
  messages: {
    missing:
      "The SEV-SNP policy {value} leaves {bits} clear; KVM's SNP_LAUNCH_START refuses such a policy (-EINVAL), so the guest does not start. Expected {expected}.",
  },
  check(model, _ctx, report) {
    const p = readablePolicy(model);
    if (!p || !p.sev.snp) return;
    const problem = policyProblem(p.value, 'sev-snp', 'snpMissing');
    if (problem) report({ messageId: 'missing', ...problemReport(model, p, problem, true) });
  },
});
