/**
 * The argv of `virsh domcapabilities` for a domain's machine and emulator
 * (sevlint.host.live). Pure: the values come from a document, so each is
 * checked before it can reach a program's argv (no option syntax, no shell
 * syntax, an absolute emulator path).
 */
import type { LiveCapabilitiesQuery } from '../commands';

/** Machine types as QEMU names them (`pc-q35-9.2`, `q35`). */
const MACHINE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** An absolute emulator path of plain characters. */
const EMULATOR = /^\/[A-Za-z0-9._+/-]{1,255}$/;

export function isLiveQuery(v: unknown): v is LiveCapabilitiesQuery {
  if (typeof v !== 'object' || v === null) return false;
  const q = v as Record<string, unknown>;
  return q['virttype'] === 'kvm' && q['arch'] === 'x86_64' && ['machine', 'emulator'].every((k) => q[k] === undefined || typeof q[k] === 'string');
}

/** The argv for a query (after `virsh`), or why it is refused. */
export function virshArgs(q: LiveCapabilitiesQuery): string[] | string {
  const args = ['domcapabilities', '--virttype', 'kvm', '--arch', 'x86_64'];
  if (q.machine !== undefined) {
    if (!MACHINE.test(q.machine)) return `the machine '${q.machine}' is not a machine type name`;
    args.push('--machine', q.machine);
  }
  if (q.emulator !== undefined) {
    if (!EMULATOR.test(q.emulator) || q.emulator.split('/').includes('..')) return `the emulator '${q.emulator}' is not a plain absolute path`;
    args.push('--emulatorbin', q.emulator);
  }
  return args;
}
