import { isUtf8 } from 'node:buffer';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { allRuleMetas } from '../rules/index';
import { docsUrl, REPOSITORY_URL } from '../rules/docs';
import type { Finding, Severity } from '../rules/types';

export interface FileReport {
  /** As given on the command line, with '/' separators. */
  readonly file: string;
  /** The text the findings' offsets refer to (after --fix). */
  readonly text: string;
  readonly findings: readonly Finding[];
  /** Fixes applied by --fix. */
  readonly fixed: number;
  /** --fix replaced the file with the fixed text. */
  readonly rewritten?: boolean;
  /**
   * The path's bytes ('/' separators), when `file` does not spell them
   * exactly: a name that is not valid UTF-8 (see `showBytes`). SARIF encodes
   * these bytes.
   */
  readonly path?: Buffer;
}

interface Position {
  readonly line: number;
  readonly character: number;
}

interface Range {
  readonly start: Position;
  readonly end: Position;
}

/** 0-based line and UTF-16 character, as LSP counts them. */
function ranges(report: FileReport): Range[] {
  const doc = TextDocument.create('file:///x', 'plaintext', 0, report.text);
  return report.findings.map((f) => ({ start: doc.positionAt(f.span.start), end: doc.positionAt(f.span.end) }));
}

/**
 * Text for a terminal, on one line: line breaks, other control characters
 * (an ESC could drive the terminal), the line and paragraph separators and
 * every Unicode bidi control (Bidi_Control: U+061C, U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069; they could make a line read differently from
 * what it holds) are shown escaped. Messages quote values from the file and
 * paths come from folders, so they need it.
 */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what it escapes
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Bytes in a UTF-8 sequence led by `lead` (0: `lead` cannot start one). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * A path (or any name) as text: valid UTF-8 as it is, each byte that is not
 * part of valid UTF-8 as `\xNN`.
 */
export function showBytes(b: Buffer): string {
  if (isUtf8(b)) return b.toString('utf8');
  let out = '';
  for (let i = 0; i < b.length; ) {
    const n = sequenceLength(b[i]!);
    if (n > 0 && i + n <= b.length && isUtf8(b.subarray(i, i + n))) {
      out += b.toString('utf8', i, i + n);
      i += n;
    } else {
      out += `\\x${b[i]!.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** Characters encodeURIComponent leaves as they are. */
const URI_PLAIN = /[A-Za-z0-9\-_.!~*'()]/;

/** One path segment percent-encoded byte by byte, as encodeURIComponent would encode its UTF-8. */
function encodeSegment(b: Buffer): string {
  let out = '';
  for (const byte of b) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && URI_PLAIN.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The SARIF artifactLocation of a path ('/' separators): each segment
 * percent-encoded (so '#', '?', ':', '%' and spaces in names stay part of the
 * name); an absolute path becomes a file:// URI, a relative one is relative
 * to %SRCROOT%.
 */
export function artifactLocation(path: Buffer): { uri: string; uriBaseId?: string } {
  const s = path.toString('latin1');
  if (/^[A-Za-z]:\//.test(s)) return { uri: 'file:///' + s.slice(0, 2) + encodePath(path.subarray(2)) };
  if (s.startsWith('/')) return { uri: 'file://' + encodePath(path) };
  return { uri: encodePath(path), uriBaseId: '%SRCROOT%' };
}

function encodePath(path: Buffer): string {
  const segments: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path[i] === 0x2f) {
      segments.push(encodeSegment(path.subarray(start, i)));
      start = i + 1;
    }
  }
  return segments.join('/');
}

function plural(n: number, word: string, many = word + 's'): string {
  return `${n} ${n === 1 ? word : many}`;
}

/**
 * One line per finding, with --fix one line per file rewritten, then a
 * summary; `ioErrors` paths could not be read or written (each already
 * reported on stderr).
 */
export function formatText(reports: readonly FileReport[], fix: boolean, ioErrors = 0): string {
  const lines: string[] = [];
  const count: Record<Severity, number> = { error: 0, warning: 0, information: 0, hint: 0 };
  let fixed = 0;
  for (const r of reports) {
    const rs = ranges(r);
    r.findings.forEach((f, i) => {
      const p = rs[i]!.start;
      lines.push(`${oneLine(r.file)}:${p.line + 1}:${p.character + 1}  ${f.severity}  ${oneLine(f.message)}  ${f.ruleId}`);
      count[f.severity]++;
    });
    fixed += r.fixed;
  }
  for (const r of reports) if (r.rewritten) lines.push(`${oneLine(r.file)}: rewritten, ${plural(r.fixed, 'fix', 'fixes')} applied`);
  const total = count.error + count.warning + count.information + count.hint;
  const files = plural(reports.length, 'file');
  const notes = (fix ? `, ${plural(fixed, 'fix', 'fixes')} applied` : '') + (ioErrors > 0 ? `, ${plural(ioErrors, 'I/O error')}` : '');
  if (total === 0) {
    lines.push(`No problems in ${files}${notes}.`);
  } else {
    const infos = count.information + count.hint;
    lines.push(`${plural(total, 'problem')} (${plural(count.error, 'error')}, ${plural(count.warning, 'warning')}, ${infos} info) in ${files}${notes}.`);
  }
  return lines.join('\n') + '\n';
}

/** With --fix, each file also says how many fixes were applied and whether it was rewritten. */
export function formatJson(reports: readonly FileReport[], fix = false): string {
  const out = reports.map((r) => {
    const rs = ranges(r);
    return {
      file: r.file,
      diagnostics: r.findings.map((f, i) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, range: rs[i]! })),
      ...(fix ? { fixes: r.fixed, rewritten: r.rewritten ?? false } : {}),
    };
  });
  return JSON.stringify(out, null, 2) + '\n';
}

/** A finding about the domain against a host (`host-` rules): marked so, with the capabilities it was checked against. */
function hostProperties(f: Finding): { properties?: { sevlintHost: true; hostCapabilities?: string } } {
  if (!f.ruleId.startsWith('host-')) return {};
  const caps = f.data['caps'];
  return { properties: { sevlintHost: true, ...(typeof caps === 'string' ? { hostCapabilities: caps } : {}) } };
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/** SARIF 2.1.0: one run, the rules in `tool.driver.rules`, 1-based regions in UTF-16 code units. */
export function formatSarif(reports: readonly FileReport[], version = '0.0.0'): string {
  const ruleIndex = new Map(allRuleMetas.map((r, i) => [r.id, i]));
  const results = reports.flatMap((r) => {
    const rs = ranges(r);
    return r.findings.map((f, i) => ({
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId),
      level: SARIF_LEVEL[f.severity],
      message: { text: f.message },
      ...hostProperties(f),
      locations: [
        {
          physicalLocation: {
            artifactLocation: artifactLocation(r.path ?? Buffer.from(r.file)),
            region: {
              startLine: rs[i]!.start.line + 1,
              startColumn: rs[i]!.start.character + 1,
              endLine: rs[i]!.end.line + 1,
              endColumn: rs[i]!.end.character + 1,
            },
          },
        },
      ],
    }));
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'sevlint',
            version,
            informationUri: REPOSITORY_URL,
            rules: allRuleMetas.map((r) => ({
              id: r.id,
              shortDescription: { text: r.summary },
              helpUri: docsUrl(r.id),
              defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
