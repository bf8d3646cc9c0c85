import type { DomainModel } from '../../domain/model';
import { libvirtDomainGrammar } from '../../schema/grammar';
import { validate, type SchemaProblem } from '../../schema/validate';
import type { TextEdit } from '../../text-edit';
import { insertChild, setAttribute } from '../../xml/edit';
import type { XmlElement } from '../../xml/model';
import { defineRule, type Fix, type MessageData, type Report } from '../types';

/** At most this many names in a message; the rest are counted. */
const LIST_MAX = 12;

function list(names: readonly string[], show: (n: string) => string): string {
  const shown = names.filter((n) => n !== '*').slice(0, LIST_MAX).map(show);
  const more = names.filter((n) => n !== '*').length - shown.length;
  const parts = more > 0 ? [...shown, `${more} more`] : shown;
  if (names.includes('*')) parts.push('any element of another namespace');
  return parts.join(', ');
}

const el = (n: string): string => `<${n}>`;
const at = (n: string): string => `'${n}'`;

/** Renames an element: its start tag's name, and its end tag's. */
function renameElement(text: string, e: XmlElement, name: string): TextEdit[] {
  const edits: TextEdit[] = [{ start: e.nameSpan.start, end: e.nameSpan.end, newText: name }];
  if (e.endTag && text.startsWith(e.name, e.endTag.start + 2)) edits.push({ start: e.endTag.start + 2, end: e.endTag.start + 2 + e.name.length, newText: name });
  return edits;
}

export const rule = defineRule<DomainModel>()({
  id: 'libvirt-schema',
  target: 'domain-xml',
  severity: 'error',
  hasSuggestions: true,
  summary: "The domain must be valid against libvirt's RelaxNG schema (domain.rng of libvirt 11.3): known elements and attributes, in the right place, with allowed values.",
  messages: {
    elementTypo: "Element {name} is not allowed in {parent}: did you mean {suggestion}? libvirt's schema refuses it, and libvirt ignores what it does not know.",
    element: 'Element {name} is not allowed in {parent}; expected {expected}.',
    elementNone: 'Element {name} is not allowed in {parent}: it takes no child elements here.',
    elementHere: "Element {name} is not allowed at this point in {parent}: libvirt's schema allows it only once, or only in another position.",
    attributeTypo: 'Attribute {name} is not allowed on {element}: did you mean {suggestion}?',
    attribute: 'Attribute {name} is not allowed on {element}; allowed: {expected}.',
    attributeNone: 'Attribute {name} is not allowed on {element}: it takes no other attributes here.',
    value: "Value '{value}' is not allowed for {name} on {element}; expected {expected}.",
    missingAttribute: '{element} is missing the required attribute {missing}.',
    missingElement: '{element} is missing a required child element: {missing}.',
    missingText: '{element} must contain {expected}.',
    text: "Text '{value}' is not allowed in {element}; expected {expected}.",
    textNotAllowed: '{element} takes no text here.',
  },
  check(model, _ctx, report) {
    const result = validate(libvirtDomainGrammar(), model.text, model.root);
    for (const p of result.problems) report(toReport(model, p));
  },
});

type Id = keyof typeof rule.messages;

function shorten(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

function toReport(model: DomainModel, p: SchemaProblem): Report<Id> {
  const fixes: Fix[] = [];
  let messageId: Id;
  let data: MessageData;
  switch (p.kind) {
    case 'element': {
      data = { name: el(p.name), parent: el(p.parent ?? 'document'), expected: list(p.expected, el) };
      if (p.suggestion !== undefined) {
        messageId = 'elementTypo';
        data = { ...data, suggestion: el(p.suggestion) };
        fixes.push({ title: `Rename <${p.name}> to <${p.suggestion}>`, edits: renameElement(model.text, p.element, p.suggestion), preferred: false });
      } else messageId = p.elsewhere ? 'elementHere' : p.expected.length === 0 ? 'elementNone' : 'element';
      break;
    }
    case 'attribute': {
      data = { name: at(p.attribute.name), element: el(p.element.name), expected: list(p.expected, at) };
      if (p.suggestion !== undefined) {
        messageId = 'attributeTypo';
        data = { ...data, suggestion: at(p.suggestion) };
        fixes.push({ title: `Rename ${p.attribute.name} to ${p.suggestion}`, edits: [{ ...p.attribute.nameSpan, newText: p.suggestion }], preferred: false });
      } else messageId = p.expected.length === 0 ? 'attributeNone' : 'attribute';
      break;
    }
    case 'attribute-value': {
      messageId = 'value';
      data = { value: shorten(p.value), name: p.attribute.name, element: el(p.element.name), expected: p.expected };
      if (p.suggestion !== undefined) fixes.push({ title: `Use ${p.attribute.name}='${p.suggestion}'`, edits: [{ ...p.attribute.valueSpan, newText: p.suggestion }], preferred: false });
      break;
    }
    case 'missing-attribute': {
      messageId = 'missingAttribute';
      data = { element: el(p.element.name), missing: p.missing.length === 1 ? at(p.missing[0]!) : `(one of ${list(p.missing, at)})` };
      const only = p.missing[0];
      if (p.missing.length === 1 && only !== undefined) fixes.push({ title: `Add ${only}=""`, edits: [setAttribute(model.style, p.element, only, '')], preferred: false });
      break;
    }
    case 'missing-element': {
      if (p.missing.length === 0) {
        messageId = 'missingText';
        data = { element: el(p.element.name), expected: p.text ?? 'text' };
        break;
      }
      messageId = 'missingElement';
      data = { element: el(p.element.name), missing: p.missing.length === 1 ? el(p.missing[0]!) : `one of ${list(p.missing, el)}` };
      const sk = p.skeleton;
      if (sk !== undefined) {
        const q = model.style.quote;
        const markup = `<${sk.name}${sk.attributes.map((a) => ` ${a}=${q}${q}`).join('')}/>`;
        fixes.push({ title: `Add ${markup}`, edits: [insertChild(model.doc, model.style, p.element, markup)], preferred: false });
      }
      break;
    }
    case 'text': {
      if (p.expected === undefined) {
        messageId = 'textNotAllowed';
        data = { element: el(p.element.name) };
      } else if (p.value.trim() === '') {
        messageId = 'missingText';
        data = { element: el(p.element.name), expected: p.expected };
      } else {
        messageId = 'text';
        data = { value: shorten(p.value), element: el(p.element.name), expected: p.expected };
      }
      break;
    }
  }
  return { messageId, data, span: p.span, fixes };
}
