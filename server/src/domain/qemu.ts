import { atLeast, type RuleContext, type Version } from '../rules/types';
import { attrValue } from '../xml/model';
import type { DomainModel } from './model';

/** The oldest QEMU a domain can run on at all, and why. */
export interface ImpliedQemu {
  readonly version: Version;
  /** For messages: what needs that version. */
  readonly reason: string;
}

/**
 * What the domain itself says about its QEMU: a SEV-SNP guest needs QEMU 9.1
 * (`sev-snp-guest`), and a `kernelHashes` attribute, 'yes' or 'no', needs 6.2
 * (libvirt refuses both on older QEMU: `'sev-snp' launch security is not
 * supported with this QEMU binary`, `SEV measured direct kernel boot is not
 * supported with this QEMU binary`).
 *
 * Source: libvirt 11.3 `src/qemu/qemu_validate.c` (`qemuValidateDomainDef`,
 * the launch security block); QEMU `qapi/qom.json` (`sev-snp-guest` since 9.1,
 * `kernel-hashes` since 6.2).
 */
export function impliedQemu(model: DomainModel): ImpliedQemu | undefined {
  const sev = model.sev;
  if (!sev) return undefined;
  if (sev.snp) return { version: [9, 1, 0], reason: 'SEV-SNP needs QEMU 9.1' };
  if (attrValue(sev.element, 'kernelHashes') !== undefined) return { version: [6, 2, 0], reason: 'kernelHashes needs QEMU 6.2' };
  return undefined;
}

/**
 * Whether the guest runs on QEMU `major.minor` or later: the declared QEMU
 * (`--qemu`, `sevlint.target.qemu`) says so, or the domain cannot run on
 * anything older. Returns how it is known, or undefined when it is not.
 */
export function qemuAtLeast(model: DomainModel, ctx: RuleContext, major: number, minor = 0): 'declared' | ImpliedQemu | undefined {
  if (atLeast(ctx.qemu, major, minor)) return 'declared';
  const implied = impliedQemu(model);
  return implied && atLeast(implied.version, major, minor) ? implied : undefined;
}

/** `9.1`, or `9.1.2` when the micro version is not 0. */
export function formatVersion(v: Version): string {
  return v[2] ? `${v[0]}.${v[1]}.${v[2]}` : `${v[0]}.${v[1]}`;
}
