/**
 * Host capacity over several domains linted together (a folder): more SEV
 * guests than `<maxGuests>`, more SEV-ES and SEV-SNP guests than
 * `<maxESGuests>`. Pure: the texts come in, findings of `host-sev-capacity`
 * for each guest beyond the count come out.
 */
import { buildDomainModel, isDomain } from '../domain/model';
import { makeFinding, type LintOptions } from '../linter';
import { rule as capacity } from '../rules/host/host-sev-capacity';
import { domainTarget, guestKind, hostOffers } from '../rules/host/util';
import type { Finding } from '../rules/types';
import { parseXml } from '../xml/parse';
import { hostContext, slotsFor } from './domcaps';

/**
 * For each text (in the order given, which is the order guests are counted
 * in), the capacity findings: none for the first `slots` guests of a kind on
 * one host, one for each guest after them.
 */
export function capacityFindings(texts: readonly string[], options: LintOptions): Finding[][] {
  const out: Finding[][] = texts.map(() => []);
  if (!options.domainCapabilities?.length || options.rules?.[capacity.id] === 'off') return out;
  const groups = new Map<string, { slots: number; element: string; caps: string; members: { index: number; span: { start: number; end: number } }[] }>();
  texts.forEach((text, index) => {
    if (!text.includes('launchSecurity')) return;
    const parsed = parseXml(text);
    if (!parsed.ok || !isDomain(parsed.document)) return;
    const model = buildDomainModel(parsed.document);
    const sev = model.sev;
    const caps = sev && hostContext(options.domainCapabilities, domainTarget(model))?.caps;
    if (!sev || !caps || !hostOffers(caps, sev)) return;
    const slots = slotsFor(caps, guestKind(sev));
    if (slots.value === undefined || slots.value === 0) return;
    const key = `${caps.name}\u0000${slots.element}`;
    const group = groups.get(key) ?? { slots: slots.value, element: slots.element, caps: caps.name, members: [] };
    group.members.push({ index, span: sev.element.startTag });
    groups.set(key, group);
  });
  for (const g of groups.values()) {
    const label = g.element === 'maxGuests' ? 'SEV' : 'SEV-ES or SEV-SNP';
    g.members.forEach((m, i) => {
      if (i < g.slots) return;
      const f = makeFinding(capacity, options, {
        messageId: 'over',
        data: { label, index: i + 1, count: g.members.length, caps: g.caps, element: g.element, slots: g.slots },
        span: m.span,
      });
      if (f) out[m.index]!.push(f);
    });
  }
  return out;
}
