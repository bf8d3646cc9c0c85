/**
 * Hover for libvirt domain XML (`<launchSecurity>`, its children and
 * attributes, policy values decoded bit by bit, `<driver iommu>`) and Kata
 * configuration.toml keys (from the schema) and `snp_guest_policy` values.
 * Pure: text and offset in, markdown and a span out.
 */
import { detectKind } from '../linter';
import { formatPolicy, likelyDecimal, policyNotes, readPolicy, SNP, type PolicyKind } from '../policy';
import type { Span } from '../text-edit';
import { keyMarkdown, keySchema } from './kata-docs';
import { kindOf, KIND_LABELS } from './launch-security';
import {
  attributeDoc,
  DRIVER_IOMMU_DOC,
  DRIVER_IOMMU_VALUES,
  elementDoc,
  LAUNCH_SECURITY_DOC,
  LIBVIRT_LAUNCH_SECURITY_URL,
  LIBVIRT_SEV_KBASE_URL,
  LIBVIRT_VIRTIO_OPTIONS_URL,
  typesLabel,
  VIRTIO_DRIVER_PARENTS,
} from './launch-security-docs';
import { notesList, policyMarkdown, readingNotes } from './policy-markdown';
import type { FeatureOptions } from './completion';
import { lineIndexAt, parseTomlInteger, scanToml } from '../toml/scan';
import { startTagOf, tagAttr, xmlContextAt, type ContextStartTag, type XmlContext } from '../xml/context';
import { schemaHover } from './schema-items';
import type { XmlElement } from '../xml/model';

export interface HoverResult {
  readonly markdown: string;
  /** The word or value the hover is about. */
  readonly span: Span;
}

export function hover(text: string, offset: number, options: FeatureOptions = {}): HoverResult | undefined {
  if (offset < 0 || offset > text.length) return undefined;
  const kind = detectKind(text, options.fileName);
  if (kind === 'domain-xml') return hoverXml(text, offset);
  if (kind === 'kata-toml') return hoverToml(text, offset);
  return undefined;
}

const LS_LINK = `[libvirt: Launch Security](${LIBVIRT_LAUNCH_SECURITY_URL})`;

function sevType(tag: ContextStartTag): PolicyKind | undefined {
  const t = tagAttr(tag, 'type');
  return t === 'sev' || t === 'sev-snp' ? t : undefined;
}

function inLaunchSecurity(el: XmlElement | undefined): el is XmlElement & { parent: XmlElement } {
  return el?.parent?.name === 'launchSecurity';
}

/** Hover on the name of an element `name` in `parent`. */
function elementHover(parent: XmlElement | undefined, name: string, span: Span): HoverResult | undefined {
  if (name === 'launchSecurity' && parent?.name === 'domain') {
    return { markdown: `**<launchSecurity>**\n\n${LAUNCH_SECURITY_DOC}\n\n${LS_LINK} · [libvirt: SEV guide](${LIBVIRT_SEV_KBASE_URL})`, span };
  }
  const doc = elementDoc(name);
  if (!doc || parent?.name !== 'launchSecurity') return undefined;
  return { markdown: `**<${name}>** in \`<launchSecurity>\`\n\n${doc.summary}\n\nFor ${typesLabel(doc.types)}. ${LS_LINK}`, span };
}

function hoverXml(text: string, offset: number): HoverResult | undefined {
  const ctx = xmlContextAt(text, offset);
  if (!ctx) return undefined;
  // What sevlint knows about SEV first; else what libvirt's schema says.
  return hoverSev(text, offset, ctx) ?? schemaHover(text, ctx, offset);
}

function hoverSev(text: string, offset: number, ctx: XmlContext): HoverResult | undefined {
  switch (ctx.kind) {
    case 'start-tag-name':
      return offset >= ctx.tag.nameSpan.start ? elementHover(ctx.parent, ctx.tag.name, ctx.tag.nameSpan) : undefined;
    case 'end-tag-name':
      return offset >= ctx.nameSpan.start && ctx.element ? elementHover(ctx.element.parent, ctx.name, ctx.nameSpan) : undefined;
    case 'attribute-name':
    case 'attribute-value': {
      const a = ctx.attribute;
      if (!a) return undefined;
      const onValue = ctx.kind === 'attribute-value';
      const span = onValue ? (a.valueSpan ?? a.nameSpan) : a.nameSpan;
      if (ctx.element.name === 'launchSecurity' && ctx.element.parent?.name === 'domain') {
        const doc = attributeDoc(a.name);
        if (!doc) return undefined;
        const value = onValue ? doc.values.find((v) => v.value === a.value) : undefined;
        const valueLine = value ? `\n\n\`${a.name}='${value.value}'\`: ${value.summary}` : '';
        return { markdown: `**${a.name}** on \`<launchSecurity>\`\n\n${doc.summary}${valueLine}\n\nFor ${typesLabel(doc.types)}. ${LS_LINK}`, span };
      }
      if (ctx.element.name === 'driver' && a.name === 'iommu' && ctx.element.parent && VIRTIO_DRIVER_PARENTS.has(ctx.element.parent.name)) {
        const value = onValue ? DRIVER_IOMMU_VALUES.find((v) => v.value === a.value) : undefined;
        const valueLine = value ? `\n\n\`iommu='${value.value}'\`: ${value.summary}` : '';
        return { markdown: `**iommu** on \`<driver>\`\n\n${DRIVER_IOMMU_DOC}${valueLine}\n\n[libvirt: Virtio-related options](${LIBVIRT_VIRTIO_OPTIONS_URL})`, span };
      }
      return undefined;
    }
    case 'content': {
      const el = ctx.element;
      if (el?.name !== 'policy' || !inLaunchSecurity(el)) return undefined;
      return policyHover(text, ctx.text, sevType(startTagOf(text, el.parent)));
    }
    default:
      return undefined;
  }
}

function policyHover(text: string, run: Span, type: PolicyKind | undefined): HoverResult | undefined {
  const raw = text.slice(run.start, run.end);
  const core = raw.trim();
  if (core === '') return undefined;
  const start = run.start + (raw.length - raw.trimStart().length);
  const span = { start, end: start + core.length };
  if (!type) {
    const doc = elementDoc('policy')!;
    return { markdown: `**<policy>** in \`<launchSecurity>\`\n\n${doc.summary}\n\nSet \`type='sev'\` or \`type='sev-snp'\` on \`<launchSecurity>\` to decode the value. ${LS_LINK}`, span };
  }
  const reading = readPolicy(raw, type);
  const notes = readingNotes(reading, type);
  const likely = likelyDecimal(reading, type);
  if (likely) {
    // What was most likely meant comes first (its decoded table), then what libvirt makes of the text.
    const label = KIND_LABELS[kindOf(type, likely.value)];
    const decimal = formatPolicy(likely.value);
    const title = `**${label} guest policy ${core}**: most likely decimal, ${decimal}`;
    const libvirt = [...notes, ...(reading.value === undefined ? [] : policyNotes(reading.value, type))];
    const hexLine = reading.value === undefined ? `libvirt cannot read \`${core}\`:` : `libvirt reads \`${core}\` as hex ${formatPolicy(reading.value)}, which:`;
    return { markdown: `${policyMarkdown(likely.value, type, title)}\n\n${hexLine}\n${notesList(libvirt)}\n\n${LS_LINK}`, span };
  }
  if (reading.value === undefined) {
    return { markdown: `**${type === 'sev' ? 'SEV' : 'SEV-SNP'} guest policy \`${core}\`**\n\nThe policy:\n${notesList(notes)}\n\n${LS_LINK}`, span };
  }
  const label = KIND_LABELS[kindOf(type, reading.value)];
  const hex = formatPolicy(reading.value);
  const also = [...(!/^0x[0-9a-f]+$/.test(core) ? [`read as ${hex}`] : []), ...(type === 'sev-snp' ? [`= ${reading.value} decimal`] : [])];
  const title = `**${label} guest policy ${core}**${also.length > 0 ? ` (${also.join(', ')})` : ''}`;
  return { markdown: `${policyMarkdown(reading.value, type, title, notes)}\n\n${LS_LINK}`, span };
}

// ---------------------------------------------------------------- Kata TOML

function hoverToml(text: string, offset: number): HoverResult | undefined {
  const lines = scanToml(text);
  const line = lines[lineIndexAt(lines, offset)]!;
  if (!line.key || line.continuation || line.table === undefined || line.key.dotted) return undefined;
  const table = line.table;
  const key = line.key.name;
  const schema = keySchema(table, key);
  if (!schema) return undefined;
  if (offset >= line.key.span.start && offset <= line.key.span.end) {
    return { markdown: keyMarkdown(table, key, schema), span: line.key.span };
  }
  if (table.join('.') !== 'hypervisor.qemu' || key !== 'snp_guest_policy' || !line.value) return undefined;
  const span = line.value;
  const value = text.slice(span.start, span.end);
  if (value === '' || offset < span.start || offset > span.end) return undefined;
  const n = parseTomlInteger(value);
  if (n === undefined || n < 0n || n > SNP.MAX) {
    const why = n === undefined ? 'is not a TOML integer' : n < 0n ? 'is negative' : 'does not fit 64 bits';
    return { markdown: `**snp_guest_policy \`${value}\`**\n\n- **Error:** the value ${why}: Kata reads the SEV-SNP policy as an unsigned 64-bit integer (e.g. \`0x30000\` = 196608).`, span };
  }
  const extra = n > 0xffffffffn ? [{ level: 'warning' as const, text: 'does not fit 32 bits: runtime-rs reads snp_guest_policy as a u32.' }] : [];
  const title = `**SEV-SNP guest policy ${formatPolicy(n)}** (= ${n} decimal)`;
  return { markdown: `${policyMarkdown(n, 'sev-snp', title, extra)}\n\n${keyMarkdown(table, key, schema).split('\n').slice(-1)[0]}`, span };
}
