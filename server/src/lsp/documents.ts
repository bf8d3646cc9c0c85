/**
 * The server's copy of each open document, kept from didOpen / didChange /
 * didClose with every change checked before it is applied.
 *
 * TextDocuments (vscode-languageserver) hands incremental changes to
 * TextDocument.update unchecked, and update trusts the range's line numbers
 * when it patches its line index: a range past the end left holes in the
 * index for good, and later positions came out as `null`. Here:
 *
 * - A well-formed position past the end is clamped as LSP specifies for
 *   positions (a character past the line's end means the end of the line, a
 *   line past the last one the end of the document), and the range is
 *   rewritten from the clamped offsets before update sees it, so its line
 *   numbers are always those of the text.
 * - A malformed change (a line or character that is null, negative,
 *   fractional or not a number, a range ending before it starts, text that is
 *   not a string, a version that is not an integer or not newer than the
 *   current one) cannot be applied with any meaning. The whole notification
 *   is refused and the document is marked out of sync: its old text is kept
 *   but no longer linted, fixed, completed or hovered, because the editor's
 *   text now differs from it and edits computed on it could land in the wrong
 *   place. A later change that replaces the whole text, or a new didOpen,
 *   brings it back in sync.
 *
 * Every published TextDocument is a snapshot: a change builds a new one, so a
 * request that took a document keeps computing on the version it was asked
 * about.
 */
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { isRecord, ParamError, readRange } from './params';

interface Entry {
  readonly uri: string;
  readonly languageId: string;
  /** The newest version accepted, applied or not. */
  readonly version: number;
  /** The text at `version`; undefined while out of sync. */
  readonly doc: TextDocument | undefined;
}

export type ChangeOutcome =
  /** Applied: `doc` is the new snapshot. */
  | { readonly kind: 'applied'; readonly uri: string; readonly doc: TextDocument; readonly resynced: boolean }
  /** Refused (the document is now out of sync) or not applicable (it already was, and nothing replaced its whole text). */
  | { readonly kind: 'out-of-sync'; readonly uri: string; readonly reason: string }
  /** Not about an open document, or not even naming one: nothing changed. */
  | { readonly kind: 'ignored'; readonly reason: string };

export class DocumentStore {
  private readonly entries = new Map<string, Entry>();

  /** The current snapshot of an open, in-sync document. */
  get(uri: string): TextDocument | undefined {
    return this.entries.get(uri)?.doc;
  }

  isOpen(uri: string): boolean {
    return this.entries.has(uri);
  }

  /** The newest version the client announced for an open document (in sync or not). */
  version(uri: string): number | undefined {
    return this.entries.get(uri)?.version;
  }

  uris(): string[] {
    return [...this.entries.keys()];
  }

  get size(): number {
    return this.entries.size;
  }

  /** didOpen: a new document, or a fresh copy of one already open (which also brings it back in sync). */
  open(params: unknown): { readonly uri: string; readonly doc: TextDocument } {
    const td = isRecord(params) ? params['textDocument'] : undefined;
    if (!isRecord(td)) throw new ParamError('didOpen: textDocument must be an object');
    const { uri, languageId, version, text } = td;
    if (typeof uri !== 'string') throw new ParamError('didOpen: textDocument.uri must be a string');
    if (!Number.isSafeInteger(version)) throw new ParamError(`didOpen ${uri}: textDocument.version must be an integer`);
    if (typeof text !== 'string') throw new ParamError(`didOpen ${uri}: textDocument.text must be a string`);
    const lang = typeof languageId === 'string' ? languageId : '';
    const doc = TextDocument.create(uri, lang, version as number, text);
    this.entries.set(uri, { uri, languageId: lang, version: version as number, doc });
    return { uri, doc };
  }

  /** didChange, all or nothing. */
  change(params: unknown): ChangeOutcome {
    const td = isRecord(params) ? params['textDocument'] : undefined;
    const uri = isRecord(td) ? td['uri'] : undefined;
    if (typeof uri !== 'string') return { kind: 'ignored', reason: 'didChange without textDocument.uri' };
    const entry = this.entries.get(uri);
    if (!entry) return { kind: 'ignored', reason: `didChange for ${uri}, which is not open` };
    const version = isRecord(td) ? td['version'] : undefined;
    const refuse = (reason: string): ChangeOutcome => {
      this.entries.set(uri, { ...entry, doc: undefined });
      return { kind: 'out-of-sync', uri, reason };
    };
    if (!Number.isSafeInteger(version)) return refuse(`version ${JSON.stringify(version) ?? 'undefined'} is not an integer`);
    const v = version as number;
    if (v <= entry.version) return refuse(`version ${v} is not newer than ${entry.version}`);
    let changes: TextDocumentContentChangeEvent[];
    try {
      changes = readChanges(isRecord(params) ? params['contentChanges'] : undefined);
    } catch (e) {
      return refuse(e instanceof ParamError ? e.message : String(e));
    }

    // Out of sync, only a change that replaces the whole text can be applied (with what follows it).
    let from = 0;
    for (let i = changes.length - 1; i >= 0; i--) {
      if (!('range' in changes[i]!)) {
        from = i;
        break;
      }
    }
    const first = changes[from];
    const baseText = first && !('range' in first) ? first.text : entry.doc?.getText();
    if (baseText === undefined) {
      this.entries.set(uri, { ...entry, version: v });
      return { kind: 'out-of-sync', uri, reason: `version ${v} changes part of a text sevlint no longer has` };
    }
    // A new document: the published snapshot is never modified.
    const doc = TextDocument.create(uri, entry.languageId, v, baseText);
    try {
      for (const c of changes.slice(from)) {
        if (!('range' in c)) continue;
        // Clamp, then rewrite the range from the clamped offsets: update() patches its line index with these line numbers.
        const start = doc.offsetAt(c.range.start);
        const end = doc.offsetAt(c.range.end);
        TextDocument.update(doc, [{ range: { start: doc.positionAt(start), end: doc.positionAt(end) }, text: c.text }], v);
      }
    } catch (e) {
      // Not expected with clamped ranges; should it happen, the old copy must not pass for the new version.
      return refuse(`version ${v} could not be applied: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.entries.set(uri, { uri, languageId: entry.languageId, version: v, doc });
    return { kind: 'applied', uri, doc, resynced: entry.doc === undefined };
  }

  /** didClose: the uri closed, or undefined when it was not open. */
  close(params: unknown): string | undefined {
    const td = isRecord(params) ? params['textDocument'] : undefined;
    const uri = isRecord(td) ? td['uri'] : undefined;
    if (typeof uri !== 'string' || !this.entries.delete(uri)) return undefined;
    return uri;
  }
}

/** contentChanges: an array of `{ text }` (the whole text) or `{ range, text }`. */
function readChanges(raw: unknown): TextDocumentContentChangeEvent[] {
  if (!Array.isArray(raw)) throw new ParamError('contentChanges must be an array');
  return raw.map((c, i): TextDocumentContentChangeEvent => {
    if (!isRecord(c)) throw new ParamError(`contentChanges[${i}] must be an object`);
    if (typeof c['text'] !== 'string') throw new ParamError(`contentChanges[${i}].text must be a string`);
    if (!('range' in c) || c['range'] === undefined) return { text: c['text'] };
    return { range: readRange(c['range'], `contentChanges[${i}].range`), text: c['text'] };
  });
}
