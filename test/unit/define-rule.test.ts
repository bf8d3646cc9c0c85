/**
 * defineRule checks message ids when the project compiles: the
 * `@ts-expect-error` lines below fail the build (tsc) if a misspelt id ever
 * compiles again.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { defineRule, type Report } from '../../server/src/rules/types';

interface Model {
  readonly bad: boolean;
}

const rule = defineRule<Model>()({
  id: 'example-rule',
  target: 'domain-xml',
  severity: 'warning',
  summary: 'An example rule for the type test.',
  messages: { missing: 'Something is missing: {what}.', extra: 'Something is extra.' },
  check(model, _ctx, report) {
    if (!model.bad) return;
    report({ messageId: 'missing', data: { what: 'x' }, span: { start: 0, end: 1 } });
    // @ts-expect-error 'missng' is not a message id of this rule
    report({ messageId: 'missng', span: { start: 0, end: 1 } });
  },
});

/** A helper that reports for the rule must name the ids it may use. */
function helper(report: (r: Report<'extra'>) => void): void {
  report({ messageId: 'extra', span: { start: 1, end: 2 } });
}
defineRule<Model>()({
  id: 'example-rule-2',
  target: 'domain-xml',
  severity: 'warning',
  summary: 'An example rule for the type test.',
  messages: { other: 'Another message.' },
  check(_model, _ctx, report) {
    // @ts-expect-error the helper reports 'extra', which this rule does not have
    helper(report);
  },
});

describe('defineRule', () => {
  it('keeps the rule as written and passes reports through', () => {
    const reports: Report[] = [];
    rule.check({ bad: true }, { qemu: undefined }, (r) => reports.push(r));
    assert.deepEqual(
      reports.map((r) => r.messageId),
      ['missing', 'missng'],
    );
    assert.deepEqual(Object.keys(rule.messages), ['missing', 'extra']);
  });
});
