import type { DomainModel } from '../../domain/model';
import type { Rule } from '../types';

// PLACEHOLDER: to be written (group C).
export const rule: Rule<DomainModel> = {
  id: 'sev-q35-machine',
  target: 'domain-xml',
  severity: 'warning',
  summary: 'TODO',
  messages: {},
  check() {},
};
