/**
 * The RELAX NG machinery on its own: the simplifier, the datatypes and XSD
 * regular expressions, the derivative validator and its recovery, and that
 * the committed libvirt grammar is what the bundled schemas compile to.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileSchema, LIBVIRT_SCHEMA_SOURCE, SchemaError, serializeGrammar } from '../../server/src/schema/compile';
import { Datatype, XSD_LIBRARY, xsdRegexToJs } from '../../server/src/schema/datatypes';
import { libvirtDomainGrammar, loadGrammar } from '../../server/src/schema/grammar';
import { validate, type SchemaProblem } from '../../server/src/schema/validate';
import { parseXml } from '../../server/src/xml/parse';
import { ROOT } from '../support/fixtures';

const RNG = 'xmlns="http://relaxng.org/ns/structure/1.0" datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes"';

/** Compiles a one-file schema and validates `xml` with it. */
function check(schema: string, xml: string): { valid: boolean; problems: readonly SchemaProblem[] } {
  const g = loadGrammar(compileSchema('s.rng', () => schema, 'test'));
  const doc = parseXml(xml);
  assert.ok(doc.ok, 'the test document is well-formed');
  return validate(g, xml, doc.document.root);
}

const summary = (ps: readonly SchemaProblem[], xml: string): string[] => ps.map((p) => `${p.kind}@${xml.slice(p.span.start, p.span.end)}`);

describe('XSD regular expressions', () => {
  const matches = (re: string, s: string): boolean => xsdRegexToJs(re).test(s);
  it('match the whole value, with ^ and $ as ordinary characters', () => {
    assert.equal(matches('[0-9]+', '12'), true);
    assert.equal(matches('[0-9]+', '12a'), false);
    assert.equal(matches('\\^[0-9]+', '^3'), true);
    assert.equal(matches('a$b', 'a$b'), true);
    assert.equal(matches('([0-9]+(-[0-9]+)?|\\^[0-9]+)(,([0-9]+(-[0-9]+)?|\\^[0-9]+))*', '0-3,^2,8'), true);
  });
  it('know XSD escapes: \\d is any decimal digit, \\s only XML space, \\i and \\c XML names, . no line end', () => {
    assert.equal(matches('\\d+', '٣4'), true);
    assert.equal(matches('\\s', '\u00a0'), false);
    assert.equal(matches('\\i\\c*', 'a-b.c'), true);
    assert.equal(matches('\\i\\c*', '-a'), false);
    assert.equal(matches('a.b', 'a\nb'), false);
    assert.equal(matches('[a-zA-Z0-9_\\.\\-]+', 'a.b-c_d'), true);
  });
  it('subtract character classes', () => {
    assert.equal(matches('[a-z-[aeiou]]+', 'xyz'), true);
    assert.equal(matches('[a-z-[aeiou]]+', 'xaz'), false);
    assert.equal(matches('[^/]+', 'a/b'), false);
  });
  it('refuse what XSD does not have, saying where', () => {
    assert.throws(() => xsdRegexToJs('a{2'), /malformed quantifier at position 1/);
    assert.throws(() => xsdRegexToJs('(a'), /missing \)/);
    assert.throws(() => xsdRegexToJs('\\p{IsBasicLatin}'), /block escape/);
    assert.throws(() => xsdRegexToJs('\\q'), /unknown escape/);
  });
});

describe('datatypes', () => {
  const dt = (type: string, params: { name: string; value: string }[] = []): Datatype => new Datatype(XSD_LIBRARY, type, params);
  it('check integer ranges and facets', () => {
    assert.equal(dt('unsignedInt').allows('4294967295'), true);
    assert.equal(dt('unsignedInt').allows('4294967296'), false);
    assert.equal(dt('unsignedInt').allows(' 7 '), true);
    assert.equal(dt('int').allows('-2147483649'), false);
    assert.equal(dt('positiveInteger').allows('0'), false);
    const ranged = dt('unsignedShort', [{ name: 'minInclusive', value: '1' }, { name: 'maxInclusive', value: '4096' }]);
    assert.equal(ranged.allows('0'), false);
    assert.equal(ranged.allows('4096'), true);
    assert.equal(ranged.describe(), 'an unsigned 16-bit integer from 1 to 4096');
    assert.equal(dt('string', [{ name: 'maxLength', value: '3' }]).allows('abcd'), false);
  });
  it('keep string values as written and compare typed values by value', () => {
    assert.equal(dt('string', [{ name: 'pattern', value: 'a b' }]).allows(' a b'), false);
    assert.equal(dt('int').equal('007', '+7'), true);
    assert.equal(new Datatype('', 'token', []).equal(' a  b ', 'a b'), true);
    assert.equal(new Datatype('', 'string', []).equal(' a', 'a'), false);
  });
  it('refuse what is not supported when the grammar is built, naming the place', () => {
    assert.throws(() => compileSchema('s.rng', () => `<element name="a" ${RNG}><data type="gYear"/></element>`, 'test'), (e: unknown) => e instanceof SchemaError && /s\.rng:1: XSD datatype 'gYear' is not supported/.test(e.message));
    assert.throws(() => compileSchema('s.rng', () => `<element name="a" ${RNG}><data type="int"><param name="totalDigits">3</param></data></element>`, 'test'), /facet 'totalDigits'/);
  });
});

describe('the validator', () => {
  it('interleave, optional, zeroOrMore, choice and attributes with values', () => {
    const s = `<element name="r" ${RNG}><interleave><element name="a"><empty/></element><optional><element name="b"><text/></element></optional><zeroOrMore><element name="c"><attribute name="t"><choice><value>x</value><value>y</value></choice></attribute></element></zeroOrMore></interleave></element>`;
    assert.equal(check(s, '<r><c t="x"/><a/><c t="y"/><b>hi</b></r>').valid, true);
    assert.equal(check(s, '<r><b/><a/></r>').valid, true);
    const twice = '<r><a/><a/></r>';
    assert.deepEqual(summary(check(s, twice).problems, twice), ['element@a']);
    const bad = '<r><a/><c t="z"/></r>';
    const r = check(s, bad);
    assert.deepEqual(summary(r.problems, bad), ['attribute-value@z']);
    assert.deepEqual(r.problems[0]!.kind === 'attribute-value' && r.problems[0]!.values, ['x', 'y']);
  });
  it('group keeps order; a missing child is reported once, at the start tag, naming it', () => {
    const s = `<element name="r" ${RNG}><element name="a"><empty/></element><element name="b"><empty/></element></element>`;
    assert.equal(check(s, '<r><a/><b/></r>').valid, true);
    const swapped = '<r><b/><a/></r>';
    assert.deepEqual(summary(check(s, swapped).problems, swapped), ['element@b']);
    const missing = '<r><a/></r>';
    const r = check(s, missing);
    assert.deepEqual(summary(r.problems, missing), ['missing-element@<r>']);
    assert.deepEqual(r.problems[0]!.kind === 'missing-element' && r.problems[0]!.missing, ['b']);
  });
  it('a misspelt element is read as the one meant: no second finding for the missing one', () => {
    const s = `<element name="rng" ${RNG}><element name="backend"><text/></element><optional><element name="rate"><empty/></element></optional></element>`;
    const xml = '<rng><backnd>x</backnd><rate/></rng>';
    const r = check(s, xml);
    assert.deepEqual(summary(r.problems, xml), ['element@backnd']);
    assert.equal(r.problems[0]!.kind === 'element' && r.problems[0]!.suggestion, 'backend');
  });
  it('a bad value is read as a good one: no cascade; a missing attribute as present', () => {
    const s = `<element name="r" ${RNG}><attribute name="n"><data type="unsignedInt"/></attribute><attribute name="m"><text/></attribute><element name="k"><data type="int"/></element></element>`;
    const xml = '<r n="-1"><k>x</k></r>';
    assert.deepEqual(summary(check(s, xml).problems, xml), ['attribute-value@-1', 'missing-attribute@<r n="-1">', 'text@x']);
  });
  it('keeps derivatives by which value patterns a value matches: a grammar reused over many values answers as a fresh one', () => {
    // The memo (pattern.ts, value classes) must never give one value the verdict of another.
    const s = `<element name="r" ${RNG}><zeroOrMore><element name="e">
      <optional><attribute name="w"><empty/></attribute></optional>
      <optional><attribute name="n"><choice><data type="unsignedShort"/><value>auto</value></choice></attribute></optional>
      <optional><attribute name="p"><data type="string"><param name="pattern">0x[0-9a-f]{2}</param></data></attribute></optional>
      <choice><empty/><data type="int"/><list><oneOrMore><value>a</value></oneOrMore></list></choice>
    </element></zeroOrMore></element>`;
    const json = compileSchema('s.rng', () => s, 'test');
    const reused = loadGrammar(json);
    const values = ['', ' ', '  \n', 'x', '0', '65535', '65536', 'auto', 'Auto', '0x1f', '0x1F', '0x123', '-7', ' 12 ', 'a a', 'a b'];
    const docs: string[] = [];
    for (const v of values) {
      docs.push(`<r><e w="${v}"/></r>`, `<r><e n="${v}"/></r>`, `<r><e p="${v}"/></r>`, `<r><e>${v}</e></r>`, `<r><e n="1" p="0x00">${v}</e><e w="${v}">${v}</e></r>`);
    }
    for (const xml of [...docs, ...docs.reverse()]) {
      const doc = parseXml(xml);
      assert.ok(doc.ok);
      const fresh = validate(loadGrammar(json), xml, doc.document.root);
      const again = validate(reused, xml, doc.document.root);
      assert.equal(again.valid, fresh.valid, xml);
      assert.deepEqual(summary(again.problems, xml), summary(fresh.problems, xml), xml);
    }
    assert.equal(check(s, '<r><e w=" "/><e w="x"/></r>').valid, false, 'white space is an empty value; x is not');
  });
  it('names with namespaces, anyName with except, nsName, list, data with except', () => {
    const s = `<element name="r" ${RNG} xmlns:q="urn:q"><zeroOrMore><choice>
      <element><anyName><except><nsName ns=""/></except></anyName><text/></element>
      <element name="q:e"><empty/></element>
      <element name="l"><list><oneOrMore><data type="int"/></oneOrMore></list></element>
      <element name="v"><data type="string"><except><value>bad</value></except></data></element>
    </choice></zeroOrMore></element>`;
    assert.equal(check(s, '<r xmlns:z="urn:z" xmlns:q="urn:q"><z:any>t</z:any><q:e/><l> 1 2  3 </l><v>ok</v></r>').valid, true);
    assert.equal(check(s, '<r><other/></r>').valid, false);
    assert.equal(check(s, '<r><l>1 x</l></r>').valid, false);
    assert.equal(check(s, '<r><v>bad</v></r>').valid, false);
    // The prefix does not matter, the namespace does.
    assert.equal(check(s, '<r xmlns:p="urn:q"><p:e>4</p:e></r>').valid, true);
  });
  it('include with overriding define, combine="choice", externalRef, parentRef', () => {
    const files: Record<string, string> = {
      'main.rng': `<grammar ${RNG}><start><element name="r"><ref name="body"/><externalRef href="ext.rng"/></element></start><include href="lib.rng"><define name="kind"><value>override</value></define></include><define name="kind" combine="choice"><value>extra</value></define></grammar>`,
      'lib.rng': `<grammar ${RNG}><define name="body"><attribute name="k"><ref name="kind"/></attribute><grammar><start><element name="inner"><parentRef name="kind"/></element></start></grammar></define><define name="kind"><value>base</value></define></grammar>`,
      'ext.rng': `<element name="ext" ${RNG}><empty/></element>`,
    };
    const g = loadGrammar(compileSchema('main.rng', (h) => files[h]!, 'test'));
    const run = (xml: string): boolean => {
      const d = parseXml(xml);
      assert.ok(d.ok);
      return validate(g, xml, d.document.root).valid;
    };
    assert.equal(run('<r k="override"><inner>extra</inner><ext/></r>'), true);
    assert.equal(run('<r k="base"><inner>override</inner><ext/></r>'), false);
  });
});

describe("libvirt's grammar", () => {
  it('is what the bundled schemas compile to (npm run build regenerates it)', () => {
    const dir = path.join(ROOT, 'schemas', 'libvirt');
    const fresh = serializeGrammar(compileSchema('domain.rng', (h) => fs.readFileSync(path.join(dir, path.basename(h)), 'utf8'), LIBVIRT_SCHEMA_SOURCE));
    assert.equal(fs.readFileSync(path.join(ROOT, 'server', 'src', 'schema', 'libvirt-domain.grammar.json'), 'utf8'), fresh);
  });
  it('validates the official kbase SEV example the way libvirt does: <rng> needs a <backend>', () => {
    const xml = `<domain type='kvm'><name>x</name><memory>1</memory><os><type>hvm</type></os><devices><rng model='virtio'><driver iommu='on'/></rng></devices><launchSecurity type='sev'><policy>0x0033</policy></launchSecurity></domain>`;
    const d = parseXml(xml);
    assert.ok(d.ok);
    const r = validate(libvirtDomainGrammar(), xml, d.document.root);
    assert.deepEqual(summary(r.problems, xml), ["missing-element@<rng model='virtio'>"]);
  });
});
