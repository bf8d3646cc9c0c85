/**
 * A policy value as markdown: every field of the policy.ts bit table with its
 * value, then what policy.ts says is wrong with it. Hover and completion
 * documentation both use it.
 */
import { decodePolicy, formatPolicy, policyNotes, type PolicyKind, type PolicyNoteLevel, type PolicyReading } from '../policy';

const LEVEL: Readonly<Record<PolicyNoteLevel, string>> = { error: 'Error', warning: 'Warning', info: 'Note' };

function bits(bit: number, width: number): string {
  return width === 1 ? String(bit) : `${bit}–${bit + width - 1}`;
}

/** The decoded policy as a table: Bit | Name | Value | Meaning (when set). */
export function policyTable(value: bigint, kind: PolicyKind): string {
  const rows = ['| Bit | Name | Value | Meaning (when set) |', '|---|---|---|---|'];
  for (const { field, value: v } of decodePolicy(value, kind)) {
    const shown = field.name === 'RESERVED' && v !== 0n ? formatPolicy(v << BigInt(field.bit)) : String(v);
    rows.push(`| ${bits(field.bit, field.width)} | ${field.name} | ${v === 0n ? shown : `**${shown}**`} | ${field.meaning} |`);
  }
  return rows.join('\n');
}

/** Notes as a markdown list, `- **Error:** …`; empty when there are none. */
export function notesList(notes: readonly { level: PolicyNoteLevel; text: string }[]): string {
  return notes.map((n) => `- **${LEVEL[n.level]}:** ${n.text}`).join('\n');
}

/** What libvirt makes of the policy text itself (libvirt's reading, not the bits). */
export function readingNotes(reading: PolicyReading, kind: PolicyKind): { level: PolicyNoteLevel; text: string }[] {
  const notes: { level: PolicyNoteLevel; text: string }[] = [];
  if (reading.overflow) {
    notes.push({ level: 'error', text: `is larger than ${kind === 'sev' ? 32 : 64} bits: libvirt fails with "failed to get launch security policy".` });
  } else if (reading.value === undefined) {
    notes.push({ level: 'error', text: 'is not a hexadecimal number: libvirt fails with "failed to get launch security policy".' });
  } else if (reading.trailingSpace > 0) {
    notes.push({ level: 'error', text: 'has whitespace after the number: libvirt does not trim it and fails with "failed to get launch security policy".' });
  }
  if (reading.value !== undefined && reading.leadingSpace > 0) {
    notes.push({ level: 'warning', text: "has whitespace before the number: libvirt reads it, libvirt's schema does not." });
  }
  if (reading.uppercase) notes.push({ level: 'warning', text: "uses upper-case hex or `0X`: libvirt reads it, libvirt's schema (`(0x)?[0-9a-f]+`) does not." });
  if (reading.looksDecimal && reading.value !== undefined) {
    notes.push({
      level: 'warning',
      text: `has no \`0x\` but libvirt reads it as hexadecimal: ${reading.core} is ${formatPolicy(reading.value)}, not decimal ${reading.core} (= ${formatPolicy(BigInt(reading.core))}).`,
    });
  }
  return notes;
}

/** Title, table and notes for a policy value. */
export function policyMarkdown(value: bigint, kind: PolicyKind, title: string, extraNotes: readonly { level: PolicyNoteLevel; text: string }[] = []): string {
  const parts = [title, '', policyTable(value, kind)];
  const notes = [...extraNotes, ...policyNotes(value, kind)];
  if (notes.length > 0) parts.push('', `The policy ${formatPolicy(value)}:`, notesList(notes));
  return parts.join('\n');
}
