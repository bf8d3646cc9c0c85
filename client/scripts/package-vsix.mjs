// Packages the VS Code extension: sevlint-<version>.vsix at the repository root.
//
// package.json has a "files" list for the npm package (the CLI), and vsce refuses to
// package when both "files" and .vscodeignore exist. So the VSIX is made in a
// staging folder: the top-level entries that .vscodeignore lets through, plus
// package.json without the npm-only fields; vsce applies .vscodeignore there again.
// Run `npm run bundle` first (`npm run package` does).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8');
const out = join(root, `${pkg.name}-${pkg.version}.vsix`);
const MAX_BYTES = 1.5 * 1024 * 1024;
const MARKETPLACE_README = 'docs/marketplace/README.md';

for (const f of ['dist/extension.js', 'dist/server.js', 'dist/lint-worker.js']) {
  if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run npm run bundle first`);
}

// `!dist/server.js` → `dist`: the top-level entries the allow-list names.
const entries = new Set(
  ignore.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/^\//, '').split('/')[0]),
);
entries.delete('package.json');

const stage = mkdtempSync(join(tmpdir(), 'sevlint-vsix-'));
try {
  for (const e of entries) {
    if (existsSync(join(root, e))) cpSync(join(root, e), join(stage, e), { recursive: true });
  }
  cpSync(join(root, '.vscodeignore'), join(stage, '.vscodeignore'));
  const manifest = { ...pkg };
  for (const k of ['files', 'bin', 'scripts', 'dependencies', 'devDependencies']) delete manifest[k];
  writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  // The store page: docs/marketplace/README.md (what a user needs), not the developers' README.md.
  cpSync(join(root, MARKETPLACE_README), join(stage, MARKETPLACE_README));
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--readme-path', MARKETPLACE_README, '-o', out], { cwd: stage, stdio: 'inherit' });
} finally {
  rmSync(stage, { recursive: true, force: true });
}

const size = statSync(out).size;
console.log(`${out}: ${(size / 1024).toFixed(0)} KiB`);
if (size > MAX_BYTES) {
  console.error(`the VSIX is larger than ${MAX_BYTES / 1024 / 1024} MiB`);
  process.exit(1);
}
