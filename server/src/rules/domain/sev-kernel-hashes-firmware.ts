import type { DomainModel } from '../../domain/model';
import { setAttribute } from '../../xml/edit';
import { attr, child, textContent } from '../../xml/model';
import { atLeast, defineRule, type Fix } from '../types';

/**
 * What a firmware file is, judged by its name only (a heuristic): an AmdSev
 * build (`OVMF.amdsev.fd`, `AMDSEV.fd`, `amd-sev` in the name), a generic
 * split build (`OVMF_CODE.fd`, `OVMF_CODE_4M.secboot.fd`,
 * `edk2-x86_64-code.fd`: the AmdSev build is one image, never a CODE/VARS
 * pair), or unknown (`OVMF.fd` can be either).
 */
export function firmwareBuild(path: string): 'amdsev' | 'generic' | undefined {
  const name = (path.split('/').pop() ?? path).toLowerCase();
  if (/amd[-_]?sev/.test(name)) return 'amdsev';
  if (/(^|[-_.])code([-_.]|$)/.test(name)) return 'generic';
  return undefined;
}

export const rule = defineRule<DomainModel>()({
  id: 'sev-kernel-hashes-firmware',
  target: 'domain-xml',
  severity: 'error',
  hasSuggestions: true,
  summary: "Measured direct kernel boot needs both kernelHashes='yes' and an AmdSev OVMF build: either one alone does not boot the kernel.",
  messages: {
    genericFirmware:
      "kernelHashes='yes' with <kernel> needs the AmdSev OVMF build, which reserves the hashes table; '{path}' is by its name a generic OVMF build, and QEMU refuses to start ('SEV: guest firmware hashes table area is invalid (base=0x0 size=0x0)'). Load an AmdSev build such as OVMF.amdsev.fd.",
    noKernelHashes:
      "'{path}' is by its name an AmdSev OVMF build, which boots a <kernel> only when it can check its hashes: without kernelHashes='yes' OVMF refuses the kernel ('Verifier called but no hashes table discoverd in MEMFD'). Set kernelHashes='yes' on <launchSecurity>.",
  },
  check(model, ctx, report) {
    const sev = model.sev;
    const os = model.os;
    if (!sev || !os) return;
    const kernel = child(os, 'kernel');
    const loader = child(os, 'loader');
    if (!kernel || textContent(model.text, kernel).trim() === '' || !loader) return;
    const path = textContent(model.text, loader).trim();
    const build = firmwareBuild(path);
    const kernelHashes = attr(sev.element, 'kernelHashes');
    const data = { path };
    if (build === 'generic' && kernelHashes?.value === 'yes') {
      report({ messageId: 'genericFirmware', data, span: loader.span });
    } else if (build === 'amdsev' && kernelHashes?.value !== 'yes') {
      // Not preferred: the hashes change the launch measurement an attestation expects.
      // Not offered for a declared QEMU below 6.2, which has no kernel-hashes.
      const fixes: Fix[] =
        ctx.qemu && !atLeast(ctx.qemu, 6, 2)
          ? []
          : [{ title: "Set kernelHashes='yes' (the launch measurement then includes the kernel, initrd and command line)", edits: [setAttribute(model.style, sev.element, 'kernelHashes', 'yes')], preferred: false }];
      report({ messageId: 'noKernelHashes', data, span: loader.span, fixes });
    }
  },
});
