import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { detectKind, fixAll, lint, type LintOptions } from '../linter';
import { parseVersion, type Finding } from '../rules/types';
import { formatJson, formatSarif, formatText, type FileReport } from './format';

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
      out.stderr(`sevlint: ${e.message}\nTry 'sevlint --help'.\n`);
      return 2;
    }
    if (e instanceof IoError) {
      out.stderr(`sevlint: ${e.message}\n`);
      return 2;
    }
    out.stderr(`sevlint: internal error: ${(e as Error).message ?? String(e)}\n`);
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
  let options: LintOptions = {};
  if (values.qemu !== undefined) {
    const qemu = parseVersion(values.qemu);
    if (!qemu) throw new UsageError(`--qemu needs a version like 8.2 or 6.0.0, got '${values.qemu}'`);
    options = { qemu };
  }
  if (positionals.length === 0) throw new UsageError('no PATH given');

  const reports: FileReport[] = [];
  for (const file of collectFiles(positionals, out.cwd)) {
    const report = lintFile(file, out.cwd, options, values.fix!);
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

/** Files under the given paths, in a stable order; a missing path is an I/O error. */
function collectFiles(paths: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  const walk = (p: string, explicit: boolean): void => {
    const st = io('read', p, () => fs.statSync(path.resolve(cwd, p)));
    if (st.isDirectory()) {
      if (!explicit && SKIP_DIRS.has(path.basename(p))) return;
      const names = io('read', p, () => fs.readdirSync(path.resolve(cwd, p))).sort();
      for (const n of names) walk(path.join(p, n), false);
    } else if (st.isFile()) {
      out.push(p);
    }
  };
  for (const p of paths) walk(p, true);
  return out;
}

function lintFile(file: string, cwd: string, options: LintOptions, fix: boolean): FileReport | undefined {
  const abs = path.resolve(cwd, file);
  const raw = io('read', file, () => fs.readFileSync(abs, 'utf8'));
  const bom = raw.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = bom ? raw.slice(1) : raw;
  options = { ...options, fileName: file };
  if (detectKind(text, file) === undefined) return undefined;
  let findings: readonly Finding[];
  let finalText = text;
  let fixed = 0;
  if (fix) {
    const result = fixAll(text, options);
    findings = result.findings;
    fixed = result.applied;
    if (result.text !== text) {
      io('write', file, () => fs.writeFileSync(abs, bom + result.text, 'utf8'));
      finalText = result.text;
    }
  } else {
    findings = lint(text, options).findings;
  }
  return { file: file.split(path.sep).join('/'), text: finalText, findings, fixed };
}

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
