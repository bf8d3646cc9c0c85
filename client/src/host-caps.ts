/**
 * The host's SEV platform values, read from `virsh domcapabilities` (fixed
 * argv, no shell). Used only to offer <cbitpos> / <reducedPhysBits>; libvirt
 * 6.9 and later fill both in itself when they are left out.
 */
import { execFile } from 'node:child_process';

export type HostSevCaps =
  | { readonly status: 'ok'; readonly cbitpos: number; readonly reducedPhysBits: number }
  /** virsh is not installed (ENOENT). */
  | { readonly status: 'missing' }
  /** virsh answered, but the host has no usable SEV. */
  | { readonly status: 'unsupported' }
  /** virsh failed (libvirtd down, no permission, timeout…). */
  | { readonly status: 'failed'; readonly reason: string };

const SEV_ELEMENT = /<sev(?=[\s/>])([^>]*)>([\s\S]*?)<\/sev>/;

/** Parses the `<features><sev supported='yes'>` element of `virsh domcapabilities` output. */
export function parseDomCapabilities(xml: string): HostSevCaps {
  const sev = SEV_ELEMENT.exec(xml);
  if (!sev || !/\bsupported\s*=\s*(['"])yes\1/.test(sev[1] ?? '')) return { status: 'unsupported' };
  const body = sev[2] ?? '';
  const cbitpos = /<cbitpos>\s*(\d{1,3})\s*<\/cbitpos>/.exec(body);
  const reduced = /<reducedPhysBits>\s*(\d{1,3})\s*<\/reducedPhysBits>/.exec(body);
  if (!cbitpos || !reduced) return { status: 'unsupported' };
  return { status: 'ok', cbitpos: Number(cbitpos[1]), reducedPhysBits: Number(reduced[1]) };
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
