import type { DomainModel } from '../../domain/model';
import { diskBus } from '../../domain/virtio';
import { removeAttribute, removeElement, type TextEdit } from '../../xml/edit';
import { attr, attrValue, child, type XmlAttribute, type XmlElement } from '../../xml/model';
import { defineRule } from '../types';
import { describeDevice } from './util';

/**
 * libvirt's virtio options, in the order `virDomainCheckVirtioOptionsAreAbsent`
 * checks them, with the error it reports for each.
 */
const VIRTIO_OPTIONS: readonly (readonly [string, string])[] = [
  ['iommu', 'iommu driver option is only supported for virtio devices'],
  ['ats', 'ats driver option is only supported for virtio devices'],
  ['packed', 'packed driver option is only supported for virtio devices'],
  ['page_per_vq', 'page_per_vq option is only supported for virtio devices'],
];

const VIRTIO_MODELS = new Set(['virtio', 'virtio-transitional', 'virtio-non-transitional']);

export const rule = defineRule<DomainModel>()({
  id: 'sev-virtio-option-non-virtio',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  summary: 'A device that is not virtio takes no iommu, ats, packed or page_per_vq on its <driver>: libvirt refuses the domain.',
  messages: {
    notVirtio:
      "{device} is not a virtio device ({why}), but its <driver> sets {attributes}, which only virtio devices take; libvirt refuses the domain ('{error}'). Remove {attributes}.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev || !model.devices) return;
    for (const el of model.devices.children) {
      const why = notVirtio(el);
      const driver = why === undefined ? undefined : child(el, 'driver');
      if (!driver || why === undefined) continue;
      const found = VIRTIO_OPTIONS.map(([name, error]) => [attr(driver, name), error] as const).filter((x): x is readonly [XmlAttribute, string] => x[0] !== undefined);
      const first = found[0];
      if (!first) continue;
      const names = found.map(([a]) => a.name);
      const attributes = names.map((n) => `${n}='${attrValue(driver, n) ?? ''}'`).join(', ');
      const edits: TextEdit[] =
        driver.attributes.length === found.length && driver.children.length === 0
          ? [removeElement(model.doc, driver)]
          : names.map((n) => removeAttribute(model.doc, driver, n)!);
      report({
        messageId: 'notVirtio',
        data: { device: describeDevice(el), why, attributes, error: first[1] },
        span: found.length === 1 ? first[0].span : driver.startTag,
        // Safe unseen: libvirt refuses the domain as written, and the options never reach a device that is not virtio.
        fixes: [{ title: `Remove ${names.join(', ')} from the ${describeDevice(el)} driver`, edits, preferred: true, scope: driver.span }],
      });
    }
  },
});

/**
 * Why libvirt treats a device as not virtio when it validates virtio options,
 * or undefined when it is virtio or libvirt does not check it (controllers,
 * inputs, sound, memballoon and filesystems: libvirt ignores the options there).
 *
 * Source: libvirt `src/conf/domain_validate.c` — `virDomainDiskDefValidate`,
 * `virDomainNetDefValidate`, `virDomainVideoDefValidate`, `virDomainVsockDefValidate`.
 */
function notVirtio(el: XmlElement): string | undefined {
  switch (el.name) {
    case 'disk': {
      const bus = diskBus(el);
      if (bus === 'virtio') return undefined;
      const target = child(el, 'target');
      return target && attr(target, 'bus') ? `bus '${bus}'` : `bus '${bus}', from its target name`;
    }
    case 'interface': {
      const model = child(el, 'model');
      const type = model ? attrValue(model, 'type') : undefined;
      if (type !== undefined) return VIRTIO_MODELS.has(type) ? undefined : `model '${type}'`;
      // qemuDomainDeviceNetDefPostParse: vhost-user and vDPA default to virtio, a host device has no model, the rest rtl8139.
      const kind = attrValue(el, 'type');
      if (kind === 'vhostuser' || kind === 'vdpa') return undefined;
      if (kind === 'hostdev') return "type 'hostdev'";
      return "no model: libvirt's default on x86 is rtl8139";
    }
    case 'video': {
      const model = child(el, 'model');
      const type = model ? attrValue(model, 'type') : undefined;
      // libvirt validates no options on a video of type 'none'.
      if (type === 'none' || (type !== undefined && VIRTIO_MODELS.has(type))) return undefined;
      return type === undefined ? "no model: libvirt's default on x86 is Cirrus or VGA" : `model '${type}'`;
    }
    default:
      return undefined;
  }
}
