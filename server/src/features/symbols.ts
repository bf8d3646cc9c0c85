/**
 * The outline (document symbols, and the breadcrumbs that follow them) of a
 * libvirt domain and of a Kata configuration. Pure: text in, a tree of
 * symbols with spans out. It reads the tolerant parsers, so the outline stays
 * while the file is being typed.
 *
 * Domain XML: the domain (by its `<name>`), then every element; devices by
 * kind and target (`disk vda`, `interface network default`, `controller scsi
 * 0`), `<launchSecurity>` with its type and policy (`SEV-SNP · policy
 * 0x30000`), a text-only element with its text.
 * Kata TOML: tables and their keys, each key with its value.
 */
import { detectKind } from '../linter';
import { formatPolicy, readPolicy } from '../policy';
import type { Span } from '../text-edit';
import { scanToml } from '../toml/scan';
import { parsedOf } from '../xml/context';
import { attr, child, textContent, type XmlElement } from '../xml/model';
import type { FeatureOptions } from './completion';
import { KIND_LABELS, kindOf } from './launch-security';

/** What the symbol is, as LSP's SymbolKind names it (the server maps it). */
export type SymbolKindName = 'module' | 'namespace' | 'object' | 'struct' | 'property' | 'key' | 'string' | 'constant';

export interface DocSymbol {
  readonly name: string;
  readonly detail?: string;
  readonly kind: SymbolKindName;
  /** All of it. */
  readonly span: Span;
  /** What to reveal and select: a name inside `span`. */
  readonly selection: Span;
  readonly children: readonly DocSymbol[];
}

export function documentSymbols(text: string, options: FeatureOptions = {}): DocSymbol[] {
  const kind = detectKind(text, options.fileName);
  if (kind === 'domain-xml') return domainSymbols(text);
  if (kind === 'kata-toml') return tomlSymbols(text);
  return [];
}

const MAX_DETAIL = 60;

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > MAX_DETAIL ? `${one.slice(0, MAX_DETAIL - 1)}…` : one;
}

// ---------------------------------------------------------------- domain XML

function domainSymbols(text: string): DocSymbol[] {
  const root = parsedOf(text).document.root;
  if (root?.name !== 'domain') return [];
  const nameEl = child(root, 'name');
  const name = nameEl ? textContent(text, nameEl) : '';
  const type = attr(root, 'type')?.value;
  return [
    {
      name: name !== '' ? name : 'domain',
      ...(type !== undefined ? { detail: `domain type='${type}'` } : { detail: 'domain' }),
      kind: 'module',
      span: root.span,
      selection: nameEl?.content && name !== '' ? trimmed(text, nameEl.content) : root.nameSpan,
      children: root.children.filter((c) => c !== nameEl).map((c) => elementSymbol(text, c, root)),
    },
  ];
}

function trimmed(text: string, span: Span): Span {
  const raw = text.slice(span.start, span.end);
  const start = span.start + (raw.length - raw.trimStart().length);
  return { start, end: Math.max(start, span.end - (raw.length - raw.trimEnd().length)) };
}

function elementSymbol(text: string, el: XmlElement, parent: XmlElement): DocSymbol {
  const { name, detail } = parent.name === 'devices' ? deviceLabel(el) : el.name === 'launchSecurity' ? launchSecurityLabel(text, el) : plainLabel(text, el);
  const kind: SymbolKindName = parent.name === 'devices' ? 'struct' : el.name === 'launchSecurity' ? 'constant' : el.children.length > 0 ? 'object' : 'property';
  return {
    name,
    ...(detail !== undefined && detail !== '' ? { detail } : {}),
    kind,
    span: el.span,
    selection: el.nameSpan,
    children: el.children.map((c) => elementSymbol(text, c, el)),
  };
}

/** An element's name and, for one with text only, its text; else its type / name / model attribute. */
function plainLabel(text: string, el: XmlElement): { name: string; detail: string | undefined } {
  if (el.children.length === 0 && el.content) {
    const t = short(textContent(text, el));
    const unit = attr(el, 'unit')?.value;
    const machine = attr(el, 'machine')?.value;
    if (t !== '') return { name: el.name, detail: `${t}${unit ? ` ${unit}` : ''}${machine ? ` · ${short(machine)}` : ''}` };
  }
  const a = ['type', 'name', 'model', 'mode', 'state', 'machine', 'firmware'].map((n) => attr(el, n)).find((x) => x !== undefined);
  return { name: el.name, detail: a ? `${a.name}='${short(a.value)}'` : undefined };
}

/** `disk vda` (bus, source), `interface network default` (model), `controller scsi 0` (model), others by type. */
function deviceLabel(el: XmlElement): { name: string; detail: string | undefined } {
  const type = attr(el, 'type')?.value;
  const sub = (name: string, a: string) => {
    const c = child(el, name);
    return c ? attr(c, a)?.value : undefined;
  };
  const parts = (...xs: (string | undefined)[]) => {
    const d = xs.filter((x): x is string => x !== undefined && x !== '').join(' · ');
    return d === '' ? undefined : short(d);
  };
  switch (el.name) {
    case 'disk': {
      const dev = sub('target', 'dev');
      const src = sub('source', 'file') ?? sub('source', 'dev') ?? sub('source', 'name') ?? sub('source', 'volume');
      return { name: dev ? `disk ${dev}` : 'disk', detail: parts(attr(el, 'device')?.value, sub('target', 'bus'), src) };
    }
    case 'interface': {
      const src = sub('source', 'network') ?? sub('source', 'bridge') ?? sub('source', 'dev');
      return { name: ['interface', type, src].filter((x) => x !== undefined).join(' '), detail: parts(sub('model', 'type'), sub('mac', 'address')) };
    }
    case 'controller':
      return { name: ['controller', type, attr(el, 'index')?.value].filter((x) => x !== undefined).join(' '), detail: parts(attr(el, 'model')?.value) };
    case 'hostdev': {
      const addr = child(child(el, 'source') ?? el, 'address');
      const bdf = addr ? ['domain', 'bus', 'slot', 'function'].map((n) => attr(addr, n)?.value ?? '').join(':') : undefined;
      return { name: ['hostdev', type].filter((x) => x !== undefined).join(' '), detail: parts(bdf) };
    }
    default: {
      const model = attr(el, 'model')?.value ?? sub('model', 'type');
      const target = sub('target', 'dev') ?? sub('target', 'name') ?? sub('target', 'type');
      return { name: [el.name, type ?? model].filter((x) => x !== undefined).join(' '), detail: parts(type !== undefined ? model : undefined, target) };
    }
  }
}

/** `launchSecurity` with `SEV-SNP · policy 0x30000`. */
function launchSecurityLabel(text: string, el: XmlElement): { name: string; detail: string | undefined } {
  const type = attr(el, 'type')?.value;
  if (type !== 'sev' && type !== 'sev-snp') return { name: 'launchSecurity', detail: type !== undefined ? `type='${short(type)}'` : undefined };
  const policyEl = child(el, 'policy');
  const raw = policyEl ? textContent(text, policyEl) : undefined;
  const reading = raw !== undefined && raw.trim() !== '' ? readPolicy(raw, type) : undefined;
  const label = KIND_LABELS[kindOf(type, reading?.value)];
  const policy = raw === undefined ? 'no policy' : reading?.value !== undefined ? `policy ${formatPolicy(reading.value)}` : `policy '${short(raw)}'`;
  return { name: 'launchSecurity', detail: `${label} · ${policy}` };
}

// ---------------------------------------------------------------- Kata TOML

function tomlSymbols(text: string): DocSymbol[] {
  const lines = scanToml(text);
  const top: DocSymbol[] = [];
  let table: { name: string; detail: string; header: Span; start: number; end: number; keys: DocSymbol[] } | undefined;
  const close = () => {
    if (!table) return;
    top.push({ name: table.name, detail: table.detail, kind: 'namespace', span: { start: table.start, end: table.end }, selection: table.header, children: table.keys });
    table = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.continuation) continue;
    if (line.header) {
      close();
      const raw = text.slice(line.start, line.end);
      const m = /^([ \t]*)(\[\[?)[ \t]*([^[\]#]*?)[ \t]*\]\]?/.exec(raw);
      const name = m ? m[3]! : raw.trim();
      const detail = m?.[2] === '[[' ? 'array of tables' : 'table';
      const header = m ? { start: line.start + m[1]!.length, end: line.start + m[0].length } : { start: line.start, end: line.end };
      table = { name, detail, header, start: header.start, end: line.end, keys: [] };
      continue;
    }
    if (!line.key) continue;
    // A value that goes on over the next lines (multi-line string or array) ends where they end.
    let end = line.end;
    while (i + 1 < lines.length && lines[i + 1]!.continuation) end = lines[++i]!.end;
    const value = line.value ? text.slice(line.value.start, line.value.end) : '';
    const start = line.start + /^[ \t]*/.exec(text.slice(line.start, line.end))![0].length;
    const keyName = line.key.path.join('.');
    const sym: DocSymbol = {
      name: keyName,
      ...(value !== '' ? { detail: short(end > line.end ? `${value} …` : value) } : {}),
      kind: 'key',
      span: { start, end },
      selection: { start, end: line.key.span.end },
      children: [],
    };
    if (table) {
      table.keys.push(sym);
      table.end = end;
    } else {
      top.push(sym);
    }
  }
  close();
  return top;
}
