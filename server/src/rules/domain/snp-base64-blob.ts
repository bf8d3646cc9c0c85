import type { DomainModel } from '../../domain/model';
import { replaceContent } from '../../xml/edit';
import { rawContent, textContent, type XmlElement } from '../../xml/model';
import { defineRule, type Fix } from '../types';
import { SNP_BLOB_BYTES, SNP_BLOB_NAMES, givenChild } from './launch-security-util';

/** Neither base64 nor whitespace. */
const JUNK = /[^A-Za-z0-9+/=\r\n \t]/u;
/** QEMU's `qbase64_decode` allows `\n` besides base64 (and XML reads CR LF as LF), but not these. */
const SPACE_OR_TAB = /[ \t]/;
const WHITESPACE = /[ \t\r\n]/g;

export const rule = defineRule<DomainModel>()({
  id: 'snp-base64-blob',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  summary: 'The SEV-SNP blobs (idBlock, idAuth, hostData, guestVisibleWorkarounds) must be plain base64 of their exact size.',
  messages: {
    whitespace:
      "<{name}> contains spaces or tabs (indentation); QEMU accepts only base64 characters and line breaks and fails with: Base64 data contains invalid characters. Put the blob on one line.",
    charset:
      "<{name}> contains '{char}', which is not a base64 character; QEMU fails with: Base64 data contains invalid characters.",
    length:
      "<{name}> decodes to {actual} bytes but must be exactly {expected}; libvirt fails with: Unexpected length of '{name}', expected {expected} got {actual}.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev?.snp) return;
    for (const name of SNP_BLOB_NAMES) {
      const el = givenChild(model.text, sev, name);
      if (!el?.content) continue;
      const text = textContent(model.text, el);
      const junk = JUNK.exec(text);
      if (junk) {
        report({ messageId: 'charset', data: { name, char: junk[0] }, span: el.content });
        continue;
      }
      const joined = text.replace(WHITESPACE, '');
      if (SPACE_OR_TAB.test(text)) {
        report({ messageId: 'whitespace', data: { name }, span: el.content, fixes: joinFix(model, el, joined) });
      }
      const expected = SNP_BLOB_BYTES[name];
      const actual = Buffer.from(joined, 'base64').length;
      if (actual !== expected) report({ messageId: 'length', data: { name, expected, actual }, span: el.content });
    }
  },
});

/** Joining is safe only when the text is all there is (no comment or CDATA to lose). */
function joinFix(model: DomainModel, el: XmlElement, joined: string): Fix[] {
  const edit = rawContent(model.text, el) === textContent(model.text, el) ? replaceContent(el, joined) : undefined;
  return edit ? [{ title: `Put <${el.name}> on one line`, edits: [edit], preferred: true }] : [];
}
