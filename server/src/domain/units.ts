/**
 * libvirt's scaled integers (`<memory unit='GiB'>4</memory>`), as
 * `virScaleInteger` reads them: b/bytes; KB, MB, GB, TB, PB, EB in powers of
 * 1000; k/KiB, M/MiB, G/GiB, T/TiB, P/PiB, E/EiB in powers of 1024; letters in
 * any case. Source: libvirt formatdomain "Memory Allocation", src/util/virutil.c.
 */

const POWERS: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/** Bytes per unit, or undefined for a unit libvirt does not know. `defaultUnit` applies to a missing or empty unit. */
export function unitBytes(unit: string | undefined, defaultUnit = 'KiB'): bigint | undefined {
  const u = (unit === undefined || unit === '' ? defaultUnit : unit).toLowerCase();
  if (u === 'b' || u === 'bytes') return 1n;
  const power = POWERS[u[0]!];
  if (power === undefined) return undefined;
  const rest = u.slice(1);
  if (rest === '' || rest === 'ib') return 1024n ** BigInt(power);
  if (rest === 'b') return 1000n ** BigInt(power);
  return undefined;
}

/** `value` × unit in bytes; undefined when the value is not a non-negative integer or the unit is unknown. */
export function toBytes(value: string, unit: string | undefined, defaultUnit = 'KiB'): bigint | undefined {
  const v = value.trim();
  if (!/^\d+$/.test(v)) return undefined;
  const scale = unitBytes(unit, defaultUnit);
  return scale === undefined ? undefined : BigInt(v) * scale;
}

export const MiB = 1024n * 1024n;
export const KiB = 1024n;
