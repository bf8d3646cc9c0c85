/**
 * Shape checks for what a client sends: positions, ranges and the
 * `textDocument` of a request. Anything malformed raises a ParamError, which
 * the server answers with InvalidParams (or, for a notification, logs and
 * ignores); nothing here ever lets a null, negative, fractional or non-number
 * coordinate through to the document model.
 */
import type { Position, Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

export class ParamError extends Error {}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A line or character: an integer, zero or more (LSP's `uinteger`, but any safe integer is taken). */
/** A nested property of a client-sent object, or undefined. */
export function pick(v: unknown, ...keys: string[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (!isRecord(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

export function isCoordinate(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

export function readPosition(v: unknown, what: string): Position {
  if (!isRecord(v)) throw new ParamError(`${what} must be an object { line, character }`);
  const { line, character } = v;
  if (!isCoordinate(line)) throw new ParamError(`${what}.line must be an integer of 0 or more, got ${describe(line)}`);
  if (!isCoordinate(character)) throw new ParamError(`${what}.character must be an integer of 0 or more, got ${describe(character)}`);
  return { line, character };
}

/** A range whose end is not before its start (positions compared as given, before any clamping). */
export function readRange(v: unknown, what: string): Range {
  if (!isRecord(v)) throw new ParamError(`${what} must be an object { start, end }`);
  const start = readPosition(v['start'], `${what}.start`);
  const end = readPosition(v['end'], `${what}.end`);
  if (end.line < start.line || (end.line === start.line && end.character < start.character)) {
    throw new ParamError(`${what} ends before it starts`);
  }
  return { start, end };
}

/** `params.textDocument.uri` of a request. */
export function readUri(params: unknown): string {
  const td = isRecord(params) ? params['textDocument'] : undefined;
  const uri = isRecord(td) ? td['uri'] : undefined;
  if (typeof uri !== 'string') throw new ParamError('textDocument.uri must be a string');
  return uri;
}

/**
 * The offset of a well-formed position, clamped as LSP specifies: a character
 * past the end of its line means the end of the line (before its line break),
 * a line past the last line means the end of the document.
 */
export function offsetOf(doc: TextDocument, p: Position): number {
  return doc.offsetAt(p);
}

function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  return typeof v === 'string' ? `a string` : typeof v;
}
