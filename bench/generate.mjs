// Generates libvirt domain XML for the benchmark: realistic SEV / SEV-ES /
// SEV-SNP guests (and some plain ones) in the shapes virt-manager, virt-install
// and the libvirt kbase write, varied by a seeded PRNG so every run lints the
// same files. Most files are schema-valid; some carry the SEV mistakes sevlint
// reports (missing iommu, transitional virtio on i440fx, policy typos …).
//
//   node bench/generate.mjs fleet DIR [COUNT]      COUNT (500) files into DIR
//   node bench/generate.mjs large FILE [DEVICES]   one domain with DEVICES (5000) disks + interfaces

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** mulberry32: small, fast, deterministic. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
}

const hex = (n, w) => n.toString(16).padStart(w, '0');
const uuid = (r) =>
  [8, 4, 4, 4, 12].map((w) => Array.from({ length: w }, () => hex(r.int(0, 15), 1)).join('')).join('-');
const mac = (r) => '52:54:00:' + [0, 0, 0].map(() => hex(r.int(0, 255), 2)).join(':');
/** vda, vdb, …, vdz, vdaa, … */
export function diskName(prefix, i) {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return prefix + s;
}
const pci = (bus, slot, fn = 0) => `<address type='pci' domain='0x0000' bus='0x${hex(bus, 2)}' slot='0x${hex(slot, 2)}' function='0x${fn}'/>`;

function disk(r, i, opts) {
  const name = diskName(opts.bus === 'scsi' ? 'sd' : 'vd', i);
  const fmt = r.pick(['qcow2', 'qcow2', 'raw']);
  const drv = [`name='qemu'`, `type='${fmt}'`];
  if (r.chance(0.4)) drv.push(`cache='none'`, `io='native'`);
  if (r.chance(0.3)) drv.push(`discard='unmap'`);
  if (opts.iommu) drv.push(`iommu='on'`);
  const src = r.chance(0.7)
    ? `<source file='/var/lib/libvirt/images/${opts.guest}-${name}.${fmt}'/>`
    : `<source dev='/dev/vg0/${opts.guest}-${name}'/>`;
  const type = src.includes('file=') ? 'file' : 'block';
  const lines = [`<disk type='${type}' device='disk'>`, `  <driver ${drv.join(' ')}/>`, `  ${src}`, `  <target dev='${name}' bus='${opts.bus}'/>`];
  if (i === 0 && opts.bootOrder) lines.push(`  <boot order='1'/>`);
  if (opts.serial || r.chance(0.15)) lines.push(`  <serial>SN-${hex(r.int(0, 0xffffff), 6)}</serial>`);
  if (opts.bus === 'virtio' && opts.address) lines.push(`  ${pci(opts.address.bus, opts.address.slot)}`);
  lines.push('</disk>');
  return lines;
}

function iface(r, i, opts) {
  const kind = r.pick(['network', 'network', 'bridge', 'direct']);
  const src = kind === 'network' ? `<source network='${r.pick(['default', 'tenant', 'storage'])}'/>` : kind === 'bridge' ? `<source bridge='br${r.int(0, 3)}'/>` : `<source dev='eno${r.int(1, 4)}' mode='bridge'/>`;
  const lines = [`<interface type='${kind}'>`, `  <mac address='${mac(r)}'/>`, `  ${src}`, `  <model type='${opts.model ?? 'virtio'}'/>`];
  if (opts.iommu) lines.push(`  <driver ${r.chance(0.5) ? "name='vhost' queues='4' " : ''}iommu='on'/>`);
  if (opts.link) lines.push(`  <link state='up'/>`);
  if (opts.rom) lines.push(`  <rom enabled='no'/>`);
  if (opts.address) lines.push(`  ${pci(opts.address.bus, opts.address.slot)}`);
  lines.push('</interface>');
  return lines;
}

function rootPorts(n) {
  const out = [`<controller type='pci' index='0' model='pcie-root'/>`];
  for (let i = 1; i <= n; i++) {
    out.push(
      `<controller type='pci' index='${i}' model='pcie-root-port'>`,
      `  <model name='pcie-root-port'/>`,
      `  <target chassis='${i}' port='0x${hex(0x10 + i - 1, 1)}'/>`,
      `  ${pci(0, 2 + Math.floor((i - 1) / 8), (i - 1) % 8).replace('/>', i % 8 === 1 ? " multifunction='on'/>" : '/>')}`,
      '</controller>',
    );
  }
  return out;
}

/**
 * One domain. `kind` picks the guest: sev, sev-es, sev-snp or plain. The
 * returned text is 3–6 KB for the defaults.
 */
export function domainXml(seed, overrides = {}) {
  const r = rng(seed);
  const kind = overrides.kind ?? r.pick(['sev', 'sev-es', 'sev-snp', 'sev-snp', 'sev', 'plain']);
  const q35 = overrides.q35 ?? r.chance(0.85);
  const careful = overrides.careful ?? r.chance(0.6); // written with the SEV checklist at hand
  const guest = `${kind === 'plain' ? 'vm' : kind}-${String(seed).padStart(4, '0')}`;
  const memGiB = r.pick([2, 4, 4, 8, 8, 16, 32]);
  const vcpus = r.pick([1, 2, 2, 4, 4, 8, 16]);
  const ports = q35 ? r.int(4, 9) : 0;
  const nDisks = overrides.disks ?? r.int(1, 3);
  const nIfaces = overrides.interfaces ?? r.int(1, 2);
  const confidential = kind !== 'plain';
  const iommu = confidential && (careful || r.chance(0.3));

  const L = [`<domain type='kvm'>`];
  const d = (...xs) => L.push(...xs.map((x) => '  ' + x));
  d(`<name>${guest}</name>`, `<uuid>${uuid(r)}</uuid>`);
  if (r.chance(0.4)) {
    d('<metadata>', `  <libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>`, `    <libosinfo:os id='http://${r.pick(['ubuntu.com/ubuntu/24.04', 'redhat.com/rhel/9.4', 'debian.org/debian/12'])}'/>`, '  </libosinfo:libosinfo>', '</metadata>');
  }
  d(`<memory unit='KiB'>${memGiB * 1048576}</memory>`, `<currentMemory unit='KiB'>${memGiB * 1048576}</currentMemory>`);
  if (confidential && kind !== 'sev-snp' && careful) {
    if (r.chance(0.5)) d('<memoryBacking>', '  <locked/>', '</memoryBacking>');
    else d('<memtune>', `  <hard_limit unit='KiB'>${memGiB * 1048576 + 262144 + r.int(0, 4) * 262144}</hard_limit>`, '</memtune>');
  }
  d(`<vcpu placement='static'>${vcpus}</vcpu>`);
  if (r.chance(0.3)) {
    d('<cputune>');
    for (let i = 0; i < Math.min(vcpus, 4); i++) d(`  <vcpupin vcpu='${i}' cpuset='${i * 2}'/>`);
    d('</cputune>');
  }
  const machine = q35 ? r.pick(['q35', 'pc-q35-8.2', 'pc-q35-9.0']) : r.pick(['pc', 'pc-i440fx-8.2']);
  const efi = !confidential || careful || r.chance(0.5);
  const snp = kind === 'sev-snp';
  d(efi && !snp ? `<os firmware='efi'>` : '<os>', `  <type arch='x86_64' machine='${machine}'>hvm</type>`);
  if (snp) d(`  <loader type='rom'>/usr/share/edk2/ovmf/OVMF.amdsev.fd</loader>`);
  else if (efi && r.chance(0.5)) d(`  <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>`, `  <nvram>/var/lib/libvirt/qemu/nvram/${guest}_VARS.fd</nvram>`);
  d(`  <boot dev='hd'/>`, '</os>');
  d('<features>', '  <acpi/>', '  <apic/>');
  if (r.chance(0.5)) d(`  <vmport state='off'/>`);
  if (snp && !careful && r.chance(0.3)) d(`  <smm state='on'/>`);
  d('</features>');
  d(`<cpu mode='host-passthrough' check='none' migratable='on'>`, `  <topology sockets='1' dies='1' cores='${vcpus}' threads='1'/>`, '</cpu>');
  d(`<clock offset='utc'>`, `  <timer name='rtc' tickpolicy='catchup'/>`, `  <timer name='pit' tickpolicy='delay'/>`, `  <timer name='hpet' present='no'/>`, '</clock>');
  d('<on_poweroff>destroy</on_poweroff>', '<on_reboot>restart</on_reboot>', '<on_crash>destroy</on_crash>');
  d('<pm>', `  <suspend-to-mem enabled='no'/>`, `  <suspend-to-disk enabled='no'/>`, '</pm>');

  d('<devices>', '  <emulator>/usr/bin/qemu-system-x86_64</emulator>');
  const dev = (lines) => d(...lines.map((l) => '  ' + l));
  const bus = overrides.diskBus ?? (confidential && careful && r.chance(0.3) ? 'scsi' : 'virtio');
  let slot = 1;
  for (let i = 0; i < nDisks; i++) {
    const a = q35 ? { bus: (slot++ % 250) + 1, slot: 0 } : { bus: 0, slot: 3 + (i % 28) };
    dev(disk(r, i, { guest, bus, iommu: overrides.iommu ?? iommu, bootOrder: i === 0 && r.chance(0.3), address: overrides.addresses === false ? undefined : a }));
  }
  if (r.chance(0.5)) {
    dev([`<disk type='file' device='cdrom'>`, `  <driver name='qemu' type='raw'/>`, `  <target dev='sda' bus='sata'/>`, '  <readonly/>', '</disk>']);
  }
  if (bus === 'scsi') dev([`<controller type='scsi' index='0' model='virtio-scsi'>`, ...(iommu ? [`  <driver iommu='on'/>`] : []), '</controller>']);
  dev([`<controller type='usb' index='0' model='qemu-xhci' ports='15'/>`]);
  if (q35) dev([`<controller type='sata' index='0'/>`, ...rootPorts(ports)]);
  else dev([`<controller type='pci' index='0' model='pci-root'/>`, `<controller type='ide' index='0'/>`]);
  dev([`<controller type='virtio-serial' index='0'${!q35 && careful ? " model='virtio-non-transitional'" : ''}>`, ...(iommu ? [`  <driver iommu='on'/>`] : []), '</controller>']);
  for (let i = 0; i < nIfaces; i++) {
    const a = q35 ? { bus: (slot++ % 250) + 1, slot: 0 } : { bus: 0, slot: 3 + ((nDisks + i) % 28) };
    dev(iface(r, i, { iommu: overrides.iommu ?? iommu, rom: confidential && (careful || r.chance(0.2)), model: !q35 && careful ? 'virtio-non-transitional' : 'virtio', address: overrides.addresses === false ? undefined : a }));
  }
  dev([`<serial type='pty'>`, `  <target type='isa-serial' port='0'>`, `    <model name='isa-serial'/>`, '  </target>', '</serial>', `<console type='pty'>`, `  <target type='serial' port='0'/>`, '</console>']);
  dev([`<channel type='unix'>`, `  <target type='virtio' name='org.qemu.guest_agent.0'/>`, `  <address type='virtio-serial' controller='0' bus='0' port='1'/>`, '</channel>']);
  dev([`<input type='tablet' bus='usb'>`, `  <address type='usb' bus='0' port='1'/>`, '</input>', `<input type='mouse' bus='ps2'/>`, `<input type='keyboard' bus='ps2'/>`]);
  if (r.chance(0.5)) dev([`<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'>`, `  <listen type='address' address='127.0.0.1'/>`, '</graphics>', `<audio id='1' type='none'/>`]);
  dev(['<video>', `  <model type='${confidential ? 'virtio' : r.pick(['qxl', 'virtio', 'vga'])}' heads='1' primary='yes'/>`, ...(iommu && confidential ? [`  <driver iommu='on'/>`] : []), '</video>']);
  dev([`<watchdog model='itco' action='reset'/>`]);
  if (confidential && careful) dev([`<memballoon model='none'/>`]);
  else dev([`<memballoon model='virtio'>`, ...(iommu ? [`  <driver iommu='on'/>`] : []), '</memballoon>']);
  dev([`<rng model='virtio'>`, `  <backend model='random'>/dev/urandom</backend>`, ...(iommu ? [`  <driver iommu='on'/>`] : []), '</rng>']);
  if (r.chance(0.1)) dev([`<hostdev mode='subsystem' type='pci' managed='yes'>`, '  <source>', `    ${pci(r.int(0x10, 0x80), r.int(0, 0x1f)).replace("type='pci' ", '')}`, '  </source>', '</hostdev>']);
  if (overrides.extraDevices) for (const x of overrides.extraDevices) dev(x);
  d('</devices>');

  if (confidential) {
    const type = snp ? 'sev-snp' : 'sev';
    const attrs = [`type='${type}'`];
    if (r.chance(0.3)) attrs.push(`kernelHashes='${careful ? 'no' : 'yes'}'`);
    if (snp && r.chance(0.3)) attrs.push(`vcek='no'`);
    d(`<launchSecurity ${attrs.join(' ')}>`);
    if (r.chance(0.5)) d(`  <cbitpos>${snp || r.chance(0.5) ? 51 : 47}</cbitpos>`, '  <reducedPhysBits>1</reducedPhysBits>');
    const policy = snp
      ? careful
        ? '0x00030000'
        : r.pick(['0x30000', '0x10000', '0x000b0000', '0x30000'])
      : kind === 'sev-es'
        ? careful
          ? '0x0007'
          : r.pick(['0x0007', '0x0041', '0x07', '7'])
        : careful
          ? '0x0003'
          : r.pick(['0x0003', '0x0001', '0x33', '0x0003 ']);
    d(`  <policy>${policy}</policy>`);
    if (snp && r.chance(0.3)) d(`  <hostData>${Buffer.alloc(32, seed & 0xff).toString('base64')}</hostData>`);
    d('</launchSecurity>');
  }
  L.push('</domain>', '');
  return L.join('\n');
}

/** Files for the fleet benchmark: `count` varied domains of 3–6 KB. */
export function writeFleet(dir, count = 500) {
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  const files = [];
  for (let i = 0; i < count; i++) {
    const seed = 1000 + i;
    let text = domainXml(seed);
    // Keep every file inside 3–6 KB: a guest that came out small gets another disk or NIC.
    for (let extra = 1; text.length < 3072 && extra < 8; extra++) {
      text = domainXml(seed, { disks: 1 + extra, interfaces: 1 + (extra >> 1) });
    }
    if (text.length > 6144) text = domainXml(seed, { disks: 1, interfaces: 1 });
    const file = join(dir, `guest-${String(i).padStart(3, '0')}.xml`);
    writeFileSync(file, text);
    files.push(file);
    bytes += text.length;
  }
  return { files, bytes };
}

/**
 * One large SEV guest: `devices` disks and interfaces (half each), half of
 * them without `<driver iommu='on'/>` so the rules have thousands of findings
 * and fixes to produce.
 */
export function largeDomainXml(devices = 5000, seed = 7) {
  const r = rng(seed);
  const extra = [];
  const half = Math.floor(devices / 2);
  for (let i = 0; i < half; i++) {
    extra.push(disk(r, i + 1, { guest: 'big', bus: 'virtio', serial: true, iommu: i % 2 === 0, address: { bus: 1 + (i % 250), slot: Math.floor(i / 250) % 32 } }));
  }
  for (let i = 0; i < devices - half; i++) {
    extra.push(iface(r, i, { link: true, iommu: i % 2 === 1, rom: i % 3 === 0, address: { bus: 1 + (i % 250), slot: (Math.floor(i / 250) + 16) % 32 } }));
  }
  return domainXml(seed, { kind: 'sev', q35: true, careful: true, disks: 1, interfaces: 0, extraDevices: extra });
}

/** A domain of about `bytes` characters (for the language server documents). */
export function domainOfSize(bytes, seed = 11) {
  if (bytes < 8000) {
    for (let s = seed; ; s++) {
      const t = domainXml(s, { kind: 'sev', careful: false, q35: true, disks: 3, interfaces: 2 });
      if (Math.abs(t.length - bytes) < 1024) return t;
    }
  }
  // ~300 bytes per device
  let n = Math.round(bytes / 300);
  let t = largeDomainXml(n, seed);
  n = Math.round((n * bytes) / t.length);
  return largeDomainXml(n, seed);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [what, where, n] = process.argv.slice(2);
  if (what === 'fleet' && where) {
    const { files, bytes } = writeFleet(where, n ? Number(n) : 500);
    console.log(`${files.length} files, ${(bytes / 1024).toFixed(0)} KiB in ${where}`);
  } else if (what === 'large' && where) {
    const text = largeDomainXml(n ? Number(n) : 5000);
    writeFileSync(where, text);
    console.log(`${where}: ${(text.length / 1024).toFixed(0)} KiB`);
  } else {
    console.error('usage: node bench/generate.mjs fleet DIR [COUNT] | large FILE [DEVICES]');
    process.exit(2);
  }
}
