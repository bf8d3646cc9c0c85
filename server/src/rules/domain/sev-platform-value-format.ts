import type { DomainModel } from '../../domain/model';
import { removeElement, replaceContent } from '../../xml/edit';
import { child, rawContent, textContent, type XmlElement } from '../../xml/model';
import { defineRule, type Fix, type Report } from '../types';
import { readLibvirtUInt } from './launch-security-util';

/** The elements, with the name libvirt's error message gives them. */
const PLATFORM_VALUES = [
  { name: 'cbitpos', what: 'cbitpos' },
  { name: 'reducedPhysBits', what: 'reduced-phys-bits' },
] as const;

export const rule = defineRule<DomainModel>()({
  id: 'sev-platform-value-format',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  hasSuggestions: true,
  summary: '<cbitpos> and <reducedPhysBits> must be plain decimal numbers; reducedPhysBits must be 1 to 63, and should be 1.',
  messages: {
    padded:
      "<{name}> has whitespace after the number {value}; libvirt reads it without trimming and fails with: Invalid format for launch security {what}. Write <{name}>{value}</{name}>.",
    invalid:
      "<{name}> is '{value}', which is not an unsigned decimal number; libvirt fails with: Invalid format for launch security {what}.",
    tooLarge:
      '<{name}> is {value}, above the largest value libvirt reads (4294967295); libvirt fails with: Invalid format for launch security {what}.',
    blank:
      '<{name}> holds only whitespace; libvirt fails with: Invalid format for launch security {what}. Remove it and libvirt fills in the host value.',
    empty:
      "<{name}> is empty; libvirt treats it as absent, but the schema requires a number. Remove it and libvirt fills in the host value.",
    range:
      'reducedPhysBits is {value}; QEMU accepts only 1 to 63 (reduced_phys_bits check failed) and every SEV host reports 1.',
    notOne:
      "reducedPhysBits is {value}, not 1: QEMU puts it into the guest's CPUID (leaf 0x8000001F), so the guest takes {value} physical address bits as lost; the host's own value (its CPUID, often 5 or 6) is not the guest's. QEMU reports 1 to libvirt, and libvirt, QEMU and AMD's launch scripts use 1. Use 1, or remove the element and libvirt fills in 1.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev) return;
    for (const { name, what } of PLATFORM_VALUES) {
      const el = child(sev.element, name);
      if (!el) continue;
      const r = checkValue(model, el, what);
      if (r) report(r);
    }
  },
});

type MessageId = 'padded' | 'invalid' | 'tooLarge' | 'blank' | 'empty' | 'range' | 'notOne';

function checkValue(model: DomainModel, el: XmlElement, what: string): Report<MessageId> | undefined {
  const text = textContent(model.text, el);
  const reading = readLibvirtUInt(text);
  const remove: Fix = { title: `Remove <${el.name}> (libvirt 6.9 and later fill in the host value)`, edits: [removeElement(model.doc, el)], preferred: false };
  const base = { data: { name: el.name, what, value: text.trim() }, span: el.span };
  switch (reading.kind) {
    case 'absent':
      return { ...base, messageId: 'empty', severity: 'warning', fixes: [{ ...remove, preferred: true }] };
    case 'invalid':
      if (text.trim() === '') return { ...base, messageId: 'blank', fixes: [{ ...remove, preferred: true }] };
      return { ...base, messageId: 'invalid', fixes: [remove] };
    case 'tooLarge':
      return { ...base, messageId: 'tooLarge', fixes: [remove] };
    case 'padded':
      return { ...base, data: { ...base.data, value: reading.trimmed }, messageId: 'padded', fixes: [...trimFix(model, el, reading.trimmed), remove] };
    case 'ok':
      if (el.name !== 'reducedPhysBits' || reading.value === 1) return undefined;
      return {
        ...base,
        ...(reading.value >= 1 && reading.value <= 63 ? ({ messageId: 'notOne', severity: 'warning' } as const) : ({ messageId: 'range' } as const)),
        fixes: [setOne(el), remove].filter((f): f is Fix => f !== undefined),
      };
  }
}

/** Trimming is safe only when the text is all there is (no comment or CDATA to lose). */
function trimFix(model: DomainModel, el: XmlElement, trimmed: string): Fix[] {
  const edit = rawContent(model.text, el) === textContent(model.text, el) ? replaceContent(el, trimmed) : undefined;
  return edit ? [{ title: `Remove the whitespace: <${el.name}>${trimmed}</${el.name}>`, edits: [edit], preferred: true }] : [];
}

function setOne(el: XmlElement): Fix | undefined {
  const edit = replaceContent(el, '1');
  return edit && { title: 'Set reducedPhysBits to 1', edits: [edit], preferred: false };
}
