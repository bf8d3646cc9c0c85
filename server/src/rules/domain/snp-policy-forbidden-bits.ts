import type { DomainModel } from '../../domain/model';
import { describeBits, SNP_FORBIDDEN } from '../../policy';
import { defineRule } from '../types';
import { readablePolicy, setPolicyFix, showPolicy } from './policy-util';

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
    const set = p.value & SNP_FORBIDDEN;
    if (set === 0n) return;
    const fixedValue = p.value & ~SNP_FORBIDDEN;
    const expected = showPolicy(p, fixedValue);
    const bits = describeBits(p.value, SNP_FORBIDDEN, 'sev-snp');
    report({
      messageId: 'forbidden',
      data: { value: showPolicy(p), bits, expected },
      span: p.element.span,
      fixes: [setPolicyFix(model, p, fixedValue, `Clear ${bits}: ${expected}`, true)],
    });
  },
});
