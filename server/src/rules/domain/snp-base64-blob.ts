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
/** The SEV (and SEV-ES) attestation inputs: base64 that libvirt writes to a file for QEMU. */
const SEV_BLOB_NAMES = ['dhCert', 'session'] as const;
/** What a file path looks like: absolute, home- or dot-relative, or a name ending in a file extension. */
const PATH_LIKE = /^(?:~?\/|\.{1,2}\/|[A-Za-z]:\\)|\.[A-Za-z0-9]{1,8}$/;

export const rule = defineRule<DomainModel>()({
  id: 'snp-base64-blob',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  summary: 'The SEV-SNP blobs (idBlock, idAuth, hostData, guestVisibleWorkarounds) must be plain base64 of their exact size; SEV dhCert and session must be base64, not file paths.',
  messages: {
    whitespace:
      "<{name}> contains spaces or tabs (indentation); QEMU accepts only base64 characters and line breaks and fails with: Base64 data contains invalid characters. Put the blob on one line.",
    charset:
      "<{name}> contains '{char}', which is not a base64 character; QEMU fails with: Base64 data contains invalid characters.",
    length:
      "<{name}> decodes to {actual} bytes but must be exactly {expected}; libvirt fails with: Unexpected length of '{name}', expected {expected} got {actual}.",
    sevPath:
      "<{name}> holds '{value}', which looks like a file path, but it takes the base64 text itself: libvirt writes the element's text to a file for QEMU, which base64-decodes it (g_base64_decode skips every character that is not base64), so the launch gets other bytes than the certificate or session and LAUNCH_START fails. Put the file's base64 content into <{name}>.",
    sevCharset:
      "<{name}> contains '{char}', which is not a base64 character: QEMU base64-decodes the text with g_base64_decode, which skips such characters, so LAUNCH_START gets other bytes than meant and fails. <{name}> takes base64 only.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev) return;
    if (!sev.snp) {
      for (const name of SEV_BLOB_NAMES) {
        const el = givenChild(model.text, sev, name);
        if (!el?.content) continue;
        const text = textContent(model.text, el);
        const junk = JUNK.exec(text);
        if (!junk) continue;
        const value = text.trim();
        if (PATH_LIKE.test(value) && !/\s/.test(value)) report({ messageId: 'sevPath', data: { name, value }, span: el.content });
        else report({ messageId: 'sevCharset', data: { name, char: junk[0] }, span: el.content });
      }
      return;
    }
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
