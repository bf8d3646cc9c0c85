import type { DomainModel } from '../domain/model';
import type { Rule, RuleMeta } from './types';
import type { KataModel } from '../kata/model';
import { tomlSyntax, xmlNotWellFormed } from './syntax';
import { tomlUnusedSuppression, xmlUnusedSuppression } from './suppression';
import { rule as kataTemplatePlaceholder } from './kata/kata-template-placeholder';
import { rule as kataUnknownKey } from './kata/kata-unknown-key';
import { rule as kataType } from './kata/kata-type';
import { rule as kataSwiotlb } from './kata/kata-swiotlb';
import { rule as kataRootDeviceMismatch } from './kata/kata-root-device-mismatch';
import { rule as kataSnpRequiresConfidentialGuest } from './kata/kata-snp-requires-confidential-guest';
import { rule as kataSevDeprecated } from './kata/kata-sev-deprecated';
import { rule as kataGuestAssets } from './kata/kata-guest-assets';
import { rule as kataFirmware } from './kata/kata-firmware';
import { rule as kataNvdimm } from './kata/kata-nvdimm';
import { rule as kataSharedFs } from './kata/kata-shared-fs';
import { rule as kataVirtioMmio } from './kata/kata-virtio-mmio';
import { rule as kataMachineType } from './kata/kata-machine-type';
import { rule as kataSnpIdBlock } from './kata/kata-snp-id-block';
import { rule as kataSnpGuestPolicy } from './kata/kata-snp-guest-policy';
import { rule as kataHotplug } from './kata/kata-hotplug';
import { rule as kataNestingChecks } from './kata/kata-nesting-checks';
import { rule as sevVirtioBlkBootDisk } from './domain/sev-virtio-blk-boot-disk';
import { rule as sevVirtioIommu } from './domain/sev-virtio-iommu';
import { rule as sevI440fxTransitionalVirtio } from './domain/sev-i440fx-transitional-virtio';
import { rule as sevMemoryHardLimit } from './domain/sev-memory-hard-limit';
import { rule as sevUefiFirmware } from './domain/sev-uefi-firmware';
import { rule as sevPolicyMissing } from './domain/sev-policy-missing';
import { rule as sevPolicyFormat } from './domain/sev-policy-format';
import { rule as sevPolicyReservedBits } from './domain/sev-policy-reserved-bits';
import { rule as snpPolicyRequiredBits } from './domain/snp-policy-required-bits';
import { rule as snpPolicyForbiddenBits } from './domain/snp-policy-forbidden-bits';
import { rule as snpPolicyHostDependentBits } from './domain/snp-policy-host-dependent-bits';
import { rule as sevPolicyDebugAllowed } from './domain/sev-policy-debug-allowed';
import { rule as sevLaunchSecurityDuplicate } from './domain/sev-launch-security-duplicate';
import { rule as sevLaunchSecurityWrongChild } from './domain/sev-launch-security-wrong-child';
import { rule as sevLaunchSecurityYesNo } from './domain/sev-launch-security-yes-no';
import { rule as sevPlatformValueFormat } from './domain/sev-platform-value-format';
import { rule as sevCbitposHost } from './domain/sev-cbitpos-host';
import { rule as snpBase64Blob } from './domain/snp-base64-blob';
import { rule as snpIdAuthPairing } from './domain/snp-id-auth-pairing';
import { rule as sevQ35Machine } from './domain/sev-q35-machine';
import { rule as snpFirmwareRom } from './domain/snp-firmware-rom';
import { rule as snpSmm } from './domain/snp-smm';
import { rule as sevHostdevPassthrough } from './domain/sev-hostdev-passthrough';
import { rule as sevVirtioMem } from './domain/sev-virtio-mem';
import { rule as sevInterfaceRom } from './domain/sev-interface-rom';
import { rule as sevKernelHashesWithoutKernel } from './domain/sev-kernel-hashes-without-kernel';
import { rule as sevVirtioOptionNonVirtio } from './domain/sev-virtio-option-non-virtio';
import { rule as sevQemuVersion } from './domain/sev-qemu-version';
import { rule as sevEsSmm } from './domain/sev-es-smm';
import { rule as sevKernelHashesFirmware } from './domain/sev-kernel-hashes-firmware';
import { rule as libvirtSchema } from './domain/libvirt-schema';

/**
 * Every domain XML rule. The order is the order fix-all prefers when two
 * fixes touch the same element: a fix that rewrites a device comes before
 * one that only adds an attribute to it.
 */
export const domainRules: readonly Rule<DomainModel>[] = [
  libvirtSchema,
  sevVirtioBlkBootDisk,
  sevVirtioIommu,
  sevVirtioOptionNonVirtio,
  sevI440fxTransitionalVirtio,
  sevMemoryHardLimit,
  sevUefiFirmware,
  sevPolicyMissing,
  sevPolicyFormat,
  sevPolicyReservedBits,
  snpPolicyRequiredBits,
  snpPolicyForbiddenBits,
  snpPolicyHostDependentBits,
  sevPolicyDebugAllowed,
  sevLaunchSecurityDuplicate,
  sevLaunchSecurityWrongChild,
  sevLaunchSecurityYesNo,
  sevPlatformValueFormat,
  sevCbitposHost,
  snpBase64Blob,
  snpIdAuthPairing,
  sevQ35Machine,
  snpFirmwareRom,
  snpSmm,
  sevEsSmm,
  sevHostdevPassthrough,
  sevVirtioMem,
  sevInterfaceRom,
  sevKernelHashesWithoutKernel,
  sevKernelHashesFirmware,
  sevQemuVersion,
];

/** Every Kata configuration.toml rule, in fix-all priority order. */
export const kataRules: readonly Rule<KataModel>[] = [
  kataTemplatePlaceholder,
  kataUnknownKey,
  kataType,
  kataSwiotlb,
  kataRootDeviceMismatch,
  kataSnpRequiresConfidentialGuest,
  kataSevDeprecated,
  kataGuestAssets,
  kataFirmware,
  kataNvdimm,
  kataSharedFs,
  kataVirtioMmio,
  kataMachineType,
  kataSnpIdBlock,
  kataSnpGuestPolicy,
  kataHotplug,
  kataNestingChecks,
];

/** Every diagnostic id sevlint can report, with its metadata. */
export const allRuleMetas: readonly RuleMeta[] = [xmlNotWellFormed, ...domainRules, xmlUnusedSuppression, tomlSyntax, ...kataRules, tomlUnusedSuppression];
