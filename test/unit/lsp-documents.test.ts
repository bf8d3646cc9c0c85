/**
 * The language server's document store (server/src/lsp/documents.ts): every
 * didChange is checked; positions past the end are clamped as LSP specifies;
 * malformed changes and stale versions are refused whole and put the document
 * out of sync; the line index is never corrupted.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentStore } from '../../server/src/lsp/documents';
import { prng } from '../support/fuzz';

const URI = 'file:///w/guest.xml';
const TEXT = '<domain>\r\n  <name>é𝄞</name>\n</domain>\n';

function opened(text = TEXT, version = 1): DocumentStore {
  const s = new DocumentStore();
  s.open({ textDocument: { uri: URI, languageId: 'xml', version, text } });
  return s;
}

function change(s: DocumentStore, version: unknown, contentChanges: unknown) {
  return s.change({ textDocument: { uri: URI, version }, contentChanges });
}

const at = (line: unknown, character: unknown) => ({ line, character });
const range = (a: unknown, b: unknown) => ({ start: a, end: b });

/** The line index of `doc` agrees with one built from scratch for its text, at every offset. */
function assertIndexSound(doc: TextDocument): void {
  const fresh = TextDocument.create('file:///fresh', 'xml', 0, doc.getText());
  assert.equal(doc.lineCount, fresh.lineCount, 'line count');
  for (let o = 0; o <= doc.getText().length; o++) {
    const p = doc.positionAt(o);
    assert.deepEqual(p, fresh.positionAt(o), `position of offset ${o}`);
    assert.ok(Number.isInteger(p.line) && Number.isInteger(p.character));
  }
  for (let line = 0; line < fresh.lineCount; line++) assert.equal(doc.offsetAt({ line, character: 0 }), fresh.offsetAt({ line, character: 0 }), `line ${line}`);
}

describe('document store: changes are checked before they are applied', () => {
  it('clamps a line past the end to the end of the document, and keeps the line index sound', () => {
    const s = opened();
    const r = change(s, 2, [{ range: range(at(10, 0), at(12, 3)), text: '\n<!-- x -->\n' }]);
    assert.equal(r.kind, 'applied');
    const doc = s.get(URI)!;
    assert.equal(doc.getText(), TEXT + '\n<!-- x -->\n');
    assert.equal(doc.version, 2);
    assertIndexSound(doc);
    // Further edits still land where they should.
    change(s, 3, [{ range: range(at(1, 2), at(1, 3)), text: '[' }]);
    assert.equal(s.get(URI)!.getText(), TEXT.replace('  <name>', '  [name>') + '\n<!-- x -->\n');
    assertIndexSound(s.get(URI)!);
  });

  it('clamps a character past the end of its line to the line end, before CRLF or LF', () => {
    const s = opened();
    change(s, 2, [{ range: range(at(0, 99), at(0, 1000)), text: ' type="kvm"' }]);
    assert.equal(s.get(URI)!.getText(), TEXT.replace('<domain>', '<domain> type="kvm"'));
    change(s, 3, [{ range: range(at(1, 500), at(1, 500)), text: '!' }]);
    assert.ok(s.get(URI)!.getText().includes('</name>!\n'));
    assertIndexSound(s.get(URI)!);
  });

  it('applies several changes in order, each against the text the previous one left', () => {
    const s = opened('a\nb\nc\n');
    change(s, 2, [
      { range: range(at(0, 0), at(0, 1)), text: 'A\r\nA2' },
      { range: range(at(2, 0), at(2, 1)), text: 'B' },
      { range: range(at(9, 9), at(9, 9)), text: 'end' },
    ]);
    assert.equal(s.get(URI)!.getText(), 'A\r\nA2\nB\nc\nend');
    assertIndexSound(s.get(URI)!);
  });

  for (const [name, bad] of [
    ['null', range(at(null, 0), at(0, 0))],
    ['negative', range(at(0, -1), at(0, 0))],
    ['fractional', range(at(0, 0.5), at(0, 1))],
    ['a string', range(at('0', 0), at(0, 0))],
    ['missing', range(at(0, undefined), at(0, 0))],
    ['ending before it starts', range(at(1, 0), at(0, 5))],
    ['not an object', range(5, at(0, 0))],
    ['null as range', null],
  ] as const) {
    it(`refuses a change whose range is ${name}: the text is kept and the document is out of sync`, () => {
      const s = opened();
      const before = s.get(URI)!;
      const r = change(s, 2, [{ range: range(at(0, 0), at(0, 1)), text: 'x' }, { range: bad, text: 'y' }]);
      assert.equal(r.kind, 'out-of-sync');
      assert.equal(s.get(URI), undefined, 'no document to lint while out of sync');
      assert.equal(before.getText(), TEXT, 'the earlier snapshot is untouched');
      assert.ok(s.isOpen(URI));
      // A later incremental change cannot be applied: still out of sync.
      assert.equal(change(s, 3, [{ range: range(at(0, 0), at(0, 0)), text: 'z' }]).kind, 'out-of-sync');
      // A change that replaces the whole text brings it back, with what follows it.
      const back = change(s, 4, [{ range: range(at(0, 0), at(0, 0)), text: 'lost' }, { text: 'new\ntext' }, { range: range(at(1, 0), at(1, 0)), text: '>' }]);
      assert.equal(back.kind, 'applied');
      assert.equal(back.kind === 'applied' && back.resynced, true);
      assert.equal(s.get(URI)!.getText(), 'new\n>text');
      assert.equal(s.get(URI)!.version, 4);
    });
  }

  it('refuses a stale, repeated or non-integer version, and a change that is not an array of { text }', () => {
    for (const [version, changes] of [
      [1, [{ text: 'x' }]],
      [0, [{ text: 'x' }]],
      [2.5, [{ text: 'x' }]],
      [null, [{ text: 'x' }]],
      ['3', [{ text: 'x' }]],
      [2, { text: 'x' }],
      [2, [{ text: 5 }]],
      [2, [null]],
    ] as const) {
      const s = opened();
      assert.equal(change(s, version, changes).kind, 'out-of-sync', JSON.stringify([version, changes]));
      assert.equal(s.version(URI), 1);
    }
  });

  it('ignores a change for a document that is not open, and didOpen replaces an open document', () => {
    const s = opened();
    assert.equal(s.change({ textDocument: { uri: 'file:///other.xml', version: 5 }, contentChanges: [] }).kind, 'ignored');
    assert.equal(s.change({}).kind, 'ignored');
    change(s, 2, [{ range: range(at(0, null), at(0, 0)), text: '' }]);
    assert.equal(s.get(URI), undefined);
    s.open({ textDocument: { uri: URI, languageId: 'xml', version: 1, text: 'again' } });
    assert.equal(s.get(URI)!.getText(), 'again');
    assert.throws(() => s.open({ textDocument: { uri: URI, version: 'x', text: '' } }));
    assert.throws(() => s.open({ textDocument: { uri: URI, version: 1, text: null } }));
    assert.equal(s.close({ textDocument: { uri: URI } }), URI);
    assert.equal(s.close({ textDocument: { uri: URI } }), undefined);
    assert.equal(s.size, 0);
  });

  it('5000 random changes (valid, past the end, malformed): the text is what a plain model predicts and the line index stays sound', () => {
    const rand = prng(20_251_202);
    const int = (n: number) => Math.floor(rand() * n);
    const pieces = ['', 'a', 'é', '𝄞', '\n', '\r\n', '\r', '<x/>\n', '  ', '\ud800'];
    let model = TEXT;
    let synced = true;
    let version = 1;
    const s = opened(TEXT, version);
    for (let i = 0; i < 5000; i++) {
      const doc = TextDocument.create('file:///m', 'xml', 0, model);
      const pos = () => (rand() < 0.1 ? { line: doc.lineCount + int(3), character: int(5) } : { line: int(doc.lineCount), character: int(12) });
      const text = Array.from({ length: int(4) }, () => pieces[int(pieces.length)]).join('');
      let a = pos();
      let b = pos();
      if (a.line > b.line || (a.line === b.line && a.character > b.character)) [a, b] = [b, a];
      const full = rand() < 0.05;
      const malformed = !full && rand() < 0.05;
      const c = full ? { text } : { range: range(malformed ? at(a.line, -1) : a, b), text };
      const r = change(s, ++version, [c]);
      if (malformed) {
        synced = false;
        assert.equal(r.kind, 'out-of-sync');
        continue;
      }
      if (full) {
        model = text;
        synced = true;
      } else if (synced) {
        const start = doc.offsetAt(a);
        const end = doc.offsetAt(b);
        model = model.slice(0, start) + text + model.slice(end);
      }
      assert.equal(r.kind, synced ? 'applied' : 'out-of-sync');
      if (!synced) continue;
      const got = s.get(URI)!;
      assert.equal(got.getText(), model, `change ${i}`);
      if (i % 50 === 0) assertIndexSound(got);
    }
  });
});
