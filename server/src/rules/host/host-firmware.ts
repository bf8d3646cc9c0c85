import type { DomainModel } from '../../domain/model';
import { attr, child, textContent } from '../../xml/model';
import { defineRule } from '../types';
import { hostOffers, sevOnHost } from './util';

/** At most this many host values are named in a message. */
const SHOWN = 4;

function list(values: readonly string[]): string {
  const shown = values.slice(0, SHOWN).join(', ');
  return values.length > SHOWN ? `${shown} and ${values.length - SHOWN} more` : shown;
}

export const rule = defineRule<DomainModel>()({
  id: 'host-firmware',
  target: 'domain-xml',
  severity: 'warning',
  summary: "The domain's firmware must be one the host has: the <loader> among its loader paths, firmware='efi' only when it offers efi.",
  messages: {
    loader: 'The loader {path} is not among the firmware images the host capabilities ({caps}) list: {loaders}. On that host the file may not exist, or be another build.',
    noEfi:
      "firmware='efi' asks libvirt to pick a UEFI build, but the host capabilities ({caps}) offer firmware {offered} and no efi: libvirt fails with: Unable to find 'efi' firmware that is compatible with the current configuration.",
  },
  check(model, ctx, report) {
    const on = sevOnHost(model, ctx.host);
    const os = model.os;
    if (!on || !os || !hostOffers(on.caps, on.sev)) return;
    const { caps } = on;
    const firmware = attr(os, 'firmware');
    if (firmware?.value === 'efi' && caps.firmware && !caps.firmware.includes('efi')) {
      report({ messageId: 'noEfi', severity: 'error', data: { caps: caps.name, offered: caps.firmware.length > 0 ? list(caps.firmware) : 'none' }, span: firmware.span });
    }
    const loader = child(os, 'loader');
    const path = loader ? textContent(model.text, loader).trim() : '';
    if (loader && path !== '' && caps.loaders && !caps.loaders.includes(path)) {
      report({ messageId: 'loader', data: { path, caps: caps.name, loaders: list(caps.loaders) }, span: loader.span });
    }
  },
});
