import type { Span } from '../text-edit';
import type { TomlDocument, TomlEntry, TomlTable } from '../toml/parse';
import { stringContentEnd, stringContentStart } from '../toml/edit';

/** What the Kata rules know about a `configuration.toml`. */
export interface KataModel {
  readonly doc: TomlDocument;
  readonly text: string;
  /** A `.toml.in` template: `@NAME@` tokens are opaque values, not defects. */
  readonly template: boolean;
  /** `[hypervisor.qemu]`, when present. */
  readonly qemu: TomlTable | undefined;
  /** An entry of `[hypervisor.qemu]` with a real (non-placeholder) value. */
  qemuEntry(key: string): TomlEntry | undefined;
  /** Any entry by full path, placeholders included. */
  entry(...path: string[]): TomlEntry | undefined;
  /** `confidential_guest = true` in `[hypervisor.qemu]`. */
  readonly confidential: boolean;
  /** `sev_snp_guest = true` in `[hypervisor.qemu]`. */
  readonly snp: boolean;
  readonly kernelParams: KernelParams | undefined;
}

export interface KernelParam {
  /** `root` of `root=/dev/vda1`; the whole token when there is no `=`. */
  readonly name: string;
  readonly value: string | undefined;
  /** The token in the source, when it is written there literally. */
  readonly span: Span | undefined;
  /** The value part (after `=`) in the source, when written literally. */
  readonly valueSpan: Span | undefined;
}

export interface KernelParams {
  readonly entry: TomlEntry;
  readonly params: readonly KernelParam[];
  /** The last parameter named `name` (the kernel uses the last one). */
  get(name: string): KernelParam | undefined;
}

/** A Kata configuration: a `[hypervisor.<name>]` table. */
export function isKataConfig(doc: TomlDocument): boolean {
  return doc.tables.some((t) => t.path.length === 2 && t.path[0] === 'hypervisor');
}

export function buildKataModel(doc: TomlDocument, template: boolean): KataModel {
  const qemu = doc.table(['hypervisor', 'qemu']);
  const real = (e: TomlEntry | undefined): TomlEntry | undefined => (e && e.placeholder === undefined ? e : undefined);
  const qemuEntry = (key: string) => real(doc.entry(['hypervisor', 'qemu', key]));
  const kp = qemuEntry('kernel_params');
  return {
    doc,
    text: doc.text,
    template,
    qemu,
    qemuEntry,
    entry: (...path) => doc.entry(path),
    confidential: qemuEntry('confidential_guest')?.value === true,
    snp: qemuEntry('sev_snp_guest')?.value === true,
    kernelParams: kp && typeof kp.value === 'string' ? readKernelParams(doc.text, kp) : undefined,
  };
}

/**
 * Splits kernel_params into parameters and finds each one in the source. A
 * parameter hidden behind escapes or a line-ending backslash has no span.
 */
function readKernelParams(text: string, entry: TomlEntry): KernelParams {
  const value = entry.value as string;
  const start = stringContentStart(text, entry) ?? entry.valueSpan.start;
  const end = stringContentEnd(text, entry) ?? entry.valueSpan.end;
  const params: KernelParam[] = [];
  let cursor = start;
  for (const token of value.split(/\s+/).filter((t) => t !== '')) {
    const eq = token.indexOf('=');
    const at = text.indexOf(token, cursor);
    const found = at >= 0 && at + token.length <= end;
    if (found) cursor = at + token.length;
    params.push({
      name: eq < 0 ? token : token.slice(0, eq),
      value: eq < 0 ? undefined : token.slice(eq + 1),
      span: found ? { start: at, end: at + token.length } : undefined,
      valueSpan: found && eq >= 0 ? { start: at + eq + 1, end: at + token.length } : undefined,
    });
  }
  return {
    entry,
    params,
    get: (name) => {
      for (let i = params.length - 1; i >= 0; i--) if (params[i]!.name === name) return params[i];
      return undefined;
    },
  };
}
