// Runs the end-to-end suite in desktop VS Code through @vscode/test-electron, for
// machines that have a desktop VS Code (VSCODE_EXECUTABLE=/path/to/code) or can
// download one (the default without VSCODE_EXECUTABLE). Offline machines use
// run-code-server.mjs (npm run test:e2e) instead; npm test needs neither.
//
//   npm run package && VSCODE_EXECUTABLE=/usr/share/code/code node test/e2e/run-electron.mjs
//
// On a Linux machine without a display, run it under `xvfb-run -a`.
// Same suite, same workspace, same installed VSIX as the code-server launcher.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { USER_SETTINGS, makeWorkspace } from './workspace.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const VSIX = resolve(process.env.SEVLINT_E2E_VSIX ?? join(ROOT, `${pkg.name}-${pkg.version}.vsix`));
const VSCODE_VERSION = process.env.VSCODE_VERSION ?? '1.100.3';
// Downloads go to the cache the code-server launcher uses, not into the repository.
const CACHE = resolve(process.env.SEVLINT_E2E_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sevlint-e2e'));

if (!existsSync(VSIX)) {
  console.error(`e2e: ${VSIX} does not exist: run \`npm run package\` first`);
  process.exit(1);
}

/** @type {typeof import('@vscode/test-electron')} */
let testElectron;
try {
  testElectron = await import('@vscode/test-electron');
} catch {
  console.error('e2e: @vscode/test-electron is not installed (npm ci installs it as a devDependency)');
  process.exit(1);
}
const { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath, runTests } = testElectron;

let executable = process.env.VSCODE_EXECUTABLE;
if (!executable) {
  try {
    executable = await downloadAndUnzipVSCode({ version: VSCODE_VERSION, cachePath: join(CACHE, 'vscode') });
  } catch (e) {
    console.error(`e2e: VS Code ${VSCODE_VERSION} could not be downloaded (${e instanceof Error ? e.message : e}).`);
    console.error('Set VSCODE_EXECUTABLE to an installed VS Code, or run `npm run test:e2e` (code-server, works offline).');
    process.exit(1);
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'sevlint-e2e-electron-'));
const userData = join(tmp, 'user-data');
const extensions = join(tmp, 'extensions');
mkdirSync(join(userData, 'User'), { recursive: true });
mkdirSync(extensions, { recursive: true });
writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
const workspace = makeWorkspace(ROOT, join(tmp, 'ws-test'));
const resultsFile = join(tmp, 'results.json');

// The CLI arguments name the default profile folders; ours replace them.
const [cli, ...cliArgs] = resolveCliArgsFromVSCodeExecutablePath(executable);
const ownArgs = cliArgs.filter((a) => !a.startsWith('--extensions-dir') && !a.startsWith('--user-data-dir'));
const install = spawnSync(cli, [...ownArgs, `--extensions-dir=${extensions}`, `--user-data-dir=${userData}`, '--install-extension', VSIX], {
  encoding: 'utf8',
  shell: process.platform === 'win32',
});
if (install.status !== 0 || !readdirSync(extensions).some((d) => d.startsWith(`${pkg.publisher}.${pkg.name}-`))) {
  console.error(`e2e: --install-extension failed:\n${install.stdout}\n${install.stderr}`);
  process.exit(1);
}

let code = 1;
try {
  code = await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: join(HERE, 'host'),
    extensionTestsPath: join(HERE, 'suite', 'index.js'),
    extensionTestsEnv: { SEVLINT_E2E_RESULTS: resultsFile },
    launchArgs: [
      workspace,
      `--extensions-dir=${extensions}`,
      `--user-data-dir=${userData}`,
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--disable-gpu',
    ],
  });
} catch (e) {
  console.error(`e2e: ${e instanceof Error ? e.message : e}`);
}
let results = [];
try {
  results = JSON.parse(readFileSync(resultsFile, 'utf8'));
} catch {}
const failed = results.filter((r) => !r.ok).length;
console.log(`e2e: ${results.length - failed} passed, ${failed} failed`);
rmSync(tmp, { recursive: true, force: true });
process.exit(code === 0 && failed === 0 && results.length > 0 ? 0 : 1);
