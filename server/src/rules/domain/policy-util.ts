import type { DomainModel, SevInfo } from '../../domain/model';
import { fixAction, formatPolicy, likelyDecimal, problemBits, type PolicyKind, type PolicyProblem, type PolicyReading } from '../../policy';
import { replaceContent, type TextEdit } from '../../xml/edit';
import { rawContent, type XmlElement } from '../../xml/model';
import type { Fix, MessageData } from '../types';

/**
 * A `<policy>` libvirt reads a number from: what the policy bit rules check.
 * Undefined too when the text was most likely meant as decimal (`196608` for
 * SEV-SNP, see `likelyDecimal`): judging the bits of libvirt's hex reading
 * would lead to fixes of a value nobody meant, so the bit rules stay quiet and
 * sev-policy-format leads with the decimal reading.
 */
export interface ReadablePolicy {
  readonly sev: SevInfo;
  readonly element: XmlElement;
  readonly reading: PolicyReading;
  readonly value: bigint;
}

export function readablePolicy(model: DomainModel): ReadablePolicy | undefined {
  const sev = model.sev;
  const element = sev?.policyElement;
  const reading = sev?.policy;
  if (!sev || !element || !reading || reading.value === undefined) return undefined;
  if (likelyDecimal(reading, sev.type) !== undefined) return undefined;
  return { sev, element, reading, value: reading.value };
}

/** The width a zero-padded policy (`0x0003`) was written with; 1 when it is not padded (`0x41`). */
export function paddedWidth(reading: PolicyReading): number {
  const digits = reading.core.replace(/^\+?(0[xX])?/, '');
  return digits.length > 1 && digits.startsWith('0') ? digits.length : 1;
}

/** `value` written as the user writes this policy: `0x`, lower-case, the same zero-padding. */
export function showPolicy(p: ReadablePolicy, value: bigint = p.value): string {
  return formatPolicy(value, paddedWidth(p.reading));
}

/**
 * Rewrites the whole text of `<policy>`. It is not safe to apply unseen when
 * the element holds comments (they would go).
 */
export function policyTextEdit(model: DomainModel, element: XmlElement, newText: string): { edit: TextEdit; keepsAll: boolean } {
  const edit = replaceContent(element, newText) ?? { ...element.span, newText: `<policy>${newText}</policy>` };
  return { edit, keepsAll: !rawContent(model.text, element).includes('<') };
}

/**
 * A fix that sets the policy to `value`. A policy written in decimal digits
 * without `0x` is never rewritten unseen: whether the user meant the hex value
 * libvirt reads is exactly what is unclear.
 */
export function setPolicyFix(model: DomainModel, p: ReadablePolicy, value: bigint, title: string, preferred: boolean): Fix {
  const { edit, keepsAll } = policyTextEdit(model, p.element, showPolicy(p, value));
  return { title, edits: [edit], preferred: preferred && keepsAll && !p.reading.looksDecimal };
}

/**
 * A finding about one of policy.ts's judgments: the data every policy message
 * shows (`value`, `bits`, `expected`) and the fix to the judged value.
 */
export function problemReport(
  model: DomainModel,
  p: ReadablePolicy,
  problem: Exclude<PolicyProblem, { kind: 'minimumFirmware' }>,
  preferred: boolean,
): { data: MessageData; span: XmlElement['span']; fixes: Fix[] } {
  const kind: PolicyKind = p.sev.snp ? 'sev-snp' : 'sev';
  const expected = showPolicy(p, problem.fixed);
  return {
    data: { value: showPolicy(p), bits: problemBits(problem, kind), expected },
    span: p.element.span,
    fixes: [setPolicyFix(model, p, problem.fixed, `${fixAction(p.value, problem, kind)}: ${expected}`, preferred)],
  };
}
