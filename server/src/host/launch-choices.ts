/**
 * What "Insert SEV launchSecurity" offers on a known host: only the kinds the
 * host can start, SEV-ES first when it has SEV-ES slots (virt-install's
 * default policy is then 0x07), and the host's cbitpos / reducedPhysBits.
 * Pure; the capabilities come from the language server's settings or from
 * `virsh domcapabilities` run by the editor.
 */
import { buildDomainModel, isDomain } from '../domain/model';
import type { LaunchSecurityKind } from '../features/launch-security';
import { domainTarget } from '../rules/host/util';
import { parseXmlTolerant } from '../xml/parse';
import { hostContext, type CapabilitiesSource, type DomainCapabilities } from './domcaps';

export interface HostLaunchChoices {
  /** The capabilities file or query the choices come from, for the UI. */
  readonly source: string;
  /** The kinds the host can start, the default first; empty: none. */
  readonly kinds: readonly LaunchSecurityKind[];
  readonly cbitpos: number | undefined;
  readonly reducedPhysBits: number | undefined;
}

export function launchChoices(caps: DomainCapabilities): HostLaunchChoices {
  const sev = caps.sev;
  const supported = sev?.supported === true;
  const esSlots = supported && (sev.maxESGuests ?? 0) > 0;
  const kinds: LaunchSecurityKind[] = [];
  if (supported && caps.sectypes.includes('sev')) {
    if (esSlots) kinds.push('sev-es');
    // A host whose ASIDs all went to SEV-ES reports maxGuests 0: no plain SEV guest starts there.
    if (sev.maxGuests !== 0) kinds.push('sev');
  }
  if (supported && caps.sectypes.includes('sev-snp') && sev.maxESGuests !== 0) kinds.push('sev-snp');
  return { source: caps.name, kinds, cbitpos: supported ? sev.cbitpos : undefined, reducedPhysBits: supported ? sev.reducedPhysBits : undefined };
}

/**
 * The choices for the document `text` (its emulator, arch, machine and virt
 * type pick the capabilities, as for the host rules); undefined when no
 * readable capabilities are given.
 */
export function launchChoicesFor(text: string, sources: readonly CapabilitiesSource[]): HostLaunchChoices | undefined {
  if (sources.length === 0) return undefined;
  const parsed = parseXmlTolerant(text);
  const root = parsed.document.root;
  let caps: DomainCapabilities | undefined;
  if (root && isDomain({ ...parsed.document, root })) {
    caps = hostContext(sources, domainTarget(buildDomainModel({ ...parsed.document, root })))?.caps;
  } else {
    caps = hostContext(sources, { virtType: undefined, arch: undefined, machine: undefined, emulator: undefined })?.caps;
  }
  return caps ? launchChoices(caps) : undefined;
}
