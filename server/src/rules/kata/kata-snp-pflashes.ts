import type { KataModel } from '../../kata/model';
import { setValue } from '../../toml/edit';
import { defineRule } from '../types';

export const rule = defineRule<KataModel>()({
  id: 'kata-snp-pflashes',
  target: 'kata-toml',
  severity: 'error',
  fixable: true,
  summary: 'An SEV-SNP guest cannot have pflashes: Kata adds each as -pflash, and QEMU refuses pflash for SEV-SNP.',
  messages: {
    pflashes:
      'pflashes lists {count} image(s) for an SEV-SNP guest: Kata adds each one as -pflash next to the -bios firmware it gives an SNP guest, and QEMU then maps the flash instead of the ROM, which needs read-only memory that KVM does not have for SEV-SNP guests, so it exits with: pflash with kvm requires KVM readonly memory support. An SEV-SNP guest gets its firmware from firmware (as -bios) only: set pflashes = [].',
  },
  check(model, _ctx, report) {
    if (!model.confidential || !model.snp) return;
    const entry = model.qemuEntry('pflashes');
    if (!entry || !Array.isArray(entry.value) || entry.value.length === 0) return;
    report({
      messageId: 'pflashes',
      data: { count: entry.value.length },
      span: entry.valueSpan,
      fixes: [{ title: 'Set pflashes = []', edits: [setValue(entry, '[]')], preferred: true }],
    });
  },
});
