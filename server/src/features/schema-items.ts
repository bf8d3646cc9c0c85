/**
 * Completion and hover from libvirt's schema: the elements allowed at the
 * cursor, the attributes an element may still have, the values of an
 * enumeration, the closing tag; on hover, what the schema allows for an
 * element or attribute and where libvirt documents it. Pure; works on the
 * tolerant tree of a document being typed.
 */
import { libvirtDomainGrammar, type Grammar } from '../schema/grammar';
import { contains, listedNames, showQName, type QName } from '../schema/name-class';
import { firstPatterns, type AttributeP, type ElementP } from '../schema/pattern';
import { describeText, requiredAttributes, stateInside, type ElementState } from '../schema/validate';
import type { Span } from '../text-edit';
import { parsedOf, type ContextAttribute, type ContextStartTag, type XmlContext } from '../xml/context';
import type { DocStyle } from '../xml/edit';
import type { XmlAttribute, XmlElement } from '../xml/model';
import type { CompletionItem } from './completion';

const FORMATDOMAIN = 'https://libvirt.org/formatdomain.html';

/** The sections of libvirt's domain XML documentation, by element. */
const SECTIONS: Readonly<Record<string, string>> = {
  devices: 'devices',
  disk: 'hard-drives-floppy-disks-cdroms',
  interface: 'network-interfaces',
  controller: 'controllers',
  rng: 'random-number-generator-device',
  memballoon: 'memory-balloon-device',
  video: 'video-devices',
  os: 'operating-system-booting',
  memoryBacking: 'memory-backing',
  memory: 'memory-allocation',
  currentMemory: 'memory-allocation',
  cpu: 'cpu-model-and-topology',
  features: 'hypervisor-features',
  hostdev: 'host-device-assignment',
  filesystem: 'filesystems',
  clock: 'time-keeping',
  on_reboot: 'events-configuration',
  on_poweroff: 'events-configuration',
  on_crash: 'events-configuration',
  tpm: 'tpm-device',
  launchSecurity: 'launch-security',
  driver: 'virtio-related-options',
};

export function libvirtDocsLink(element: string): string {
  const anchor = SECTIONS[element];
  return anchor ? `[libvirt: ${element}](${FORMATDOMAIN}#${anchor})` : `[libvirt: Domain XML format](${FORMATDOMAIN})`;
}

function grammar(): Grammar {
  return libvirtDomainGrammar();
}

function rootOf(el: XmlElement): XmlElement {
  let r = el;
  while (r.parent) r = r.parent;
  return r;
}

/** Names allowed by element or attribute patterns, as the document would write them. */
function namesOf(ps: readonly (ElementP | AttributeP)[], state: ElementState): string[] {
  const out = new Set<string>();
  for (const p of ps) for (const q of listedNames(p.nc)) if (q.ns === '' || state.prefixes.has(q.ns)) out.add(showQName(q, state.prefixes));
  return [...out].sort((a, b) => a.localeCompare(b));
}

function resolve(shown: string, state: ElementState): QName {
  const colon = shown.indexOf(':');
  if (colon < 0) return { ns: '', local: shown };
  return { ns: state.bindings.get(shown.slice(0, colon)) ?? '', local: shown.slice(colon + 1) };
}

/** `<name a=''/>` or `<name a=''></name>` for an element pattern: its required attributes, open when it has content. */
function elementInsert(el: ElementP, name: string, state: ElementState, quote: string): string {
  const attrs = requiredAttributes(el.content, state.prefixes, 'all').map((a) => ` ${a}=${quote}${quote}`).join('');
  const closed = grammar().deriver.startTagClose(el.content, true);
  const first = firstPatterns(closed);
  // Self-closing only when nothing can go inside.
  const empty = first.elements.length === 0 && first.text.length === 0;
  return empty ? `${name}${attrs}/>` : `${name}${attrs}></${name}>`;
}

function elementDetail(el: ElementP): string {
  return el.define ? `libvirt element (${el.define})` : 'libvirt element';
}

function elementItems(state: ElementState, replace: Span, bare: boolean, withBracket: boolean, quote: string): CompletionItem[] {
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  for (const el of firstPatterns(state.content).elements) {
    for (const q of listedNames(el.nc)) {
      if (q.ns !== '' && !state.prefixes.has(q.ns)) continue;
      const name = showQName(q, state.prefixes);
      if (seen.has(name)) continue;
      seen.add(name);
      const body = bare ? elementInsert(el, name, state, quote) : name;
      items.push({ label: name, kind: 'element', detail: elementDetail(el), documentation: libvirtDocsLink(q.local), insertText: withBracket ? `<${body}` : body, replace, source: 'schema' });
    }
  }
  return items.sort((a, b) => a.label.localeCompare(b.label));
}

function valuesOf(state: ElementState, name: QName): string[] | undefined {
  const ps = firstPatterns(state.attributes).attributes.filter((a) => contains(a.nc, name));
  if (ps.length === 0) return undefined;
  return describeText(ps.map((a) => a.p)).values;
}

/** Completion items from the schema for the XML context at `offset`; `style` gives the quote to write. */
export function schemaCompletionItems(text: string, offset: number, ctx: XmlContext, style: DocStyle, tag?: ContextStartTag): CompletionItem[] {
  const quote = (tag?.attributes.find((a) => a.quote)?.quote ?? style.quote) as string;
  switch (ctx.kind) {
    case 'start-tag-name': {
      const parent = ctx.parent;
      if (!parent) return [];
      const state = stateInside(grammar(), text, rootOf(parent), parent, ctx.tag.span.start);
      if (!state) return [];
      const bare = !ctx.tag.closed && ctx.tag.attributes.length === 0;
      return elementItems(state, ctx.tag.nameSpan, bare, false, quote);
    }
    case 'content': {
      const el = ctx.element;
      if (!el) return [];
      const state = stateInside(grammar(), text, rootOf(el), el, offset);
      if (!state) return [];
      const word = wordSpan(text, offset, ctx.text);
      const first = firstPatterns(state.content);
      if (el.children.length === 0 && first.text.length > 0) {
        const values = describeText(first.text).values;
        if (values && values.length > 0) {
          const whole = text.slice(ctx.text.start, ctx.text.end).trim() === '' ? ctx.text : word;
          return values.map((v) => ({ label: v, kind: 'value' as const, detail: `value of <${el.name}>`, insertText: v, replace: whole, source: 'schema' as const }));
        }
      }
      // Elements only once a word is typed: a space or newline should not pop up a list.
      if (word.start === offset) return [];
      return elementItems(state, word, true, true, quote);
    }
    case 'attribute-name': {
      const state = stateInside(grammar(), text, rootOf(ctx.element), ctx.element, offset, attributeOf(ctx.element, ctx.attribute));
      if (!state) return [];
      const present = new Set(ctx.tag.attributes.filter((a) => a !== ctx.attribute).map((a) => a.name));
      const names = namesOf(firstPatterns(state.attributes).attributes, state).filter((n) => !present.has(n));
      const a = ctx.attribute;
      return names.map((name) => {
        const values = valuesOf(state, resolve(name, state));
        const replace = a ? a.nameSpan : { start: offset, end: offset };
        const space = !a && !/\s/.test(text[offset - 1] ?? ' ') ? ' ' : '';
        const insertText = a?.hasEquals ? name : `${space}${name}=${quote}${quote}`;
        return { label: name, kind: 'attribute' as const, detail: values ? values.join(' | ') : `attribute of <${ctx.element.name}>`, documentation: libvirtDocsLink(ctx.element.name), insertText, replace, source: 'schema' as const };
      });
    }
    case 'attribute-value': {
      const a = ctx.attribute;
      const state = stateInside(grammar(), text, rootOf(ctx.element), ctx.element, offset, attributeOf(ctx.element, a));
      if (!state) return [];
      const values = valuesOf(state, resolve(a.name, state));
      if (!values) return [];
      const replace = a.valueSpan ?? { start: offset, end: offset };
      const wrap = (v: string): string => (a.valueSpan ? v : `${quote}${v}${quote}`);
      return values.map((v) => ({ label: v, kind: 'value' as const, detail: `${a.name} of <${ctx.element.name}>`, insertText: wrap(v), replace, source: 'schema' as const }));
    }
    case 'end-tag-name': {
      const el = ctx.element ?? innermostOpen(parsedOf(text).document.root, ctx.nameSpan.start);
      if (!el) return [];
      return [{ label: `/${el.name}`, kind: 'element', detail: 'closing tag', insertText: el.name, replace: ctx.nameSpan, source: 'schema' }];
    }
    default:
      return [];
  }
}

/** Hover from the schema on an element or attribute name. */
export function schemaHover(text: string, ctx: XmlContext, offset: number): { markdown: string; span: Span } | undefined {
  if (ctx.kind === 'start-tag-name' && ctx.element && offset >= ctx.tag.nameSpan.start) {
    const el = ctx.element;
    const parent = el.parent;
    const state = stateInside(grammar(), text, rootOf(el), el, el.startTag.start);
    if (!state) return undefined;
    const attrs = namesOf(firstPatterns(state.opened).attributes, state);
    const children = namesOf(firstPatterns(grammar().deriver.startTagClose(state.opened, true)).elements, state);
    const lines = [`**<${el.name}>**${parent ? ` in \`<${parent.name}>\`` : ''}`];
    if (attrs.length > 0) lines.push(`Attributes: ${attrs.map((a) => `\`${a}\``).join(', ')}`);
    if (children.length > 0) lines.push(`Children: ${children.map((c) => `\`<${c}>\``).join(', ')}`);
    lines.push(libvirtDocsLink(el.name));
    return { markdown: lines.join('\n\n'), span: ctx.tag.nameSpan };
  }
  if (ctx.kind === 'attribute-name' && ctx.attribute) {
    const a = ctx.attribute;
    const state = stateInside(grammar(), text, rootOf(ctx.element), ctx.element, offset, attributeOf(ctx.element, a));
    if (!state) return undefined;
    const ps = firstPatterns(state.attributes).attributes.filter((p) => contains(p.nc, resolve(a.name, state)));
    if (ps.length === 0) return undefined;
    const { words } = describeText(ps.map((p) => p.p));
    return { markdown: `**${a.name}** on \`<${ctx.element.name}>\`\n\nlibvirt's schema allows ${words}.\n\n${libvirtDocsLink(ctx.element.name)}`, span: a.nameSpan };
  }
  return undefined;
}

/** The innermost element whose start tag ends before `offset` and that is not closed before it: what an end tag there closes. */
function innermostOpen(root: XmlElement | undefined, offset: number): XmlElement | undefined {
  let found: XmlElement | undefined;
  let level = root && root.startTag.end <= offset ? root : undefined;
  while (level) {
    found = level;
    level = level.children.find((c) => c.startTag.end <= offset && !c.selfClosing && (c.endTag === undefined || c.endTag.start >= offset));
  }
  return found;
}

function attributeOf(el: XmlElement, a: ContextAttribute | undefined): XmlAttribute | undefined {
  return a ? el.attributes.find((x) => x.nameSpan.start === a.nameSpan.start) : undefined;
}

function wordSpan(text: string, offset: number, bounds: Span): Span {
  let start = offset;
  while (start > bounds.start && /[A-Za-z0-9_:-]/.test(text[start - 1]!)) start--;
  let end = offset;
  while (end < bounds.end && /[A-Za-z0-9_:-]/.test(text[end]!)) end++;
  return { start, end };
}
