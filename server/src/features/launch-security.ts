/**
 * The one producer of `<launchSecurity>` markup: the "Insert SEV
 * launchSecurity" command, completion, the snippets' tests and fixes all use
 * it, so they cannot drift apart.
 *
 * Shapes follow libvirt's own output (formatdomain "Launch Security",
 * `virDomainSEVDefFormat`): cbitpos, reducedPhysBits, then policy; SEV and
 * SEV-ES are both `type='sev'` (SEV-ES is policy bit 2).
 */
import { isDomain } from '../domain/model';
import { DEFAULT_POLICY, formatLaunchPolicy, formatPolicy, SEV, SNP, summarizePolicy, type GuestKind, type PolicyKind } from '../policy';
import type { TextEdit } from '../text-edit';
import { detectStyle, indentOf, insertChild, render, type DocStyle, type InsertPosition } from '../xml/edit';
import type { XmlTolerantResult } from '../xml/model';
import { parseXmlTolerant } from '../xml/parse';

export type LaunchSecurityKind = GuestKind;

export const LAUNCH_SECURITY_KINDS: readonly LaunchSecurityKind[] = ['sev', 'sev-es', 'sev-snp'];

/** What to call each kind in titles and messages. */
export const KIND_LABELS: Readonly<Record<LaunchSecurityKind, 'SEV' | 'SEV-ES' | 'SEV-SNP'>> = {
  sev: 'SEV',
  'sev-es': 'SEV-ES',
  'sev-snp': 'SEV-SNP',
};

export interface PolicyPreset {
  /** The policy as written in the XML (`0x0003`, `0x30000`). */
  readonly label: string;
  readonly value: bigint;
  /** Decoded meaning and where the value comes from: `NODBG | NOKS — libvirt documentation, virt-install`. */
  readonly detail: string;
  /** Who uses the value. */
  readonly source: string;
}

/** The `type` attribute of a kind: SEV-ES is `sev` with the ES policy bit. */
export function launchSecurityType(kind: LaunchSecurityKind): PolicyKind {
  return kind === 'sev-snp' ? 'sev-snp' : 'sev';
}

/** The kind a `type` and policy value describe. */
export function kindOf(type: PolicyKind, policy: bigint | undefined): LaunchSecurityKind {
  if (type === 'sev-snp') return 'sev-snp';
  return policy !== undefined && (policy & SEV.ES) !== 0n ? 'sev-es' : 'sev';
}


function preset(kind: LaunchSecurityKind, value: bigint, source: string): PolicyPreset {
  return { label: formatLaunchPolicy(kind, value), value, detail: `${summarizePolicy(value, launchSecurityType(kind))} — ${source}`, source };
}

/**
 * Policies worth offering, the first of each kind being the default. Each is
 * accepted by libvirt and KVM and sets no reserved, forbidden, host-dependent
 * or debug bit (a test checks that with policy.ts).
 */
export const POLICY_PRESETS: Readonly<Record<LaunchSecurityKind, readonly PolicyPreset[]>> = {
  sev: [
    preset('sev', DEFAULT_POLICY.sev, 'libvirt documentation, virt-install'),
    preset('sev', DEFAULT_POLICY.sev | SEV.DOMAIN | SEV.SEV, 'OpenStack Nova'),
  ],
  'sev-es': [
    preset('sev-es', DEFAULT_POLICY['sev-es'], 'virt-install on a host with SEV-ES'),
    preset('sev-es', DEFAULT_POLICY['sev-es'] | SEV.DOMAIN | SEV.SEV, 'OpenStack Nova'),
  ],
  'sev-snp': [preset('sev-snp', DEFAULT_POLICY['sev-snp'], 'the default of QEMU, libvirt, Nova and Kata (snp_guest_policy = 196608)')],
};

export interface LaunchSecurityOptions {
  /** `<cbitpos>`: host dependent (47 Naples/Rome, 51 Milan/Genoa); omitted, libvirt fills it in. */
  readonly cbitpos?: number;
  /** `<reducedPhysBits>`: 1 on every known host; omitted, libvirt fills it in. */
  readonly reducedPhysBits?: number;
}

/** libvirt's own formatting: two-space indentation, single quotes, LF. */
export const LIBVIRT_STYLE: DocStyle = { eol: '\n', indentUnit: '  ', quote: "'" };

/** Why a block cannot be made from these arguments, or undefined when it can. */
export function checkLaunchSecurity(kind: LaunchSecurityKind, policy: bigint, opts: LaunchSecurityOptions = {}): string | undefined {
  if (!LAUNCH_SECURITY_KINDS.includes(kind)) return `Unknown launch security kind '${String(kind)}'; expected sev, sev-es or sev-snp.`;
  const max = kind === 'sev-snp' ? SNP.MAX : SEV.MAX;
  if (policy < 0n || policy > max) {
    return `The ${KIND_LABELS[kind]} policy must be between 0 and ${formatPolicy(max)}; got ${policy < 0n ? String(policy) : formatPolicy(policy)}.`;
  }
  if (kind === 'sev-es' && (policy & SEV.ES) === 0n) {
    return `An SEV-ES policy sets the ES bit (bit 2, 0x4); ${formatLaunchPolicy(kind, policy)} does not, so the guest would run as plain SEV.`;
  }
  if (kind === 'sev' && (policy & SEV.ES) !== 0n) {
    return `The policy ${formatLaunchPolicy(kind, policy)} sets the ES bit (bit 2, 0x4), which makes an SEV-ES guest; choose SEV-ES.`;
  }
  for (const [name, v, min, top] of [
    ['cbitpos', opts.cbitpos, 0, 0xffffffff],
    ['reducedPhysBits', opts.reducedPhysBits, 1, 63],
  ] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > top)) return `${name} must be an integer from ${min} to ${top}; got ${v}.`;
  }
  return undefined;
}

/** The block as a markup template for {@link render}: LF, two-space indentation, single quotes. */
function template(kind: LaunchSecurityKind, policy: bigint, opts: LaunchSecurityOptions): string {
  const lines = [`<launchSecurity type='${launchSecurityType(kind)}'>`];
  if (opts.cbitpos !== undefined) lines.push(`  <cbitpos>${opts.cbitpos}</cbitpos>`);
  if (opts.reducedPhysBits !== undefined) lines.push(`  <reducedPhysBits>${opts.reducedPhysBits}</reducedPhysBits>`);
  lines.push(`  <policy>${formatLaunchPolicy(kind, policy)}</policy>`, '</launchSecurity>');
  return lines.join('\n');
}

/**
 * The `<launchSecurity>` element, schema-valid, in `style`; lines after the
 * first are prefixed with `indent` (the indentation of the line the block
 * starts on). Throws a RangeError for arguments {@link checkLaunchSecurity}
 * refuses.
 */
export function launchSecurityBlock(
  kind: LaunchSecurityKind,
  policy: bigint,
  opts: LaunchSecurityOptions = {},
  style: DocStyle = LIBVIRT_STYLE,
  indent = '',
): string {
  const problem = checkLaunchSecurity(kind, policy, opts);
  if (problem) throw new RangeError(problem);
  return render(template(kind, policy, opts), indent, style);
}

export type LaunchSecurityEditResult =
  | {
      readonly ok: true;
      readonly edit: TextEdit;
      /** An existing `<launchSecurity>` is replaced (ask before applying); false: a new one is inserted. */
      readonly replaces: boolean;
    }
  | { readonly ok: false; readonly message: string };

/**
 * Inserts a `<launchSecurity>` block as the last child of `<domain>` (after
 * `<devices>`, before trailing namespaced elements such as
 * `<qemu:commandline>`, where libvirt writes it), or replaces the first
 * existing one, in the file's indentation, quotes and line endings.
 * `parsed`: the tolerant tree of `text` when the caller keeps it.
 */
export function launchSecurityEdit(
  text: string,
  kind: LaunchSecurityKind,
  policy: bigint,
  opts: LaunchSecurityOptions = {},
  parsed: XmlTolerantResult = parseXmlTolerant(text),
): LaunchSecurityEditResult {
  const problem = checkLaunchSecurity(kind, policy, opts);
  if (problem) return { ok: false, message: problem };
  const error = parsed.errors[0];
  const root = parsed.document.root;
  if (error || !root) {
    const detail = error?.message ?? "Start tag expected, '<' not found: the document has no root element.";
    return { ok: false, message: `The document is not well-formed XML (${detail}); fix that before inserting <launchSecurity>.` };
  }
  const doc = { ...parsed.document, root };
  if (!isDomain(doc)) {
    return { ok: false, message: `The root element is <${root.name}>, not <domain>: <launchSecurity> belongs in a libvirt domain.` };
  }
  const style = detectStyle(doc);
  const existing = root.children.find((c) => c.name === 'launchSecurity');
  if (existing) {
    const newText = launchSecurityBlock(kind, policy, opts, style, indentOf(text, existing));
    return { ok: true, replaces: true, edit: { start: existing.span.start, end: existing.span.end, newText } };
  }
  const kids = root.children;
  let firstTrailing = kids.length;
  while (firstTrailing > 0 && kids[firstTrailing - 1]!.name.includes(':')) firstTrailing--;
  const position: InsertPosition = firstTrailing < kids.length ? { before: kids[firstTrailing]! } : 'last';
  return { ok: true, replaces: false, edit: insertChild(doc, style, root, template(kind, policy, opts), position) };
}
