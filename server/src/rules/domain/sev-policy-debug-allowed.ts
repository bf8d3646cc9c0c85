import type { DomainModel } from '../../domain/model';
import { policyProblem } from '../../policy';
import { defineRule } from '../types';
import { problemReport, readablePolicy } from './policy-util';

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
      const problem = policyProblem(p.value, 'sev-snp', 'snpDebug');
      if (problem) report({ messageId: 'snpDebug', ...problemReport(model, p, problem, false) });
      return;
    }
    const problem = policyProblem(p.value, 'sev', 'sevNoDebugClear');
    if (!problem) return;
    const r = problemReport(model, p, problem, false);
    report({ messageId: 'nodbgClear', ...r, data: { ...r.data, label: p.sev.label } });
  },
});
