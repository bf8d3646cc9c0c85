/**
 * AMD SEV / SEV-ES (32-bit) and SEV-SNP (64-bit) guest policies: reading a
 * policy the way libvirt does, and the meaning of every bit.
 *
 * One module serves the domain XML rules, the Kata `snp_guest_policy` rules
 * and hover.
 *
 * Sources: AMD SEV API spec #55766 §3 and SEV-SNP ABI spec #56860 §4.3;
 * libvirt formatdomain "Launch Security"; QEMU target/i386/sev.h; KVM
 * arch/x86/kvm/svm/sev.c (snp_launch_start).
 */

export type PolicyKind = 'sev' | 'sev-snp';

export interface PolicyBit {
  /** First bit (inclusive). */
  readonly bit: number;
  /** Number of bits in the field. */
  readonly width: number;
  readonly name: string;
  /** What a set bit (or the field's value) means. */
  readonly meaning: string;
}

export const SEV_POLICY_BITS: readonly PolicyBit[] = [
  { bit: 0, width: 1, name: 'NODBG', meaning: 'debugging of the guest is disallowed' },
  { bit: 1, width: 1, name: 'NOKS', meaning: 'sharing keys with other guests is disallowed' },
  { bit: 2, width: 1, name: 'ES', meaning: 'SEV-ES is required (encrypted register state)' },
  { bit: 3, width: 1, name: 'NOSEND', meaning: 'sending the guest to another platform is disallowed' },
  { bit: 4, width: 1, name: 'DOMAIN', meaning: 'the guest must not be sent outside the domain' },
  { bit: 5, width: 1, name: 'SEV', meaning: 'the guest must not be sent to a platform without SEV' },
  { bit: 6, width: 10, name: 'RESERVED', meaning: 'reserved, must be zero' },
  { bit: 16, width: 8, name: 'API_MAJOR', meaning: 'minimum SEV firmware API major version' },
  { bit: 24, width: 8, name: 'API_MINOR', meaning: 'minimum SEV firmware API minor version' },
];

export const SNP_POLICY_BITS: readonly PolicyBit[] = [
  { bit: 0, width: 8, name: 'ABI_MINOR', meaning: 'minimum SNP firmware ABI minor version' },
  { bit: 8, width: 8, name: 'ABI_MAJOR', meaning: 'minimum SNP firmware ABI major version' },
  { bit: 16, width: 1, name: 'SMT', meaning: 'SMT is allowed (KVM requires this bit)' },
  { bit: 17, width: 1, name: 'RSVD_MBO', meaning: 'reserved, must be one' },
  { bit: 18, width: 1, name: 'MIGRATE_MA', meaning: 'association with a migration agent is allowed (KVM rejects it)' },
  { bit: 19, width: 1, name: 'DEBUG', meaning: 'debugging of the guest is allowed' },
  { bit: 20, width: 1, name: 'SINGLE_SOCKET', meaning: 'the guest may only run on one socket' },
  { bit: 21, width: 1, name: 'CXL_ALLOW', meaning: 'CXL may be populated with devices or memory' },
  { bit: 22, width: 1, name: 'MEM_AES_256_XTS', meaning: 'AES-256-XTS memory encryption is required' },
  { bit: 23, width: 1, name: 'RAPL_DIS', meaning: 'Running Average Power Limit must be disabled' },
  { bit: 24, width: 1, name: 'CIPHERTEXT_HIDING_DRAM', meaning: 'ciphertext hiding for DRAM is required' },
  { bit: 25, width: 1, name: 'PAGE_SWAP_DISABLE', meaning: 'guest page swapping is disabled' },
  { bit: 26, width: 38, name: 'RESERVED', meaning: 'reserved, must be zero' },
];

export const SEV = {
  NODBG: 0x1n,
  NOKS: 0x2n,
  ES: 0x4n,
  RESERVED: 0xffc0n,
  API: 0xffff0000n,
  MAX: 0xffffffffn,
} as const;

export const SNP = {
  ABI: 0xffffn,
  SMT: 0x10000n,
  RSVD_MBO: 0x20000n,
  MIGRATE_MA: 0x40000n,
  DEBUG: 0x80000n,
  SINGLE_SOCKET: 0x100000n,
  /** Bits 21–25: accepted only by newer KVM and firmware. */
  NEWER: 0x3e00000n,
  /** Bits 26–63. */
  RESERVED: 0xfffffffffc000000n,
  MAX: 0xffffffffffffffffn,
  DEFAULT: 0x30000n,
} as const;

/** SNP policy bits that must be set: KVM's SNP_LAUNCH_START refuses a policy without them. */
export const SNP_REQUIRED = SNP.SMT | SNP.RSVD_MBO;
/** SNP policy bits that KVM refuses when set. */
export const SNP_FORBIDDEN = SNP.MIGRATE_MA | SNP.RESERVED;
/** SNP policy bits accepted only by some KVM / firmware versions or hosts. */
export const SNP_HOST_DEPENDENT = SNP.SINGLE_SOCKET | SNP.NEWER;

export interface PolicyReading {
  /** The value libvirt reads, when it reads one. */
  readonly value: bigint | undefined;
  /** libvirt refuses the text (`failed to get launch security policy`). */
  readonly rejected: boolean;
  /** Text before and after the number (libvirt ignores leading, fails on trailing). */
  readonly leadingSpace: number;
  readonly trailingSpace: number;
  /** Upper-case digits or `0X`: libvirt reads it, the schema's `(0x)?[0-9a-f]+` does not. */
  readonly uppercase: boolean;
  /** No `0x` and only decimal digits that mean another number in decimal (`196608`): probably meant as decimal. */
  readonly looksDecimal: boolean;
  /** Larger than the policy's width. */
  readonly overflow: boolean;
  /** The number text without surrounding whitespace. */
  readonly core: string;
}

const HEX = /^(0[xX])?([0-9a-fA-F]+)$/;

/**
 * Reads policy text as libvirt 11.3 does: `g_ascii_strtoull(text, &end, 16)`
 * with no trimming — leading whitespace and an optional 0x prefix are
 * accepted, anything after the digits is an error, and a `sev` policy must fit
 * 32 bits.
 */
export function readPolicy(text: string, kind: PolicyKind): PolicyReading {
  const leadingSpace = text.length - text.trimStart().length;
  const trailingSpace = text.length - text.trimEnd().length;
  const core = text.trim();
  const m = HEX.exec(core);
  if (!m) {
    return { value: undefined, rejected: true, leadingSpace, trailingSpace, uppercase: false, looksDecimal: false, overflow: false, core };
  }
  const digits = m[2]!;
  const value = BigInt('0x' + digits);
  const overflow = value > (kind === 'sev' ? SEV.MAX : SNP.MAX);
  return {
    value: overflow ? undefined : value,
    rejected: overflow || trailingSpace > 0,
    leadingSpace,
    trailingSpace,
    uppercase: /[A-FX]/.test(core),
    looksDecimal: m[1] === undefined && /^[0-9]+$/.test(digits) && BigInt(digits) !== value,
    overflow,
    core,
  };
}

/** `0x` + lower-case hex, at least `minDigits` digits. */
export function formatPolicy(value: bigint, minDigits = 1): string {
  return '0x' + value.toString(16).padStart(minDigits, '0');
}

export interface DecodedField {
  readonly field: PolicyBit;
  readonly value: bigint;
}

/** Every field of the policy with its value (flags as 0/1). */
export function decodePolicy(value: bigint, kind: PolicyKind): DecodedField[] {
  const table = kind === 'sev' ? SEV_POLICY_BITS : SNP_POLICY_BITS;
  return table.map((field) => ({
    field,
    value: (value >> BigInt(field.bit)) & ((1n << BigInt(field.width)) - 1n),
  }));
}

/** Bit numbers set in `mask & value`, lowest first. */
export function setBits(value: bigint, mask: bigint = value): number[] {
  const out: number[] = [];
  let v = value & mask;
  for (let bit = 0; v > 0n; bit++, v >>= 1n) if (v & 1n) out.push(bit);
  return out;
}

export function isSevEs(value: bigint | undefined): boolean {
  return value !== undefined && (value & SEV.ES) !== 0n;
}

/**
 * The fields with a bit set in `value & mask`, by name, for messages:
 * `SMT (bit 16, 0x10000) and RESERVED (bits 26, 40: 0x10004000000)`.
 */
export function describeBits(value: bigint, mask: bigint, kind: PolicyKind): string {
  const table = kind === 'sev' ? SEV_POLICY_BITS : SNP_POLICY_BITS;
  const parts: string[] = [];
  for (const field of table) {
    const fieldMask = ((1n << BigInt(field.width)) - 1n) << BigInt(field.bit);
    const bits = setBits(value & mask, fieldMask);
    if (bits.length === 0) continue;
    const hex = formatPolicy(value & mask & fieldMask);
    parts.push(bits.length === 1 ? `${field.name} (bit ${bits[0]}, ${hex})` : `${field.name} (bits ${bits.join(', ')}: ${hex})`);
  }
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : (parts[0] ?? '');
}

/**
 * The set fields of a policy in one line, for completion details and hover
 * titles: flags by name, wider fields as `NAME=value`, `0x3` → `NODBG | NOKS`.
 */
export function summarizePolicy(value: bigint, kind: PolicyKind): string {
  const parts: string[] = [];
  for (const { field, value: v } of decodePolicy(value, kind)) {
    if (v === 0n) continue;
    if (field.width === 1) parts.push(field.name);
    else if (field.name === 'RESERVED') parts.push(`RESERVED (${formatPolicy(v << BigInt(field.bit))})`);
    else parts.push(`${field.name}=${v}`);
  }
  return parts.length > 0 ? parts.join(' | ') : 'no bits set';
}

export type PolicyNoteLevel = 'error' | 'warning' | 'info';

/** Something to know about a policy value, in one line: what the policy rules check, for hover. */
export interface PolicyNote {
  readonly level: PolicyNoteLevel;
  /** The bits the note is about (set, or missing). */
  readonly bits: bigint;
  readonly text: string;
}

/**
 * What is wrong with (or worth knowing about) a policy value, from the same
 * masks the policy rules use: for SEV the reserved bits 6–15, NODBG and the
 * minimum API version; for SEV-SNP the bits KVM requires, refuses or accepts
 * only on some hosts, DEBUG and the minimum ABI version.
 */
export function policyNotes(value: bigint, kind: PolicyKind): PolicyNote[] {
  const notes: PolicyNote[] = [];
  if (kind === 'sev') {
    const reserved = value & SEV.RESERVED;
    if (reserved === 0x40n && (value & SEV.ES) === 0n) {
      notes.push({ level: 'warning', bits: reserved, text: 'sets reserved bit 6 (0x40), not the ES bit 2 (0x4): the guest runs as plain SEV, not SEV-ES; bits 6–15 must be zero.' });
    } else if (reserved !== 0n) {
      notes.push({ level: 'warning', bits: reserved, text: `sets ${describeBits(value, SEV.RESERVED, 'sev')}; bits 6–15 are reserved and must be zero.` });
    }
    if ((value & SEV.NODBG) === 0n) {
      notes.push({ level: 'info', bits: SEV.NODBG, text: 'leaves NODBG (bit 0, 0x1) clear: the host can decrypt and encrypt guest memory with DBG_DECRYPT / DBG_ENCRYPT.' });
    }
    if ((value & SEV.API) !== 0n) {
      const major = (value >> 16n) & 0xffn;
      const minor = (value >> 24n) & 0xffn;
      notes.push({ level: 'info', bits: value & SEV.API, text: `requires SEV firmware API ${major}.${minor} or later: the firmware refuses LAUNCH_START on an older platform.` });
    }
    return notes;
  }
  const missing = SNP_REQUIRED & ~value;
  if (missing !== 0n) {
    notes.push({ level: 'error', bits: missing, text: `leaves ${describeBits(missing, missing, 'sev-snp')} clear; KVM's SNP_LAUNCH_START refuses the policy (-EINVAL).` });
  }
  if ((value & SNP_FORBIDDEN) !== 0n) {
    notes.push({ level: 'error', bits: value & SNP_FORBIDDEN, text: `sets ${describeBits(value, SNP_FORBIDDEN, 'sev-snp')}; KVM's SNP_LAUNCH_START refuses the policy (-EINVAL).` });
  }
  if ((value & SNP_HOST_DEPENDENT) !== 0n) {
    notes.push({ level: 'warning', bits: value & SNP_HOST_DEPENDENT, text: `sets ${describeBits(value, SNP_HOST_DEPENDENT, 'sev-snp')}; only some KVM and firmware versions (or single-socket hosts) accept it.` });
  }
  if ((value & SNP.DEBUG) !== 0n) {
    notes.push({ level: 'info', bits: SNP.DEBUG, text: 'sets DEBUG (bit 19, 0x80000): the host can decrypt and encrypt guest memory with SNP_DBG_DECRYPT / SNP_DBG_ENCRYPT.' });
  }
  if ((value & SNP.ABI) !== 0n) {
    const major = (value >> 8n) & 0xffn;
    const minor = value & 0xffn;
    notes.push({ level: 'info', bits: value & SNP.ABI, text: `requires SNP firmware ABI ${major}.${minor} or later.` });
  }
  return notes;
}
