import type { DomainModel } from '../../domain/model';
import { insertChild, removeAttribute, removeElement, setAttribute, type TextEdit } from '../../xml/edit';
import { attr, attrValue, child, childrenNamed, type XmlElement } from '../../xml/model';
import { defineRule, type Fix } from '../types';

/** `<driver>` attributes libvirt accepts only for virtio (blk) disks. */
const VIRTIO_ONLY_DRIVER_ATTRS = ['iommu', 'ats', 'packed', 'page_per_vq', 'queues', 'queue_size'];

export const rule = defineRule<DomainModel>()({
  id: 'sev-virtio-blk-boot-disk',
  target: 'domain-xml',
  severity: 'warning',
  hasSuggestions: true,
  summary: 'The boot disk of a SEV guest should be on virtio-scsi, not virtio-blk.',
  messages: {
    bootDisk:
      "The boot disk '{dev}' is on bus virtio (virtio-blk); guest kernels before 5.1 cannot boot a {label} guest from virtio-blk, and its DMA can exhaust the SWIOTLB bounce buffers. Use bus 'scsi' on a virtio-scsi controller.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev || !model.devices || (model.os && child(model.os, 'kernel'))) return;
    const disk = bootDisk(model.devices, model.os);
    if (!disk) return;
    const target = child(disk, 'target');
    const bus = target && attr(target, 'bus');
    if (!target || bus?.value !== 'virtio') return;
    const dev = attrValue(target, 'dev') ?? '';
    const fix = toScsi(model, disk, target, dev);
    report({
      messageId: 'bootDisk',
      data: { dev, label: sev.label },
      span: bus.span,
      severity: sev.snp ? 'information' : 'warning',
      fixes: fix ? [fix] : [],
    });
  },
});

/** The disk the guest boots from: lowest `<boot order>`, else the first disk when `<os>` boots from hd (the default). */
function bootDisk(devices: XmlElement, os: XmlElement | undefined): XmlElement | undefined {
  const disks = childrenNamed(devices, 'disk').filter((d) => (attrValue(d, 'device') ?? 'disk') === 'disk');
  let best: XmlElement | undefined;
  let bestOrder = Infinity;
  for (const d of devices.children) {
    const boot = child(d, 'boot');
    const order = boot ? Number(attrValue(boot, 'order')) : NaN;
    if (Number.isFinite(order) && order < bestOrder) {
      bestOrder = order;
      best = d;
    }
  }
  if (best) return best.name === 'disk' ? best : undefined;
  const osBoot = os ? childrenNamed(os, 'boot').map((b) => attrValue(b, 'dev')) : [];
  if (osBoot.length > 0 && osBoot[0] !== 'hd') return undefined;
  return disks[0];
}

/** `vda` → `sda`, or the next free `sdX` when that name is taken. */
function scsiName(devices: XmlElement, dev: string): string {
  const taken = new Set(
    childrenNamed(devices, 'disk')
      .map((d) => child(d, 'target'))
      .map((t) => (t ? attrValue(t, 'dev') : undefined)),
  );
  const wanted = dev.replace(/^vd/, 'sd');
  if (wanted !== dev && !taken.has(wanted)) return wanted;
  for (let i = 0; i < 26; i++) {
    const name = 'sd' + String.fromCharCode(97 + i);
    if (!taken.has(name)) return name;
  }
  return wanted;
}

function toScsi(model: DomainModel, disk: XmlElement, target: XmlElement, dev: string): Fix | undefined {
  const devices = model.devices!;
  const scsiControllers = childrenNamed(devices, 'controller').filter((c) => attrValue(c, 'type') === 'scsi');
  const first = scsiControllers.find((c) => (attrValue(c, 'index') ?? '0') === '0');
  if (first && attrValue(first, 'model') !== 'virtio-scsi') return undefined;
  const newDev = scsiName(devices, dev);
  const edits: TextEdit[] = [setAttribute(model.style, target, 'bus', 'scsi')];
  if (newDev !== dev) edits.push(setAttribute(model.style, target, 'dev', newDev));
  const diskModel = removeAttribute(model.doc, disk, 'model');
  if (diskModel) edits.push(diskModel);
  const driver = child(disk, 'driver');
  if (driver && driver.attributes.every((a) => VIRTIO_ONLY_DRIVER_ATTRS.includes(a.name)) && driver.children.length === 0) {
    edits.push(removeElement(model.doc, driver));
  } else if (driver) {
    for (const name of VIRTIO_ONLY_DRIVER_ATTRS) {
      const e = removeAttribute(model.doc, driver, name);
      if (e) edits.push(e);
    }
  }
  const address = child(disk, 'address');
  if (address && attrValue(address, 'type') === 'pci') edits.push(removeElement(model.doc, address));
  if (!first) {
    const anchor = childrenNamed(devices, 'controller').at(-1) ?? childrenNamed(devices, 'disk').at(-1)!;
    edits.push(
      insertChild(model.doc, model.style, devices, "<controller type='scsi' index='0' model='virtio-scsi'>\n  <driver iommu='on'/>\n</controller>", { after: anchor }),
    );
  }
  // Not applied unasked: inside the guest the disk becomes /dev/sdX (fstab, the boot loader and an initramfs without virtio_scsi see another device).
  return { title: `Move '${dev}' to a virtio-scsi controller (bus scsi, ${newDev})`, edits, preferred: false, scope: disk.span };
}
