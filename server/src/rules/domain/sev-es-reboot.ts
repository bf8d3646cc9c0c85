import type { DomainModel } from '../../domain/model';
import { child, textContent } from '../../xml/model';
import { defineRule } from '../types';

export const rule = defineRule<DomainModel>()({
  id: 'sev-es-reboot',
  target: 'domain-xml',
  severity: 'information',
  summary: '<on_reboot>restart</on_reboot> does not restart a SEV-ES or SEV-SNP guest: its CPUs cannot be reset, so a reboot stops it.',
  messages: {
    restart:
      "<on_reboot>restart</on_reboot> has no effect for a {label} guest: its CPU state is encrypted and cannot be reset, so when the guest reboots QEMU logs 'cpus are not resettable, terminating' and exits, and libvirt sees the domain shut off, as with destroy. Restarting it is up to whoever manages the domain (start it again).",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev || !(sev.es || sev.snp)) return;
    const onReboot = child(model.root, 'on_reboot');
    if (!onReboot || textContent(model.text, onReboot).trim() !== 'restart') return;
    report({ messageId: 'restart', data: { label: sev.label }, span: onReboot.span });
  },
});
