/**
 * What the editor's status bar item says about a document: whether sevlint
 * lints it at all, and for a libvirt domain its SEV generation and policy as
 * libvirt reads them. Pure: text and file name in, a summary out.
 */
import { isDomain } from '../domain/model';
import type { DocumentKind } from '../file-types';
import { readPolicy } from '../policy';
import { attrValue, child, textContent } from '../xml/model';
import { parseXml } from '../xml/parse';
import { KIND_LABELS, kindOf } from './launch-security';

export interface StatusSummary {
  readonly kind: DocumentKind;
  /** A domain's `<launchSecurity>`: SEV, SEV-ES or SEV-SNP and the policy as written (undefined when there is no SEV). */
  readonly guest?: { readonly label: 'SEV' | 'SEV-ES' | 'SEV-SNP'; readonly policy: string | undefined };
}

// As linter.ts detectKind reads a domain (each prolog item matches one way only: no backtracking blow-up).
const DOMAIN_START = /^\uFEFF?\s*(?:(?:<\?(?:[^?]|\?(?!>))*\?>|<!--(?:[^-]|-(?!->))*-->|<!DOCTYPE[^>[]*(?:\[(?:[^\]"'<]|<(?!!--)|"[^"]*"|'[^']*'|<!--(?:[^-]|-(?!->))*-->)*\])?\s*>)\s*)*<domain[\s/>]/;
const KATA_NAME = /(^|[\\/])configuration[^\\/]*\.toml(\.in)?$/i;
const KATA_TABLE = /^[ \t]*\[[ \t]*hypervisor\.[A-Za-z0-9_-]+[ \t]*\]/m;

/** The summary of a document sevlint lints, or undefined for any other (no status bar item). */
export function statusSummary(text: string, fileName: string): StatusSummary | undefined {
  const head = text.slice(0, 64 * 1024);
  if (DOMAIN_START.test(head)) return { kind: 'domain-xml', ...domainGuest(text) };
  if (KATA_NAME.test(fileName) || KATA_TABLE.test(text)) return { kind: 'kata-toml' };
  return undefined;
}

/** Larger domains are not parsed for the status bar (it updates as you type); they show `sevlint`. */
export const STATUS_PARSE_LIMIT = 1_000_000;

function domainGuest(text: string): Pick<StatusSummary, 'guest'> {
  if (text.length > STATUS_PARSE_LIMIT) return {};
  const parsed = parseXml(text);
  if (!parsed.ok || !isDomain(parsed.document)) return {};
  const ls = child(parsed.document.root, 'launchSecurity');
  const type = ls ? attrValue(ls, 'type') : undefined;
  if (!ls || (type !== 'sev' && type !== 'sev-snp')) return {};
  const policyEl = child(ls, 'policy');
  const written = policyEl ? textContent(text, policyEl).trim() : undefined;
  const value = written !== undefined ? readPolicy(written, type).value : undefined;
  return { guest: { label: KIND_LABELS[kindOf(type, value)], policy: written === '' ? undefined : written } };
}

/** The status bar text: `SEV-SNP 0x30000` for a SEV domain, `sevlint` otherwise; the problem count after it. */
export function statusText(summary: StatusSummary, problems: number): string {
  const name = summary.guest ? `${summary.guest.label}${summary.guest.policy !== undefined ? ` ${summary.guest.policy}` : ''}` : 'sevlint';
  return problems > 0 ? `${name} · ${problems} ${problems === 1 ? 'problem' : 'problems'}` : name;
}
