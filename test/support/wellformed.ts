/**
 * sevlint's well-formedness verdict against `xmllint --noout`'s, file by file:
 * the same verdict, and the line of the first error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_XML_DEPTH, parseXmlTolerant } from '../../server/src/xml/parse';
import { xmllintWellFormed, type XmllintVerdict } from './xmllint';

export interface WellFormedCase {
  /** What the case is, for reports (a corpus path, or "case N of seed S"). */
  readonly name: string;
  /** The text, written to disk as UTF-8 for xmllint. */
  readonly text: string;
  /** Bytes to write instead of the text (sevlint then reads them as the CLI does: UTF-8, bad bytes as U+FFFD). */
  readonly bytes?: Buffer;
}

export interface Verdict {
  readonly wellFormed: boolean;
  /** Of the first error. */
  readonly line?: number;
  readonly offset?: number;
  readonly message?: string;
}

export interface Comparison {
  readonly case: WellFormedCase;
  /** The text as read back from the file (what the CLI lints: a lone surrogate written as UTF-8 becomes U+FFFD). */
  readonly text: string;
  readonly sevlint: Verdict;
  readonly xmllint: XmllintVerdict;
  readonly sameVerdict: boolean;
  /** Both say not well-formed and the first errors are on the same line (undefined when not both). */
  readonly sameLine: boolean | undefined;
  /** Why a difference is by design, when it is one. */
  readonly known: string | undefined;
}

export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

export function sevlintVerdict(text: string): Verdict {
  const first = parseXmlTolerant(text).errors[0];
  return first ? { wellFormed: false, line: lineOf(text, first.span.start), offset: first.span.start, message: first.message } : { wellFormed: true };
}

export interface KnownDifference {
  readonly reason: string;
  /** Inputs that show it: for each, xmllint and sevlint disagree as `applies` describes. */
  readonly examples: readonly WellFormedCase[];
  /** Recognises a disagreement of this kind from the text and both verdicts. */
  readonly applies: (text: string, ours: Verdict, theirs: XmllintVerdict) => boolean;
}

/**
 * Where sevlint's verdict differs from `xmllint --noout`'s by design, each
 * with its reason (the README lists the same). Namespaces are no difference:
 * xmllint reports an undeclared prefix or a second attribute in the same
 * namespace as a "namespace error" and still builds the document, and
 * sevlint does not check namespaces either.
 */
export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    reason: `Elements nested more than ${MAX_XML_DEPTH} deep are an error for sevlint (a guard: libvirt domains nest about 6 deep); libxml2's limit is 256.`,
    examples: [{ name: 'depth 150', text: '<a>'.repeat(150) + '</a>'.repeat(150) }],
    applies: (_t, ours, theirs) => theirs.wellFormed && (ours.message?.startsWith('Elements are nested more than') ?? false),
  },
  {
    reason: 'libxml2 stops reading at a NUL character after the root element and accepts the file; a NUL is no XML character, and sevlint reports it.',
    examples: [{ name: 'NUL after the root', text: '<a/>\0 anything' }],
    applies: (text, ours, theirs) => theirs.wellFormed && !ours.wellFormed && text.indexOf('\0') >= 0 && text.indexOf('\0') <= ours.offset!,
  },
  {
    reason: 'The encoding declaration is checked for its syntax only: sevlint reads UTF-8 (or UTF-16 by its byte order mark) whatever it names, where xmllint stops at an encoding its iconv does not know, or at "UTF-16" in a file without a UTF-16 byte order mark.',
    examples: [
      { name: 'unknown encoding', text: '<?xml version="1.0" encoding="bogus"?><a/>' },
      { name: 'UTF-16 declared, UTF-8 content', text: '<?xml version="1.0" encoding="UTF-16"?><a/>' },
    ],
    applies: (_t, ours, theirs) => ours.wellFormed && !theirs.wellFormed && /^(Unsupported encoding|Document labelled UTF-16)/.test(theirs.firstError?.message ?? ''),
  },
  {
    reason: 'Bytes that are not UTF-8 (a Latin-1 file without an encoding declaration) reach sevlint as U+FFFD, a legal character, as the CLI decodes them; xmllint rejects the bytes.',
    examples: [{ name: 'Latin-1 byte', text: '<a>\u00e9</a>', bytes: Buffer.from('<a>\u00e9</a>', 'latin1') }],
    applies: (text, ours, theirs) => ours.wellFormed && !theirs.wellFormed && text.includes('\ufffd'),
  },
  {
    reason: "Entities are never expanded: the replacement text of an entity declared in the internal subset is not parsed, and a parameter entity reference (%name;) in the internal subset is not expanded, so what it would declare is unknown to sevlint and its text is not checked.",
    examples: [
      { name: 'entity text not well-formed', text: '<!DOCTYPE a [<!ENTITY e "<b>">]><a>&e;</a>' },
      { name: 'parameter entity text not a declaration', text: '<!DOCTYPE a [<!ENTITY % p "x"> %p;]><a/>' },
      { name: 'entity declared by a parameter entity', text: "<!DOCTYPE a [<!ENTITY % p \"<!ENTITY e 'v'>\"> %p;]><a>&e;</a>" },
    ],
    applies: (text) => /<!ENTITY/.test(text),
  },
  {
    reason: 'The element type, attribute list and notation declarations of the internal subset are read to their ">" (quoted literals whole) and not checked against their grammar.',
    examples: [{ name: 'content model', text: '<!DOCTYPE a [<!ELEMENT a (b|)>]><a/>' }],
    applies: (text, ours) => ours.wellFormed && /<!(ELEMENT|ATTLIST|NOTATION)/.test(text),
  },
];

export function knownDifference(text: string, ours: Verdict, theirs: XmllintVerdict): string | undefined {
  return KNOWN_DIFFERENCES.find((k) => k.applies(text, ours, theirs))?.reason;
}

/** Writes every case to `dir`, runs xmllint over them in batches, and compares. */
export function compareWithXmllint(cases: readonly WellFormedCase[], dir: string): Comparison[] {
  fs.mkdirSync(dir, { recursive: true });
  const files = cases.map((c, i) => {
    const f = path.join(dir, `c${String(i).padStart(6, '0')}.xml`);
    fs.writeFileSync(f, c.bytes ?? c.text, 'utf8');
    return f;
  });
  const verdicts = xmllintWellFormed(files);
  return cases.map((c, i) => {
    const text = fs.readFileSync(files[i]!, 'utf8');
    const ours = sevlintVerdict(text);
    const theirs = verdicts.get(files[i]!)!;
    const sameVerdict = ours.wellFormed === theirs.wellFormed;
    const sameLine = !ours.wellFormed && !theirs.wellFormed ? theirs.firstError !== undefined && ours.line === theirs.firstError.line : undefined;
    const known = sameVerdict && sameLine !== false ? undefined : knownDifference(text, ours, theirs);
    return { case: c, text, sevlint: ours, xmllint: theirs, sameVerdict, sameLine, known };
  });
}
