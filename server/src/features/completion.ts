/**
 * Completion for libvirt domain XML (`<launchSecurity>`, its children,
 * attributes and policy presets, `<driver iommu>`) and Kata
 * configuration.toml keys and values. Pure: text and offset in, items with
 * offsets out. Works on text being typed (a tolerant scan, not a parse).
 */
import { detectKind } from '../linter';
import { formatPolicy, type PolicyKind } from '../policy';
import type { Span } from '../text-edit';
import { keysInSection, tomlContextAt } from '../toml/scan';
import { parsedOf, xmlContextAt, startTagOf, tagAttr, type ContextAttribute, type ContextStartTag, type XmlContext } from '../xml/context';
import { schemaCompletionItems } from './schema-items';
import type { XmlElement, XmlTolerantResult } from '../xml/model';
import { documentOrder, styleOf, type DocStyle } from '../xml/edit';
import { keyDetail, keyMarkdown, keySchema, skeleton, tableKeys, tomlValue } from './kata-docs';
import {
  KIND_LABELS,
  LAUNCH_SECURITY_KINDS,
  launchSecurityBlock,
  launchSecurityType,
  POLICY_PRESETS,
  type LaunchSecurityKind,
  type PolicyPreset,
} from './launch-security';
import {
  DRIVER_IOMMU_DOC,
  DRIVER_IOMMU_VALUES,
  LAUNCH_SECURITY_ATTRIBUTES,
  LAUNCH_SECURITY_DOC,
  LAUNCH_SECURITY_ELEMENTS,
  LIBVIRT_LAUNCH_SECURITY_URL,
  LIBVIRT_VIRTIO_OPTIONS_URL,
  typesLabel,
  VIRTIO_DRIVER_PARENTS,
} from './launch-security-docs';
import { policyMarkdown } from './policy-markdown';
import { snippetsFor } from './snippets';

export type CompletionKind = 'element' | 'attribute' | 'value' | 'key' | 'snippet';

export interface CompletionItem {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  /** Markdown. */
  readonly documentation?: string;
  /** Plain text that replaces `replace`; in VS Code's snippet syntax when `snippet` is set. */
  readonly insertText: string;
  readonly snippet?: true;
  /**
   * The lines after the first are indented already (a block written for its
   * place): the editor must insert them as they are (LSP `insertTextMode:
   * asIs`), not indent them again as the line the item goes on.
   */
  readonly asIs?: true;
  /** What the item replaces: on one line, containing the offset. */
  readonly replace: Span;
  /** Where the item comes from: sevlint's SEV knowledge (absent) or libvirt's schema. */
  readonly source?: 'schema';
}

export interface CompletionResult {
  readonly items: readonly CompletionItem[];
}

export interface FeatureOptions {
  /** The file's name or path (Kata files are recognised by name too). */
  readonly fileName?: string;
  /** `parseXmlTolerant(text)` when the caller keeps it (the language service does, per document version). */
  readonly xml?: XmlTolerantResult;
}

export function complete(text: string, offset: number, options: FeatureOptions = {}): CompletionResult | undefined {
  if (offset < 0 || offset > text.length) return undefined;
  const kind = detectKind(text, options.fileName);
  const items =
    kind === 'domain-xml'
      ? completeXml(text, offset, options.xml ?? parsedOf(text))
      : kind === 'kata-toml'
        ? completeToml(text, offset)
        : emptyXml(text, offset, options.fileName)
          ? rootSnippets(text, offset)
          : [];
  return items.length > 0 ? { items } : undefined;
}

// ---------------------------------------------------------------- domain XML

/** The file's style, from the elements of its tree (as far as the tree goes while the text is being typed). */
export function guessStyle(text: string, parsed: XmlTolerantResult = parsedOf(text)): DocStyle {
  const root = parsed.document.root;
  return styleOf(text, root ? documentOrder(root) : []);
}

/** `[start, end)` of the run of `chars` around the offset, within `bounds`. */
function wordAround(text: string, offset: number, chars: RegExp, bounds: Span = { start: 0, end: text.length }): Span {
  let start = offset;
  while (start > bounds.start && chars.test(text[start - 1]!)) start--;
  let end = offset;
  while (end < bounds.end && chars.test(text[end]!)) end++;
  return { start, end };
}

/** The whitespace before `offset` when only whitespace precedes it on its line, else ''. */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : /^[ \t]*/.exec(before)![0];
}

function sevType(tag: ContextStartTag | undefined): PolicyKind | undefined {
  const t = tag ? tagAttr(tag, 'type') : undefined;
  return t === 'sev' || t === 'sev-snp' ? t : undefined;
}

function isDomainRoot(el: XmlElement | undefined): el is XmlElement {
  return el !== undefined && el.name === 'domain' && el.parent === undefined;
}

function quoteOf(tag: ContextStartTag, style: DocStyle): '"' | "'" {
  return tag.attributes.find((a) => a.quote)?.quote ?? style.quote;
}

function completeXml(text: string, offset: number, parsed: XmlTolerantResult): CompletionItem[] {
  const ctx = xmlContextAt(text, offset, parsed);
  const style = (): DocStyle => guessStyle(text, parsed);
  if (!ctx) return [];
  // The SEV items first; then what libvirt's schema allows here, without the names the SEV items already offer.
  const sev = completeSev(text, offset, ctx, style);
  const offered = new Set(sev.map((i) => i.label));
  const tag = ctx.kind === 'start-tag-name' || ctx.kind === 'attribute-name' || ctx.kind === 'attribute-value' ? ctx.tag : undefined;
  const schema = schemaCompletionItems(text, offset, ctx, style(), tag, parsed).filter((i) => !offered.has(i.label));
  return [...sev, ...schema];
}

function completeSev(text: string, offset: number, ctx: XmlContext, style: () => DocStyle): CompletionItem[] {
  switch (ctx.kind) {
    case 'start-tag-name': {
      const bare = !ctx.tag.closed && ctx.tag.attributes.length === 0;
      if (ctx.parent?.name === 'launchSecurity') {
        return childItems(text, ctx.parent, ctx.element, ctx.tag.nameSpan, (name, content) => (bare ? `${name}>${content}</${name}>` : name));
      }
      if (isDomainRoot(ctx.parent) && bare) {
        const indent = lineIndent(text, ctx.tag.span.start);
        return launchSecurityItems(style, ctx.parent, ctx.element, ctx.tag.nameSpan, indent, (block) => block.slice(1));
      }
      return [];
    }
    case 'content': {
      const el = ctx.element;
      if (el?.name === 'policy' && el.parent?.name === 'launchSecurity') {
        const replace = wordAround(text, offset, /[0-9A-Za-z]/, ctx.text);
        return policyItems(startTagOf(text, el.parent), replace);
      }
      if (el?.name === 'launchSecurity') {
        const replace = wordAround(text, offset, /[A-Za-z]/, ctx.text);
        return childItems(text, el, undefined, replace, (name, content) => `<${name}>${content}</${name}>`);
      }
      if (el?.name === 'devices' && isDomainRoot(el.parent)) {
        const word = wordAround(text, offset, /[A-Za-z0-9-]/, ctx.text);
        return word.start === offset ? [] : snippetItems('devices', word);
      }
      if (isDomainRoot(el)) {
        // Only once a word is typed: a space or newline in <domain> should not pop up a list.
        const replace = wordAround(text, offset, /[A-Za-z]/, ctx.text);
        const word = wordAround(text, offset, /[A-Za-z0-9-]/, ctx.text);
        if (word.start === offset) return [];
        const hasLaunchSecurity = el.children.some((c) => c.name === 'launchSecurity');
        return [
          ...(replace.start === offset ? [] : launchSecurityItems(style, el, undefined, replace, lineIndent(text, replace.start), (block) => block)),
          ...(hasLaunchSecurity ? [] : snippetItems('domain', word)),
        ];
      }
      return [];
    }
    case 'attribute-name':
      if (ctx.element.name === 'launchSecurity') return launchSecurityAttributeItems(text, style, offset, ctx.tag, ctx.attribute);
      if (ctx.element.name === 'driver' && ctx.element.parent && VIRTIO_DRIVER_PARENTS.has(ctx.element.parent.name)) {
        return iommuAttributeItems(text, style, offset, ctx.tag, ctx.attribute);
      }
      return [];
    case 'attribute-value': {
      const a = ctx.attribute;
      if (ctx.element.name === 'launchSecurity') {
        const doc = LAUNCH_SECURITY_ATTRIBUTES.find((d) => d.name === a.name);
        if (!doc) return [];
        return valueItems(text, style, offset, ctx.tag, a, doc.values, `${doc.summary}\n\n[libvirt: Launch Security](${LIBVIRT_LAUNCH_SECURITY_URL})`);
      }
      if (ctx.element.name === 'driver' && a.name === 'iommu') {
        return valueItems(text, style, offset, ctx.tag, a, DRIVER_IOMMU_VALUES, `${DRIVER_IOMMU_DOC}\n\n[libvirt: Virtio-related options](${LIBVIRT_VIRTIO_OPTIONS_URL})`);
      }
      return [];
    }
    default:
      return [];
  }
}

function childItems(
  text: string,
  parent: XmlElement,
  typing: XmlElement | undefined,
  replace: Span,
  insert: (name: string, content: string) => string,
): CompletionItem[] {
  const type = sevType(startTagOf(text, parent));
  const present = new Set(parent.children.filter((c) => c !== typing).map((c) => c.name));
  return LAUNCH_SECURITY_ELEMENTS.filter((d) => (type ? d.types.includes(type) : d.types.length === 2) && !present.has(d.name)).map((d) => ({
    label: d.name,
    kind: 'element',
    detail: d.types.length === 2 ? 'launchSecurity child' : `launchSecurity child, ${d.types[0]} only`,
    documentation: `${d.summary}\n\nFor ${typesLabel(d.types)}. [libvirt: Launch Security](${LIBVIRT_LAUNCH_SECURITY_URL})`,
    insertText: insert(d.name, d.content(type)),
    replace,
  }));
}

function launchSecurityItems(
  guess: () => DocStyle,
  domain: XmlElement,
  typing: XmlElement | undefined,
  replace: Span,
  indent: string,
  finish: (block: string) => string,
): CompletionItem[] {
  if (domain.children.some((c) => c !== typing && c.name === 'launchSecurity')) return [];
  const style = guess();
  return LAUNCH_SECURITY_KINDS.map((kind) => {
    const p = POLICY_PRESETS[kind][0]!;
    return {
      label: `launchSecurity ${KIND_LABELS[kind]}`,
      kind: 'element' as const,
      detail: `type='${launchSecurityType(kind)}', policy ${p.label}`,
      documentation: `${LAUNCH_SECURITY_DOC}\n\nPolicy ${p.label}: ${p.detail}.\n\n[libvirt: Launch Security](${LIBVIRT_LAUNCH_SECURITY_URL})`,
      insertText: finish(launchSecurityBlock(kind, p.value, {}, style, indent)),
      replace,
      asIs: true as const,
    };
  });
}

function snippetItems(where: 'domain' | 'devices' | 'root', replace: Span): CompletionItem[] {
  return snippetsFor(where).map((s) => ({
    label: s.prefix,
    kind: 'snippet' as const,
    detail: s.name,
    documentation: `${s.description}\n\n\`\`\`xml\n${expand(s.body)}\n\`\`\``,
    insertText: s.body,
    snippet: true as const,
    replace,
  }));
}

/** `${1:a}` → a, `${1|a,b|}` → a, `$0` → nothing: how a snippet looks once inserted, for its documentation. */
function expand(body: string): string {
  return body
    .replace(/\$\{\d+\|([^,|]*)[^}]*\|\}/g, '$1')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '')
    .replace(/\t/g, '  ');
}

/** An `.xml` file with nothing in it yet but the word being typed: where the domain snippet goes. */
function emptyXml(text: string, offset: number, fileName: string | undefined): boolean {
  return offset <= text.length && startsADomain(text, fileName);
}

/** An `.xml` file with nothing in it yet but a word: no kind sevlint lints, but completion offers the domain snippet. */
export function startsADomain(text: string, fileName: string | undefined): boolean {
  return fileName !== undefined && /\.xml$/i.test(fileName) && /^\s*[A-Za-z0-9-]*\s*$/.test(text);
}

function rootSnippets(text: string, offset: number): CompletionItem[] {
  const word = wordAround(text, offset, /[A-Za-z0-9-]/);
  return word.start === offset ? [] : snippetItems('root', word);
}

function presetItem(kind: LaunchSecurityKind, p: PolicyPreset, replace: Span, label = p.label): CompletionItem {
  const type = launchSecurityType(kind);
  return {
    label,
    kind: 'value',
    detail: `${KIND_LABELS[kind]}: ${p.detail}`,
    documentation: policyMarkdown(p.value, type, `**${KIND_LABELS[kind]} guest policy ${formatPolicy(p.value)}** (${p.source})`),
    insertText: label,
    replace,
  };
}

function policyItems(launchSecurity: ContextStartTag, replace: Span): CompletionItem[] {
  const typeAttr = tagAttr(launchSecurity, 'type');
  const kinds: LaunchSecurityKind[] =
    typeAttr === 'sev' ? ['sev', 'sev-es'] : typeAttr === 'sev-snp' ? ['sev-snp'] : typeAttr === undefined ? [...LAUNCH_SECURITY_KINDS] : [];
  return kinds.flatMap((kind) => POLICY_PRESETS[kind].map((p) => presetItem(kind, p, replace)));
}

/** Replace span and text of an attribute-name completion. */
function attributeInsert(text: string, offset: number, attribute: ContextAttribute | undefined, name: string, value: string, quote: string): { replace: Span; insertText: string } {
  if (attribute) return { replace: attribute.nameSpan, insertText: attribute.hasEquals ? name : `${name}=${quote}${value}${quote}` };
  const space = /\s/.test(text[offset - 1] ?? ' ') ? '' : ' ';
  return { replace: { start: offset, end: offset }, insertText: `${space}${name}=${quote}${value}${quote}` };
}

function launchSecurityAttributeItems(text: string, guess: () => DocStyle, offset: number, tag: ContextStartTag, attribute: ContextAttribute | undefined): CompletionItem[] {
  const type = sevType(tag);
  const present = new Set(tag.attributes.filter((a) => a !== attribute).map((a) => a.name));
  const quote = quoteOf(tag, guess());
  return LAUNCH_SECURITY_ATTRIBUTES.filter(
    (d) => !present.has(d.name) && (d.name === 'type' || (type ? d.types.includes(type) : d.types.length === 2)),
  ).map((d) => ({
    label: d.name,
    kind: 'attribute',
    detail: d.values.map((v) => v.value).join(' | '),
    documentation: `${d.summary}\n\nFor ${typesLabel(d.types)}. [libvirt: Launch Security](${LIBVIRT_LAUNCH_SECURITY_URL})`,
    ...attributeInsert(text, offset, attribute, d.name, d.insertValue(type), quote),
  }));
}

function iommuAttributeItems(text: string, guess: () => DocStyle, offset: number, tag: ContextStartTag, attribute: ContextAttribute | undefined): CompletionItem[] {
  if (tag.attributes.some((a) => a !== attribute && a.name === 'iommu')) return [];
  const quote = quoteOf(tag, guess());
  return [
    {
      label: 'iommu',
      kind: 'attribute',
      detail: 'on | off (SEV needs on)',
      documentation: `${DRIVER_IOMMU_DOC}\n\n[libvirt: Virtio-related options](${LIBVIRT_VIRTIO_OPTIONS_URL})`,
      ...attributeInsert(text, offset, attribute, 'iommu', 'on', quote),
    },
  ];
}

function valueItems(
  text: string,
  guess: () => DocStyle,
  offset: number,
  tag: ContextStartTag,
  a: ContextAttribute,
  values: readonly { readonly value: string; readonly summary: string }[],
  documentation: string,
): CompletionItem[] {
  let replace: Span;
  let wrap: (v: string) => string;
  if (a.quote && a.valueSpan) {
    if (a.closed) {
      replace = a.valueSpan;
      wrap = (v) => v;
    } else {
      replace = { start: a.valueSpan.start, end: wordAround(text, offset, /[A-Za-z0-9_-]/, a.valueSpan).end };
      wrap = (v) => v + a.quote;
    }
  } else {
    const q = quoteOf(tag, guess());
    replace = a.valueSpan ?? { start: offset, end: offset };
    wrap = (v) => `${q}${v}${q}`;
  }
  return values.map((v) => ({ label: v.value, kind: 'value', detail: v.summary, documentation, insertText: wrap(v.value), replace }));
}

// ---------------------------------------------------------------- Kata TOML

function completeToml(text: string, offset: number): CompletionItem[] {
  const ctx = tomlContextAt(text, offset);
  if (!ctx) return [];
  const table = ctx.table;

  if (ctx.kind === 'key') {
    const present = keysInSection(ctx.lines, ctx.index);
    return tableKeys(table)
      .filter(([key]) => !present.has(key))
      .map(([key, s]) => ({
        label: key,
        kind: 'key' as const,
        detail: keyDetail(s),
        documentation: keyMarkdown(table, key, s),
        insertText: ctx.hasValue ? key : `${key} = ${skeleton(s)}`,
        replace: ctx.span,
      }));
  }

  const key = ctx.key;
  const s = keySchema(table, key);
  if (!s) return [];
  const replace = ctx.span;
  const item = (label: string, detail?: string): CompletionItem => ({
    label,
    kind: 'value',
    ...(detail !== undefined ? { detail } : {}),
    documentation: keyMarkdown(table, key, s),
    insertText: label,
    replace,
  });
  if (table.join('.') === 'hypervisor.qemu' && key === 'snp_guest_policy') {
    return POLICY_PRESETS['sev-snp'].map((p) => ({ ...presetItem('sev-snp', p, replace), detail: `= ${p.value} · ${p.detail}` }));
  }
  if (s.type === 'boolean') return [item('true', s.default === true ? 'default' : undefined), item('false', s.default === false ? 'default' : undefined)];
  if (s.enum) return s.enum.map((v) => item(tomlValue(v), v === s.default ? 'default' : v === '' ? 'empty' : undefined));
  const suggestions = [...(s.default !== undefined ? [s.default] : []), ...(s.examples ?? [])]
    .filter((v) => v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(tomlValue);
  return [...new Set(suggestions)].map((v) => item(v, v === tomlValue(s.default) ? 'default' : 'example'));
}
