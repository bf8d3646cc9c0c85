import type { RuleMeta } from './types';

const messages = {
  unused: 'sevlint-{directive} names {rule}, but {rule} reports nothing {where}: the suppression is not needed.',
  unusedAll: 'sevlint-{directive} suppresses nothing: no finding {where}.',
  unknown: "sevlint-{directive} names '{rule}', which is not a sevlint rule for {label}; nothing is suppressed for it.",
};

/** A suppression comment in a domain XML file that suppresses nothing, or names no domain XML rule. */
export const xmlUnusedSuppression: RuleMeta<keyof typeof messages> = {
  id: 'xml-unused-suppression',
  target: 'domain-xml',
  severity: 'information',
  hasSuggestions: true,
  summary: 'A sevlint-disable comment that suppresses nothing, or names no rule of a libvirt domain.',
  messages,
};

/** A suppression comment in a Kata configuration that suppresses nothing, or names no Kata rule. */
export const tomlUnusedSuppression: RuleMeta<keyof typeof messages> = {
  id: 'toml-unused-suppression',
  target: 'kata-toml',
  severity: 'information',
  hasSuggestions: true,
  summary: 'A sevlint-disable comment that suppresses nothing, or names no rule of a Kata configuration.',
  messages,
};
