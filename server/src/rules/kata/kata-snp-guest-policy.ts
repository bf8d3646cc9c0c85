import type { KataModel } from '../../kata/model';
import { describeBits, SNP, SNP_REQUIRED, SNP_FORBIDDEN, SNP_HOST_DEPENDENT } from '../../policy';
import { setValue } from '../../toml/edit';
import type { TomlEntry } from '../../toml/parse';
import { defineRule, type Fix, type Report, type Severity } from '../types';
import { formatInStyle, rawValue, readKataPolicy, showPolicyValue, type NumberStyle } from './k3-util';


/** A TOML integer literal that is not negative, as a string's content (`"0x30000"`). */
const INTEGER_TEXT = /^(0x[0-9A-Fa-f]+|0o[0-7]+|0b[01]+|0|[1-9][0-9]*)$/;

type Emit = (r: Report<'missing' | 'forbidden' | 'singleSocket' | 'newer' | 'both' | 'debug' | 'negative' | 'notInteger'>) => void;

interface Policy {
  readonly entry: TomlEntry;
  readonly value: bigint;
  readonly style: NumberStyle;
}

export const rule = defineRule<KataModel>()({
  id: 'kata-snp-guest-policy',
  target: 'kata-toml',
  severity: 'error',
  fixable: true,
  hasSuggestions: true,
  summary: 'snp_guest_policy must set bits 16–17, must not set bit 18 or bits 26–63; bits 19–25 are flagged.',
  messages: {
    missing:
      "snp_guest_policy {value} leaves {bits} clear; KVM's SNP_LAUNCH_START refuses such a policy (-EINVAL), so the pod VM does not start. Expected {expected}.",
    forbidden:
      "snp_guest_policy {value} sets {bits}; KVM's SNP_LAUNCH_START refuses such a policy (-EINVAL), so the pod VM does not start. Expected {expected}.",
    singleSocket:
      'snp_guest_policy {value} sets {bits}; older KVM (such as Linux 6.11) refuses it in SNP_LAUNCH_START, and on a multi-socket host the launch fails. Without it the policy is {expected}.',
    newer:
      'snp_guest_policy {value} sets {bits}; only newer KVM and SEV firmware accept these bits, elsewhere SNP_LAUNCH_START fails. Without them the policy is {expected}.',
    both:
      'snp_guest_policy {value} sets {bits}; only newer KVM and SEV firmware accept these bits (elsewhere SNP_LAUNCH_START fails), and SINGLE_SOCKET also fails on a multi-socket host. Without them the policy is {expected}.',
    debug:
      'snp_guest_policy {value} sets {bits}, so the host can read and write guest memory with the firmware commands SNP_DBG_DECRYPT / SNP_DBG_ENCRYPT. Clear it for a guest that is not being debugged: {expected}.',
    negative:
      'snp_guest_policy is {found}, a negative number; Kata reads it into an unsigned 64-bit integer and cannot load the configuration. The SEV-SNP default is 0x30000.',
    notInteger:
      'snp_guest_policy must be an integer (the 64-bit SEV-SNP guest policy, e.g. 0x30000 = 196608); found {found}, so Kata cannot load the configuration.',
  },
  check(model, _ctx, report) {
    if (!model.snp) return;
    const policy = readKataPolicy(model);
    if (policy.kind === 'invalid') {
      reportInvalid(model, policy.entry, policy.reason, report);
      return;
    }
    if (policy.kind !== 'set') return;
    const p: Policy = policy;
    checkRequired(p, report);
    checkForbidden(p, report);
    checkHostDependent(p, report);
    checkDebug(p, report);
  },
});

function reportInvalid(model: KataModel, entry: TomlEntry, reason: 'negative' | 'notInteger', report: Emit): void {
  const raw = rawValue(model, entry);
  const found = raw.length > 60 ? raw.slice(0, 57) + '…' : raw;
  const fixes: Fix[] = [];
  const inner = typeof entry.value === 'string' ? entry.value.trim().replace(/_/g, '') : undefined;
  if (inner !== undefined && INTEGER_TEXT.test(inner)) {
    fixes.push({ title: `Write ${inner} without quotes`, edits: [setValue(entry, inner)], preferred: true });
  }
  report({ messageId: reason, data: { found }, span: entry.valueSpan, fixes });
}

/** A finding that the policy should be `value`, with a fix written in the user's notation. */
function change(p: Policy, value: bigint, bits: string, title: string, preferred: boolean, severity?: Severity): Omit<Report, 'messageId'> {
  const written = formatInStyle(value, p.style);
  const fix: Fix = { title: `${title}: ${written}`, edits: [setValue(p.entry, written)], preferred };
  const data = { value: showPolicyValue(p.value, p.style), bits, expected: showPolicyValue(value, p.style) };
  return { data, span: p.entry.valueSpan, fixes: [fix], ...(severity ? { severity } : {}) };
}

/**
 * The required bits set and the forbidden ones cleared: what both error
 * findings expect, so that one fix settles both.
 */
function launchable(p: Policy): { value: bigint; title: string } {
  const missing = SNP_REQUIRED & ~p.value;
  const parts: string[] = [];
  if (missing !== 0n) parts.push(`Set ${describeBits(missing, missing, 'sev-snp')}`);
  if ((p.value & SNP_FORBIDDEN) !== 0n) parts.push(`${parts.length ? 'clear' : 'Clear'} ${describeBits(p.value, SNP_FORBIDDEN, 'sev-snp')}`);
  return { value: (p.value | SNP_REQUIRED) & ~SNP_FORBIDDEN, title: parts.join(' and ') };
}

function checkRequired(p: Policy, report: Emit): void {
  const missing = SNP_REQUIRED & ~p.value;
  if (missing === 0n) return;
  const fixed = launchable(p);
  report({ messageId: 'missing', ...change(p, fixed.value, describeBits(missing, missing, 'sev-snp'), fixed.title, true) });
}

function checkForbidden(p: Policy, report: Emit): void {
  if ((p.value & SNP_FORBIDDEN) === 0n) return;
  const fixed = launchable(p);
  report({ messageId: 'forbidden', ...change(p, fixed.value, describeBits(p.value, SNP_FORBIDDEN, 'sev-snp'), fixed.title, true) });
}

function checkHostDependent(p: Policy, report: Emit): void {
  const set = p.value & SNP_HOST_DEPENDENT;
  if (set === 0n) return;
  const messageId = set === SNP.SINGLE_SOCKET ? 'singleSocket' : (set & SNP.SINGLE_SOCKET) === 0n ? 'newer' : 'both';
  const bits = describeBits(p.value, SNP_HOST_DEPENDENT, 'sev-snp');
  report({ messageId, ...change(p, p.value & ~SNP_HOST_DEPENDENT, bits, `Clear ${bits}`, false, 'warning') });
}

function checkDebug(p: Policy, report: Emit): void {
  if ((p.value & SNP.DEBUG) === 0n) return;
  const bits = describeBits(p.value, SNP.DEBUG, 'sev-snp');
  report({ messageId: 'debug', ...change(p, p.value & ~SNP.DEBUG, bits, `Clear ${bits}`, false, 'information') });
}
