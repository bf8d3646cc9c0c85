import type { DomainModel } from '../../domain/model';
import { defineRule } from '../types';

function show(v: string | undefined): string {
  return v ?? 'any';
}

export const rule = defineRule<DomainModel>()({
  id: 'host-capabilities',
  target: 'domain-xml',
  severity: 'warning',
  summary: 'The host capabilities given (--domcaps, sevlint.host.domainCapabilities) cannot be read, or none of them describes this domain.',
  messages: {
    invalid: 'Host capabilities {caps} cannot be used: {reason}. Give the output of virsh domcapabilities; no host check was made against this file.',
    unmatched:
      'None of the host capabilities given ({files}) describes this domain (virttype {virtType}, arch {arch}, machine {machine}, emulator {emulator}); no host check was made. Add the output of virsh domcapabilities for these values.',
  },
  check(model, ctx, report) {
    const host = ctx.host;
    if (!host) return;
    const span = model.root.nameSpan;
    for (const u of host.unreadable) report({ messageId: 'invalid', data: { caps: u.name, reason: u.reason }, span });
    if (host.caps || host.unreadable.length > 0 || !model.sev) return;
    const t = host.target;
    report({
      messageId: 'unmatched',
      data: { files: host.names.join(', '), virtType: show(t.virtType), arch: show(t.arch), machine: show(t.machine), emulator: show(t.emulator) },
      span,
    });
  },
});
