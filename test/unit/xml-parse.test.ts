import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseXml } from '../../server/src/xml/parse';
import { attr, child, textContent, type XmlDocument } from '../../server/src/xml/model';

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

describe('parseXml errors', () => {
  const cases: [string, string, string][] = [
    ['<domain>\n  <a>\n</domain>', '</domain>', "Expected closing tag 'a'"],
    ["<domain a='1' a='2'/>", "a='2'", "Attribute 'a' is repeated"],
    ['<domain>\n <t dev=sda/>\n</domain>', 'dev=sda', "The value of attribute 'dev' must be quoted."],
    ["<domain a='<'/>", '<', "'<' is not allowed in an attribute value"],
    ['<domain/>\n<domain/>', 'domain', 'Only one root element is allowed'],
    ['<domain>a & b</domain>', '&', "char '&' is not expected"],
  ];
  for (const [text, at, message] of cases) {
    it(`${JSON.stringify(text)} → ${message}`, () => {
      const r = parseXml(text);
      assert.ok(!r.ok);
      assert.ok(r.error.message.includes(message), r.error.message);
      const expectedStart = at === 'domain' ? text.lastIndexOf(at) : text.lastIndexOf(at);
      assert.equal(r.error.span.start, expectedStart, `at ${JSON.stringify(text.slice(r.error.span.start))}`);
      assert.ok(r.error.span.end > r.error.span.start && r.error.span.end <= text.length);
    });
  }

  it('reports an empty document at its start', () => {
    const r = parseXml('');
    assert.ok(!r.ok);
    assert.deepEqual(r.error.span, { start: 0, end: 0 });
  });
});
