import type { DomainModel } from '../../domain/model';
import type { Fix, Report } from '../types';
import { removeAttribute, removeElement, render, setAttribute, type TextEdit } from '../../xml/edit';
import { attr, attrValue, child, childrenNamed, type XmlElement } from '../../xml/model';

/**
 * What asks for System Management Mode, which SEV-ES and SEV-SNP guests
 * cannot have: `<smm/>` or `<smm state='on'/>`, a Secure Boot loader
 * (`<loader secure='yes'>`, libvirt: "Secure boot requires SMM feature
 * enabled"), and the firmware features `secure-boot` / `enrolled-keys`
 * (every firmware descriptor with Secure Boot requires SMM).
 */
export interface SmmRequests {
  readonly smm: XmlElement | undefined;
  /** The `state` attribute of an `<smm>` that is on; undefined for a bare `<smm/>`. */
  readonly state: ReturnType<typeof attr>;
  readonly secureLoader: XmlElement | undefined;
  /** `<os><firmware>`, when it enables Secure Boot. */
  readonly firmware: XmlElement | undefined;
  /** Its `<feature enabled='yes'>` named `secure-boot` or `enrolled-keys`. */
  readonly secureFeatures: readonly XmlElement[];
}

const SECURE_FEATURES = new Set(['secure-boot', 'enrolled-keys']);

export function smmRequests(model: DomainModel): SmmRequests | undefined {
  const features = child(model.root, 'features');
  const smmEl = features ? child(features, 'smm') : undefined;
  const state = smmEl ? attr(smmEl, 'state') : undefined;
  const smm = smmEl && (!state || state.value === 'on') ? smmEl : undefined;
  const loader = model.os ? child(model.os, 'loader') : undefined;
  const secureLoader = loader && attrValue(loader, 'secure') === 'yes' ? loader : undefined;
  const fw = model.os ? child(model.os, 'firmware') : undefined;
  const secureFeatures = fw ? childrenNamed(fw, 'feature').filter((f) => attrValue(f, 'enabled') === 'yes' && SECURE_FEATURES.has(attrValue(f, 'name') ?? '')) : [];
  if (!smm && !secureLoader && secureFeatures.length === 0) return undefined;
  return { smm, state: smm ? state : undefined, secureLoader, firmware: secureFeatures.length > 0 ? fw : undefined, secureFeatures };
}

/**
 * Everything off at once: SMM off, no `secure='yes'`, no Secure Boot firmware
 * features (the whole `<firmware>` when nothing else is in it). One fix for
 * all findings: turning SMM off while Secure Boot stays on only swaps QEMU's
 * error for libvirt's.
 */
export function smmOffEdits(model: DomainModel, r: SmmRequests): { edits: TextEdit[]; parts: string[] } {
  const edits: TextEdit[] = [];
  const parts: string[] = [];
  if (r.smm) {
    edits.push(smmOff(model, r.smm));
    parts.push("set <smm state='off'/>");
  }
  if (r.secureLoader) {
    edits.push(removeAttribute(model.doc, r.secureLoader, 'secure')!);
    parts.push("remove secure='yes' from <loader>");
  }
  if (r.firmware) {
    const others = r.firmware.children.filter((c) => !r.secureFeatures.includes(c));
    if (others.length === 0) edits.push(removeElement(model.doc, r.firmware));
    else for (const f of r.secureFeatures) edits.push(removeElement(model.doc, f));
    parts.push(`remove the ${r.secureFeatures.map((f) => attrValue(f, 'name')).join(' and ')} firmware feature${r.secureFeatures.length > 1 ? 's' : ''}`);
  }
  return { edits, parts };
}

/** `<tseg>` only means something while SMM is on, so a disabled `<smm>` is written without it. */
function smmOff(model: DomainModel, smm: XmlElement): TextEdit {
  if (smm.children.length === 0) return setAttribute(model.style, smm, 'state', 'off');
  return { ...smm.span, newText: render("<smm state='off'/>", '', model.style) };
}

/** The message ids of a rule that reports SMM requests (sev-es-smm, snp-smm). */
export type SmmMessageId = 'smmOn' | 'smmDefault' | 'secure' | 'secureFeature';

/** Reports every SMM request of the domain, each with the one fix that turns them all off. */
export function reportSmm(model: DomainModel, label: string, report: (r: Report<SmmMessageId>) => void): void {
  const r = smmRequests(model);
  if (!r) return;
  const { edits, parts } = smmOffEdits(model, r);
  const fixes: Fix[] = [{ title: `Disable SMM: ${parts.join(' and ')}`, edits, preferred: true }];
  const data = { label };
  if (r.smm) report({ messageId: r.state ? 'smmOn' : 'smmDefault', data, span: r.state?.span ?? r.smm.startTag, fixes });
  const secure = r.secureLoader ? attr(r.secureLoader, 'secure') : undefined;
  if (secure) report({ messageId: 'secure', data, span: secure.span, fixes });
  for (const f of r.secureFeatures) report({ messageId: 'secureFeature', data: { ...data, feature: attr(f, 'name')?.value ?? '' }, span: f.span, fixes });
}
