import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { complete, type CompletionItem } from '../../server/src/features/completion';
import { hover } from '../../server/src/features/hover';
import { xmlContextAt } from '../../server/src/xml/context';
import { parseXmlTolerant } from '../../server/src/xml/parse';
import { at, spanText } from '../support/cursor';

/** The labels of the SEV items (libvirt's schema items follow them; features-schema tests those). */
function labels(marked: string): string[] {
  const { text, offset } = at(marked);
  return (complete(text, offset)?.items ?? []).filter((i: CompletionItem) => i.source !== 'schema').map((i: CompletionItem) => i.label);
}

const SEV_CHILDREN = ['cbitpos', 'reducedPhysBits', 'policy', 'handle', 'dhCert', 'session'];

/** A legal DOCTYPE whose internal subset has `]>` inside a quoted entity value. */
const DOCTYPE = `<!DOCTYPE domain [<!ENTITY e "a]>b"> <!ENTITY f 'c]>d'>]>\n`;

describe('completion and hover read the parser’s tree', () => {
  it('complete in <launchSecurity> after a DOCTYPE with ]> in an entity value, as without it', () => {
    const body = "<domain type='kvm'>\n  <launchSecurity type='sev'>\n    <|\n  </launchSecurity>\n</domain>\n";
    assert.deepEqual(labels(body), SEV_CHILDREN);
    assert.deepEqual(labels(DOCTYPE + body), SEV_CHILDREN);
    assert.deepEqual(labels(`<?xml version="1.0"?>\n${DOCTYPE}<!-- ]> -->\n${body}`), SEV_CHILDREN);
  });

  it('offers <launchSecurity> in <domain> after a DOCTYPE whose entity value holds ]> and a tag', () => {
    const doctype = `<!DOCTYPE domain [<!ENTITY e "a]><x>">]>\n`;
    const body = "<domain type='kvm'>\n  <devices/>\n  <la|\n</domain>\n";
    assert.deepEqual(parseXmlTolerant(at(doctype + body).text.replace('<la', '')).errors, []);
    const kinds = ['launchSecurity SEV', 'launchSecurity SEV-ES', 'launchSecurity SEV-SNP'];
    assert.deepEqual(labels(body), kinds);
    assert.deepEqual(labels(doctype + body), kinds);
  });

  it('hover on a policy and on <launchSecurity> after such a DOCTYPE', () => {
    const { text, offset } = at(`${DOCTYPE}<domain type='kvm'>\n  <launchSecurity type='sev'>\n    <policy>0x00|33</policy>\n  </launchSecurity>\n</domain>\n`);
    const h = hover(text, offset);
    assert.ok(h);
    assert.equal(spanText(text, h.span), '0x0033');
    assert.match(h.markdown, /SEV guest policy 0x0033/);
    const tag = at(`${DOCTYPE}<domain type='kvm'>\n  <launch|Security type='sev'/>\n</domain>\n`);
    assert.match(hover(tag.text, tag.offset)!.markdown, /^\*\*<launchSecurity>\*\*/);
  });

  it('offers nothing inside the DOCTYPE, its entity values, a comment, CDATA or a PI', () => {
    for (const marked of [
      `<!DOCTYPE domain [<!ENTITY e "a]>|b">]>\n<domain type='kvm'>\n  <launchSecurity type='sev'>\n  </launchSecurity>\n</domain>\n`,
      `<!DOCTYPE domain [<!ENTITY e "a]>b">|]>\n<domain type='kvm'/>\n`,
      "<domain type='kvm'>\n  <launchSecurity type='sev'>\n    <!-- <| -->\n  </launchSecurity>\n</domain>\n",
      "<domain type='kvm'>\n  <launchSecurity type='sev'>\n    <![CDATA[ <| ]]>\n  </launchSecurity>\n</domain>\n",
      "<domain type='kvm'>\n  <launchSecurity type='sev'>\n    <?pi <| ?>\n  </launchSecurity>\n</domain>\n",
      "<domain type='kvm'>\n  <launchSecurity type='sev'>\n    <!-- <|",
    ]) {
      const { text, offset } = at(marked);
      assert.equal(complete(text, offset), undefined, marked);
      assert.equal(hover(text, offset), undefined, marked);
    }
  });

  it('works in incomplete documents: unclosed tags, the cursor at the end of the text', () => {
    assert.deepEqual(labels("<domain type='kvm'>\n  <launchSecurity type='sev'>\n    <|"), SEV_CHILDREN);
    assert.deepEqual(labels("<domain type='kvm'>\n  <launchSecurity type='sev'>\n    <cbitpos>51</cbitpos>\n    <|"), ['reducedPhysBits', 'policy', 'handle', 'dhCert', 'session']);
    assert.deepEqual(labels("<domain type='kvm'>\n  <launchSecurity type='sev'>\n    <policy>0x|"), ['0x0003', '0x0033', '0x0007', '0x0037']);
    assert.deepEqual(labels("<domain type='kvm'>\n  <launchSecurity type='sev' |"), ['kernelHashes']);
    assert.deepEqual(labels("<domain type='kvm'>\n  <launchSecurity type='sev-s|"), ['sev', 'sev-snp']);
    assert.deepEqual(labels("<domain type='kvm'>\n  <launchSecurity type=|"), ['sev', 'sev-snp']);
    assert.deepEqual(labels("<domain type='kvm'>\n  <devices/>\n  <la|"), ['launchSecurity SEV', 'launchSecurity SEV-ES', 'launchSecurity SEV-SNP']);
    // An end tag nothing matches, then the cursor in <launchSecurity>.
    assert.deepEqual(labels("<domain type='kvm'>\n  <launchSecurity type='sev'>\n    </cbitpos>\n    <|\n  </launchSecurity>\n</domain>\n"), SEV_CHILDREN);
    const h = at("<domain type='kvm'>\n  <launchSecurity type='sev-snp'>\n    <policy>0x30000|");
    assert.match(hover(h.text, h.offset)!.markdown, /SEV-SNP guest policy 0x30000/);
  });

  it('xmlContextAt names the element, its ancestors and the attribute', () => {
    const { text, offset } = at("<domain>\n  <launchSecurity type='sev' policy='0x|'>\n");
    const ctx = xmlContextAt(text, offset);
    assert.equal(ctx?.kind, 'attribute-value');
    assert.ok(ctx?.kind === 'attribute-value');
    assert.equal(ctx.attribute.name, 'policy');
    assert.equal(spanText(text, ctx.attribute.valueSpan!), '0x');
    assert.equal(ctx.element.name, 'launchSecurity');
    assert.equal(ctx.element.parent?.name, 'domain');
    const end = at('<domain><policy>1</pol|icy></domain>');
    const e = xmlContextAt(end.text, end.offset);
    assert.ok(e?.kind === 'end-tag-name');
    assert.equal(e.element?.name, 'policy');
    const content = at('<domain><policy> 1| </policy></domain>');
    const c = xmlContextAt(content.text, content.offset);
    assert.ok(c?.kind === 'content');
    assert.equal(c.element?.name, 'policy');
    assert.equal(spanText(content.text, c.text), ' 1 ');
  });
});
