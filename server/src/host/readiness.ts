/**
 * Can this host start SEV guests? The judgement of `sevlint host`, pure: the
 * CLI gathers what it read from the machine (or from a captured tree) into a
 * {@link HostSnapshot}; this module turns it into checks, each ✓/✗ with the
 * reason, and which guest types (SEV, SEV-ES, SEV-SNP; libvirt and Kata) can
 * start.
 */
import { REPOSITORY_URL } from '../rules/docs';
import { parseDomainCapabilities, type CapabilitiesSource, type DomainCapabilities } from './domcaps';

/** A file as read: its text, or why there is none. */
export type Read = { readonly text: string } | { readonly missing: string };

export interface HostSnapshot {
  /** What was looked at: `/`, or the captured tree given with --root. */
  readonly root: string;
  /** Read from the running machine (programs may have run); false for a captured tree. */
  readonly live: boolean;
  /** `/proc/cpuinfo`. */
  readonly cpuinfo: Read;
  /** `/sys/module/kvm_amd` exists. */
  readonly kvmAmdLoaded: boolean;
  /** `/sys/module/kvm_amd/parameters/{sev,sev_es,sev_snp}`. */
  readonly kvmAmd: { readonly sev: Read; readonly sev_es: Read; readonly sev_snp: Read };
  /** `/dev/sev`: whether it exists, and (on the live machine) whether this user may open it read-write. */
  readonly devSev: { readonly exists: boolean; readonly access?: 'read-write' | 'denied'; readonly mode?: string };
  /** `/proc/self/limits`. */
  readonly limits: Read;
  /** `qemu-system-x86_64 --version`, or why it is not known. */
  readonly qemu: Read;
  /** `virsh domcapabilities` output, or why it is not known. */
  readonly domcaps: (CapabilitiesSource & { readonly text: string }) | { readonly missing: string };
  /** `/usr/share/qemu/firmware/*.json`, by file name. */
  readonly firmware: readonly CapabilitiesSource[];
}

export type CheckStatus = 'ok' | 'fail' | 'warn' | 'unknown';

export interface HostCheck {
  readonly id: 'cpu' | 'kvm-amd' | 'dev-sev' | 'memlock' | 'qemu' | 'domcaps' | 'firmware';
  readonly status: CheckStatus;
  readonly title: string;
  readonly detail: string;
  readonly docs: string;
}

export type GuestType = 'SEV' | 'SEV-ES' | 'SEV-SNP';

export interface GuestVerdict {
  readonly stack: 'libvirt' | 'Kata';
  readonly type: GuestType;
  readonly usable: boolean;
  /** Why not, or what was not known. */
  readonly reason: string;
}

export interface HostReport {
  readonly root: string;
  readonly live: boolean;
  readonly checks: readonly HostCheck[];
  readonly guests: readonly GuestVerdict[];
  /** At least one guest type can start: `sevlint host` exits 0. */
  readonly usable: boolean;
}

/** The page that explains each check (anchor = check id). */
export const HOST_DOCS = `${REPOSITORY_URL}/blob/main/docs/host.md`;

/** A typical SEV guest's memory: what the memlock limit is compared with. */
export const TYPICAL_GUEST_BYTES = 4 * 1024 ** 3;

type Feature = 'sev' | 'sev_es' | 'sev_snp';
const FEATURES: readonly Feature[] = ['sev', 'sev_es', 'sev_snp'];
const LABEL: Readonly<Record<Feature, GuestType>> = { sev: 'SEV', sev_es: 'SEV-ES', sev_snp: 'SEV-SNP' };
const FIRMWARE_FEATURE: Readonly<Record<Feature, string>> = { sev: 'amd-sev', sev_es: 'amd-sev-es', sev_snp: 'amd-sev-snp' };
/** The first QEMU with each: SEV 2.12, SEV-ES 6.0, SEV-SNP 9.1. */
const QEMU_SINCE: Readonly<Record<Feature, readonly [number, number]>> = { sev: [2, 12], sev_es: [6, 0], sev_snp: [9, 1] };

function docs(id: HostCheck['id']): string {
  return `${HOST_DOCS}#${id}`;
}

function isOn(r: Read): boolean | undefined {
  if (!('text' in r)) return undefined;
  return /^\s*(Y|1|y)\s*$/.test(r.text);
}

interface Cpu {
  readonly model: string | undefined;
  readonly amd: boolean;
  readonly flags: ReadonlySet<string>;
}

function readCpu(r: Read): Cpu | undefined {
  if (!('text' in r)) return undefined;
  const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(r.text)?.[1]?.trim();
  const flags = new Set((field('flags') ?? '').split(/\s+/).filter((f) => f !== ''));
  return { model: field('model name'), amd: field('vendor_id') === 'AuthenticAMD', flags };
}

/** `Max locked memory  8388608  8388608  bytes` → the soft limit in bytes (Infinity for unlimited). */
export function memlockLimit(limits: string): number | undefined {
  const m = /^Max locked memory\s+(\S+)\s+(\S+)/m.exec(limits);
  if (!m) return undefined;
  return m[1] === 'unlimited' ? Infinity : /^\d+$/.test(m[1]!) ? Number(m[1]) : undefined;
}

/** `QEMU emulator version 9.2.0 (…)` → [9, 2]. */
export function qemuVersion(text: string): readonly [number, number, number] | undefined {
  const m = /QEMU emulator version (\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export interface FirmwareDescriptor {
  readonly name: string;
  readonly executable: string | undefined;
  /** `memory`, or the flash mode: `split` (the default), `combined`, `stateless`. */
  readonly mapping: string;
  readonly features: readonly string[];
}

/** A QEMU firmware descriptor (docs/interop/firmware.json); undefined when it is not one. */
export function readDescriptor(source: CapabilitiesSource): FirmwareDescriptor | undefined {
  let json: unknown;
  try {
    json = JSON.parse(source.text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const d = json as { mapping?: { device?: unknown; mode?: unknown; executable?: { filename?: unknown }; filename?: unknown }; features?: unknown };
  const features = Array.isArray(d.features) ? d.features.filter((f): f is string => typeof f === 'string') : [];
  const device = d.mapping?.device;
  const mapping = device === 'memory' ? 'memory' : device === 'flash' ? (typeof d.mapping?.mode === 'string' ? d.mapping.mode : 'split') : typeof device === 'string' ? device : 'unknown';
  const file = device === 'memory' ? d.mapping?.filename : d.mapping?.executable?.filename;
  return { name: source.name, executable: typeof file === 'string' ? file : undefined, mapping, features };
}

function atLeast(v: readonly [number, number, number], since: readonly [number, number]): boolean {
  return v[0] > since[0] || (v[0] === since[0] && v[1] >= since[1]);
}

function yesNo(on: boolean | undefined): string {
  return on === undefined ? 'not present' : on ? 'on' : 'off';
}

/** Judges a host from what was read. */
export function assessHost(s: HostSnapshot): HostReport {
  const checks: HostCheck[] = [];
  const cpu = readCpu(s.cpuinfo);

  // CPU
  if (!cpu) {
    checks.push({ id: 'cpu', status: 'fail', title: 'CPU', detail: `cannot read /proc/cpuinfo: ${'missing' in s.cpuinfo ? s.cpuinfo.missing : ''}`, docs: docs('cpu') });
  } else {
    const present = FEATURES.filter((f) => cpu.flags.has(f));
    const model = cpu.model ?? 'unknown model';
    const detail = !cpu.amd
      ? `${model}: not an AMD CPU; SEV needs AMD EPYC`
      : present.length === 0
        ? `${model}: no sev flag (SEV disabled in the BIOS, a CPU without SEV, or a virtual machine)`
        : `${model}: flags ${present.join(', ')}${present.length < 3 ? `; no ${FEATURES.filter((f) => !present.includes(f)).join(', ')}` : ''}`;
    checks.push({ id: 'cpu', status: cpu.amd && present.includes('sev') ? 'ok' : 'fail', title: 'CPU', detail, docs: docs('cpu') });
  }

  // kvm_amd
  const param: Record<Feature, boolean | undefined> = { sev: isOn(s.kvmAmd.sev), sev_es: isOn(s.kvmAmd.sev_es), sev_snp: isOn(s.kvmAmd.sev_snp) };
  if (!s.kvmAmdLoaded) {
    checks.push({ id: 'kvm-amd', status: 'fail', title: 'kvm_amd', detail: 'the kvm_amd module is not loaded (/sys/module/kvm_amd is absent)', docs: docs('kvm-amd') });
  } else {
    const detail = FEATURES.map((f) => `${f} ${yesNo(param[f])}`).join(', ');
    checks.push({ id: 'kvm-amd', status: param.sev ? 'ok' : 'fail', title: 'kvm_amd parameters', detail: param.sev ? detail : `${detail}: load kvm_amd with sev=1 (and mem_encrypt=on in the kernel)`, docs: docs('kvm-amd') });
  }

  // /dev/sev
  const dev = s.devSev;
  const devOk = dev.exists && dev.access !== 'denied';
  const devDetail = !dev.exists
    ? '/dev/sev is absent (the ccp driver has not found the AMD Secure Processor)'
    : dev.access === 'denied'
      ? `/dev/sev exists${dev.mode ? ` (${dev.mode})` : ''}, but this user cannot open it read-write`
      : dev.access === 'read-write'
        ? `/dev/sev exists${dev.mode ? ` (${dev.mode})` : ''} and this user can open it read-write`
        : '/dev/sev exists (permissions not checked in a captured tree)';
  checks.push({ id: 'dev-sev', status: devOk ? 'ok' : 'fail', title: '/dev/sev', detail: devDetail, docs: docs('dev-sev') });

  // memlock
  const limit = 'text' in s.limits ? memlockLimit(s.limits.text) : undefined;
  if (limit === undefined) {
    checks.push({ id: 'memlock', status: 'unknown', title: 'memlock limit', detail: 'not known (no /proc/self/limits)', docs: docs('memlock') });
  } else {
    const shown = limit === Infinity ? 'unlimited' : `${Math.round(limit / 1024)} KiB`;
    const ok = limit >= TYPICAL_GUEST_BYTES;
    checks.push({
      id: 'memlock',
      status: ok ? 'ok' : 'warn',
      title: 'memlock limit',
      detail: ok
        ? `${shown}: enough to pin a typical 4 GiB guest`
        : `${shown} for this user, less than a typical 4 GiB guest pins; libvirt raises it for a guest with <memoryBacking><locked/> or <memtune><hard_limit>, QEMU started by hand needs ulimit -l`,
      docs: docs('memlock'),
    });
  }

  // QEMU
  const version = 'text' in s.qemu ? qemuVersion(s.qemu.text) : undefined;
  if (!version) {
    const why = 'missing' in s.qemu ? s.qemu.missing : 'its --version output has no version';
    checks.push({ id: 'qemu', status: 'unknown', title: 'QEMU', detail: `version not known: ${why}`, docs: docs('qemu') });
  } else {
    const supports = FEATURES.filter((f) => atLeast(version, QEMU_SINCE[f])).map((f) => LABEL[f]);
    const lacking = FEATURES.filter((f) => f !== 'sev' && !atLeast(version, QEMU_SINCE[f])).map((f) => `${LABEL[f]} needs ${QEMU_SINCE[f].join('.')}`);
    checks.push({
      id: 'qemu',
      status: supports.length > 0 ? 'ok' : 'fail',
      title: 'QEMU',
      detail: `${version.join('.')}: ${supports.length > 0 ? `supports ${supports.join(', ')}` : 'older than 2.12, no SEV'}${lacking.length > 0 ? ` (${lacking.join(', ')})` : ''}`,
      docs: docs('qemu'),
    });
  }

  // libvirt domain capabilities
  let caps: DomainCapabilities | undefined;
  if ('missing' in s.domcaps) {
    checks.push({ id: 'domcaps', status: 'unknown', title: 'libvirt domcapabilities', detail: `not known: ${s.domcaps.missing}`, docs: docs('domcaps') });
  } else {
    const parsed = parseDomainCapabilities(s.domcaps);
    if (!parsed.ok) {
      checks.push({ id: 'domcaps', status: 'unknown', title: 'libvirt domcapabilities', detail: `${parsed.name}: ${parsed.reason}`, docs: docs('domcaps') });
    } else {
      caps = parsed.caps;
      const sev = caps.sev;
      const detail = sev?.supported
        ? `SEV supported: sectype ${caps.sectypes.join(', ') || 'none'}, cbitpos ${sev.cbitpos ?? '?'}, maxGuests ${sev.maxGuests ?? '?'}, maxESGuests ${sev.maxESGuests ?? 'not reported'}`
        : "<sev supported='no'>: libvirt cannot start SEV guests with this QEMU and kernel";
      checks.push({ id: 'domcaps', status: sev?.supported ? 'ok' : 'fail', title: 'libvirt domcapabilities', detail, docs: docs('domcaps') });
    }
  }

  // Firmware descriptors
  const descriptors = s.firmware.map(readDescriptor).filter((d): d is FirmwareDescriptor => d !== undefined);
  const sevFirmware = descriptors.filter((d) => d.features.some((f) => f.startsWith('amd-sev')));
  const firmwareFor = (f: Feature): FirmwareDescriptor[] => descriptors.filter((d) => d.features.includes(FIRMWARE_FEATURE[f]));
  checks.push({
    id: 'firmware',
    status: sevFirmware.length > 0 ? 'ok' : 'fail',
    title: 'firmware descriptors',
    detail:
      sevFirmware.length > 0
        ? sevFirmware.map((d) => `${d.name} (${d.features.filter((f) => f.startsWith('amd-sev')).join(', ')}; mapping ${d.mapping})`).join('; ')
        : `no descriptor in /usr/share/qemu/firmware has an amd-sev feature (${descriptors.length} read)`,
    docs: docs('firmware'),
  });

  // Verdicts
  const kernel = (f: Feature): string | undefined => {
    if (!cpu?.amd || !cpu.flags.has(f)) return `the CPU has no ${f} flag`;
    if (!s.kvmAmdLoaded) return 'kvm_amd is not loaded';
    if (!param[f]) return `kvm_amd ${f} is ${yesNo(param[f])}`;
    if (!devOk) return dev.exists ? 'this user cannot open /dev/sev' : '/dev/sev is absent';
    return undefined;
  };
  const guests: GuestVerdict[] = [];
  for (const f of FEATURES) {
    const reasons: string[] = [];
    const k = kernel(f);
    if (k) reasons.push(k);
    if (version && !atLeast(version, QEMU_SINCE[f])) reasons.push(`QEMU ${version.join('.')} is older than ${QEMU_SINCE[f].join('.')}`);
    if (caps) {
      const type = f === 'sev_snp' ? 'sev-snp' : 'sev';
      if (!caps.sev?.supported || !caps.sectypes.includes(type)) reasons.push(`libvirt offers no '${type}' launch security`);
      else if (f === 'sev_es' && !caps.sev.maxESGuests) reasons.push('libvirt reports no SEV-ES slots (maxESGuests)');
      else if (f === 'sev' && caps.sev.maxGuests === 0) reasons.push('libvirt reports no SEV slots (maxGuests 0)');
    }
    const fw = firmwareFor(f);
    if (fw.length === 0) reasons.push(`no firmware descriptor with ${FIRMWARE_FEATURE[f]}`);
    const unknown = [...(version ? [] : ['QEMU version']), ...(caps ? [] : ['libvirt domcapabilities'])];
    let note = unknown.length > 0 && reasons.length === 0 ? `not checked: ${unknown.join(', ')}` : '';
    if (reasons.length === 0 && f === 'sev_snp' && fw.every((d) => d.mapping !== 'memory')) {
      note = [note, "firmware='efi' picks a flash mapping, which QEMU refuses for SEV-SNP: name the firmware with <loader type='rom'>"].filter((x) => x !== '').join('; ');
    }
    guests.push({ stack: 'libvirt', type: LABEL[f], usable: reasons.length === 0, reason: reasons.length > 0 ? reasons.join('; ') : note });
  }
  // Kata brings its own QEMU and OVMF: only the kernel side counts. SEV-ES has no Kata runtime class.
  for (const f of ['sev', 'sev_snp'] as const) {
    const k = kernel(f);
    const note = f === 'sev' ? 'runtime class kata-qemu-sev, removed after Kata 3.18' : 'runtime class kata-qemu-snp';
    guests.push({ stack: 'Kata', type: LABEL[f], usable: k === undefined, reason: k ?? note });
  }
  return { root: s.root, live: s.live, checks, guests, usable: guests.some((g) => g.usable) };
}

const MARK: Readonly<Record<CheckStatus, string>> = { ok: '✓', fail: '✗', warn: '!', unknown: '?' };

/** The report for a terminal: one line per check with its docs link, then the guest types. */
export function formatHostText(r: HostReport): string {
  const lines = [`sevlint host: ${r.live ? 'this machine' : `captured tree ${r.root}`}`];
  for (const c of r.checks) lines.push(`${MARK[c.status]} ${c.title}: ${c.detail}`, `    ${c.docs}`);
  lines.push('', 'Guests this host can start:');
  for (const g of r.guests) lines.push(`${g.usable ? '✓' : '✗'} ${g.stack} ${g.type}${g.reason ? `: ${g.reason}` : ''}`);
  const usable = r.guests.filter((g) => g.usable).map((g) => `${g.stack} ${g.type}`);
  lines.push('', usable.length > 0 ? `This host can start: ${usable.join(', ')}.` : 'This host cannot start SEV guests.');
  return lines.join('\n') + '\n';
}
