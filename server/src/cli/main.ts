import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { detectKind, fixAll, lint, type LintOptions } from '../linter';
import { parseVersion, type Finding } from '../rules/types';
import { formatJson, formatSarif, formatText, type FileReport } from './format';

const USAGE = `Usage: sevlint [options] PATH...

Lints libvirt domain XML for AMD SEV, SEV-ES and SEV-SNP guests.
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

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd: string;
}

/** Runs the CLI; returns the exit code (0 clean, 1 problems, 2 usage or I/O error). */
export function run(argv: readonly string[], io: CliIo): number {
  try {
    return runOrThrow(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`sevlint: ${e.message}\nTry 'sevlint --help'.\n`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    if (err.code && err.path) {
      io.stderr(`sevlint: cannot ${err.syscall === 'open' || err.syscall === 'read' ? 'read' : err.syscall ?? 'access'} ${err.path}: ${describeErrno(err)}\n`);
      return 2;
    }
    io.stderr(`sevlint: internal error: ${err.message ?? String(e)}\n`);
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

function runOrThrow(argv: readonly string[], io: CliIo): number {
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
    io.stdout(USAGE + '\n');
    return 0;
  }
  if (values.version) {
    io.stdout(version() + '\n');
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
  for (const file of collectFiles(positionals, io.cwd)) {
    const report = lintFile(file, io.cwd, options, values.fix!);
    if (report) reports.push(report);
  }

  const out = format === 'json' ? formatJson(reports) : format === 'sarif' ? formatSarif(reports, version()) : formatText(reports, values.fix!);
  io.stdout(out);

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
    const st = fs.statSync(path.resolve(cwd, p));
    if (st.isDirectory()) {
      if (!explicit && SKIP_DIRS.has(path.basename(p))) return;
      const names = fs.readdirSync(path.resolve(cwd, p)).sort();
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
  const raw = fs.readFileSync(abs, 'utf8');
  const bom = raw.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = bom ? raw.slice(1) : raw;
  if (detectKind(text) === undefined) return undefined;
  let findings: readonly Finding[];
  let finalText = text;
  let fixed = 0;
  if (fix) {
    const result = fixAll(text, options);
    findings = result.findings;
    fixed = result.applied;
    if (result.text !== text) {
      fs.writeFileSync(abs, bom + result.text, 'utf8');
      finalText = result.text;
    }
  } else {
    findings = lint(text, options).findings;
  }
  return { file: file.split(path.sep).join('/'), text: finalText, findings, fixed };
}

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
