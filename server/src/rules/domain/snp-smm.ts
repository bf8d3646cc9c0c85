import type { DomainModel } from '../../domain/model';
import { defineRule } from '../types';
import { reportSmm } from './smm-util';

export const rule = defineRule<DomainModel>()({
  id: 'snp-smm',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  summary: "A SEV-SNP guest cannot have SMM: no <smm state='on'/>, no Secure Boot loader or firmware feature.",
  messages: {
    smmOn: "SMM is enabled, but QEMU refuses it for {label} guests ('SEV-SNP does not support SMM.'). Set state='off'.",
    smmDefault:
      "<smm/> without state enables SMM, but QEMU refuses it for {label} guests ('SEV-SNP does not support SMM.'). Use <smm state='off'/>.",
    secure:
      "<loader secure='yes'> asks for Secure Boot, which needs SMM ('Secure boot requires SMM feature enabled'), but QEMU refuses SMM for {label} guests ('SEV-SNP does not support SMM.'). Remove secure='yes'.",
    secureFeature:
      "The firmware feature '{feature}' asks for a Secure Boot firmware, and every one needs SMM, which {label} guests cannot have: libvirt finds no firmware ('Unable to find 'efi' firmware that is compatible with the current configuration'). Remove it.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev?.snp) return;
    reportSmm(model, sev.label, report);
  },
});
