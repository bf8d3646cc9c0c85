import type { DomainModel } from '../../domain/model';
import { defineRule } from '../types';
import { reportSmm } from './smm-util';

const NO_SMM = "KVM offers no SMM to {label} guests, so QEMU exits ('System Management Mode not supported by this hypervisor.')";

export const rule = defineRule<DomainModel>()({
  id: 'sev-es-smm',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  summary: "A SEV-ES guest cannot have SMM: no <smm state='on'/>, no Secure Boot loader or firmware feature.",
  messages: {
    smmOn: `SMM is enabled, but ${NO_SMM}. Set state='off'.`,
    smmDefault: `<smm/> without state enables SMM, but ${NO_SMM}. Use <smm state='off'/>.`,
    secure: `<loader secure='yes'> asks for Secure Boot, which needs SMM (libvirt: 'Secure boot requires SMM feature enabled'), but ${NO_SMM}. Remove secure='yes'.`,
    secureFeature:
      "The firmware feature '{feature}' asks for a Secure Boot firmware, and every one needs SMM, which {label} guests cannot have: libvirt finds no firmware ('Unable to find 'efi' firmware that is compatible with the current configuration'). Remove it.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    // SEV-SNP: snp-smm.
    if (!sev?.es) return;
    reportSmm(model, sev.label, report);
  },
});
