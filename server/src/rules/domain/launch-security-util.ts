import type { SevInfo } from '../../domain/model';
import { child, textContent, type XmlElement } from '../../xml/model';

/**
 * The SEV-SNP base64 blobs of `<launchSecurity type='sev-snp'>` and the
 * exact number of bytes each must decode to (libvirt `CHECK_BASE64_LEN`).
 */
export const SNP_BLOB_BYTES = {
  guestVisibleWorkarounds: 16,
  idBlock: 96,
  idAuth: 4096,
  hostData: 32,
} as const;

export type SnpBlobName = keyof typeof SNP_BLOB_BYTES;

export const SNP_BLOB_NAMES = Object.keys(SNP_BLOB_BYTES) as SnpBlobName[];

/**
 * A child of `<launchSecurity>` as libvirt sees it: the first one of that
 * name, and only when its text is not empty (libvirt's XPath helpers treat
 * an empty string as "not given").
 */
export function givenChild(text: string, sev: SevInfo, name: string): XmlElement | undefined {
  const el = child(sev.element, name);
  return el && textContent(text, el) !== '' ? el : undefined;
}

/**
 * What libvirt's `virXPathUInt` (base 10, `virStrToLong_uip`) makes of an
 * element's text:
 * - `absent`: empty, treated as not given;
 * - `ok`: accepted (strtoul skips leading whitespace and takes a `+`);
 * - `padded`: a number followed by whitespace, rejected because nothing
 *   trims the text; `trimmed` is what would be accepted;
 * - `tooLarge`: a number above 2^32-1;
 * - `invalid`: anything else, including whitespace only, a sign `-` and hex.
 */
export type UIntReading =
  | { readonly kind: 'absent' }
  | { readonly kind: 'ok'; readonly value: number }
  | { readonly kind: 'padded'; readonly value: number; readonly trimmed: string }
  | { readonly kind: 'tooLarge' }
  | { readonly kind: 'invalid' };

const UINT_MAX = 0xffffffff;

export function readLibvirtUInt(s: string): UIntReading {
  if (s === '') return { kind: 'absent' };
  const m = /^[ \t\r\n]*(\+?(\d+))([ \t\r\n]*)$/.exec(s);
  if (!m) return { kind: 'invalid' };
  const value = Number(m[2]);
  if (value > UINT_MAX) return { kind: 'tooLarge' };
  return m[3] === '' ? { kind: 'ok', value } : { kind: 'padded', value, trimmed: m[1]! };
}
