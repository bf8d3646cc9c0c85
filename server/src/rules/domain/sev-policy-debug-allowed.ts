import type { DomainModel } from '../../domain/model';
import { describeBits, SEV, SNP } from '../../policy';
import { defineRule } from '../types';
import { readablePolicy, setPolicyFix, showPolicy } from './policy-util';

export const rule = defineRule<DomainModel>()({
  id: 'sev-policy-debug-allowed',
  target: 'domain-xml',
  severity: 'information',
  hasSuggestions: true,
  summary: 'The guest policy allows the host to debug (decrypt) the guest: SEV without NODBG, or SEV-SNP with DEBUG.',
  messages: {
    nodbgClear:
      'The {label} policy {value} leaves NODBG (bit 0, 0x1) clear, so the host can read and write guest memory with the firmware commands DBG_DECRYPT / DBG_ENCRYPT. Set it for a guest that is not being debugged: {expected}.',
    snpDebug:
      'The SEV-SNP policy {value} sets {bits}, so the host can read and write guest memory with the firmware commands SNP_DBG_DECRYPT / SNP_DBG_ENCRYPT. Clear it for a guest that is not being debugged: {expected}.',
  },
  check(model, _ctx, report) {
    const p = readablePolicy(model);
    if (!p) return;
    if (p.sev.snp) {
      if ((p.value & SNP.DEBUG) === 0n) return;
      const fixedValue = p.value & ~SNP.DEBUG;
      const expected = showPolicy(p, fixedValue);
      const bits = describeBits(p.value, SNP.DEBUG, 'sev-snp');
      report({ messageId: 'snpDebug', data: { value: showPolicy(p), bits, expected }, span: p.element.span, fixes: [setPolicyFix(model, p, fixedValue, `Clear ${bits}: ${expected}`, false)] });
      return;
    }
    if ((p.value & SEV.NODBG) !== 0n) return;
    const fixedValue = p.value | SEV.NODBG;
    const expected = showPolicy(p, fixedValue);
    report({
      messageId: 'nodbgClear',
      data: { label: p.sev.label, value: showPolicy(p), expected },
      span: p.element.span,
      fixes: [setPolicyFix(model, p, fixedValue, `Set NODBG (bit 0, 0x1): ${expected}`, false)],
    });
  },
});
