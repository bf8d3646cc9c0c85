import type { XmlAttribute, XmlElement } from '../xml/model';
import { attr, attrValue, child } from '../xml/model';
import type { DomainModel } from './model';

/**
 * The virtio devices of a domain: the elements whose `<driver>` accepts
 * `iommu` (libvirt's `virtioOptions`), and where their virtio model is written.
 *
 * Source: libvirt domaincommon.rng (`virtioOptions` references) and
 * formatdomain "Virtio-related options".
 */
export interface VirtioDevice {
  readonly element: XmlElement;
  /** The `<driver>` child, when there is one. */
  readonly driver: XmlElement | undefined;
  /** The model: `virtio`, `virtio-transitional` or `virtio-non-transitional`. */
  readonly model: string;
  /** The attribute holding the model, undefined when the model is libvirt's default. */
  readonly modelAttribute: XmlAttribute | undefined;
  /** Where a model attribute is set: the element itself, or `<model>` for interface and video. */
  readonly modelHost: XmlElement;
  readonly modelAttributeName: 'model' | 'type';
  /** libvirt accepts `virtio-non-transitional` for this device. */
  readonly hasNonTransitional: boolean;
}

const VIRTIO_MODELS = new Set(['virtio', 'virtio-transitional', 'virtio-non-transitional']);

/** Device elements under `<devices>` that can be virtio. */
const CANDIDATES = ['disk', 'controller', 'interface', 'filesystem', 'input', 'video', 'sound', 'memballoon', 'rng', 'vsock', 'crypto'];

const CANDIDATE_NAMES: ReadonlySet<string> = new Set(CANDIDATES);

/** Computed once per model: three rules walk the same list. */
const cache = new WeakMap<DomainModel, readonly VirtioDevice[]>();

export function virtioDevices(model: DomainModel): readonly VirtioDevice[] {
  const cached = cache.get(model);
  if (cached) return cached;
  const out: VirtioDevice[] = [];
  for (const el of model.devices?.children ?? []) {
    if (!CANDIDATE_NAMES.has(el.name)) continue;
    const d = classify(el);
    if (d) out.push(d);
  }
  cache.set(model, out);
  return out;
}

/**
 * The bus of a `<disk>` as libvirt settles it: the `bus` of `<target>`, else
 * `fdc` for a floppy and, from the target name, `ide` (`hd…`), `scsi`
 * (`sd…`), `virtio` (`vd…`), `xen` (`xvd…`), `uml` (`ubd…`), or `ide`.
 *
 * Source: libvirt `src/conf/domain_postparse.c` (`virDomainDiskDefPostParse`).
 */
export function diskBus(disk: XmlElement): string {
  const target = child(disk, 'target');
  const bus = target ? attrValue(target, 'bus') : undefined;
  if (bus !== undefined) return bus;
  if (attrValue(disk, 'device') === 'floppy') return 'fdc';
  const dev = (target ? attrValue(target, 'dev') : undefined) ?? '';
  for (const [prefix, name] of DISK_PREFIXES) if (dev.startsWith(prefix)) return name;
  return 'ide';
}

const DISK_PREFIXES: readonly (readonly [string, string])[] = [
  ['hd', 'ide'],
  ['sd', 'scsi'],
  ['vd', 'virtio'],
  ['xvd', 'xen'],
  ['ubd', 'uml'],
];

function onElement(el: XmlElement, implicitDefault: boolean, hasNonTransitional = true): VirtioDevice | undefined {
  const a = attr(el, 'model');
  const value = a?.value ?? (implicitDefault ? 'virtio' : undefined);
  if (value === undefined || !VIRTIO_MODELS.has(value)) return undefined;
  return { element: el, driver: child(el, 'driver'), model: value, modelAttribute: a, modelHost: el, modelAttributeName: 'model', hasNonTransitional };
}

function onModelChild(el: XmlElement, hasNonTransitional: boolean): VirtioDevice | undefined {
  const m = child(el, 'model');
  const a = m ? attr(m, 'type') : undefined;
  if (!m || !a || !VIRTIO_MODELS.has(a.value)) return undefined;
  return { element: el, driver: child(el, 'driver'), model: a.value, modelAttribute: a, modelHost: m, modelAttributeName: 'type', hasNonTransitional };
}

function classify(el: XmlElement): VirtioDevice | undefined {
  switch (el.name) {
    case 'disk':
      return diskBus(el) === 'virtio' ? onElement(el, true) : undefined;
    case 'controller': {
      const type = attrValue(el, 'type');
      if (type === 'virtio-serial') return onElement(el, true);
      if (type === 'scsi') {
        const m = attrValue(el, 'model');
        if (m === 'virtio-scsi') {
          return { element: el, driver: child(el, 'driver'), model: 'virtio', modelAttribute: attr(el, 'model'), modelHost: el, modelAttributeName: 'model', hasNonTransitional: true };
        }
        return m && VIRTIO_MODELS.has(m) ? onElement(el, false) : undefined;
      }
      return undefined;
    }
    case 'interface':
      return onModelChild(el, true);
    case 'video':
      return onModelChild(el, false);
    case 'filesystem': {
      // <driver type='mtp'> is a USB MTP device, not virtio; virtiofs (vhost-user-fs) is virtio
      // but takes no model ("virtiofs does not support model"); the others are virtio-9p.
      const driverType = attrValue(child(el, 'driver') ?? el, 'type');
      if (driverType === 'mtp') return undefined;
      return onElement(el, true, driverType !== 'virtiofs');
    }
    case 'input':
      return attrValue(el, 'bus') === 'virtio' ? onElement(el, true) : undefined;
    case 'sound':
      return attrValue(el, 'model') === 'virtio' ? onElement(el, false, false) : undefined;
    case 'memballoon':
    case 'rng':
      return onElement(el, false);
    case 'vsock':
      return onElement(el, true);
    case 'crypto':
      return onElement(el, false, false);
    default:
      return undefined;
  }
}
