/** Helpers for the tests that run the CLI as a program. */
import * as path from 'node:path';
import { ROOT } from './fixtures';

export const SEVLINT = path.join(ROOT, 'bin', 'sevlint');

/**
 * A SEV domain of about `bytes` bytes: virtio disks without `<driver
 * iommu='on'/>`, each one a finding and a fix.
 */
export function bigDomain(bytes: number): string {
  const head =
    '<domain type="kvm">\n  <name>big</name>\n  <memory unit="GiB">4</memory>\n  <memoryBacking><locked/></memoryBacking>\n' +
    '  <os firmware="efi"><type arch="x86_64" machine="q35">hvm</type></os>\n  <devices>\n';
  const tail = '  </devices>\n  <launchSecurity type="sev"><policy>0x07</policy></launchSecurity>\n</domain>\n';
  const disks: string[] = [];
  let size = head.length + tail.length;
  for (let i = 0; size < bytes; i++) {
    const d =
      `    <disk type="file" device="disk">\n      <driver name="qemu" type="qcow2"/>\n` +
      `      <source file="/var/lib/libvirt/images/guest-${i}.qcow2"/>\n      <target dev="vd${i}" bus="virtio"/>\n    </disk>\n`;
    disks.push(d);
    size += d.length;
  }
  return head + disks.join('') + tail;
}
