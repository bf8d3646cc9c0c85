import type { KataModel } from '../../kata/model';
import { SNP, fixAction, formatNumber, policyProblems, problemBits, showNumber, type NumberStyle, type PolicyProblem } from '../../policy';
import { setValue } from '../../toml/edit';
import type { TomlEntry } from '../../toml/parse';
import { defineRule, type Fix, type Report, type Severity } from '../types';
import { rawValue, readKataPolicy } from './query';


/** A TOML integer literal that is not negative, as a string's content (`"0x30000"`). */
const INTEGER_TEXT = /^(0x[0-9A-Fa-f]+|0o[0-7]+|0b[01]+|0|[1-9][0-9]*)$/;

type MessageId = 'smt' | 'missing' | 'forbidden' | 'singleSocket' | 'newer' | 'both' | 'debug' | 'negative' | 'notInteger';
type Emit = (r: Report<MessageId>) => void;

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
    smt: "snp_guest_policy {value} leaves bit 16 (SMT) clear: KVM of Linux 6.11 and other older kernels refuses such a policy in SNP_LAUNCH_START (-EINVAL); newer kernels (after the 2025 removal of KVM's hardcoded SNP policy checks) leave it to the SEV firmware, which refuses it (POLICY_FAILURE) on a host with SMT enabled, so the pod VM starts only where SMT is off. Expected {expected}.",
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
    checkProblems(policy, report);
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

/** How a judgment of policy.ts is reported here: errors fix to the launchable policy, unseen; the others are offered. */
function findingOf(problem: PolicyProblem): { messageId: Exclude<MessageId, 'negative' | 'notInteger'>; preferred: boolean; severity?: Severity } | undefined {
  switch (problem.kind) {
    case 'snpMissing':
      return { messageId: problem.bits === SNP.SMT ? 'smt' : 'missing', preferred: true };
    case 'snpForbidden':
      return { messageId: 'forbidden', preferred: true };
    case 'snpHostDependent':
      return { messageId: problem.variant, preferred: false, severity: 'warning' };
    case 'snpDebug':
      return { messageId: 'debug', preferred: false, severity: 'information' };
    default:
      return undefined;
  }
}

/**
 * The findings of policy.ts's SEV-SNP judgments (the same as the domain XML
 * policy rules'), each with a fix written in the user's notation. Errors fix
 * to the launchable policy and are preferred; the others are not.
 */
function checkProblems(p: Policy, report: Emit): void {
  for (const problem of policyProblems(p.value, 'sev-snp')) {
    const how = findingOf(problem);
    if (!how || problem.kind === 'minimumFirmware') continue;
    const written = formatNumber(problem.fixed, p.style);
    report({
      messageId: how.messageId,
      data: { value: showNumber(p.value, p.style), bits: problemBits(problem, 'sev-snp'), expected: showNumber(problem.fixed, p.style) },
      span: p.entry.valueSpan,
      fixes: [{ title: `${fixAction(p.value, problem, 'sev-snp')}: ${written}`, edits: [setValue(p.entry, written)], preferred: how.preferred }],
      ...(how.severity ? { severity: how.severity } : {}),
    });
  }
}
