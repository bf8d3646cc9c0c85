/**
 * This host's SEV capabilities, from `virsh domcapabilities` (fixed argv, no
 * shell, a timeout and an output cap), read with the core's capabilities
 * parser. Used only by "Insert SEV launchSecurity" to offer the kinds the host
 * can start and its <cbitpos> / <reducedPhysBits>; libvirt 6.9 and later fill
 * both in itself when they are left out.
 */
import { execFile } from 'node:child_process';
import { parseDomainCapabilities } from '../../server/src/host/domcaps';
import { launchChoices, type HostLaunchChoices } from '../../server/src/host/launch-choices';

export type HostSevCaps =
  /** virsh answered: what the host offers (kinds may be empty: no SEV). */
  | { readonly status: 'ok'; readonly choices: HostLaunchChoices }
  /** virsh is not installed (ENOENT). */
  | { readonly status: 'missing' }
  /** virsh failed (libvirtd down, no permission, timeout…), or its output was not capabilities. */
  | { readonly status: 'failed'; readonly reason: string };

export const VIRSH_DOMCAPS = 'virsh domcapabilities';

/** Reads `virsh domcapabilities` output. */
export function parseDomCapabilities(xml: string, source = VIRSH_DOMCAPS): HostSevCaps {
  const parsed = parseDomainCapabilities({ name: source, text: xml });
  return parsed.ok ? { status: 'ok', choices: launchChoices(parsed.caps) } : { status: 'failed', reason: `its output cannot be read: ${parsed.reason}` };
}

export function readHostSevCaps(timeoutMs = 5000): Promise<HostSevCaps> {
  return new Promise((resolve) => {
    execFile('virsh', ['domcapabilities'], { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') resolve({ status: 'missing' });
        else resolve({ status: 'failed', reason: (String(stderr).trim() || err.message).split('\n')[0] ?? err.message });
        return;
      }
      resolve(parseDomCapabilities(String(stdout)));
    });
  });
}
