import type { DomainModel } from '../../domain/model';
import { attr } from '../../xml/model';
import { defineRule } from '../types';
import { sevOnHost } from './util';

export const rule = defineRule<DomainModel>()({
  id: 'host-sev-unsupported',
  target: 'domain-xml',
  severity: 'error',
  summary: "The host capabilities offer no launch security of the domain's type (<sev supported='no'>, or no such sectype).",
  messages: {
    noSev:
      "The host cannot start {label} guests: its capabilities ({caps}) report <sev supported='no'>. libvirt refuses the domain: '{type}' launch security is not supported with this QEMU binary.",
    noType:
      "The host cannot start {label} guests: its capabilities ({caps}) offer launch security type {offered}, not '{type}'. libvirt refuses the domain: '{type}' launch security is not supported with this QEMU binary.",
  },
  check(model, ctx, report) {
    const on = sevOnHost(model, ctx.host);
    if (!on) return;
    const { sev, caps } = on;
    if (caps.sectypes.includes(sev.type) && caps.sev?.supported !== false) return;
    const span = attr(sev.element, 'type')?.span ?? sev.element.nameSpan;
    const data = { label: sev.label, type: sev.type, caps: caps.name };
    if (caps.sectypes.length === 0 || caps.sev?.supported === false) report({ messageId: 'noSev', data, span });
    else report({ messageId: 'noType', data: { ...data, offered: caps.sectypes.map((t) => `'${t}'`).join(', ') }, span });
  },
});
