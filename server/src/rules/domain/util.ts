import type { XmlElement } from '../../xml/model';
import { attrValue, child } from '../../xml/model';

/** A short name for a device in messages: `disk 'vda'`, `controller 'virtio-serial'`, `interface`. */
export function describeDevice(el: XmlElement): string {
  if (el.name === 'disk') {
    const target = child(el, 'target');
    const dev = target ? attrValue(target, 'dev') : undefined;
    return dev ? `disk '${dev}'` : 'disk';
  }
  if (el.name === 'controller') return `controller '${attrValue(el, 'type') ?? '?'}'`;
  if (el.name === 'input') return `input '${attrValue(el, 'type') ?? '?'}'`;
  return el.name;
}
