import type { KataModel } from '../../kata/model';
import type { TomlEntry } from '../../toml/parse';
import { defineRule } from '../types';

/** The hypervisor drivers of Kata that never start a confidential guest (they do not read these keys at all). */
const NO_CONFIDENTIAL = new Set(['firecracker', 'dragonball', 'stratovirt']);
/** The keys that ask for a confidential (SEV-SNP) guest. */
const KEYS = ['confidential_guest', 'sev_snp_guest'] as const;
/** The SEV-SNP launch parameters, which only the QEMU driver passes on. */
const SNP_KEYS = ['snp_guest_policy', 'snp_id_block', 'snp_id_auth'] as const;

export const rule = defineRule<KataModel>()({
  id: 'kata-snp-hypervisor',
  target: 'kata-toml',
  severity: 'error',
  summary: 'Only [hypervisor.qemu] starts SEV-SNP guests: Cloud Hypervisor refuses SEV-SNP, and Firecracker, Dragonball and StratoVirt ignore the confidential keys.',
  messages: {
    clh: "sev_snp_guest = true in [hypervisor.clh]: upstream Kata's Cloud Hypervisor driver does not read sev_snp_guest, supports only Intel TDX as a confidential guest and refuses an SEV-SNP host (Go runtime: SEV-SNP protection is not supported by Cloud Hypervisor; runtime-rs accepts only TDX). Use [hypervisor.qemu] for SEV-SNP; some Cloud Hypervisor builds of other projects (IGVM-based) differ.",
    ignored:
      "{key} = true in [hypervisor.{hypervisor}]: Kata's {hypervisor} driver does not read {key} and never starts a confidential guest, so this guest runs without memory encryption. Use [hypervisor.qemu] for SEV-SNP.",
    snpKey: '{key} in [hypervisor.{hypervisor}] is ignored: only Kata\'s QEMU driver passes the SEV-SNP launch parameters on. Use [hypervisor.qemu] for SEV-SNP.',
  },
  check(model, _ctx, report) {
    const hypervisors = model.doc.value['hypervisor'];
    if (typeof hypervisors !== 'object' || hypervisors === null) return;
    for (const name of Object.keys(hypervisors)) {
      if (name === 'clh' || NO_CONFIDENTIAL.has(name)) {
        for (const key of SNP_KEYS) {
          const entry = model.entry('hypervisor', name, key);
          if (entry && entry.placeholder === undefined) report({ messageId: 'snpKey', severity: 'warning', data: { key, hypervisor: name }, span: entry.keySpan });
        }
      }
      if (name === 'clh') {
        const snp = trueEntry(model, name, 'sev_snp_guest');
        if (snp) report({ messageId: 'clh', span: snp.span });
        continue;
      }
      if (!NO_CONFIDENTIAL.has(name)) continue;
      for (const key of KEYS) {
        const entry = trueEntry(model, name, key);
        if (entry) report({ messageId: 'ignored', severity: 'warning', data: { key, hypervisor: name }, span: entry.span });
      }
    }
  },
});

/** `[hypervisor.<name>] key = true`, written literally (a template placeholder is not judged). */
function trueEntry(model: KataModel, name: string, key: string): TomlEntry | undefined {
  const entry = model.entry('hypervisor', name, key);
  return entry && entry.placeholder === undefined && entry.value === true ? entry : undefined;
}
