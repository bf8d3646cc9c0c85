import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseXml, parseXmlTolerant } from '../../server/src/xml/parse';
import { attr, child, textContent, type XmlComment, type XmlCData, type XmlDocument, type XmlNode, type XmlProcessingInstruction, type XmlText } from '../../server/src/xml/model';
import { END, MALFORMED, WELL_FORMED_EDGES } from '../support/malformed';

function parse(text: string): XmlDocument {
  const r = parseXml(text);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.document;
}

function slice(text: string, s: { start: number; end: number }): string {
  return text.slice(s.start, s.end);
}

describe('parseXml spans', () => {
  it('gives start tag, end tag, content, name and attribute spans', () => {
    const text = `<domain type='kvm'>\n  <name>g</name>\n  <devices><disk type="file" device='disk'/></devices>\n</domain>\n`;
    const doc = parse(text);
    const devices = child(doc.root, 'devices')!;
    const disk = child(devices, 'disk')!;
    assert.equal(slice(text, doc.root.startTag), `<domain type='kvm'>`);
    assert.equal(slice(text, doc.root.endTag!), '</domain>');
    assert.equal(slice(text, disk.span), `<disk type="file" device='disk'/>`);
    assert.equal(disk.endTag, undefined);
    assert.equal(disk.content, undefined);
    const type = attr(disk, 'type')!;
    assert.equal(slice(text, type.span), 'type="file"');
    assert.equal(slice(text, type.nameSpan), 'type');
    assert.equal(slice(text, type.valueSpan), 'file');
    assert.equal(type.quote, '"');
    assert.equal(attr(disk, 'device')!.quote, "'");
    assert.equal(textContent(text, child(doc.root, 'name')!), 'g');
    assert.equal(slice(text, child(doc.root, 'name')!.nameSpan), 'name');
  });

  it('is exact with a BOM, CRLF, tabs and characters outside the BMP', () => {
    const text = '\uFEFF<?xml version="1.0"?>\r\n<domain>\r\n\t<description>🔒 é</description><policy a = "x" >0x3</policy>\r\n</domain>\r\n';
    const doc = parse(text);
    const policy = child(doc.root, 'policy')!;
    assert.equal(slice(text, policy.startTag), '<policy a = "x" >');
    assert.equal(slice(text, attr(policy, 'a')!.valueSpan), 'x');
    assert.equal(slice(text, policy.content!), '0x3');
    assert.equal(slice(text, doc.root.endTag!), '</domain>');
    assert.equal(policy.span.start, text.indexOf('<policy'));
  });

  it('keeps comments, CDATA and processing instructions out of the tree', () => {
    const text = `<domain><!-- <disk/> --><![CDATA[ <x/> ]]><?pi <y/>?><os/></domain>`;
    const doc = parse(text);
    assert.deepEqual(doc.root.children.map((c) => c.name), ['os']);
    assert.equal(slice(text, doc.root.children[0]!.span), '<os/>');
  });

  it('never expands entities', () => {
    const text = `<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><domain><name>&b;</name></domain>`;
    const doc = parse(text);
    assert.equal(textContent(text, child(doc.root, 'name')!), '&b;');
  });
});

describe('parseXmlTolerant: every node kind with its exact span', () => {
  const text =
    '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    '<!-- head -->\r\n' +
    "<!DOCTYPE domain SYSTEM 'd.dtd' [\r\n <!ENTITY e \"v\">\r\n]>\r\n" +
    '<domain a="x &amp; &#x41;&e;\ty">\r\n' +
    '  <?pi data?><![CDATA[<raw>]]>t&lt;\r\n' +
    '  <b/></domain>\r\n';
  const { document: doc, errors } = parseXmlTolerant(text);
  const s = (x: { start: number; end: number }): string => text.slice(x.start, x.end);

  it('is well-formed and gives the prolog nodes in order', () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(doc.nodes.filter((n) => n.kind !== 'text').map((n) => n.kind), ['pi', 'comment', 'doctype', 'element']);
    const [decl, comment, doctype] = doc.nodes.filter((n) => n.kind !== 'text') as [XmlProcessingInstruction, XmlComment, XmlNode];
    assert.equal(s(decl.span), '<?xml version="1.0" encoding="UTF-8"?>');
    assert.equal(decl.target, 'xml');
    assert.deepEqual(doc.declaration, { span: decl.span, version: '1.0', encoding: 'UTF-8', standalone: undefined });
    assert.equal(s(comment.span), '<!-- head -->');
    assert.equal(s(comment.content), ' head ');
    assert.equal(doctype, doc.doctype);
    assert.equal(s(doc.doctype!.span), "<!DOCTYPE domain SYSTEM 'd.dtd' [\r\n <!ENTITY e \"v\">\r\n]>");
    assert.equal(s(doc.doctype!.nameSpan), 'domain');
    assert.equal(doc.doctype!.systemId, 'd.dtd');
    assert.equal(s(doc.doctype!.internalSubset!), '\r\n <!ENTITY e "v">\r\n');
    assert.deepEqual(doc.doctype!.entities.map((e) => [e.name, e.value, s(e.span), s(e.nameSpan)]), [['e', 'v', '<!ENTITY e "v">', 'e']]);
  });

  it('gives elements, attributes (raw and decoded), text, PIs and CDATA', () => {
    const root = doc.root!;
    assert.equal(s(root.startTag), '<domain a="x &amp; &#x41;&e;\ty">');
    assert.equal(s(root.nameSpan), 'domain');
    assert.equal(s(root.endTag!), '</domain>');
    assert.equal(root.selfClosing, false);
    assert.equal(root.unclosed, undefined);
    const a = root.attributes[0]!;
    assert.equal(a.value, 'x &amp; &#x41;&e;\ty');
    assert.equal(a.decoded, 'x & A&e; y', 'predefined entities and character references decoded, a declared entity kept, a tab read as a space');
    assert.equal(s(a.valueSpan), a.value);
    assert.deepEqual(root.childNodes.map((n) => n.kind), ['text', 'pi', 'cdata', 'text', 'element']);
    const [t1, pi, cdata, t2, b] = root.childNodes as [XmlText, XmlProcessingInstruction, XmlCData, XmlText, XmlNode];
    assert.equal(s(t1.span), '\r\n  ');
    assert.equal(s(pi.span), '<?pi data?>');
    assert.equal(s(pi.targetSpan), 'pi');
    assert.equal(s(pi.content), 'data');
    assert.equal(s(cdata.span), '<![CDATA[<raw>]]>');
    assert.equal(s(cdata.content), '<raw>');
    assert.equal(s(t2.span), 't&lt;\r\n  ');
    assert.equal(b, root.children[0]);
    assert.equal(b.kind === 'element' && b.selfClosing, true);
    assert.equal(t2.parent, root);
  });
});

describe('parseXmlTolerant: a tree for text being edited', () => {
  it('keeps unclosed elements, with their span to where the parser stopped', () => {
    const text = '<domain>\n  <devices>\n    <disk type="file">\n      <source';
    const { document: doc, errors } = parseXmlTolerant(text);
    const devices = child(doc.root!, 'devices')!;
    const disk = child(devices, 'disk')!;
    const source = child(disk, 'source')!;
    for (const el of [doc.root!, devices, disk]) {
      assert.equal(el.endTag, undefined);
      assert.equal(el.unclosed, 'end-tag');
      assert.equal(el.span.end, text.length);
    }
    assert.equal(source.unclosed, 'start-tag');
    assert.equal(text.slice(source.startTag.start, source.startTag.end), '<source');
    assert.equal(attr(disk, 'type')!.value, 'file');
    assert.match(errors[0]!.message, /^Couldn't find end of Start Tag source line 4/);
  });

  it('closes the elements left open by an end tag of an ancestor, and skips an end tag nothing matches', () => {
    const text = '<domain><os><type>hvm</os><devices></nothing><disk/></devices></domain>';
    const { document: doc, errors } = parseXmlTolerant(text);
    assert.deepEqual(doc.root!.children.map((c) => c.name), ['os', 'devices']);
    const os = child(doc.root!, 'os')!;
    assert.equal(text.slice(os.endTag!.start, os.endTag!.end), '</os>');
    const type = child(os, 'type')!;
    assert.equal(type.unclosed, 'end-tag');
    assert.equal(text.slice(type.content!.start, type.content!.end), 'hvm');
    assert.deepEqual(child(doc.root!, 'devices')!.children.map((c) => c.name), ['disk']);
    assert.deepEqual(errors.map((e) => e.message), ['Opening and ending tag mismatch: type line 1 and os.', 'Opening and ending tag mismatch: devices line 1 and nothing.']);
    assert.deepEqual(errors[0]!.related, type.nameSpan);
  });

  it('ends a start tag at a stray < and still reads what follows', () => {
    const text = '<domain><disk type="file\n<target dev="vda"/></domain>';
    const { document: doc, errors } = parseXmlTolerant(text);
    const disk = child(doc.root!, 'disk')!;
    assert.equal(disk.unclosed, 'start-tag');
    assert.equal(child(disk, 'target')?.name, 'target');
    assert.match(errors[0]!.message, /^Unescaped '<' not allowed in attributes values/);
  });

  it('gives no root for text without an element, and never throws', () => {
    for (const text of ['', 'plain', '<!-- only -->', '</a>', '<', '&', ']]>', '<?', '<!', '<![CDATA[', '<!DOCTYPE']) {
      const r = parseXmlTolerant(text);
      assert.ok(r.errors.length > 0, JSON.stringify(text));
    }
  });
});

describe('parseXml errors: one case per well-formedness constraint', () => {
  for (const [text, message, span, start] of MALFORMED) {
    it(`${JSON.stringify(text)} → ${message}`, () => {
      const r = parseXml(text);
      assert.ok(!r.ok, 'not well-formed');
      assert.ok(r.error.message.includes(message), r.error.message);
      if (span === END) {
        assert.deepEqual(r.error.span, { start: text.length, end: text.length });
      } else {
        assert.equal(text.slice(r.error.span.start, r.error.span.end), span);
        assert.equal(r.error.span.start, start ?? text.indexOf(span));
      }
    });
  }

  it('accepts the well-formed inputs at the edges of the grammar', () => {
    for (const text of WELL_FORMED_EDGES) {
      const r = parseXmlTolerant(text);
      assert.deepEqual(r.errors, [], JSON.stringify(text));
    }
  });

  it('reports an empty document at its start', () => {
    const r = parseXml('');
    assert.ok(!r.ok);
    assert.deepEqual(r.error.span, { start: 0, end: 0 });
  });
});
