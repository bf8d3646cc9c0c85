import type { DomainModel } from '../../domain/model';
import { policyProblem } from '../../policy';
import { defineRule } from '../types';
import { problemReport, readablePolicy } from './policy-util';

export const rule = defineRule<DomainModel>()({
  id: 'snp-policy-forbidden-bits',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  summary: 'A SEV-SNP policy must not set bit 18 (MIGRATE_MA) or any reserved bit from 26 up.',
  messages: {
    forbidden:
      "The SEV-SNP policy {value} sets {bits}; KVM's SNP_LAUNCH_START refuses such a policy (-EINVAL), so the guest does not start. Expected {expected}.",
  },
  check(model, _ctx, report) {
    const p = readablePolicy(model);
    if (!p || !p.sev.snp) return;
    const problem = policyProblem(p.value, 'sev-snp', 'snpForbidden');
    if (problem) report({ messageId: 'forbidden', ...problemReport(model, p, problem, true) });
  },
});
