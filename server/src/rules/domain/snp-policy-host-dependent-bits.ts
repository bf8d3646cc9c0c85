import type { DomainModel } from '../../domain/model';
import { policyProblem } from '../../policy';
import { defineRule } from '../types';
import { problemReport, readablePolicy } from './policy-util';

export const rule = defineRule<DomainModel>()({
  id: 'snp-policy-host-dependent-bits',
  target: 'domain-xml',
  severity: 'warning',
  hasSuggestions: true,
  summary: 'A SEV-SNP policy with bits 20–25 set starts only on hosts whose KVM and firmware support them.',
  messages: {
    singleSocket:
      'The SEV-SNP policy {value} sets {bits}; older KVM (such as Linux 6.11) refuses it in SNP_LAUNCH_START, and on a multi-socket host the launch fails. Without it the policy is {expected}.',
    newer:
      'The SEV-SNP policy {value} sets {bits}; only newer KVM and SEV firmware accept these bits, elsewhere SNP_LAUNCH_START fails. Without them the policy is {expected}.',
    both:
      'The SEV-SNP policy {value} sets {bits}; only newer KVM and SEV firmware accept these bits (elsewhere SNP_LAUNCH_START fails), and SINGLE_SOCKET also fails on a multi-socket host. Without them the policy is {expected}.',
  },
  check(model, _ctx, report) {
    const p = readablePolicy(model);
    if (!p || !p.sev.snp) return;
    const problem = policyProblem(p.value, 'sev-snp', 'snpHostDependent');
    if (problem) report({ messageId: problem.variant, ...problemReport(model, p, problem, false) });
  },
});
