/**
 * What hover and completion say about `<launchSecurity>` and its children and
 * attributes, and about `<driver iommu>`. Short explanations in our own
 * words; the reference is libvirt's formatdomain "Launch Security".
 */
import type { PolicyKind } from '../policy';
import { POLICY_PRESETS } from './launch-security';

export const LIBVIRT_LAUNCH_SECURITY_URL = 'https://libvirt.org/formatdomain.html#launch-security';
export const LIBVIRT_SEV_KBASE_URL = 'https://libvirt.org/kbase/launch_security_sev.html';
export const LIBVIRT_VIRTIO_OPTIONS_URL = 'https://libvirt.org/formatdomain.html#virtio-related-options';

export interface ElementDoc {
  readonly name: string;
  /** The launchSecurity types the element belongs to. */
  readonly types: readonly PolicyKind[];
  readonly summary: string;
  /** Content a completion inserts (empty: the user fills it in). */
  readonly content: (type: PolicyKind | undefined) => string;
}

export interface AttributeDoc {
  readonly name: string;
  readonly types: readonly PolicyKind[];
  readonly summary: string;
  readonly values: readonly { readonly value: string; readonly summary: string }[];
  /** The value a completion of the attribute name inserts. */
  readonly insertValue: (type: PolicyKind | undefined) => string;
}

const BOTH: readonly PolicyKind[] = ['sev', 'sev-snp'];
const SEV_ONLY: readonly PolicyKind[] = ['sev'];
const SNP_ONLY: readonly PolicyKind[] = ['sev-snp'];

const empty = (): string => '';

export const LAUNCH_SECURITY_DOC: string =
  'Launches the guest with AMD memory encryption. `type=\'sev\'` is SEV, or SEV-ES when the policy sets bit 2 (0x4); ' +
  "`type='sev-snp'` is SEV-SNP (libvirt 10.5 and later). The guest also needs UEFI firmware (OVMF), a q35 machine and, " +
  'for SEV and SEV-ES, locked memory or a memory hard limit.';

/** Children of `<launchSecurity>`, in the order libvirt writes them. */
export const LAUNCH_SECURITY_ELEMENTS: readonly ElementDoc[] = [
  {
    name: 'cbitpos',
    types: BOTH,
    summary:
      'Position of the C-bit (the encryption bit) in guest page table entries. It must equal the host CPU\'s value (CPUID 0x8000001F EBX[5:0]): ' +
      '47 on EPYC Naples and Rome, 51 on Milan and Genoa. Optional since libvirt 6.9: left out, libvirt fills it in from the domain capabilities.',
    content: () => '51',
  },
  {
    name: 'reducedPhysBits',
    types: BOTH,
    summary:
      'How many bits of physical address space the guest loses to memory encryption; QEMU accepts 1 to 63 and every known host reports 1. ' +
      'Optional since libvirt 6.9: left out, libvirt fills it in from the domain capabilities.',
    content: () => '1',
  },
  {
    name: 'policy',
    types: BOTH,
    summary:
      'The guest policy the AMD firmware enforces, a hexadecimal number (required). SEV / SEV-ES: 32 bits (NODBG, NOKS, ES, …); ' +
      'SEV-SNP: 64 bits, where KVM requires bits 16 (SMT) and 17 (reserved, must be one), so 0x30000 is the usual value.',
    content: (type) => POLICY_PRESETS[type === 'sev-snp' ? 'sev-snp' : 'sev'][0]!.label,
  },
  {
    name: 'handle',
    types: SEV_ONLY,
    summary: "The firmware handle of another SEV guest whose encryption key this guest shares (only when that guest's policy allows key sharing, NOKS clear).",
    content: empty,
  },
  {
    name: 'dhCert',
    types: SEV_ONLY,
    summary: "The guest owner's Diffie-Hellman certificate, base64: used to set up a secure channel between the guest owner and the SEV firmware for launch attestation.",
    content: empty,
  },
  {
    name: 'session',
    types: SEV_ONLY,
    summary: "The guest owner's launch session blob (SEV API LAUNCH_START), base64.",
    content: empty,
  },
  {
    name: 'guestVisibleWorkarounds',
    types: SNP_ONLY,
    summary: 'Hypervisor-defined workarounds the guest can see (GOSVW of SNP_LAUNCH_START): exactly 16 bytes, base64, on one line.',
    content: empty,
  },
  {
    name: 'idBlock',
    types: SNP_ONLY,
    summary:
      'The ID block of SNP_LAUNCH_FINISH: exactly 96 bytes, base64, on one line. Its POLICY field must equal `<policy>`; it needs `<idAuth>` too.',
    content: empty,
  },
  {
    name: 'idAuth',
    types: SNP_ONLY,
    summary: 'The ID authentication information structure of SNP_LAUNCH_FINISH (the signatures over the ID block): exactly 4096 bytes, base64, on one line.',
    content: empty,
  },
  {
    name: 'hostData',
    types: SNP_ONLY,
    summary: 'Data the host provides to the guest, reported in its attestation report (HOST_DATA): exactly 32 bytes, base64, on one line.',
    content: empty,
  },
];

const YES_NO = (yes: string, no: string) => [
  { value: 'yes', summary: yes },
  { value: 'no', summary: no },
];

/** Attributes of `<launchSecurity>`. */
export const LAUNCH_SECURITY_ATTRIBUTES: readonly AttributeDoc[] = [
  {
    name: 'type',
    types: BOTH,
    summary: "The kind of memory encryption: `sev` (SEV, or SEV-ES with policy bit 0x4) or `sev-snp` (SEV-SNP). Required.",
    values: [
      { value: 'sev', summary: 'AMD SEV; SEV-ES when the policy sets the ES bit (bit 2, 0x4). 32-bit policy.' },
      { value: 'sev-snp', summary: 'AMD SEV-SNP (libvirt 10.5 and later, EPYC Milan and later). 64-bit policy, usually 0x30000.' },
    ],
    insertValue: () => 'sev',
  },
  {
    name: 'kernelHashes',
    types: BOTH,
    summary:
      'Whether the firmware measures the hashes of the kernel, initrd and command line (direct kernel boot only; needs an OVMF AmdSev build). `yes` or `no`, not on/off.',
    values: YES_NO('Include kernel, initrd and command line hashes in the launch measurement.', 'Do not (the default).'),
    insertValue: () => 'yes',
  },
  {
    name: 'authorKey',
    types: SNP_ONLY,
    summary: 'Whether `<idAuth>` contains the author key (AUTHOR_KEY_EN of SNP_LAUNCH_FINISH). `yes` or `no`.',
    values: YES_NO('`<idAuth>` carries an author key.', '`<idAuth>` has no author key (the default).'),
    insertValue: () => 'no',
  },
  {
    name: 'vcek',
    types: SNP_ONLY,
    summary:
      'Whether the guest may ask for attestation reports signed with the VCEK (chip endorsement key); `no` restricts it to the VLEK (loaded endorsement key). `yes` or `no`.',
    values: YES_NO('The guest may choose the VCEK.', 'Only the VLEK is used.'),
    insertValue: () => 'yes',
  },
];

export const DRIVER_IOMMU_DOC =
  "Virtio option: the device accesses guest memory through the platform's DMA API (VIRTIO_F_ACCESS_PLATFORM). " +
  'SEV, SEV-ES and SEV-SNP guests need it, because the device cannot read encrypted guest pages; QEMU 6.0 and later turn it on ' +
  'by itself for confidential guests, older QEMU needs `iommu=\'on\'`. Only valid on virtio devices.';

export const DRIVER_IOMMU_VALUES: readonly { readonly value: string; readonly summary: string }[] = [
  { value: 'on', summary: 'What SEV guests need (DMA goes through shared, unencrypted bounce buffers).' },
  { value: 'off', summary: 'Not for SEV guests: with QEMU before 6.0 the device cannot read encrypted guest memory.' },
];

/** Devices whose `<driver>` takes the virtio options (libvirt's `virtioOptions`). */
export const VIRTIO_DRIVER_PARENTS: ReadonlySet<string> = new Set([
  'disk',
  'controller',
  'interface',
  'filesystem',
  'input',
  'video',
  'sound',
  'memballoon',
  'rng',
  'vsock',
  'crypto',
]);

export function elementDoc(name: string): ElementDoc | undefined {
  return LAUNCH_SECURITY_ELEMENTS.find((e) => e.name === name);
}

export function attributeDoc(name: string): AttributeDoc | undefined {
  return LAUNCH_SECURITY_ATTRIBUTES.find((a) => a.name === name);
}

/** `sev, sev-snp` → "SEV and SEV-SNP" for "only for …" lines. */
export function typesLabel(types: readonly PolicyKind[]): string {
  if (types.length === 2) return "both `type='sev'` and `type='sev-snp'`";
  return types[0] === 'sev' ? "`type='sev'` only (SEV, SEV-ES)" : "`type='sev-snp'` only";
}
