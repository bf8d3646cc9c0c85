import type { default as Ajv, ErrorObject } from 'ajv';
import type { KataModel } from '../../kata/model';
import type { TomlEntry } from '../../toml/parse';
import schemaJson from '../../../../schemas/kata-configuration.schema.json';

/**
 * Validates a Kata configuration's plain value against
 * schemas/kata-configuration.schema.json (ajv) and maps every error back to
 * the key or value it is about. Computed once per model.
 */

export interface SchemaProblem {
  readonly kind: 'unknown-key' | 'type';
  /** The entry the problem is about (for unknown keys: the unknown entry). */
  readonly entry: TomlEntry;
  readonly error: ErrorObject;
  /** `hypervisor.qemu` for messages. */
  readonly tableName: string;
  /** The schema's properties for the table holding the entry (unknown keys: the known keys). */
  readonly known: readonly string[];
}

interface PropertySchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, PropertySchema>>;
}

export const kataSchema = schemaJson as unknown as PropertySchema;

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(value: unknown): ErrorObject[] {
  // Ajv is loaded with the first Kata file, not at start-up: domain XML never needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  validator ??= new (require('ajv') as typeof import('ajv')).default({ allErrors: true, strict: false }).compile(schemaJson);
  void validator(value);
  return validator.errors ?? [];
}

/** The schema of a table or key by path (`['hypervisor', 'qemu', 'shared_fs']`). */
export function schemaAt(path: readonly string[]): PropertySchema | undefined {
  let node: PropertySchema | undefined = kataSchema;
  for (const seg of path) node = node?.properties?.[seg];
  return node;
}

/** Dates become ISO strings and big integers numbers: what JSON Schema can check. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

function pointer(path: string): string[] {
  return path === '' ? [] : path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The entry written for `path` or for its closest written ancestor (a key inside an array or inline table). */
function entryFor(model: KataModel, path: readonly string[]): TomlEntry | undefined {
  for (let n = path.length; n > 0; n--) {
    const e = model.doc.entry(path.slice(0, n));
    if (e) return e;
  }
  return undefined;
}

const cache = new WeakMap<KataModel, readonly SchemaProblem[]>();

export function schemaProblems(model: KataModel): readonly SchemaProblem[] {
  const cached = cache.get(model);
  if (cached) return cached;
  const problems: SchemaProblem[] = [];
  for (const error of validate(plain(model.doc.value))) {
    const path = pointer(error.instancePath);
    if (error.keyword === 'additionalProperties') {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const entry = entryFor(model, [...path, key]);
      if (!entry) continue;
      problems.push({ kind: 'unknown-key', entry, error, tableName: path.join('.'), known: Object.keys(schemaAt(path)?.properties ?? {}) });
      continue;
    }
    if (error.keyword !== 'type' && error.keyword !== 'enum') continue;
    const entry = entryFor(model, path);
    if (!entry || entry.placeholder !== undefined) continue;
    problems.push({ kind: 'type', entry, error, tableName: entry.table.path.join('.'), known: [] });
  }
  cache.set(model, problems);
  return problems;
}
