import type { DomainModel } from '../../domain/model';
import { removeElement, replaceContent } from '../../xml/edit';
import { child, textContent } from '../../xml/model';
import { defineRule, type Fix } from '../types';
import { readLibvirtUInt } from './launch-security-util';

/** C-bit of EPYC 7001 Naples, 3001 and 7002 Rome. */
const CBITPOS_NAPLES_ROME = 47;
/** C-bit of EPYC 7003 Milan and 9004 Genoa, the SEV-SNP generations. */
const CBITPOS_MILAN_GENOA = 51;

export const rule = defineRule<DomainModel>()({
  id: 'sev-cbitpos-host',
  target: 'domain-xml',
  severity: 'warning',
  hasSuggestions: true,
  summary: '<cbitpos> must equal the host C-bit: 47 on EPYC Naples/Rome, 51 on Milan/Genoa (the only SEV-SNP hosts).',
  messages: {
    unknown:
      "cbitpos {value} matches no AMD EPYC host (47 on Naples and Rome, 51 on Milan and Genoa); QEMU refuses to start unless it equals the host's C-bit: cbitpos check failed, host 'N' requested '{value}'. Remove <cbitpos> and libvirt fills in the host value.",
    snpRome:
      "cbitpos 47 is the C-bit of EPYC Naples and Rome, which have no SEV-SNP; SEV-SNP hosts (Milan and later) report 51 and QEMU fails with: cbitpos check failed, host '51' requested '47'.",
  },
  check(model, ctx, report) {
    // With the host's capabilities known, host-sev-platform (and host-sev-unsupported) judge cbitpos instead of this guess.
    if (ctx.host?.caps) return;
    const sev = model.sev;
    const el = sev && child(sev.element, 'cbitpos');
    if (!sev || !el) return;
    const reading = readLibvirtUInt(textContent(model.text, el));
    if (reading.kind !== 'ok') return;
    const snpRome = sev.snp && reading.value === CBITPOS_NAPLES_ROME;
    if (!snpRome && (reading.value === CBITPOS_NAPLES_ROME || reading.value === CBITPOS_MILAN_GENOA)) return;
    const fixes: Fix[] = [{ title: 'Remove <cbitpos> (libvirt 6.9 and later fill in the host value)', edits: [removeElement(model.doc, el)], preferred: false }];
    const set51 = snpRome ? replaceContent(el, String(CBITPOS_MILAN_GENOA)) : undefined;
    if (set51) fixes.push({ title: 'Set cbitpos to 51 (EPYC Milan and later)', edits: [set51], preferred: false });
    report({ messageId: snpRome ? 'snpRome' : 'unknown', data: { value: reading.value }, span: el.span, fixes });
  },
});
