import type { KataModel } from '../../kata/model';
import { defineRule } from '../types';
import { setQemuKey } from './edits';
import { looksAmd, qemuLookup } from './query';

export const rule = defineRule<KataModel>()({
  id: 'kata-sev-deprecated',
  target: 'kata-toml',
  severity: 'warning',
  hasSuggestions: true,
  summary: 'An AMD confidential guest without sev_snp_guest = true asks for plain SEV, which Kata removed in 3.19.',
  messages: {
    off: 'confidential_guest = true with sev_snp_guest = false asks Kata for plain SEV, which Kata dropped in 3.19 (only SEV-SNP is supported on AMD): on an SNP host Kata silently falls back to plain SEV, without SNP\'s integrity protection; on a host without SNP it fails with "This system doesn\'t support Confidential Computing (Guest Protection)". Set sev_snp_guest = true.',
    absent:
      'confidential_guest = true without sev_snp_guest (Kata defaults it to false) asks Kata for plain SEV, which Kata dropped in 3.19 (only SEV-SNP is supported on AMD): on an SNP host Kata silently falls back to plain SEV, without SNP\'s integrity protection; on a host without SNP it fails with "This system doesn\'t support Confidential Computing (Guest Protection)". Add sev_snp_guest = true.',
  },
  check(model, _ctx, report) {
    if (!model.confidential || model.snp) return;
    const snp = qemuLookup(model, 'sev_snp_guest');
    if (snp.kind === 'unknown') return;
    if (snp.kind === 'set' && snp.entry.value !== false) return;
    if (!looksAmd(model)) return;
    const cg = model.qemuEntry('confidential_guest')!;
    const edit = setQemuKey(model, 'sev_snp_guest', 'true', cg);
    report({
      messageId: snp.kind === 'set' ? 'off' : 'absent',
      span: snp.kind === 'set' ? snp.entry.valueSpan : cg.valueSpan,
      fixes: edit ? [{ title: 'Set sev_snp_guest = true (SEV-SNP)', edits: [edit], preferred: false }] : [],
    });
  },
});
