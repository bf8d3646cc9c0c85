import type { DomainModel } from '../../domain/model';
import { removeAttribute } from '../../xml/edit';
import { attr, child, textContent } from '../../xml/model';
import { defineRule } from '../types';

export const rule = defineRule<DomainModel>()({
  id: 'sev-kernel-hashes-without-kernel',
  target: 'domain-xml',
  severity: 'information',
  hasSuggestions: true,
  summary: "kernelHashes='yes' only has an effect with direct kernel boot (<os><kernel>).",
  messages: {
    noKernel:
      "kernelHashes='yes' has no effect: the domain has no <os><kernel>, and the kernel hashes are only measured into a {label} launch with direct kernel boot.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev) return;
    const kernelHashes = attr(sev.element, 'kernelHashes');
    if (kernelHashes?.value !== 'yes') return;
    const kernel = model.os ? child(model.os, 'kernel') : undefined;
    if (kernel && textContent(model.text, kernel).trim() !== '') return;
    report({
      messageId: 'noKernel',
      data: { label: sev.label },
      span: kernelHashes.span,
      // Not preferred: the kernel may be about to be added.
      fixes: [{ title: "Remove kernelHashes='yes'", edits: [removeAttribute(model.doc, sev.element, 'kernelHashes')!], preferred: false }],
    });
  },
});
