/**
 * The domain XML snippets (SEV / SEV-ES / SEV-SNP `<launchSecurity>`, a SEV
 * q35 domain, virtio devices with `<driver iommu='on'/>`), offered by the
 * language server as completion items in VS Code's snippet syntax, only where
 * the element may go: `<launchSecurity>` in `<domain>` when it has none, the
 * devices in `<devices>`, the domain in an empty document; never inside a
 * tag. (A static snippets file would be offered everywhere, inside a start
 * tag too.) Bodies indent with tabs: the editor turns them into its own
 * indentation and indents them as the line they are inserted on.
 */

export interface SnippetDef {
  readonly prefix: readonly string[];
  readonly description: string;
  readonly body: readonly string[];
  /** Where the snippet may go: in `<domain>`, in `<devices>`, or as the document's root. */
  readonly where: 'domain' | 'devices' | 'root';
}

export const XML_SNIPPETS: Readonly<Record<string, SnippetDef>> = {
  "SEV launchSecurity": {
    prefix: ["sev-launchsecurity", "launchSecurity-sev"],
    description: "AMD SEV <launchSecurity> (policy 0x0003 NODBG|NOKS, or 0x0033 as Nova writes it); a child of <domain>.",
    where: "domain",
    body: [
      "<launchSecurity type='sev'>",
      "\t<policy>${1|0x0003,0x0033|}</policy>",
      "</launchSecurity>$0",
    ],
  },
  "SEV-ES launchSecurity": {
    prefix: ["sev-es-launchsecurity", "launchSecurity-sev-es"],
    description: "AMD SEV-ES <launchSecurity>: type='sev' with the ES policy bit 0x4 (0x0007, or 0x0037 as Nova writes it); a child of <domain>.",
    where: "domain",
    body: [
      "<launchSecurity type='sev'>",
      "\t<policy>${1|0x0007,0x0037|}</policy>",
      "</launchSecurity>$0",
    ],
  },
  "SEV-SNP launchSecurity": {
    prefix: ["snp-launchsecurity", "launchSecurity-sev-snp"],
    description: "AMD SEV-SNP <launchSecurity> with the default policy 0x30000 (SMT | RSVD_MBO); a child of <domain>.",
    where: "domain",
    body: [
      "<launchSecurity type='sev-snp'>",
      "\t<policy>${1:0x30000}</policy>",
      "</launchSecurity>$0",
    ],
  },
  "SEV domain (q35)": {
    prefix: ["sev-domain"],
    description: "A complete AMD SEV guest: q35, UEFI (firmware='efi'), locked memory, virtio-scsi disk and virtio NIC with iommu='on', NIC option ROM off, <launchSecurity>.",
    where: "root",
    body: [
      "<domain type='kvm'>",
      "\t<name>${1:sev-guest}</name>",
      "\t<memory unit='GiB'>${2:4}</memory>",
      "\t<memoryBacking>",
      "\t\t<locked/>",
      "\t</memoryBacking>",
      "\t<vcpu>${3:2}</vcpu>",
      "\t<os firmware='efi'>",
      "\t\t<type arch='x86_64' machine='q35'>hvm</type>",
      "\t\t<loader stateless='yes'/>",
      "\t\t<boot dev='hd'/>",
      "\t</os>",
      "\t<features>",
      "\t\t<acpi/>",
      "\t\t<apic/>",
      "\t</features>",
      "\t<devices>",
      "\t\t<disk type='file' device='disk'>",
      "\t\t\t<driver name='qemu' type='${4:qcow2}'/>",
      "\t\t\t<source file='${5:/var/lib/libvirt/images/sev-guest.qcow2}'/>",
      "\t\t\t<target dev='sda' bus='scsi'/>",
      "\t\t</disk>",
      "\t\t<controller type='scsi' index='0' model='virtio-scsi'>",
      "\t\t\t<driver iommu='on'/>",
      "\t\t</controller>",
      "\t\t<interface type='network'>",
      "\t\t\t<source network='${6:default}'/>",
      "\t\t\t<model type='virtio'/>",
      "\t\t\t<driver iommu='on'/>",
      "\t\t\t<rom enabled='no'/>",
      "\t\t</interface>",
      "\t\t<console type='pty'/>",
      "\t\t<memballoon model='none'/>",
      "\t</devices>",
      "\t<launchSecurity type='sev'>",
      "\t\t<policy>${7|0x0003,0x0033|}</policy>",
      "\t</launchSecurity>",
      "</domain>$0",
    ],
  },
  "SEV virtio NIC": {
    prefix: ["sev-virtio-interface"],
    description: "A virtio network interface for an SEV guest: <driver iommu='on'/> and the iPXE option ROM off (iPXE is not SEV-aware); inside <devices>.",
    where: "devices",
    body: [
      "<interface type='network'>",
      "\t<source network='${1:default}'/>",
      "\t<model type='virtio'/>",
      "\t<driver iommu='on'/>",
      "\t<rom enabled='no'/>",
      "</interface>$0",
    ],
  },
  "SEV virtio-scsi controller": {
    prefix: ["sev-virtio-scsi"],
    description: "A virtio-scsi controller with <driver iommu='on'/> for an SEV guest (boot disks go on it with bus='scsi'); inside <devices>.",
    where: "devices",
    body: [
      "<controller type='scsi' index='${1:0}' model='virtio-scsi'>",
      "\t<driver iommu='on'/>",
      "</controller>$0",
    ],
  },
  "SEV virtio RNG": {
    prefix: ["sev-virtio-rng"],
    description: "A virtio random number generator with <driver iommu='on'/> for an SEV guest; inside <devices>.",
    where: "devices",
    body: [
      "<rng model='virtio'>",
      "\t<backend model='random'>${1:/dev/urandom}</backend>",
      "\t<driver iommu='on'/>",
      "</rng>$0",
    ],
  },
};

/** `name: 'SEV virtio NIC'` → its completion items, one per prefix. */
export interface SnippetItem {
  readonly prefix: string;
  readonly name: string;
  readonly description: string;
  /** The body in VS Code's snippet syntax. */
  readonly body: string;
}

/** The snippets that may go `where`, one item per prefix. */
export function snippetsFor(where: SnippetDef['where']): SnippetItem[] {
  return Object.entries(XML_SNIPPETS)
    .filter(([, s]) => s.where === where)
    .flatMap(([name, s]) => s.prefix.map((prefix) => ({ prefix, name, description: s.description, body: s.body.join('\n') })));
}
