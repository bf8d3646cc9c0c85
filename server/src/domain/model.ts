import type { XmlAttribute, XmlDocument, XmlElement } from '../xml/model';
import { attr, attrValue, child, textContent } from '../xml/model';
import { documentOrder, styleOf, type DocStyle } from '../xml/edit';
import { isSevEs, readPolicy, type PolicyReading } from '../policy';

/**
 * What the SEV rules know about a libvirt domain. The parts every rule needs
 * are read once when the model is built; the rest (the element index, the
 * style fixes write in) is computed on first use from one walk of the tree and
 * shared by all rules.
 */
export interface DomainModel {
  readonly doc: XmlDocument;
  readonly text: string;
  readonly root: XmlElement;
  /** How the file is written; computed on first use (only fixes need it). */
  readonly style: DocStyle;
  /** `<domain><devices>`. */
  readonly devices: XmlElement | undefined;
  /** `<domain><os>`. */
  readonly os: XmlElement | undefined;
  readonly machine: Machine;
  /** Present when the domain has a `<launchSecurity>` of type sev or sev-snp. */
  readonly sev: SevInfo | undefined;
}

export interface Machine {
  /** `<os><type>`. */
  readonly typeElement: XmlElement | undefined;
  /** The `machine` attribute of `<os><type>`. */
  readonly attribute: XmlAttribute | undefined;
  /** The machine as written, undefined when not given (QEMU's default `pc`). */
  readonly name: string | undefined;
  readonly isI440fx: boolean;
  readonly isQ35: boolean;
}

export type SevType = 'sev' | 'sev-snp';

export interface SevInfo {
  /** The first `<launchSecurity>` (the one libvirt reads). */
  readonly element: XmlElement;
  readonly type: SevType;
  readonly policyElement: XmlElement | undefined;
  /** Present when `<policy>` is. */
  readonly policy: PolicyReading | undefined;
  /** type sev with policy bit 0x4. */
  readonly es: boolean;
  readonly snp: boolean;
  /** Every `<launchSecurity>` child of `<domain>`. */
  readonly all: readonly XmlElement[];
  /** What to call the guest in messages: SEV, SEV-ES or SEV-SNP. */
  readonly label: 'SEV' | 'SEV-ES' | 'SEV-SNP';
}

/** True when the document is a libvirt domain: the root element is `<domain>`. */
export function isDomain(doc: XmlDocument): boolean {
  return doc.root.name === 'domain';
}

export function buildDomainModel(doc: XmlDocument): DomainModel {
  const root = doc.root;
  const os = child(root, 'os');
  let style: DocStyle | undefined;
  return {
    doc,
    text: doc.text,
    root,
    get style() {
      return (style ??= styleOf(doc.text, documentOrder(root)));
    },
    devices: child(root, 'devices'),
    os,
    machine: readMachine(os),
    sev: readSev(doc.text, root),
  };
}

function readMachine(os: XmlElement | undefined): Machine {
  const typeElement = os ? child(os, 'type') : undefined;
  const attribute = typeElement ? attr(typeElement, 'machine') : undefined;
  const name = attribute?.value.trim() || undefined;
  return {
    typeElement,
    attribute,
    name,
    isI440fx: name === undefined || name === 'pc' || name.startsWith('pc-i440fx') || /^pc-\d/.test(name),
    isQ35: name !== undefined && (name === 'q35' || name.startsWith('pc-q35')),
  };
}

function readSev(text: string, root: XmlElement): SevInfo | undefined {
  const all = root.children.filter((c) => c.name === 'launchSecurity');
  const element = all[0];
  if (!element) return undefined;
  const type = attrValue(element, 'type');
  if (type !== 'sev' && type !== 'sev-snp') return undefined;
  const policyElement = child(element, 'policy');
  const policy = policyElement ? readPolicy(textContent(text, policyElement), type) : undefined;
  const es = type === 'sev' && isSevEs(policy?.value);
  return {
    element,
    type,
    policyElement,
    policy,
    es,
    snp: type === 'sev-snp',
    all,
    label: type === 'sev-snp' ? 'SEV-SNP' : es ? 'SEV-ES' : 'SEV',
  };
}
