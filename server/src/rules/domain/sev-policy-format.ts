import type { DomainModel } from '../../domain/model';
import type { Rule } from '../types';

// PLACEHOLDER: to be written (group A).
export const rule: Rule<DomainModel> = {
  id: 'sev-policy-format',
  target: 'domain-xml',
  severity: 'warning',
  summary: 'TODO',
  messages: {},
  check() {},
};
