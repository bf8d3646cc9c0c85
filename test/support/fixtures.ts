import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { compatibleFixes, lint, type LintOptions } from '../../server/src/linter';
import type { CapabilitiesSource } from '../../server/src/host/domcaps';
import type { Finding } from '../../server/src/rules/types';
import { parseVersion } from '../../server/src/rules/types';
import { applyEdits, type Span } from '../../server/src/text-edit';

/** The repository root (tests run from out/test/...). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
export const UPDATE = process.env['UPDATE_FIXTURES'] === '1';
/** ../shared beside the project, when present. */
export const SHARED = path.resolve(ROOT, '..', 'shared');

type LineRange = [number, number, number, number];

export interface ExpectedDiagnostic {
  code: string;
  severity: string;
  /** The message template and its values: the wording of a message can change without touching fixtures. */
  messageId: string;
  data: Record<string, string | number>;
  /** 0-based [startLine, startCharacter, endLine, endCharacter]. */
  range: LineRange;
  /** Every fix offered, preferred or not, as the exact edits it makes. */
  fixes?: { preferred: boolean; edits: { range: LineRange; newText: string }[] }[];
}

export function toExpected(text: string, findings: readonly Finding[]): ExpectedDiagnostic[] {
  const doc = TextDocument.create('file:///f', 'xml', 0, text);
  const range = (span: Span): LineRange => {
    const s = doc.positionAt(span.start);
    const e = doc.positionAt(span.end);
    return [s.line, s.character, e.line, e.character];
  };
  return findings.map((f) => ({
    code: f.ruleId,
    severity: f.severity,
    messageId: f.messageId,
    data: { ...f.data },
    range: range(f.span),
    ...(f.fixes.length > 0 ? { fixes: f.fixes.map((x) => ({ preferred: x.preferred, edits: x.edits.map((e) => ({ range: range(e), newText: e.newText })) })) } : {}),
  }));
}

/** JSON with two-space indentation and each range on one line: `"range": [30, 2, 30, 47]`. */
export function formatExpected(expected: readonly ExpectedDiagnostic[]): string {
  return JSON.stringify(expected, null, 2).replace(/\[\s*(-?\d+),\s*(-?\d+),\s*(-?\d+),\s*(-?\d+)\s*\]/g, '[$1, $2, $3, $4]') + '\n';
}

/** Host capabilities (`virsh domcapabilities` outputs, cut down) that host- rule fixtures are linted against. */
export const DOMCAPS = path.join(FIXTURES, 'host', 'domcaps');

/** A capabilities fixture by name (`genoa-snp.xml`), named as given. */
export function domcapsFixture(name: string): CapabilitiesSource {
  return { name, text: fs.readFileSync(path.join(DOMCAPS, name), 'utf8') };
}

/**
 * Options for a fixture: `<case>.options.json` beside it — `qemu` (`"6.0"`),
 * `fileName`, the name the case is linted under (default: its own), for
 * what depends on the name (a Kata file recognised as `configuration*.toml`),
 * and `domcaps`, names of files in test/fixtures/host/domcaps/ (as --domcaps).
 */
export function fixtureOptions(file: string): LintOptions {
  const opt = file.replace(/\.(xml|toml|toml\.in)$/, '.options.json');
  const name = path.basename(file);
  if (!fs.existsSync(opt)) return { fileName: name };
  const raw = JSON.parse(fs.readFileSync(opt, 'utf8')) as { qemu?: string; fileName?: string; domcaps?: string[] };
  return {
    fileName: raw.fileName ?? name,
    ...(raw.qemu ? { qemu: parseVersion(raw.qemu)! } : {}),
    ...(raw.domcaps ? { domainCapabilities: raw.domcaps.map(domcapsFixture) } : {}),
  };
}

/** Applies one rule's preferred fixes pass after pass, as fix-all would for that rule alone. */
export function fixRule(text: string, ruleId: string, options: LintOptions): string {
  let current = text;
  for (let pass = 0; pass < 10; pass++) {
    const findings = lint(current, options).findings.filter((f) => f.ruleId === ruleId);
    const fixes = compatibleFixes(findings);
    if (fixes.length === 0) return current;
    const next = applyEdits(current, fixes.flatMap((f) => f.edits));
    if (next === current) return current;
    current = next;
  }
  return current;
}

export function listDir(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}
