import type { DomainModel } from '../../domain/model';
import { describeBits, SNP_REQUIRED } from '../../policy';
import { defineRule } from '../types';
import { readablePolicy, setPolicyFix, showPolicy } from './policy-util';

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
    const missing = SNP_REQUIRED & ~p.value;
    if (missing === 0n) return;
    const fixedValue = p.value | SNP_REQUIRED;
    const expected = showPolicy(p, fixedValue);
    const bits = describeBits(missing, missing, 'sev-snp');
    report({
      messageId: 'missing',
      data: { value: showPolicy(p), bits, expected },
      span: p.element.span,
      fixes: [setPolicyFix(model, p, fixedValue, `Set ${bits}: ${expected}`, true)],
    });
  },
});
