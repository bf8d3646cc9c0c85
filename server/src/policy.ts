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

/** A guest type as users choose it: SEV-ES is `sev` with the ES policy bit. */
export type GuestKind = 'sev' | 'sev-es' | 'sev-snp';

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
  NOSEND: 0x8n,
  DOMAIN: 0x10n,
  SEV: 0x20n,
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
} as const;

/**
 * The policy each guest type gets when none is chosen: libvirt's documented
 * SEV value NODBG | NOKS (virt-install's too), its SEV-ES variant, and the
 * SEV-SNP default of QEMU, libvirt, Nova and Kata (SMT | RSVD_MBO).
 */
export const DEFAULT_POLICY: Readonly<Record<GuestKind, bigint>> = {
  sev: SEV.NODBG | SEV.NOKS,
  'sev-es': SEV.NODBG | SEV.NOKS | SEV.ES,
  'sev-snp': SNP.SMT | SNP.RSVD_MBO,
};

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
  /** A leading `+`: libvirt reads it (`g_ascii_strtoull` takes a sign), the schema does not. */
  readonly plus: boolean;
  /** No `0x` and only decimal digits that mean another number in decimal (`196608`): probably meant as decimal. */
  readonly looksDecimal: boolean;
  /** Larger than the policy's width. */
  readonly overflow: boolean;
  /** The number text without surrounding whitespace. */
  readonly core: string;
}

const HEX = /^(\+)?(0[xX])?([0-9a-fA-F]+)$/;

/**
 * Reads policy text as libvirt 11.3 does: `g_ascii_strtoull(text, &end, 16)`
 * with no trimming — leading whitespace, a `+` and an optional 0x prefix are
 * accepted (a `-` is refused by `virStrToLong_uip`/`_ullp`), anything after
 * the digits is an error, and a `sev` policy must fit 32 bits.
 */
export function readPolicy(text: string, kind: PolicyKind): PolicyReading {
  const leadingSpace = text.length - text.trimStart().length;
  const trailingSpace = text.length - text.trimEnd().length;
  const core = text.trim();
  const m = HEX.exec(core);
  if (!m) {
    return { value: undefined, rejected: true, leadingSpace, trailingSpace, uppercase: false, plus: false, looksDecimal: false, overflow: false, core };
  }
  const digits = m[3]!;
  const value = BigInt('0x' + digits);
  const overflow = value > (kind === 'sev' ? SEV.MAX : SNP.MAX);
  return {
    value: overflow ? undefined : value,
    rejected: overflow || trailingSpace > 0,
    leadingSpace,
    trailingSpace,
    uppercase: /[A-FX]/.test(core),
    plus: m[1] !== undefined,
    looksDecimal: m[2] === undefined && /^[0-9]+$/.test(digits) && BigInt(digits) !== value,
    overflow,
    core,
  };
}

/** How an integer is written, to write another value the same way. */
export interface NumberStyle {
  readonly radix: 2 | 8 | 10 | 16;
  /** Zero-padded to this many digits (`0x00030000`: 8); 1 when not padded. */
  readonly width: number;
  /** Upper-case hex digits (`0x3000A`). */
  readonly upper: boolean;
}

const PREFIX: Readonly<Record<NumberStyle['radix'], string>> = { 2: '0b', 8: '0o', 10: '', 16: '0x' };

/** The style of an integer literal: `0x`/`0o`/`0b` or decimal, zero-padding, case (`+` and `_` are ignored). */
export function numberStyle(raw: string): NumberStyle {
  const text = raw.replace(/^\+/, '').replace(/_/g, '');
  const m = /^0([xob])(.*)$/.exec(text);
  const radix = m ? ({ x: 16, o: 8, b: 2 } as const)[m[1] as 'x' | 'o' | 'b'] : 10;
  const digits = m ? m[2]! : text;
  const width = digits.length > 1 && digits.startsWith('0') ? digits.length : 1;
  return { radix, width, upper: /[A-F]/.test(digits) && !/[a-f]/.test(digits) };
}

/** `value` written in `style`, without `_` separators: the one number formatter of policies. */
export function formatNumber(value: bigint, style: NumberStyle): string {
  const digits = value.toString(style.radix).padStart(style.width, '0');
  return PREFIX[style.radix] + (style.upper ? digits.toUpperCase() : digits);
}

/** `0x` + lower-case hex, at least `minDigits` digits. */
export function formatPolicy(value: bigint, minDigits = 1): string {
  return formatNumber(value, { radix: 16, width: minDigits, upper: false });
}

/** A policy as libvirt writes it: SEV and SEV-ES policies as `0x%04x`, SNP ones without padding (`0x30000`). */
export function formatLaunchPolicy(kind: GuestKind, value: bigint): string {
  return kind === 'sev-snp' ? formatPolicy(value) : formatPolicy(value, 4);
}

/** For messages: the value in `style`, with its hex form when that is not hex (`196608 (0x30000)`). */
export function showNumber(value: bigint, style: NumberStyle): string {
  const written = formatNumber(value, style);
  return style.radix === 16 ? written : `${written} (${formatPolicy(value)})`;
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

/**
 * One judgment about a policy value: what the policy rules of both libvirt
 * and Kata report, and what hover lists. The rules, `policyNotes` and the
 * fixes all come from here, so libvirt and Kata cannot disagree.
 */
export type PolicyProblem =
  /** SEV-SNP: SMT or RSVD_MBO clear; KVM refuses the policy. */
  | { readonly kind: 'snpMissing'; readonly bits: bigint; readonly fixed: bigint }
  /** SEV-SNP: MIGRATE_MA or a reserved bit 26–63 set; KVM refuses the policy. */
  | { readonly kind: 'snpForbidden'; readonly bits: bigint; readonly fixed: bigint }
  /** SEV-SNP: SINGLE_SOCKET or bits 21–25 set; only some KVM, firmware or hosts accept them. */
  | { readonly kind: 'snpHostDependent'; readonly bits: bigint; readonly fixed: bigint; readonly variant: 'singleSocket' | 'newer' | 'both' }
  /** SEV-SNP: DEBUG set. */
  | { readonly kind: 'snpDebug'; readonly bits: bigint; readonly fixed: bigint }
  /** SEV: reserved bits 6–15 set; `esTypo` when only bit 6 is set without ES (0x41 for 0x5). */
  | { readonly kind: 'sevReserved'; readonly bits: bigint; readonly fixed: bigint; readonly esTypo: boolean }
  /** SEV: NODBG clear. */
  | { readonly kind: 'sevNoDebugClear'; readonly bits: bigint; readonly fixed: bigint }
  /** A minimum firmware API (SEV) or ABI (SEV-SNP) version; not a problem, worth knowing. */
  | { readonly kind: 'minimumFirmware'; readonly bits: bigint; readonly major: bigint; readonly minor: bigint };

/** The SNP policy KVM launches: the required bits set and the forbidden ones cleared, so one fix settles both errors. */
export function launchableSnpPolicy(value: bigint): bigint {
  return (value | SNP_REQUIRED) & ~SNP_FORBIDDEN;
}

/** Bit 6, set in AMD's sample-sev-es.xml (0x41) where the ES bit 0x4 was meant. */
const SEV_BIT6 = 0x40n;

/** Every judgment about `value`, in the order hover lists them (errors first). */
export function policyProblems(value: bigint, kind: PolicyKind): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  if (kind === 'sev') {
    const reserved = value & SEV.RESERVED;
    if (reserved !== 0n) out.push({ kind: 'sevReserved', bits: reserved, fixed: value & ~SEV.RESERVED, esTypo: reserved === SEV_BIT6 && (value & SEV.ES) === 0n });
    if ((value & SEV.NODBG) === 0n) out.push({ kind: 'sevNoDebugClear', bits: SEV.NODBG, fixed: value | SEV.NODBG });
    if ((value & SEV.API) !== 0n) out.push({ kind: 'minimumFirmware', bits: value & SEV.API, major: (value >> 16n) & 0xffn, minor: (value >> 24n) & 0xffn });
    return out;
  }
  const missing = SNP_REQUIRED & ~value;
  if (missing !== 0n) out.push({ kind: 'snpMissing', bits: missing, fixed: launchableSnpPolicy(value) });
  const forbidden = value & SNP_FORBIDDEN;
  if (forbidden !== 0n) out.push({ kind: 'snpForbidden', bits: forbidden, fixed: launchableSnpPolicy(value) });
  const host = value & SNP_HOST_DEPENDENT;
  if (host !== 0n) {
    const variant = host === SNP.SINGLE_SOCKET ? 'singleSocket' : (host & SNP.SINGLE_SOCKET) === 0n ? 'newer' : 'both';
    out.push({ kind: 'snpHostDependent', bits: host, fixed: value & ~SNP_HOST_DEPENDENT, variant });
  }
  if ((value & SNP.DEBUG) !== 0n) out.push({ kind: 'snpDebug', bits: SNP.DEBUG, fixed: value & ~SNP.DEBUG });
  if ((value & SNP.ABI) !== 0n) out.push({ kind: 'minimumFirmware', bits: value & SNP.ABI, major: (value >> 8n) & 0xffn, minor: value & 0xffn });
  return out;
}

/** The judgment of `kind` about `value`, if any. */
export function policyProblem<K extends PolicyProblem['kind']>(value: bigint, policyKind: PolicyKind, kind: K): Extract<PolicyProblem, { kind: K }> | undefined {
  return policyProblems(value, policyKind).find((p): p is Extract<PolicyProblem, { kind: K }> => p.kind === kind);
}

/** The bits a problem is about (set, or missing), by name: `SMT (bit 16, 0x10000)`. */
export function problemBits(p: PolicyProblem, kind: PolicyKind): string {
  return describeBits(p.bits, p.bits, kind);
}

/** What a fix to `p.fixed` does, in words: `Set SMT (bit 16, 0x10000) and clear MIGRATE_MA (bit 18, 0x40000)`. */
export function fixAction(value: bigint, p: Exclude<PolicyProblem, { kind: 'minimumFirmware' }>, kind: PolicyKind): string {
  const set = p.fixed & ~value;
  const cleared = value & ~p.fixed;
  const parts: string[] = [];
  if (set !== 0n) parts.push(`set ${describeBits(set, set, kind)}`);
  if (cleared !== 0n) parts.push(`clear ${describeBits(cleared, cleared, kind)}`);
  const text = parts.join(' and ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export type PolicyNoteLevel = 'error' | 'warning' | 'info';

/** Something to know about a policy value, in one line: what the policy rules check, for hover. */
export interface PolicyNote {
  readonly level: PolicyNoteLevel;
  /** The bits the note is about (set, or missing). */
  readonly bits: bigint;
  readonly text: string;
}

/** What is wrong with (or worth knowing about) a policy value, in one line each, for hover: the policy rules' judgments. */
export function policyNotes(value: bigint, kind: PolicyKind): PolicyNote[] {
  return policyProblems(value, kind).map((p): PolicyNote => {
    const bits = problemBits(p, kind);
    switch (p.kind) {
      case 'sevReserved':
        return p.esTypo
          ? { level: 'warning', bits: p.bits, text: 'sets reserved bit 6 (0x40), not the ES bit 2 (0x4): the guest runs as plain SEV, not SEV-ES; bits 6–15 must be zero.' }
          : { level: 'warning', bits: p.bits, text: `sets ${bits}; bits 6–15 are reserved and must be zero.` };
      case 'sevNoDebugClear':
        return { level: 'info', bits: p.bits, text: 'leaves NODBG (bit 0, 0x1) clear: the host can decrypt and encrypt guest memory with DBG_DECRYPT / DBG_ENCRYPT.' };
      case 'snpMissing':
        return { level: 'error', bits: p.bits, text: `leaves ${bits} clear; KVM's SNP_LAUNCH_START refuses the policy (-EINVAL).` };
      case 'snpForbidden':
        return { level: 'error', bits: p.bits, text: `sets ${bits}; KVM's SNP_LAUNCH_START refuses the policy (-EINVAL).` };
      case 'snpHostDependent':
        return { level: 'warning', bits: p.bits, text: `sets ${bits}; only some KVM and firmware versions (or single-socket hosts) accept it.` };
      case 'snpDebug':
        return { level: 'info', bits: p.bits, text: 'sets DEBUG (bit 19, 0x80000): the host can decrypt and encrypt guest memory with SNP_DBG_DECRYPT / SNP_DBG_ENCRYPT.' };
      case 'minimumFirmware':
        return kind === 'sev'
          ? { level: 'info', bits: p.bits, text: `requires SEV firmware API ${p.major}.${p.minor} or later: the firmware refuses LAUNCH_START on an older platform.` }
          : { level: 'info', bits: p.bits, text: `requires SNP firmware ABI ${p.major}.${p.minor} or later.` };
    }
  });
}

/** How a policy reading scores against another: an error outweighs any number of warnings, a warning any number of notes. */
function noteWeight(notes: readonly PolicyNote[]): number {
  return notes.reduce((w, n) => w + (n.level === 'error' ? 10_000 : n.level === 'warning' ? 100 : 1), 0);
}

/** A policy written in decimal digits without `0x` that was most likely meant as decimal. */
export interface LikelyDecimal {
  /** The value of the digits read as decimal (what was most likely meant). */
  readonly value: bigint;
  /** libvirt or KVM refuses libvirt's (hex) reading: no guest ever ran with it. */
  readonly hexRefused: boolean;
  /** The decimal reading has no error and no warning of its own. */
  readonly clean: boolean;
  /** What policyNotes says of libvirt's hex reading; empty when there is none (the text overflows). */
  readonly hexNotes: readonly PolicyNote[];
}

/**
 * `196608` under SEV-SNP: libvirt reads 0x196608 (no SMT-MBO bit, KVM refuses
 * it), while decimal 196608 is 0x30000, the usual policy. The decimal reading
 * is the likely one when the digits look decimal, the decimal value fits and
 * has no error, and it scores better than the hex reading (fewer errors, then
 * fewer warnings, then fewer notes). Undefined otherwise: then the hex reading
 * is judged as libvirt reads it.
 */
export function likelyDecimal(reading: PolicyReading, kind: PolicyKind): LikelyDecimal | undefined {
  if (!reading.looksDecimal) return undefined;
  const value = BigInt(reading.core);
  if (value > (kind === 'sev' ? SEV.MAX : SNP.MAX)) return undefined;
  const decimalNotes = policyNotes(value, kind);
  if (decimalNotes.some((n) => n.level === 'error')) return undefined;
  const hexNotes = reading.value === undefined ? [] : policyNotes(reading.value, kind);
  // An overflowing text has no hex reading to weigh: decimal is the only reading that fits.
  if (reading.value !== undefined && noteWeight(decimalNotes) >= noteWeight(hexNotes)) return undefined;
  return {
    value,
    hexRefused: reading.rejected || hexNotes.some((n) => n.level === 'error'),
    clean: decimalNotes.every((n) => n.level === 'info'),
    hexNotes,
  };
}

