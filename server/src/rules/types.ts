import type { Span } from '../xml/model';
import type { DocumentKind } from '../file-types';
import type { TextEdit } from '../text-edit';
import type { HostContext } from '../host/domcaps';

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type SeveritySetting = Severity | 'off';

/** The kind of file a rule checks. */
export type Target = DocumentKind;

/** A QEMU version as `[major, minor, micro]`. */
export type Version = readonly [number, number, number];

/** What the user declared about the target; settings reach rules only through here. */
export interface RuleContext {
  /** The QEMU the configuration is meant for, when declared. */
  readonly qemu: Version | undefined;
  /** The host the domain is checked against (`--domcaps`, `sevlint.host.domainCapabilities`); undefined when none is given. */
  readonly host?: HostContext | undefined;
}

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /** Safe to apply without looking: part of fix-all and `--fix`. */
  readonly preferred: boolean;
  /**
   * The element the fix rewrites, when it is more than its edits touch (fix-all
   * applies one fix per scope in a pass, then looks again).
   */
  readonly scope?: Span;
}

/** Values a message template can show (`{name}`). */
export type MessageData = Readonly<Record<string, string | number>>;

/** What a rule reports; `Id` is one of the rule's message ids, checked when it compiles. */
export interface Report<Id extends string = string> {
  readonly messageId: Id;
  readonly data?: MessageData;
  readonly span: Span;
  /** Overrides the rule's default severity for this finding (e.g. by target version). */
  readonly severity?: Severity;
  readonly fixes?: readonly Fix[];
}

export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  /** The message template the finding was made from, and the values it shows: what tests compare. */
  readonly messageId: string;
  readonly data: MessageData;
  readonly message: string;
  readonly span: Span;
  readonly fixes: readonly Fix[];
}

/** What every diagnostic id has: rules, and the syntax checks that run before them. */
export interface RuleMeta<Id extends string = string> {
  /** Stable kebab-case id: never renamed, never reused (test/rule-ids.txt lists every id ever published). */
  readonly id: string;
  readonly target: Target;
  readonly severity: Severity;
  /** One line for SARIF `shortDescription`, completion and the docs index. */
  readonly summary: string;
  /** Message templates; `{name}` is replaced from the report's data. */
  readonly messages: Readonly<Record<Id, string>>;
  /** Some findings carry a preferred fix, one that fix-all and `--fix` apply (ESLint's `fixable`). */
  readonly fixable?: true;
  /** Some findings carry fixes offered in the editor only, never applied unasked (ESLint's `hasSuggestions`). */
  readonly hasSuggestions?: true;
  /** The rule no longer reports; its id stays reserved. */
  readonly deprecated?: true;
  /** The ids that report what a deprecated rule did. */
  readonly replacedBy?: readonly string[];
}

export interface Rule<M, Id extends string = string> extends RuleMeta<Id> {
  check(model: M, ctx: RuleContext, report: (r: Report<Id>) => void): void;
}

/**
 * Declares a rule for model `M` (as typescript-eslint's `RuleCreator`): the
 * message ids a rule may report are the keys of its `messages`, so
 * `report({ messageId: 'missng' })` does not compile.
 *
 *     export const rule = defineRule<DomainModel>()({ id: …, messages: { missing: '…' }, check(model, ctx, report) { … } });
 */
export function defineRule<M>() {
  return <const Id extends string>(rule: RuleDefinition<M, Id>): Rule<M, Id> => rule;
}

/** A rule as written: the message ids are inferred from `messages` alone. */
interface RuleDefinition<M, Id extends string> extends RuleMeta<Id> {
  check(model: M, ctx: RuleContext, report: (r: Report<NoInfer<Id>>) => void): void;
}

export function formatMessage(template: string, data: Readonly<Record<string, string | number>> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (m, key: string) => (data && key in data ? String(data[key]) : m));
}

/** `atLeast(ctx.qemu, 6, 0)`: the declared QEMU is known and at least 6.0. */
export function atLeast(v: Version | undefined, major: number, minor = 0): boolean {
  return v !== undefined && (v[0] > major || (v[0] === major && v[1] >= minor));
}

export function parseVersion(s: string): Version | undefined {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(s.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}
