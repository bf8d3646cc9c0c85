import type { DomainModel } from '../../domain/model';
import { formatVersion } from '../../domain/qemu';
import { removeAttribute } from '../../xml/edit';
import { attr } from '../../xml/model';
import { atLeast, defineRule } from '../types';

export const rule = defineRule<DomainModel>()({
  id: 'sev-qemu-version',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  summary: "The target QEMU (--qemu) is too old for the domain: SEV-SNP needs QEMU 9.1, a kernelHashes attribute QEMU 6.2.",
  messages: {
    snp: "type='sev-snp' needs QEMU 9.1 or later, but the target QEMU is {qemu}; libvirt refuses the domain ('sev-snp' launch security is not supported with this QEMU binary).",
    kernelHashes:
      "kernelHashes='{value}' needs QEMU 6.2 or later, but the target QEMU is {qemu}; libvirt refuses the domain (SEV measured direct kernel boot is not supported with this QEMU binary).",
    kernelHashesNo:
      "kernelHashes='no' needs QEMU 6.2 or later like 'yes' does, but the target QEMU is {qemu}; libvirt refuses the domain (SEV measured direct kernel boot is not supported with this QEMU binary). Remove it: 'no' is the default.",
  },
  check(model, ctx, report) {
    const sev = model.sev;
    const qemu = ctx.qemu;
    if (!sev || !qemu) return;
    const data = { qemu: formatVersion(qemu) };
    if (sev.snp) {
      if (!atLeast(qemu, 9, 1)) report({ messageId: 'snp', data, span: attr(sev.element, 'type')?.span ?? sev.element.startTag });
      return;
    }
    // libvirt checks the capability for any kernelHashes, 'no' included (a tristate that is not absent).
    const kernelHashes = attr(sev.element, 'kernelHashes');
    if (!kernelHashes || atLeast(qemu, 6, 2)) return;
    if (kernelHashes.value === 'no') {
      report({
        messageId: 'kernelHashesNo',
        data,
        span: kernelHashes.span,
        // Safe unseen: 'no' is QEMU's default, so the guest is measured and started as before.
        fixes: [{ title: "Remove kernelHashes='no' (the default)", edits: [removeAttribute(model.doc, sev.element, 'kernelHashes')!], preferred: true }],
      });
    } else if (kernelHashes.value === 'yes') {
      report({ messageId: 'kernelHashes', data: { ...data, value: kernelHashes.value }, span: kernelHashes.span });
    }
  },
});
