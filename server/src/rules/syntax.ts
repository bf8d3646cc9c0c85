import type { RuleMeta } from './types';

/** Reported instead of any rule when a domain XML file is not well-formed. */
export const xmlNotWellFormed: RuleMeta = {
  id: 'xml-not-well-formed',
  target: 'domain-xml',
  severity: 'error',
  summary: 'The file is not well-formed XML; nothing else is checked until it is.',
  messages: { syntax: 'Not well-formed XML: {detail}' },
};

/** Reported instead of any rule when a Kata configuration is not valid TOML. */
export const tomlSyntax: RuleMeta = {
  id: 'toml-syntax',
  target: 'kata-toml',
  severity: 'error',
  summary: 'The file is not valid TOML; nothing else is checked until it is.',
  messages: { syntax: 'Invalid TOML: {detail}' },
};
