import type { DomainModel } from '../../domain/model';
import type { Rule } from '../types';

// PLACEHOLDER: to be written (group B).
export const rule: Rule<DomainModel> = {
  id: 'sev-launch-security-duplicate',
  target: 'domain-xml',
  severity: 'warning',
  summary: 'TODO',
  messages: {},
  check() {},
};
