import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { detectKind, fixAll, lint, type LintOptions } from '../linter';
import { parseVersion, type Finding } from '../rules/types';
import { formatJson, formatSarif, formatText, oneLine, type FileReport } from './format';

/** Files larger than this many bytes are not read (the language server's sevlint.maxFileSize default, in characters). */
export const DEFAULT_MAX_FILE_SIZE = 5_000_000;

/** Notices about a file rather than findings of a rule; they use these ids in place of a rule id. */
export const FILE_TOO_LARGE = 'file-too-large';
export const FILE_NOT_FIXED = 'file-not-fixed';

const USAGE = `Usage: sevlint [options] PATH...

Lints libvirt domain XML and Kata Containers configuration.toml for AMD SEV,
SEV-ES and SEV-SNP guests.
PATH is a file or a folder (searched recursively; files are recognised by content).

Options:
  --format text|json|sarif   output format (default: text)
  --fix                      apply the safe fixes in place, then report what is left
  --max-warnings N           exit 1 when there are more than N warnings
  --qemu VERSION             the QEMU version the configuration targets, e.g. 8.2
  --exit-zero                exit 0 even when problems are found (I/O and usage errors still exit 2)
  --max-file-size BYTES      do not read files larger than this; each gets one information
                             line instead (default: 5000000)
  -h, --help                 show this help
  -v, --version              show the version`;

class UsageError extends Error {}
/** A file or folder that cannot be read or written; the message names it as the user wrote it. */
class IoError extends Error {}

function io<T>(what: string, file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new IoError(`cannot ${what} ${file}: ${describeErrno(e as NodeJS.ErrnoException)}`);
  }
}

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd: string;
}

/** Runs the CLI; returns the exit code (0 clean, 1 problems, 2 usage or I/O error). */
export function run(argv: readonly string[], out: CliIo): number {
  try {
    return runOrThrow(argv, out);
  } catch (e) {
    if (e instanceof UsageError) {
      out.stderr(`sevlint: ${oneLine(e.message)}\nTry 'sevlint --help'.\n`);
      return 2;
    }
    if (e instanceof IoError) {
      out.stderr(`sevlint: ${oneLine(e.message)}\n`);
      return 2;
    }
    const message = e instanceof Error ? e.message : String(e);
    out.stderr(`sevlint: internal error: ${oneLine(message.split('\n')[0] ?? '')}\n`);
    return 2;
  }
}

function describeErrno(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return err.code ?? err.message;
  }
}

function runOrThrow(argv: readonly string[], out: CliIo): number {
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
        'exit-zero': { type: 'boolean', default: false },
        'max-file-size': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]!);
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
  const format = values.format!;
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
  if (positionals.length === 0) throw new UsageError('no PATH given');

  const reports: FileReport[] = [];
  for (const { file, explicit } of collectFiles(positionals, out.cwd)) {
    const report = lintFile(file, explicit, out.cwd, options, values.fix!, maxFileSize);
    if (report) reports.push(report);
  }

  const rendered = format === 'json' ? formatJson(reports) : format === 'sarif' ? formatSarif(reports, version()) : formatText(reports, values.fix!);
  out.stdout(rendered);

  const all = reports.flatMap((r) => r.findings);
  const errors = all.filter((f) => f.severity === 'error').length;
  const warnings = all.filter((f) => f.severity === 'warning').length;
  if (values['exit-zero']) return 0;
  return errors > 0 || warnings > maxWarnings ? 1 : 0;
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

interface FileArg {
  readonly file: string;
  /** Named on the command line rather than found in a folder. */
  readonly explicit: boolean;
}

/**
 * Files under the given paths, in a stable order; a missing path is an I/O
 * error. Symbolic links are followed, but a folder already walked (a link
 * back up the tree) is not walked again; only regular files are returned
 * (no FIFOs or devices).
 */
function collectFiles(paths: readonly string[], cwd: string): FileArg[] {
  const out: FileArg[] = [];
  const seenDirs = new Set<string>();
  const walk = (p: string, explicit: boolean): void => {
    const abs = path.resolve(cwd, p);
    const st = io('read', p, () => fs.statSync(abs));
    if (st.isDirectory()) {
      if (!explicit && SKIP_DIRS.has(path.basename(p))) return;
      const id = `${st.dev}:${st.ino}`;
      if (seenDirs.has(id)) return;
      seenDirs.add(id);
      const names = io('read', p, () => fs.readdirSync(abs)).sort();
      for (const n of names) walk(path.join(p, n), false);
    } else if (st.isFile()) {
      out.push({ file: p, explicit });
    }
  };
  for (const p of paths) walk(p, true);
  return out;
}

/** Names the language server also reports as too large (`.xml`, `.toml`, `.toml.in`). */
const LINTABLE_NAME = /\.(xml|toml|in)$/i;

function lintFile(file: string, explicit: boolean, cwd: string, options: LintOptions, fix: boolean, maxFileSize: number): FileReport | undefined {
  const abs = path.resolve(cwd, file);
  const shown = file.split(path.sep).join('/');
  const size = io('read', file, () => fs.statSync(abs)).size;
  if (size > maxFileSize) {
    // Not read at all. Found in a folder, only files named like something sevlint lints are mentioned.
    if (!explicit && !LINTABLE_NAME.test(file)) return undefined;
    return { file: shown, text: '', findings: [notice(FILE_TOO_LARGE, `sevlint skips this file: ${size} bytes is more than --max-file-size (${maxFileSize}).`)], fixed: 0 };
  }
  const decoded = decode(io('read', file, () => fs.readFileSync(abs)));
  const text = decoded.text;
  options = { ...options, fileName: file };
  if (detectKind(text, file) === undefined) return undefined;
  let findings: readonly Finding[];
  let finalText = text;
  let fixed = 0;
  if (fix && !decoded.exact) {
    findings = [
      notice(FILE_NOT_FIXED, 'sevlint does not fix this file: it is not valid UTF-8 (nor UTF-16 with a byte order mark), and rewriting it would change bytes it cannot read.'),
      ...lint(text, options).findings,
    ];
  } else if (fix) {
    const result = fixAll(text, options);
    findings = result.findings;
    fixed = result.applied;
    if (result.text !== text) {
      io('write', file, () => fs.writeFileSync(abs, encode(result.text, decoded.encoding)));
      finalText = result.text;
    }
  } else {
    findings = lint(text, options).findings;
  }
  return { file: shown, text: finalText, findings, fixed };
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

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
