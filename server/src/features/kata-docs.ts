/**
 * What hover and completion say about Kata configuration keys: read from
 * schemas/kata-configuration.schema.json (description, type, default,
 * allowed values), never written twice.
 */
import { schemaAt } from '../rules/kata/schema';
import { tomlString } from '../toml/edit';

const KATA_BLOB = 'https://github.com/kata-containers/kata-containers/blob/main';
export const KATA_GO_TEMPLATE_URL = `${KATA_BLOB}/src/runtime/config/configuration-qemu.toml.in`;
export const KATA_SNP_TEMPLATE_URL = `${KATA_BLOB}/src/runtime/config/configuration-qemu-snp.toml.in`;
export const KATA_RS_TEMPLATE_URL = `${KATA_BLOB}/src/runtime-rs/config/configuration-qemu-runtime-rs.toml.in`;
export const KATA_GO_CONFIG_URL = `${KATA_BLOB}/src/runtime/pkg/katautils/config.go`;


export interface KeySchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  readonly description?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly properties?: Readonly<Record<string, KeySchema>>;
}

/**
 * The schema of a table's keys ([hypervisor.qemu], [runtime], [agent.kata],
 * [factory], …); objects are left out: they are tables of their own.
 */
export function tableKeys(path: readonly string[]): [string, KeySchema][] {
  const props = (schemaAt(path))?.properties ?? {};
  return Object.entries(props).filter(([, s]) => typeOf(s) !== 'object');
}

export function keySchema(path: readonly string[], key: string): KeySchema | undefined {
  const s = schemaAt([...path, key]);
  return s && typeOf(s) !== 'object' ? s : undefined;
}

export function typeOf(s: KeySchema): string {
  return Array.isArray(s.type) ? s.type.join(' | ') : ((s.type as string | undefined) ?? 'any');
}

/** A plain value as TOML source: `"virtio-fs"`, `false`, `[]`, `["a", "b"]`. */
export function tomlValue(v: unknown): string {
  if (typeof v === 'string') return tomlString(v);
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(', ')}]`;
  return String(v);
}

/** What `key = ` gets in a completion: the schema default, else an empty value of the key's type. */
export function skeleton(s: KeySchema): string {
  if (s.default !== undefined) return tomlValue(s.default);
  switch (Array.isArray(s.type) ? s.type[0] : s.type) {
    case 'boolean':
      return 'false';
    case 'integer':
    case 'number':
      return '0';
    case 'array':
      return '[]';
    default:
      return '""';
  }
}

/** The templates and source that define a key. */
export function keyLinks(path: readonly string[], key: string, s: KeySchema): string {
  const rs = s.description?.startsWith('runtime-rs') ?? false;
  const snp = /^(confidential_guest|sev_snp_guest|snp_)/.test(key);
  const template = rs ? `[runtime-rs template](${KATA_RS_TEMPLATE_URL})` : `[Kata template](${snp ? KATA_SNP_TEMPLATE_URL : KATA_GO_TEMPLATE_URL})`;
  return path[0] === 'hypervisor' && !rs ? `${template} · [Go runtime source](${KATA_GO_CONFIG_URL})` : template;
}

/** Hover / completion documentation for a key. */
export function keyMarkdown(path: readonly string[], key: string, s: KeySchema): string {
  const facts = [`Type: \`${typeOf(s)}\``];
  if (s.default !== undefined) facts.push(`default: \`${tomlValue(s.default)}\``);
  if (s.minimum !== undefined || s.maximum !== undefined) facts.push(`range: ${s.minimum ?? '…'} to ${s.maximum ?? '…'}`);
  const parts = [`**${key}** in \`[${path.join('.')}]\``, '', s.description ?? '', '', facts.join(' · ')];
  if (s.enum) parts.push('', `Allowed values: ${s.enum.map((v) => `\`${tomlValue(v)}\``).join(', ')}`);
  parts.push('', keyLinks(path, key, s));
  return parts.join('\n');
}

/** `boolean · default false`. */
export function keyDetail(s: KeySchema): string {
  return s.default !== undefined ? `${typeOf(s)} · default ${tomlValue(s.default)}` : typeOf(s);
}
