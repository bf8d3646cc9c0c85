import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { detectKind, fixAll, lint, type LintOptions } from '../linter';
import { parseVersion, type Finding } from '../rules/types';
import { basenameOf, describeErrno, describeType, joinPath, readSnapshot, replaceFile, TEMP_NAME, type DirId } from './files';
import { formatJson, formatSarif, formatText, oneLine, showBytes, type FileReport } from './format';
import { kindByName } from '../file-types';
import { addCapacity, HostUsageError, readDomcaps, runHost } from './host';
import { ConfigFileError, ConfigLookup, ignoringGlob, optionsFor, printConfig, type FoundConfig } from './config';
import { CONFIG_FILE_NAME } from '../config';

/** Files larger than this many bytes are not read (the language server's sevlint.maxFileSize default, in characters). */
export const DEFAULT_MAX_FILE_SIZE = 5_000_000;

/** Notices about a file rather than findings of a rule; they use these ids in place of a rule id. */
export const FILE_TOO_LARGE = 'file-too-large';
export const FILE_NOT_FIXED = 'file-not-fixed';

const USAGE = `Usage: sevlint [options] PATH...
       sevlint host [--root DIR] [--format text|json]   (can this host run SEV guests? sevlint host --help)

Lints libvirt domain XML and Kata Containers configuration.toml for AMD SEV,
SEV-ES and SEV-SNP guests.
PATH is a file or a folder (searched recursively; files are recognised by content).
Each file is linted with the nearest ${CONFIG_FILE_NAME} from its folder upwards (rules,
target.qemu, host.domainCapabilities, schema.enable, ignore); the options below win over it.

Options:
  --format text|json|sarif   output format (default: text)
  --fix                      apply the safe fixes in place, then report what is left
  --max-warnings N           exit 1 when there are more than N warnings
  --qemu VERSION             the QEMU version the configuration targets, e.g. 8.2
  --domcaps FILE             check each domain against this host's capabilities (the output of
                             virsh domcapabilities); repeatable, one per emulator, arch, machine
                             and virt type, matched to each domain as libvirt does
  --exit-zero                exit 0 even when problems are found (I/O and usage errors still exit 2)
  --no-schema                do not validate domain XML against libvirt's schema (libvirt-schema)
  --max-file-size BYTES      do not read files larger than this; each gets one information
                             line instead (default: 5000000)
  --print-config FILE        show the configuration FILE is linted with (its ${CONFIG_FILE_NAME}
                             and the options above), as JSON
  --no-config                do not look for ${CONFIG_FILE_NAME} files
  -h, --help                 show this help
  -v, --version              show the version`;

class UsageError extends Error {}

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd: string;
}

/** Runs the CLI; returns the exit code (0 clean, 1 problems, 2 usage or I/O error). */
export function run(argv: readonly string[], out: CliIo): number {
  const steps = runSteps(argv, out);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `bin/sevlint`: runs the CLI on the process's arguments and streams.
 *
 * SIGINT, SIGTERM and SIGHUP take effect between files (and between folders
 * of a walk): the file being linted or fixed is finished first, so a
 * temporary file of --fix is always renamed or removed, and then the process
 * ends by the same signal with no output. A closed stdout (`sevlint … | head
 * -1`) ends the process quietly with the exit status the run had.
 */
export function runProcess(argv: readonly string[]): void {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let caught: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals): void => {
    caught ??= s;
  };
  for (const s of signals) process.on(s, onSignal);
  const release = (): void => {
    for (const s of signals) process.removeListener(s, onSignal);
  };
  let code = 2;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') process.stderr.write(`sevlint: cannot write the output: ${describeErrno(e)}\n`);
    process.exit(e.code === 'EPIPE' ? code : 2);
  });
  // With stderr gone there is nowhere left to say anything.
  process.stderr.on('error', () => undefined);
  const steps = runSteps(argv, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    cwd: process.cwd(),
    // Known before the report is written, so a closed stdout can still exit with it.
    setCode: (c) => (code = c),
  });
  const next = (): void => {
    if (caught) {
      release();
      process.exitCode = 128 + (os.constants.signals[caught] ?? 0);
      process.kill(process.pid, caught);
      return;
    }
    const step = steps.next();
    if (step.done) {
      process.exitCode = step.value;
      release();
    } else {
      // Lets a signal in between two files.
      setImmediate(next);
    }
  };
  next();
}

interface StepIo extends CliIo {
  /** Called with the exit code just before the report is written. */
  readonly setCode?: (code: number) => void;
}

/** The run, yielding between files and folders; returns the exit code. */
function* runSteps(argv: readonly string[], out: StepIo): Generator<void, number> {
  try {
    return yield* runOrThrow(argv, out);
  } catch (e) {
    return failure(e, out);
  }
}

function failure(e: unknown, out: StepIo): number {
  if (e instanceof ConfigFileError) {
    out.stderr(`sevlint: ${oneLine(e.message)}\n`);
    return 2;
  }
  if (e instanceof UsageError || e instanceof HostUsageError) {
    out.stderr(`sevlint: ${oneLine(e.message)}\nTry 'sevlint --help'.\n`);
    return 2;
  }
  const message = e instanceof Error ? e.message : String(e);
  out.stderr(`sevlint: internal error: ${oneLine(message.split('\n')[0] ?? '')}\n`);
  return 2;
}

function* runOrThrow(argv: readonly string[], out: StepIo): Generator<void, number> {
  if (argv[0] === 'host') {
    const code = runHost(argv.slice(1), out);
    out.setCode?.(code);
    return code;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', default: 'text' },
        fix: { type: 'boolean', default: false },
        'max-warnings': { type: 'string' },
        qemu: { type: 'string' },
        domcaps: { type: 'string', multiple: true },
        'exit-zero': { type: 'boolean', default: false },
        'no-schema': { type: 'boolean', default: false },
        'max-file-size': { type: 'string' },
        'print-config': { type: 'string' },
        'no-config': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.stdout(USAGE + '\n');
    return 0;
  }
  if (values.version) {
    out.stdout(version() + '\n');
    return 0;
  }
  const format = values.format;
  if (format !== 'text' && format !== 'json' && format !== 'sarif') {
    throw new UsageError(`unknown format '${format}' (expected text, json or sarif)`);
  }
  let maxWarnings = Infinity;
  if (values['max-warnings'] !== undefined) {
    if (!/^\d+$/.test(values['max-warnings'])) throw new UsageError(`--max-warnings needs a non-negative integer, got '${values['max-warnings']}'`);
    maxWarnings = Number(values['max-warnings']);
  }
  let maxFileSize = DEFAULT_MAX_FILE_SIZE;
  if (values['max-file-size'] !== undefined) {
    if (!/^\d+$/.test(values['max-file-size']) || Number(values['max-file-size']) < 1) {
      throw new UsageError(`--max-file-size needs a positive number of bytes, got '${values['max-file-size']}'`);
    }
    maxFileSize = Number(values['max-file-size']);
  }
  let options: LintOptions = {};
  if (values.qemu !== undefined) {
    const qemu = parseVersion(values.qemu);
    if (!qemu) throw new UsageError(`--qemu needs a version like 8.2 or 6.0.0, got '${values.qemu}'`);
    options = { qemu };
  }
  if (values['no-schema']) options = { ...options, schema: false };
  const configs = values['no-config'] ? undefined : new ConfigLookup();
  const configOf = (abs: string): FoundConfig | undefined => configs?.forFile(abs);
  if (values['print-config'] !== undefined) {
    if (positionals.length > 0) throw new UsageError('--print-config takes one FILE and no PATH');
    if (values['print-config'] === '') throw new UsageError('--print-config needs a FILE');
    if (values.domcaps) readDomcaps(values.domcaps, out.cwd);
    const abs = path.resolve(out.cwd, values['print-config']);
    out.stdout(printConfig(abs, configOf(abs), options, values.domcaps, out.cwd));
    out.setCode?.(0);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('no PATH given');
  if (values.domcaps) options = { ...options, domainCapabilities: readDomcaps(values.domcaps, out.cwd) };

  const fix = values.fix;
  const reports: FileReport[] = [];
  let ioErrors = 0;
  const ioError: IoErrorSink = (what, shown, reason) => {
    ioErrors++;
    out.stderr(`sevlint: ${oneLine(`cannot ${what} ${shown}: ${reason}`)}\n`);
  };
  /** The options of each report, for the host capacity counted over the files that share them. */
  const optionsOfReport: LintOptions[] = [];
  for (const target of walk(positionals, out.cwd, ioError)) {
    if (target) {
      const abs = target.abs.toString();
      const found = configOf(abs);
      const glob = ignoringGlob(found, abs);
      if (glob !== undefined) {
        // Found in a folder: skipped quietly. Named on the command line: said, as ESLint does.
        if (target.explicit) out.stderr(`sevlint: ${oneLine(`${showBytes(target.rel)} is ignored by ${found!.file} ("${glob}")`)}\n`);
      } else {
        const fileOptions = optionsFor(found, options);
        const report = lintFile(target, fileOptions, fix, maxFileSize, ioError);
        if (report) {
          reports.push(report);
          optionsOfReport.push(fileOptions);
        }
      }
    }
    yield;
  }

  // The host capacity is counted over the files checked against the same capabilities.
  const groups = new Map<readonly unknown[], number[]>();
  optionsOfReport.forEach((o, i) => {
    if (!o.domainCapabilities) return;
    const g = groups.get(o.domainCapabilities) ?? [];
    g.push(i);
    groups.set(o.domainCapabilities, g);
  });
  for (const indices of groups.values()) {
    const group = indices.map((i) => reports[i]!);
    addCapacity(group, optionsOfReport[indices[0]!]!);
    indices.forEach((i, k) => (reports[i] = group[k]!));
  }
  const all = reports.flatMap((r) => r.findings);
  const errors = all.filter((f) => f.severity === 'error').length;
  const warnings = all.filter((f) => f.severity === 'warning').length;
  const code = ioErrors > 0 ? 2 : values['exit-zero'] ? 0 : errors > 0 || warnings > maxWarnings ? 1 : 0;
  out.setCode?.(code);
  out.stdout(format === 'json' ? formatJson(reports, fix) : format === 'sarif' ? formatSarif(reports, version()) : formatText(reports, fix, ioErrors));
  return code;
}

/** Reports that PATH (as shown) could not be read or written, for `reason`: one line on stderr, exit 2 at the end. */
type IoErrorSink = (what: 'read' | 'write', shown: string, reason: string) => void;

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

/** A regular file to lint. */
interface Target {
  /** Absolute, as bytes. */
  readonly abs: Buffer;
  /** As given on the command line (plus the names below it), '/' separators, as bytes. */
  readonly rel: Buffer;
  /** Named on the command line rather than found in a folder. */
  readonly explicit: boolean;
  /** The path itself is a symbolic link. */
  readonly link: boolean;
  /** Found below a symbolic link to a folder that the walk followed. */
  readonly viaLink: boolean;
  /** The folder it was found in, as walked. */
  readonly dir?: DirId;
}

/**
 * The regular files under the given paths, in a stable order (bytewise by
 * name), each as soon as it is found; `undefined` after each folder read, so
 * the caller can stop between folders. A path that cannot be looked at, a
 * dangling or looping symbolic link, and a path named on the command line
 * that is not a regular file or folder are reported through `ioError` (one
 * line each) and the walk goes on. Symbolic links are followed, but a folder
 * already walked (a link back up the tree) is not walked again; files found
 * in a folder that are not regular (FIFOs, sockets, devices) and sevlint's
 * own temporary files are skipped. Names are handled as bytes, so a name
 * that is not valid UTF-8 is still opened.
 */
function* walk(paths: readonly string[], cwd: string, ioError: IoErrorSink): Generator<Target | undefined> {
  const seenDirs = new Set<string>();
  function* visit(abs: Buffer, rel: Buffer, name: Buffer, explicit: boolean, viaLink: boolean, dir?: DirId): Generator<Target | undefined> {
    const shown = showBytes(rel);
    let st: fs.BigIntStats;
    let link: boolean;
    try {
      st = fs.lstatSync(abs, { bigint: true });
      link = st.isSymbolicLink();
    } catch (e) {
      ioError('read', shown, describeErrno(e));
      return;
    }
    if (link) {
      try {
        st = fs.statSync(abs, { bigint: true });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        ioError('read', shown, code === 'ENOENT' ? 'symbolic link to a missing file' : code === 'ELOOP' ? 'symbolic link loop (too many levels of symbolic links)' : describeErrno(e));
        return;
      }
    }
    if (st.isDirectory()) {
      if (!explicit && SKIP_DIRS.has(name.toString('latin1'))) return;
      const id = `${st.dev}:${st.ino}`;
      if (seenDirs.has(id)) return;
      seenDirs.add(id);
      let names: Buffer[];
      try {
        names = fs.readdirSync(abs, { encoding: 'buffer' }).sort((a, b) => Buffer.compare(a, b));
      } catch (e) {
        ioError('read', shown, describeErrno(e));
        return;
      }
      yield undefined;
      const here = { dev: st.dev, ino: st.ino };
      const below = viaLink || (link && !explicit);
      // A folder named on the command line is shown normalised below it ('./a/' → 'a/x.xml', '.' → 'x.xml').
      const base = explicit ? path.posix.normalize(rel.toString()).replace(/\/+$/, '') : rel;
      for (const n of names) {
        yield* visit(joinPath(abs, n), base === '.' || base === '' ? n : joinPath(Buffer.from(base), n), n, false, below, here);
      }
    } else if (st.isFile()) {
      if (!explicit && TEMP_NAME.test(name.toString('latin1'))) return;
      yield { abs, rel, explicit, link, viaLink, ...(dir ? { dir } : {}) };
    } else if (explicit) {
      // Not opened at all: opening a device can have effects (a tape rewinds).
      ioError('read', shown, `${describeType(st)}, not a regular file`);
    }
  }
  for (const p of paths) {
    const abs = Buffer.from(path.resolve(cwd, p));
    yield* visit(abs, Buffer.from(p.split(path.sep).join('/')), basenameOf(abs), true, false);
  }
}


function lintFile(target: Target, options: LintOptions, fix: boolean, maxFileSize: number, ioError: IoErrorSink): FileReport | undefined {
  const shown = showBytes(target.rel);
  const at = { file: shown, ...(shown === target.rel.toString('utf8') ? {} : { path: target.rel }) };
  const read = readSnapshot(target.abs, { maxSize: maxFileSize, link: target.link, ...(target.dir ? { dir: target.dir } : {}) });
  if (read.kind === 'error') {
    ioError('read', shown, read.reason);
    return undefined;
  }
  if (read.kind === 'too-large') {
    // Not read at all. Found in a folder, only files named like something sevlint lints are mentioned.
    if (!target.explicit && kindByName(shown) === undefined) return undefined;
    return { ...at, text: '', findings: [notice(FILE_TOO_LARGE, `sevlint skips this file: ${read.size} bytes is more than --max-file-size (${maxFileSize}).`)], fixed: 0 };
  }
  const snapshot = read.snapshot;
  const decoded = decode(snapshot.bytes);
  const text = decoded.text;
  options = { ...options, fileName: shown };
  if (detectKind(text, shown) === undefined) return undefined;
  const unfixed = (why: string): FileReport => ({ ...at, text, findings: [notice(FILE_NOT_FIXED, why), ...lint(text, options).findings], fixed: 0 });
  if (!fix) return { ...at, text, findings: lint(text, options).findings, fixed: 0 };
  if (!decoded.exact) {
    return unfixed('sevlint does not fix this file: it is not valid UTF-8 (nor UTF-16 with a byte order mark), and rewriting it would change bytes it cannot read.');
  }
  if (target.link) return unfixed('sevlint does not fix this file: it is a symbolic link, and --fix never writes through one (name the file it points to).');
  if (target.viaLink) return unfixed('sevlint does not fix this file: it was found through a symbolic link to a folder, and --fix never writes through one (name that folder).');
  if (snapshot.stat.nlink > 1n) return unfixed(`sevlint does not fix this file: it has ${snapshot.stat.nlink} hard links, and replacing it would separate them.`);
  const result = fixAll(text, options);
  if (result.text === text) return { ...at, text, findings: result.findings, fixed: 0 };
  const written = replaceFile(snapshot, encode(result.text, decoded.encoding));
  switch (written.kind) {
    case 'written':
      if (written.warning) ioError('write', shown, `it was rewritten, but ${written.warning}`);
      return { ...at, text: result.text, findings: result.findings, fixed: result.applied, rewritten: true };
    case 'changed':
      return unfixed('sevlint did not fix this file: it changed while sevlint was running, and was left as it is now.');
    case 'error':
      ioError('write', shown, `${written.reason}; the file is unchanged`);
      return unfixed(`sevlint could not fix this file: ${written.reason}; the file is unchanged.`);
  }
}

function notice(id: string, message: string): Finding {
  return { ruleId: id, severity: 'information', messageId: id, data: {}, message, span: { start: 0, end: 0 }, fixes: [] };
}

type Encoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';

interface Decoded {
  /** Without the byte order mark. */
  readonly text: string;
  readonly encoding: Encoding;
  /** Encoding `text` again gives back the bytes read (false: invalid UTF-8, or an odd number of UTF-16 bytes). */
  readonly exact: boolean;
}

/**
 * Files are UTF-8, with or without a byte order mark; a UTF-16 byte order
 * mark (LE or BE) is honoured, and --fix writes such a file back in UTF-16.
 * Invalid UTF-8 is read with U+FFFD in place of the bad bytes and never
 * rewritten.
 */
function decode(buf: Buffer): Decoded {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    const body = buf.subarray(3);
    return { text: body.toString('utf8'), encoding: 'utf-8-bom', exact: isUtf8(body) };
  }
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
    const le = buf[0] === 0xff;
    const even = buf.length % 2 === 0;
    const body = Buffer.from(buf.subarray(2, even ? buf.length : buf.length - 1));
    if (!le) body.swap16();
    return { text: body.toString('utf16le'), encoding: le ? 'utf-16le' : 'utf-16be', exact: even };
  }
  return { text: buf.toString('utf8'), encoding: 'utf-8', exact: isUtf8(buf) };
}

function encode(text: string, encoding: Encoding): Buffer {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.from('\uFEFF' + text, 'utf8');
    case 'utf-16le':
      return Buffer.from('\uFEFF' + text, 'utf16le');
    case 'utf-16be':
      return Buffer.from('\uFEFF' + text, 'utf16le').swap16();
  }
}

/**
 * sevlint's version, from its package.json: the nearest one named sevlint above this file, which is
 * `dist/cli.js` (the bundle) or `out/server/src/cli/main.js` (the tsc output).
 */
function version(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'sevlint' && typeof pkg.version === 'string') return pkg.version;
    }
    dir = path.dirname(dir);
  }
  throw new Error(`no package.json of sevlint above ${__dirname}`);
}
