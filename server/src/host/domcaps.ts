/**
 * libvirt domain capabilities (`virsh domcapabilities` output) as the host
 * rules need them. Pure: the text comes in with its name (the file it was
 * read from, or the live query), nothing is read here.
 *
 * Parsed with the project's tolerant XML parser: a file with well-formedness
 * errors is reported once (`host-capabilities`), never half-read.
 */
import { attrValue, child, childrenNamed, textContent, type XmlElement } from '../xml/model';
import { parseXmlTolerant } from '../xml/parse';

/** Capabilities as handed to the linter: the text and what to call it in messages. */
export interface CapabilitiesSource {
  /** The file as the user named it (`caps.xml`, `/etc/sev/host1.xml`), or `virsh domcapabilities …` for a live query. */
  readonly name: string;
  readonly text: string;
  /** The file could not be read, and why (the language server passes it on, so the finding can say so). */
  readonly unreadable?: string;
}

export interface HostSev {
  readonly supported: boolean;
  readonly cbitpos: number | undefined;
  readonly reducedPhysBits: number | undefined;
  /** `<maxGuests>`: SEV guests the host can run at once (ASIDs for plain SEV). */
  readonly maxGuests: number | undefined;
  /** `<maxESGuests>`: SEV-ES and SEV-SNP guests at once; absent when the host has no SEV-ES. */
  readonly maxESGuests: number | undefined;
}

export interface DomainCapabilities {
  readonly name: string;
  /** `<path>`: the emulator. */
  readonly path: string | undefined;
  /** `<domain>`: the virtualization type (kvm, qemu). */
  readonly virtType: string | undefined;
  /** `<machine>`: the canonical machine type the capabilities were asked for. */
  readonly machine: string | undefined;
  readonly arch: string | undefined;
  /** `<os><enum name='firmware'>` values; undefined when the element is absent (old libvirt). */
  readonly firmware: readonly string[] | undefined;
  /** `<os><loader><value>` paths; undefined when the host lists none. */
  readonly loaders: readonly string[] | undefined;
  /** `<features><sev>`; undefined when the element is absent. */
  readonly sev: HostSev | undefined;
  /**
   * `<features><launchSecurity><enum name='sectype'>` values (libvirt 10.5
   * and later); without that element, `['sev']` when `<sev supported='yes'>`.
   */
  readonly sectypes: readonly string[];
  /** The sectypes came from `<launchSecurity>` rather than being inferred from `<sev>`. */
  readonly sectypesListed: boolean;
}

export type CapabilitiesParse =
  | { readonly ok: true; readonly caps: DomainCapabilities }
  | { readonly ok: false; readonly name: string; readonly reason: string };

function values(el: XmlElement | undefined, text: string): string[] {
  return el ? childrenNamed(el, 'value').map((v) => textContent(text, v).trim()) : [];
}

function enumNamed(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === 'enum' && attrValue(c, 'name') === name);
}

function uint(el: XmlElement | undefined, text: string): number | undefined {
  if (!el) return undefined;
  const s = textContent(text, el).trim();
  return /^\d{1,10}$/.test(s) ? Number(s) : undefined;
}

function childText(el: XmlElement, name: string, text: string): string | undefined {
  const c = child(el, name);
  const s = c ? textContent(text, c).trim() : '';
  return s === '' ? undefined : s;
}

/** Reads `virsh domcapabilities` output; a text that is not well-formed or not `<domainCapabilities>` gives the reason. */
export function parseDomainCapabilities(source: CapabilitiesSource): CapabilitiesParse {
  const { name, text } = source;
  if (source.unreadable !== undefined) return { ok: false, name, reason: source.unreadable };
  const parsed = parseXmlTolerant(text);
  const first = parsed.errors[0];
  if (first) return { ok: false, name, reason: `it is not well-formed XML (${first.message})` };
  const root = parsed.document.root;
  if (!root) return { ok: false, name, reason: 'it has no root element' };
  if (root.name !== 'domainCapabilities') {
    return { ok: false, name, reason: `its root element is <${root.name}>, not <domainCapabilities> (the output of virsh domcapabilities)` };
  }
  const os = child(root, 'os');
  const loader = os ? child(os, 'loader') : undefined;
  const loaderPaths = loader && attrValue(loader, 'supported') !== 'no' ? values(loader, text).filter((v) => v !== '') : [];
  const features = child(root, 'features');
  const sevEl = features ? child(features, 'sev') : undefined;
  const sev: HostSev | undefined = sevEl
    ? {
        supported: attrValue(sevEl, 'supported') === 'yes',
        cbitpos: uint(child(sevEl, 'cbitpos'), text),
        reducedPhysBits: uint(child(sevEl, 'reducedPhysBits'), text),
        maxGuests: uint(child(sevEl, 'maxGuests'), text),
        maxESGuests: uint(child(sevEl, 'maxESGuests'), text),
      }
    : undefined;
  const lsEl = features ? child(features, 'launchSecurity') : undefined;
  let sectypes: string[];
  if (lsEl) sectypes = attrValue(lsEl, 'supported') === 'yes' ? values(enumNamed(lsEl, 'sectype'), text) : [];
  else sectypes = sev?.supported ? ['sev'] : [];
  const firmwareEnum = enumNamed(os, 'firmware');
  return {
    ok: true,
    caps: {
      name,
      path: childText(root, 'path', text),
      virtType: childText(root, 'domain', text),
      machine: childText(root, 'machine', text),
      arch: childText(root, 'arch', text),
      firmware: firmwareEnum ? values(firmwareEnum, text) : undefined,
      loaders: loaderPaths.length > 0 ? loaderPaths : undefined,
      sev,
      sectypes,
      sectypesListed: lsEl !== undefined,
    },
  };
}

/** The machine family: `q35` for q35 and pc-q35-*, `i440fx` for pc, pc-i440fx-* and pc-N.N, else the name itself. */
export function machineFamily(machine: string | undefined): string {
  if (machine === undefined || machine === 'pc' || machine.startsWith('pc-i440fx') || /^pc-\d/.test(machine)) return 'i440fx';
  if (machine === 'q35' || machine.startsWith('pc-q35')) return 'q35';
  return machine;
}

/** What a domain says about the four values capabilities are asked for; undefined: not stated. */
export interface DomainTarget {
  readonly virtType: string | undefined;
  readonly arch: string | undefined;
  readonly machine: string | undefined;
  readonly emulator: string | undefined;
}

/**
 * The capabilities that describe a domain, as libvirt picks them for
 * `virsh domcapabilities --virttype --arch --machine --emulatorbin`: a
 * stated value must match (the machine exactly or as the canonical version
 * of its alias, else by family); a value the domain leaves out matches
 * anything. One set of capabilities applies to every domain. Undefined: none
 * matches.
 */
export function selectCapabilities(all: readonly DomainCapabilities[], target: DomainTarget): DomainCapabilities | undefined {
  if (all.length === 1) return all[0];
  const fits = (c: DomainCapabilities): boolean =>
    (target.virtType === undefined || c.virtType === undefined || c.virtType === target.virtType) &&
    (target.arch === undefined || c.arch === undefined || c.arch === target.arch) &&
    (target.emulator === undefined || c.path === undefined || c.path === target.emulator) &&
    (target.machine === undefined || c.machine === undefined || machineFamily(c.machine) === machineFamily(target.machine));
  const candidates = all.filter(fits);
  return candidates.find((c) => c.machine === target.machine) ?? candidates.find((c) => isAliasOf(target.machine, c.machine)) ?? candidates[0];
}

/** `q35` → any pc-q35-*, `pc` → any pc-i440fx-*. */
function isAliasOf(alias: string | undefined, machine: string | undefined): boolean {
  if (alias === undefined || machine === undefined) return false;
  return (alias === 'q35' && machine.startsWith('pc-q35-')) || (alias === 'pc' && machine.startsWith('pc-i440fx-'));
}

/** The slot count that limits a guest of this kind, with its element name. */
export function slotsFor(caps: DomainCapabilities, kind: 'sev' | 'sev-es' | 'sev-snp'): { readonly element: 'maxGuests' | 'maxESGuests'; readonly value: number | undefined } {
  return kind === 'sev' ? { element: 'maxGuests', value: caps.sev?.maxGuests } : { element: 'maxESGuests', value: caps.sev?.maxESGuests };
}

/** What the rules know about the host a domain is linted against (RuleContext.host). */
export interface HostContext {
  /** The capabilities that describe this domain; undefined when none of several does. */
  readonly caps: DomainCapabilities | undefined;
  /** The names of every set given, readable or not (for the message when none matches). */
  readonly names: readonly string[];
  /** Sets that could not be read, with the reason. */
  readonly unreadable: readonly { readonly name: string; readonly reason: string }[];
  /** The domain's own values, for messages. */
  readonly target: DomainTarget;
}

const MEMO_SIZE = 16;
const memo = new Map<string, CapabilitiesParse>();

/** {@link parseDomainCapabilities}, remembering the last few texts (the language server lints the same host on every keystroke). */
export function parseDomainCapabilitiesCached(source: CapabilitiesSource): CapabilitiesParse {
  const key = `${source.name}\u0000${source.unreadable ?? ''}\u0000${source.text}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const parsed = parseDomainCapabilities(source);
  if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!);
  memo.set(key, parsed);
  return parsed;
}

/** The host context of a domain from the capabilities given, or undefined when none is given. */
export function hostContext(sources: readonly CapabilitiesSource[] | undefined, target: DomainTarget): HostContext | undefined {
  if (!sources || sources.length === 0) return undefined;
  const parsed = sources.map(parseDomainCapabilitiesCached);
  const readable = parsed.flatMap((p) => (p.ok ? [p.caps] : []));
  const unreadable = parsed.flatMap((p) => (p.ok ? [] : [{ name: p.name, reason: p.reason }]));
  return { caps: readable.length > 0 ? selectCapabilities(readable, target) : undefined, names: sources.map((s) => s.name), unreadable, target };
}
