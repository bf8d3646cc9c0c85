import type { DomainModel } from '../../domain/model';
import { DEFAULT_POLICY, formatLaunchPolicy, formatPolicy, likelyDecimal, SEV, SNP, type PolicyKind, type PolicyNote, type PolicyReading } from '../../policy';
import type { XmlElement } from '../../xml/model';
import { defineRule, type Fix, type Report } from '../types';
import { policyTextEdit } from './policy-util';

const FAILS = "fails with 'failed to get launch security policy'";
const SCHEMA = 'its schema allows only (0x)?[0-9a-f]+, so virsh define --validate and virt-xml-validate reject it';

export const rule = defineRule<DomainModel>()({
  id: 'sev-policy-format',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  hasSuggestions: true,
  summary: 'The <policy> of a SEV / SEV-SNP guest must be a hex number libvirt and its schema accept.',
  messages: {
    empty: `<policy> is empty; libvirt ${FAILS}. Expected a hex value such as {example}.`,
    notHex: `The policy '{text}' is not a hexadecimal number; libvirt reads <policy> in base 16 and ${FAILS}.`,
    overflow: `The policy {text} does not fit in {width} bits; libvirt ${FAILS}.`,
    overflowDecimal: `Without 0x the policy '{text}' is read as hex 0x{text}, which does not fit in {width} bits; libvirt ${FAILS}. If {text} is decimal, write {decimal}.`,
    trailing: `The policy '{text}' is followed by whitespace; libvirt reads nothing after the number and ${FAILS}. Write <policy>{fixed}</policy>.`,
    trailingDecimal: `The policy '{text}' is followed by whitespace; libvirt reads nothing after the number and ${FAILS}. Without 0x the digits are also hex: libvirt reads {hex}, not decimal {text} (= {decimal}).`,
    decimalLikely: "The policy '{text}' has no 0x, so libvirt reads it as hex {hex}. {problems} Read as decimal, {text} is {decimal}, most likely what was meant: write {decimal}.",
    decimal: "The policy '{text}' has no 0x, so libvirt reads it as hex {hex}, not as decimal {text} (= {decimal}). Write {hex} or {decimal}, whichever is meant.",
    uppercase: `The policy '{text}' has upper-case hex digits or 0X; libvirt reads it, but ${SCHEMA}. Write {fixed}.`,
    leadingSpace: `The policy '{text}' has whitespace before it; libvirt skips it, but ${SCHEMA}. Write {fixed}.`,
    plus: `The policy '{text}' starts with '+'; libvirt reads it (g_ascii_strtoull takes a sign), but ${SCHEMA}. Write {fixed}.`,
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    const element = sev?.policyElement;
    if (!sev || !element || !sev.policy) return;
    const finding = inspect(model, element, sev.policy, sev.type);
    if (finding) report(finding);
  },
});

/** The one finding for a policy text, the most serious problem first. */
type MessageId = 'empty' | 'notHex' | 'overflow' | 'overflowDecimal' | 'trailing' | 'trailingDecimal' | 'decimalLikely' | 'decimal' | 'uppercase' | 'leadingSpace' | 'plus';

function inspect(model: DomainModel, element: XmlElement, reading: PolicyReading, kind: PolicyKind): Report<MessageId> | undefined {
  const text = reading.core;
  const span = element.content ?? element.span;
  if (text === '') {
    const example = formatLaunchPolicy(kind, DEFAULT_POLICY[kind]);
    return { messageId: 'empty', data: { example }, span: element.span, severity: 'error', fixes: [rewrite(model, element, example, `Set the policy to ${example}`, false)] };
  }
  const hexDigits = text.replace(/^\+?(0[xX])?/, '');
  const decimal = decimalReading(reading, kind);
  // The decimal reading leads when it is the likely one; it is applied unseen only when libvirt or KVM
  // refuses the hex reading (no guest ever ran with it) and the decimal reading has nothing to warn about.
  const likely = likelyDecimal(reading, kind);
  const decimalFixes = decimal === undefined ? [] : [rewrite(model, element, decimal, `Read ${text} as decimal: ${decimal}`, likely !== undefined && likely.hexRefused && likely.clean)];
  if (reading.overflow) {
    const width = kind === 'sev' ? 32 : 64;
    if (decimal === undefined) return { messageId: 'overflow', data: { text, width }, span, severity: 'error' };
    return { messageId: 'overflowDecimal', data: { text, width, decimal }, span, severity: 'error', fixes: decimalFixes };
  }
  if (reading.value === undefined) return { messageId: 'notHex', data: { text }, span, severity: 'error' };

  const fixed = '0x' + hexDigits.toLowerCase();
  if (decimal !== undefined) {
    const data = { text, hex: fixed, decimal };
    const keepHex = rewrite(model, element, fixed, `Keep libvirt's hex reading: ${fixed}`, false);
    const fixes = likely ? [...decimalFixes, keepHex] : [keepHex, ...decimalFixes];
    if (reading.trailingSpace > 0) return { messageId: 'trailingDecimal', data, span, severity: 'error', fixes };
    if (likely) return { messageId: 'decimalLikely', data: { ...data, problems: hexProblems(likely.hexNotes) }, span, severity: likely.hexRefused ? 'error' : 'warning', fixes };
    return { messageId: 'decimal', data, span, severity: 'warning', fixes };
  }
  const normalise = rewrite(model, element, fixed, `Write the policy as ${fixed}`, true);
  if (reading.trailingSpace > 0) return { messageId: 'trailing', data: { text, fixed }, span, severity: 'error', fixes: [normalise] };
  if (reading.plus) return { messageId: 'plus', data: { text, fixed }, span, severity: 'warning', fixes: [normalise] };
  if (reading.uppercase) return { messageId: 'uppercase', data: { text, fixed }, span, severity: 'warning', fixes: [normalise] };
  if (reading.leadingSpace > 0) return { messageId: 'leadingSpace', data: { text, fixed }, span, severity: 'warning', fixes: [normalise] };
  return undefined;
}

/**
 * What is wrong with libvirt's hex reading, as sentences: its errors and
 * warnings, or its notes when it has only those (the policy bit rules, which
 * would say it, stay quiet for a likely-decimal policy).
 */
function hexProblems(notes: readonly PolicyNote[]): string {
  const serious = notes.filter((n) => n.level !== 'info');
  return (serious.length > 0 ? serious : notes).map((n) => `It ${n.text}`).join(' ');
}

/** The policy as hex when its digits are read as decimal, if they look decimal and the number fits. */
function decimalReading(reading: PolicyReading, kind: PolicyKind): string | undefined {
  if (!reading.looksDecimal) return undefined;
  const value = BigInt(reading.core);
  return value <= (kind === 'sev' ? SEV.MAX : SNP.MAX) ? formatPolicy(value) : undefined;
}

function rewrite(model: DomainModel, element: XmlElement, newText: string, title: string, preferred: boolean): Fix {
  const { edit, keepsAll } = policyTextEdit(model, element, newText);
  return { title, edits: [edit], preferred: preferred && keepsAll };
}
