/**
 * The host side of the CLI. `sevlint host`: reads what the host readiness
 * report needs, from this machine or from a captured tree (`--root DIR`), and
 * prints the report of host/readiness.ts; with --root no program runs (QEMU's
 * version and libvirt's domcapabilities come from files of the tree,
 * CAPTURE_DIR). `--domcaps FILE`: reads and checks the capabilities files, and
 * counts the guests of a run against them (host/capacity.ts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { capacityFindings } from '../host/capacity';
import { parseDomainCapabilities, type CapabilitiesSource } from '../host/domcaps';
import { assessHost, formatHostText, type HostSnapshot, type Read } from '../host/readiness';
import type { LintOptions } from '../linter';
import { describeErrno, describeType } from './files';
import type { FileReport } from './format';

/** In a captured tree: `qemu-version.txt` (`qemu-system-x86_64 --version`) and `domcapabilities.xml` (`virsh domcapabilities`). */
export const CAPTURE_DIR = 'sevlint-capture';

/** No file this report or --domcaps reads is larger (cpuinfo of a 512-thread host is about 1 MB; domcapabilities output is tens of kilobytes). */
const MAX_READ = 8 * 1024 * 1024;
const PROGRAM_TIMEOUT_MS = 10_000;

export const HOST_USAGE = `Usage: sevlint host [--root DIR] [--format text|json]

Says whether this machine can run AMD SEV, SEV-ES and SEV-SNP guests (libvirt
and Kata): CPU flags, kvm_amd parameters, /dev/sev, the memlock limit, QEMU's
version, libvirt's domcapabilities and the firmware descriptors in
/usr/share/qemu/firmware. Exit status 0 when at least one guest type can start,
1 when none can, 2 on a usage error.

Options:
  --root DIR          read a captured tree instead of / (DIR/proc/cpuinfo,
                      DIR/sys/module/kvm_amd/parameters/*, DIR/dev/sev, ...); no program runs,
                      QEMU's version and the domcapabilities are read from
                      DIR/${CAPTURE_DIR}/qemu-version.txt and DIR/${CAPTURE_DIR}/domcapabilities.xml
  --format text|json  output format (default: text)
  -h, --help          show this help`;

function readText(p: string): Read {
  try {
    const st = fs.statSync(p);
    // A FIFO or a device in a captured tree would never end.
    if (!st.isFile()) return { missing: `${p} is not a regular file` };
    // /proc and /sys files report size 0: read them anyway, with a cap.
    if (st.size > MAX_READ) return { missing: `${p} is larger than ${MAX_READ} bytes` };
    const buf = fs.readFileSync(p);
    return { text: buf.subarray(0, MAX_READ).toString('utf8') };
  } catch (e) {
    return { missing: `cannot read ${p}: ${describeErrno(e)}` };
  }
}

/** Runs a program with a fixed argv, a timeout and an output cap; never through a shell. */
function runProgram(file: string, args: readonly string[]): Read {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: PROGRAM_TIMEOUT_MS, maxBuffer: MAX_READ, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { missing: code === 'ENOENT' ? `${file} is not installed (not on PATH)` : `${file} failed: ${r.error.message}` };
  }
  if (r.status !== 0) return { missing: `${file} ${args.join(' ')} failed: ${(r.stderr || `exit status ${r.status ?? r.signal}`).trim().split('\n')[0]}` };
  return { text: r.stdout };
}

/** The two programs `sevlint host` runs on the live machine, with their fixed argv. */
export const HOST_PROGRAMS = {
  qemu: ['qemu-system-x86_64', ['--version']],
  virsh: ['virsh', ['domcapabilities', '--virttype', 'kvm', '--arch', 'x86_64', '--machine', 'q35']],
} as const;

/** What the programs said, for a caller that ran them itself (the editor runs them without blocking). */
export interface ProgramOutputs {
  readonly qemu: Read;
  readonly virsh: Read;
}

/**
 * `root`: the captured tree (undefined: this machine); `shown`: what to call
 * it in the report; `programs`: the live programs' outputs when already run
 * (else they are run here, for the live machine only).
 */
export function collectHost(root: string | undefined, shown = root ?? '/', programs?: ProgramOutputs): HostSnapshot {
  const live = root === undefined;
  const base = root ?? '/';
  const at = (...parts: string[]): string => path.join(base, ...parts);
  const params = at('sys', 'module', 'kvm_amd', 'parameters');
  const devSevPath = at('dev', 'sev');
  let devSev: HostSnapshot['devSev'];
  try {
    const st = fs.statSync(devSevPath);
    const mode = `mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}, owner ${st.uid}:${st.gid}`;
    if (live) {
      let access: 'read-write' | 'denied' = 'read-write';
      try {
        fs.accessSync(devSevPath, fs.constants.R_OK | fs.constants.W_OK);
      } catch {
        access = 'denied';
      }
      devSev = { exists: true, access, mode };
    } else {
      devSev = { exists: true };
    }
  } catch {
    devSev = { exists: false };
  }
  const firmwareDir = at('usr', 'share', 'qemu', 'firmware');
  let firmwareNames: string[];
  try {
    firmwareNames = fs.readdirSync(firmwareDir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    firmwareNames = [];
  }
  const firmware = firmwareNames.flatMap((name) => {
    const r = readText(path.join(firmwareDir, name));
    return 'text' in r ? [{ name, text: r.text }] : [];
  });
  let qemu: Read;
  let domcaps: HostSnapshot['domcaps'];
  if (live) {
    qemu = programs?.qemu ?? runProgram(HOST_PROGRAMS.qemu[0], HOST_PROGRAMS.qemu[1]);
    const caps = programs?.virsh ?? runProgram(HOST_PROGRAMS.virsh[0], HOST_PROGRAMS.virsh[1]);
    domcaps = 'text' in caps ? { name: [HOST_PROGRAMS.virsh[0], ...HOST_PROGRAMS.virsh[1]].join(' '), text: caps.text } : caps;
  } else {
    qemu = readText(at(CAPTURE_DIR, 'qemu-version.txt'));
    const caps = readText(at(CAPTURE_DIR, 'domcapabilities.xml'));
    domcaps = 'text' in caps ? { name: path.posix.join(shown, CAPTURE_DIR, 'domcapabilities.xml'), text: caps.text } : caps;
  }
  return {
    root: shown,
    live,
    cpuinfo: readText(at('proc', 'cpuinfo')),
    kvmAmdLoaded: fs.existsSync(at('sys', 'module', 'kvm_amd')),
    kvmAmd: { sev: readText(path.join(params, 'sev')), sev_es: readText(path.join(params, 'sev_es')), sev_snp: readText(path.join(params, 'sev_snp')) },
    devSev,
    limits: readText(at('proc', 'self', 'limits')),
    qemu,
    domcaps,
    firmware,
  };
}

/** A usage error of `sevlint host` or of --domcaps (exit 2, one line naming what is wrong). */
export class HostUsageError extends Error {}

/**
 * The --domcaps files, read whole and checked: one that cannot be read, or is
 * not `virsh domcapabilities` output, is a usage error (exit 2) naming it.
 */
export function readDomcaps(files: readonly string[], cwd: string): CapabilitiesSource[] {
  return files.map((name) => {
    let text: string;
    try {
      const abs = path.resolve(cwd, name);
      // Looked at first: a FIFO or a device would never end, a huge file is not capabilities.
      const st = fs.statSync(abs);
      if (!st.isFile()) throw new HostUsageError(`--domcaps ${name}: ${describeType(st)}, not a regular file`);
      if (st.size > MAX_READ) throw new HostUsageError(`--domcaps ${name}: ${st.size} bytes is too large for virsh domcapabilities output`);
      text = fs.readFileSync(abs, 'utf8');
    } catch (e) {
      if (e instanceof HostUsageError) throw e;
      throw new HostUsageError(`--domcaps ${name}: cannot read it: ${describeErrno(e)}`);
    }
    const parsed = parseDomainCapabilities({ name, text });
    if (!parsed.ok) throw new HostUsageError(`--domcaps ${name}: ${parsed.reason}`);
    return { name, text };
  });
}

/** Adds the host capacity findings, counted over every file linted (in the order they were found). */
export function addCapacity(reports: FileReport[], options: LintOptions): void {
  const extra = capacityFindings(
    reports.map((r) => r.text),
    options,
  );
  extra.forEach((found, i) => {
    if (found.length === 0) return;
    const r = reports[i]!;
    const findings = [...r.findings, ...found].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.ruleId.localeCompare(b.ruleId));
    reports[i] = { ...r, findings };
  });
}


/** `sevlint host …`: prints the report; 0 when some SEV guest type can start, 1 otherwise. */
export function runHost(argv: readonly string[], out: { readonly stdout: (s: string) => void; readonly cwd: string }): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: { root: { type: 'string' }, format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h', default: false } },
    }));
  } catch (e) {
    throw new HostUsageError(`host: ${(e as Error).message.split('\n')[0] ?? ''}`);
  }
  if (values.help) {
    out.stdout(HOST_USAGE + '\n');
    return 0;
  }
  if (values.format !== 'text' && values.format !== 'json') throw new HostUsageError(`host: unknown format '${values.format}' (expected text or json)`);
  let root: string | undefined;
  if (values.root !== undefined) {
    root = path.resolve(out.cwd, values.root);
    let dir: boolean;
    try {
      dir = fs.statSync(root).isDirectory();
    } catch (e) {
      throw new HostUsageError(`host: --root ${values.root}: ${describeErrno(e)}`);
    }
    if (!dir) throw new HostUsageError(`host: --root ${values.root}: not a folder`);
  }
  const report = assessHost(collectHost(root, values.root));
  out.stdout(values.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatHostText(report));
  return report.usable ? 0 : 1;
}
