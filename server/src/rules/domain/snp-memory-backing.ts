import type { DomainModel } from '../../domain/model';
import { removeElement } from '../../xml/edit';
import { child, rawContent } from '../../xml/model';
import { defineRule, type Fix } from '../types';

export const rule = defineRule<DomainModel>()({
  id: 'snp-memory-backing',
  target: 'domain-xml',
  severity: 'warning',
  fixable: true,
  summary: 'A SEV-SNP guest should not lock its memory (<locked/>), and with hugepages it needs about twice its memory on the host.',
  messages: {
    locked:
      "<locked/> locks all of QEMU's memory, but a SEV-SNP guest keeps its private memory in guest_memfd and QEMU discards the shared copy of each page the guest converts to private (ram_block_discard_range); Linux refuses to discard locked memory (madvise: EINVAL), the conversion fails and QEMU stops the guest. SEV-SNP does not need locked memory: remove <locked/>.",
    hugepages:
      '<hugepages/> backs the shared memory of this SEV-SNP guest with hugetlbfs, which QEMU never discards when a page becomes private (kvm_convert_memory), while private memory comes from guest_memfd in normal pages: the guest can use about twice its memory on the host, and the huge pages do not back the private memory at all.',
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev?.snp) return;
    const backing = child(model.root, 'memoryBacking');
    if (!backing) return;
    const locked = child(backing, 'locked');
    if (locked) {
      // An element left empty goes with it: <memoryBacking/> alone means nothing.
      const onlyChild = backing.children.length === 1 && !rawContent(model.text, backing).includes('<!--');
      const fix: Fix = { title: onlyChild ? 'Remove <memoryBacking><locked/>' : 'Remove <locked/>', edits: [removeElement(model.doc, onlyChild ? backing : locked)], preferred: true };
      report({ messageId: 'locked', span: locked.span, fixes: [fix] });
    }
    const hugepages = child(backing, 'hugepages');
    if (hugepages) report({ messageId: 'hugepages', severity: 'information', span: hugepages.startTag });
  },
});
