import type { DomainModel } from '../../domain/model';
import { SNP, policyProblem } from '../../policy';
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
    smt: "The SEV-SNP policy {value} leaves bit 16 (SMT) clear: KVM of Linux 6.11 and other older kernels refuses such a policy in SNP_LAUNCH_START (-EINVAL); newer kernels (after the 2025 removal of KVM's hardcoded SNP policy checks) leave it to the SEV firmware, which refuses it (POLICY_FAILURE) on a host with SMT enabled, so the guest starts only where SMT is off. Expected {expected}.",
    missing:
      "The SEV-SNP policy {value} leaves {bits} clear; KVM's SNP_LAUNCH_START refuses such a policy (-EINVAL), so the guest does not start. Expected {expected}.",
  },
  check(model, _ctx, report) {
    const p = readablePolicy(model);
    if (!p || !p.sev.snp) return;
    const problem = policyProblem(p.value, 'sev-snp', 'snpMissing');
    // Bit 17 is refused by every kernel; bit 16 alone only by older ones (and by the firmware on an SMT host).
    if (problem) report({ messageId: problem.bits === SNP.SMT ? 'smt' : 'missing', ...problemReport(model, p, problem, true) });
  },
});
