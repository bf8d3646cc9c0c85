import type { DomainModel, SevInfo } from '../../domain/model';
import type { DomainCapabilities, DomainTarget, HostContext } from '../../host/domcaps';
import { attrValue, child, textContent } from '../../xml/model';

/** The four values a domain's capabilities are matched by, as the domain states them. */
export function domainTarget(model: DomainModel): DomainTarget {
  const typeEl = model.machine.typeElement;
  const emulatorEl = model.devices ? child(model.devices, 'emulator') : undefined;
  const emulator = emulatorEl ? textContent(model.text, emulatorEl).trim() : '';
  return {
    virtType: attrValue(model.root, 'type')?.trim() || undefined,
    arch: (typeEl && attrValue(typeEl, 'arch')?.trim()) || undefined,
    machine: model.machine.name,
    emulator: emulator === '' ? undefined : emulator,
  };
}

/** An SEV domain and the capabilities that describe it: what every host rule but host-capabilities starts from. */
export function sevOnHost(model: DomainModel, host: HostContext | undefined): { readonly sev: SevInfo; readonly caps: DomainCapabilities } | undefined {
  const sev = model.sev;
  const caps = host?.caps;
  return sev && caps ? { sev, caps } : undefined;
}

/** The guest kind that decides which slots it takes. */
export function guestKind(sev: SevInfo): 'sev' | 'sev-es' | 'sev-snp' {
  return sev.snp ? 'sev-snp' : sev.es ? 'sev-es' : 'sev';
}

/** The host can start this type at all (sev-unsupported covers it otherwise). */
export function hostOffers(caps: DomainCapabilities, sev: SevInfo): boolean {
  return caps.sectypes.includes(sev.type) && caps.sev?.supported !== false;
}
