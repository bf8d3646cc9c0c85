import type { KataModel } from '../../kata/model';
import { defineRule } from '../types';
import { setQemuKey } from './edits';
import { qemuLookup } from './query';

export const rule = defineRule<KataModel>()({
  id: 'kata-snp-requires-confidential-guest',
  target: 'kata-toml',
  severity: 'error',
  fixable: true,
  summary: 'sev_snp_guest = true has no effect without confidential_guest = true: Kata boots an ordinary, unencrypted VM.',
  messages: {
    off: 'sev_snp_guest = true, but confidential_guest is false: Kata reads sev_snp_guest only for a confidential guest, so it silently boots an ordinary VM without memory encryption. Set confidential_guest = true.',
    absent:
      'sev_snp_guest = true, but confidential_guest is not set (Kata defaults it to false): Kata reads sev_snp_guest only for a confidential guest, so it silently boots an ordinary VM without memory encryption. Add confidential_guest = true.',
  },
  check(model, _ctx, report) {
    if (!model.snp) return;
    const snp = model.qemuEntry('sev_snp_guest')!;
    const cg = qemuLookup(model, 'confidential_guest');
    if (cg.kind === 'unknown') return;
    if (cg.kind === 'set' && cg.entry.value !== false) return;
    const edit = setQemuKey(model, 'confidential_guest', 'true', snp);
    report({
      messageId: cg.kind === 'set' ? 'off' : 'absent',
      span: cg.kind === 'set' ? cg.entry.valueSpan : snp.valueSpan,
      fixes: edit ? [{ title: 'Set confidential_guest = true', edits: [edit], preferred: true }] : [],
    });
  },
});
