// Runs the end-to-end suite against the packaged extension in a real VS Code
// workbench, offline: code-server (VS Code 1.100 + a Node extension host, from the
// npm registry) on 127.0.0.1, driven by Debian's chromium through playwright-core.
//
//   npm run test:e2e                       package, then this
//   node test/e2e/run-code-server.mjs      with an existing sevlint-<version>.vsix
//
// 1. installs code-server into a cache outside the repository (once);
// 2. installs the VSIX with --install-extension into a fresh extensions folder;
// 3. opens a workspace of example copies with the suite as extensionTestsPath
//    (beside an empty development extension, so the installed VSIX is what runs);
// 4. opens the workbench again like a person would, checks by keyboard that a snippet
//    prefix + Enter inserts the snippet (and the decimal-policy trap's first fix), and
//    saves README screenshots into docs/images/: squiggles + Problems panel, the
//    quick-fix menu, the sevlint commands with the status bar item, a policy hover,
//    the decimal-policy trap (quick fix, hover), the outline, completion.
// Exits 1 when a test fails or a step breaks; always kills the code-server process group.
//
// Environment: SEVLINT_E2E_CACHE (default ~/.cache/sevlint-e2e), SEVLINT_E2E_VSIX,
// SEVLINT_E2E_SHOTS=0 (no screenshots; the keyboard checks still run), SEVLINT_E2E_KEEP=1 (keep the temp folder),
// SEVLINT_E2E_TIMEOUT_MS (whole suite, default 180000), CHROMIUM (default /usr/bin/chromium).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { USER_SETTINGS, makeWorkspace } from './workspace.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const CODE_SERVER_VERSION = '4.100.3';
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const VSIX = resolve(process.env.SEVLINT_E2E_VSIX ?? join(ROOT, `${pkg.name}-${pkg.version}.vsix`));
const CACHE = resolve(process.env.SEVLINT_E2E_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sevlint-e2e'));
const CS_DIR = join(CACHE, `code-server-${CODE_SERVER_VERSION}`);
const ENTRY = join(CS_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.SEVLINT_E2E_SHOTS === '0' ? undefined : join(ROOT, 'docs', 'images');
const SUITE_TIMEOUT_MS = Number(process.env.SEVLINT_E2E_TIMEOUT_MS ?? 180_000);

const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
const log = (...a) => console.log(`[e2e ${secs()}s]`, ...a);
const timings = {};

/** @type {import('node:child_process').ChildProcess | undefined} */
let server;
let tmp;
let browser;

function killServer() {
  if (!server?.pid || server.exitCode !== null) return;
  try {
    process.kill(-server.pid, 'SIGTERM'); // the whole group: extension hosts, language servers
  } catch {}
  const pid = server.pid;
  // The group gets a moment to go; then SIGKILL whatever is left of it.
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    spawnSync('sleep', ['0.1']);
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {}
}
process.on('exit', killServer);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    killServer();
    process.exit(130);
  });
}

function fail(message) {
  console.error(`e2e: ${message}`);
  process.exit(1);
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (s.address());
      s.close(() => res(port));
    });
  });
}

async function waitHealthy(port) {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    if (server?.exitCode !== null) fail(`code-server exited (${server?.exitCode}); see ${join(tmp, 'server.log')}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  fail('code-server did not answer /healthz within 60 s');
}

async function newPage(label) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) && u.hostname !== '127.0.0.1') {
      log(`${label}: blocked ${u.href.slice(0, 100)}`);
      return route.abort();
    }
    return route.continue();
  });
  return { context, page };
}

// ------------------------------------------------------------------- setup

if (!existsSync(VSIX)) fail(`${VSIX} does not exist: run \`npm run package\` (or \`npm run test:e2e\`)`);
for (const [file, what] of [
  [CHROMIUM, 'chromium'],
  ['/usr/bin/rg', 'ripgrep'],
]) {
  if (!existsSync(file)) fail(`${file} is missing: run test/e2e/install-deps.sh as root (installs ${what} and the build headers)`);
}

let step = Date.now();
const inst = spawnSync('sh', [join(HERE, 'install-code-server.sh'), CS_DIR, CODE_SERVER_VERSION], { stdio: 'inherit' });
if (inst.status !== 0) fail(`installing code-server ${CODE_SERVER_VERSION} failed`);
timings.installCodeServer = Date.now() - step;

tmp = mkdtempSync(join(tmpdir(), 'sevlint-e2e-'));
const dirs = {
  userData: join(tmp, 'user-data'),
  extensions: join(tmp, 'extensions'),
  xdg: join(tmp, 'xdg'),
};
for (const d of [join(dirs.userData, 'User'), dirs.extensions, ...['config', 'data', 'cache', 'run', 'tmp'].map((x) => join(dirs.xdg, x))]) {
  mkdirSync(d, { recursive: true, mode: 0o700 });
}
writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
const port = await freePort();
writeFileSync(join(tmp, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
const resultsFile = join(tmp, 'results.json');
// Everything code-server, VS Code and the extension host write stays in tmp.
const env = {
  ...process.env,
  HOME: join(tmp, 'home'),
  TMPDIR: join(dirs.xdg, 'tmp'),
  XDG_CONFIG_HOME: join(dirs.xdg, 'config'),
  XDG_DATA_HOME: join(dirs.xdg, 'data'),
  XDG_CACHE_HOME: join(dirs.xdg, 'cache'),
  XDG_RUNTIME_DIR: join(dirs.xdg, 'run'),
  EXTENSIONS_GALLERY: '{"serviceUrl":""}',
  SEVLINT_E2E_RESULTS: resultsFile,
};
mkdirSync(env.HOME, { recursive: true });
const common = ['--config', join(tmp, 'config.yaml'), '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

step = Date.now();
const install = spawnSync(process.execPath, [ENTRY, ...common, '--install-extension', VSIX], { env, encoding: 'utf8' });
const installed = readdirSync(dirs.extensions).find((d) => d.startsWith(`${pkg.publisher}.${pkg.name}-`));
if (install.status !== 0 || !installed) fail(`--install-extension ${VSIX} failed:\n${install.stdout}\n${install.stderr}`);
timings.installVsix = Date.now() - step;
log(`installed ${installed} from ${VSIX}`);

const wsTest = makeWorkspace(ROOT, join(tmp, 'ws-test'));
const wsShots = makeWorkspace(ROOT, join(tmp, 'ws-shots'));

step = Date.now();
const out = openSync(join(tmp, 'server.log'), 'w');
server = spawn(
  process.execPath,
  [ENTRY, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override'],
  { env, detached: true, stdio: ['ignore', out, out] }, // detached: its own process group
);
await waitHealthy(port);
timings.serverUp = Date.now() - step;
log(`code-server ${CODE_SERVER_VERSION} up on 127.0.0.1:${port}`);

browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});

// ------------------------------------------------------------------- tests

async function runSuite() {
  const { context, page } = await newPage('tests');
  /** @type {(code: number | string) => void} */
  let done = () => {};
  const exited = new Promise((r) => (done = r));
  await page.exposeFunction('codeAutomationLog', () => {});
  await page.exposeFunction('codeAutomationExit', (code) => done(code));
  page.on('console', (m) => {
    const t = m.text();
    const at = t.indexOf('TEST:');
    if (at >= 0) console.log(t.slice(at).replace(/%c/g, ''));
  });
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://remote${join(HERE, 'host')}`],
    ['extensionTestsPath', `vscode-remote://remote${join(HERE, 'suite', 'index.js')}`],
  ];
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(wsTest)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), SUITE_TIMEOUT_MS))]);
  if (code !== 0) await page.screenshot({ path: join(tmp, 'tests-failed.png') }).catch(() => {});
  await context.close();
  let results = [];
  try {
    results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  } catch {}
  return { code, results };
}

step = Date.now();
const { code, results } = await runSuite();
timings.suite = Date.now() - step;
const failed = results.filter((r) => !r.ok).length;
const passed = results.length - failed;
let ok = code === 0 && failed === 0 && results.length > 0;

// The "sevlint" output the suite produced (crash, restart, fix all, settings changes):
// it starts with the versions and settings, and has no stray lines such as a bare `true`.
function checkOutputLog() {
  const logs = join(dirs.userData, 'logs');
  const found = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/^\d+-sevlint\.log$/.test(e.name)) found.push(join(d, e.name));
    }
  };
  if (existsSync(logs)) walk(logs);
  if (found.length === 0) return 'no "sevlint" output log was written';
  const lines = found.flatMap((f) => readFileSync(f, 'utf8').split('\n'));
  if (!lines.some((l) => /\] sevlint \d+\.\d+\.\d+ starting: VS Code /.test(l))) return 'the output does not log the start-up versions';
  if (!lines.some((l) => /\] settings: enable=/.test(l))) return 'the output does not log the settings read';
  const stray = lines.filter((l) => /^(true|false)$/.test(l.trim()));
  return stray.length > 0 ? `the output has ${stray.length} stray line(s): ${JSON.stringify(stray)}` : undefined;
}
const outputProblem = checkOutputLog();
if (outputProblem) {
  ok = false;
  log(`output log: ${outputProblem}`);
} else log('output log: start-up logged, no stray lines');
if (code === 'timeout') log(`the suite did not finish within ${SUITE_TIMEOUT_MS} ms`);

// ------------------------------------------------------------- screenshots

// The workbench as a person uses it, driven by keyboard: typing a snippet prefix and
// pressing Enter inserts the snippet (checked always); and the README screenshots
// (skipped with SEVLINT_E2E_SHOTS=0).
/** @type {import('playwright-core').Page | undefined} */
let workbenchPage;
async function workbench() {
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  const { context, page } = await newPage('workbench');
  workbenchPage = page;
  /** @param {string} name @param {import('playwright-core').PageScreenshotOptions} [options] */
  const shot = async (name, options = {}) => {
    if (!SHOTS) return;
    await page.screenshot({ ...options, path: join(SHOTS, name) });
    log(`docs/images/${name}`);
  };
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(wsShots)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
  const palette = async (command) => {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(command);
    await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${command}"]`, { timeout: 10_000 });
    await page.keyboard.press('Enter');
  };
  const goTo = async (line, column) => {
    await page.keyboard.press('Control+G');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(`${line}:${column}`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.quick-input-widget', { state: 'hidden' });
  };

  /** @param {string} file */
  const openFile = async (file) => {
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await page.keyboard.type(file);
    // The list fills in as the file search answers: Enter once the file's row is the selected one.
    await page.waitForSelector(`.quick-input-list .monaco-list-row.focused[aria-label*="${file}"]`, { timeout: 20_000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.tab.active[aria-label*="${file}"]`, { timeout: 20_000 });
  };
  /** A hover cut out with the line it is about. @param {import('playwright-core').Locator} hover @param {string} lineText @param {string} name */
  const clipAround = async (hover, lineText, name) => {
    const box = await hover.boundingBox();
    const line = await page.locator('.monaco-editor .view-line', { hasText: lineText }).first().boundingBox();
    const editor = await page.locator('.monaco-editor').first().boundingBox();
    if (!box || !line || !editor) throw new Error(`hover, the line ${lineText} or the editor not found on screen`);
    const top = Math.max(0, Math.min(box.y, line.y) - 24);
    const bottom = Math.max(box.y + box.height, line.y + line.height) + 24;
    await shot(name, { clip: { x: editor.x, y: top, width: Math.min(900, 1280 - editor.x), height: bottom - top } });
  };

  await openFile('sev-es-as-generated.xml');
  await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 30_000 });
  await palette('Notifications: Clear All Notifications').catch(() => {});
  await page.keyboard.press('Control+Shift+M');
  await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 15_000 });
  await page.locator('.monaco-editor .view-lines').first().click({ position: { x: 5, y: 5 } });
  await goTo(21, 5); // <interface type="network">
  await page.waitForTimeout(300); // the cursor blink and the lightbulb settle
  await shot('diagnostics.png');

  await page.keyboard.press('Control+.');
  await page.waitForSelector('.action-widget .monaco-list-row', { state: 'visible', timeout: 15_000 });
  await page.waitForTimeout(200);
  await shot('quick-fix.png');
  await page.keyboard.press('Escape');

  // The sevlint commands in the palette, with the status bar item (SEV-ES 0x07 · N problems) below.
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type('sevlint: ');
  await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="Show rule documentation"]', { timeout: 10_000 });
  await page.waitForSelector('.statusbar-item[id="sevlint.sevlint.sevlint.status"], .statusbar-item[aria-label^="sevlint:"]', { timeout: 10_000 });
  await page.waitForTimeout(200);
  await shot('commands.png');
  await page.keyboard.press('Escape');

  // A hover is at most max(editor height / 4, 250) px tall: a taller window without
  // the panel fits the whole policy table; the picture is cut to the hover and its line.
  await palette('View: Hide Panel');
  await page.setViewportSize({ width: 1280, height: 1400 });
  await goTo(35, 15); // <policy>0x07</policy>
  await palette('Show or Focus Hover');
  const hover = page.locator('.monaco-hover:not(.hidden)').filter({ has: page.locator('table') });
  await hover.waitFor({ state: 'visible', timeout: 15_000 });
  await page.waitForTimeout(200);
  await clipAround(hover, '<policy>0x07</policy>', 'policy-hover.png');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The decimal-policy trap (issue 14, item 1): `<policy>196608</policy>` on SEV-SNP.
  // Ctrl+. lists "Read 196608 as decimal: 0x30000" first, preferred; the hover starts with the decoded table.
  await openFile('snp-pflash-bad-policy.xml');
  await page.waitForSelector('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning', { timeout: 30_000 });
  await goTo(25, 15); // <policy>196608</policy>
  await page.keyboard.press('Control+.');
  const first = page.locator('.action-widget .monaco-list-row.action').first();
  await first.waitFor({ state: 'visible', timeout: 15_000 });
  const firstFix = (await first.textContent()) ?? '';
  if (!firstFix.includes('Read 196608 as decimal: 0x30000')) throw new Error(`the first quick fix on <policy>196608</policy> is "${firstFix}"`);
  await page.waitForTimeout(200);
  await shot('policy-decimal-fix.png');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 1280, height: 1400 });
  await palette('Show or Focus Hover');
  const decimalHover = page.locator('.monaco-hover:not(.hidden)').filter({ has: page.locator('table') });
  await decimalHover.waitFor({ state: 'visible', timeout: 15_000 });
  await page.waitForTimeout(200);
  await clipAround(decimalHover, '<policy>196608</policy>', 'policy-decimal-hover.png');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The outline and breadcrumbs of a domain (issue 14, item 6).
  await openFile('sev-es-as-generated.xml');
  await palette('Explorer: Focus on Outline View');
  await page.locator('.pane-header', { hasText: /ws-shots/i }).first().click(); // the folder section folds: the outline gets the side bar
  await page.waitForSelector('.outline-pane .monaco-list-row[aria-label*="devices"]', { timeout: 15_000 });
  await palette('View: Focus Active Editor Group');
  await goTo(35, 15); // <policy>0x07</policy>: the breadcrumbs show domain › launchSecurity › policy
  await page.waitForTimeout(300);
  await shot('outline.png');

  // Typing a snippet prefix and pressing Enter inserts sevlint's snippet (issue 14, item 4).
  // VS Code's Emmet is on for XML and answers in the same place (it offers `ul>li`): the
  // snippet must be the item Enter takes, not an Emmet abbreviation of the typed word.
  // What Enter inserted is read from disk after saving.
  /** The rows of the suggest widget, the selected one marked with a trailing ` *`. */
  const suggestions = () =>
    page.locator('.suggest-widget.visible .monaco-list-row').evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-label')}${e.classList.contains('focused') ? ' *' : ''}`));
  /** Types `word`, waits for the list to settle, returns its rows. @param {string} word */
  const typeAndList = async (word) => {
    await page.keyboard.type(word, { delay: 20 });
    await page.waitForSelector('.suggest-widget.visible .monaco-list-row.focused', { timeout: 15_000 });
    await page.waitForTimeout(500); // every provider has answered; the list is filtered
    return suggestions();
  };
  /** @param {string} name @param {string | RegExp} expected @param {string} what */
  const savedContains = async (name, expected, what) => {
    await page.keyboard.press('Control+S');
    const file = join(wsShots, name);
    const end = Date.now() + 10_000;
    const has = () => (typeof expected === 'string' ? readFileSync(file, 'utf8').includes(expected) : expected.test(readFileSync(file, 'utf8')));
    while (!has()) {
      if (Date.now() > end) throw new Error(`${what} gave:\n${readFileSync(file, 'utf8')}`);
      await page.waitForTimeout(100);
    }
  };

  await openFile('plain-guest.xml');
  await goTo(15, 14); // the end of `  </devices>`
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  const emmet = await typeAndList('ul>li');
  if (!emmet.some((r) => r.startsWith('ul>li'))) throw new Error(`Emmet offers no ul>li in <domain>: ${JSON.stringify(emmet)}`);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.press('Backspace');
  const rows = await typeAndList('sev-launchsecurity');
  log(`completion of sev-launchsecurity in <domain>: ${JSON.stringify(rows)}`);
  if (rows.find((r) => r.endsWith(' *')) !== 'sev-launchsecurity, Snippet *') throw new Error(`the selected item for sev-launchsecurity is not the snippet: ${JSON.stringify(rows)}`);
  const widget = await page.locator('.suggest-widget.visible').boundingBox();
  const typed = await page.locator('.monaco-editor .view-line', { hasText: 'sev-launchsecurity' }).first().boundingBox();
  const editorBox = await page.locator('.monaco-editor').first().boundingBox();
  if (!widget || !typed || !editorBox) throw new Error('the suggest widget, the typed line or the editor is not on screen');
  const top = Math.max(0, typed.y - 24 * 4);
  await shot('completion.png', { clip: { x: editorBox.x, y: top, width: Math.min(1280, widget.x + widget.width + 24) - editorBox.x, height: widget.y + widget.height + 24 - top } });
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape'); // the policy choice
  await page.keyboard.press('Escape');
  const block = ['  </devices>', "  <launchSecurity type='sev'>", '    <policy>0x0003</policy>', '  </launchSecurity>', '</domain>'].join('\n');
  await savedContains('plain-guest.xml', block, 'typing sev-launchsecurity + Enter');
  log('typing sev-launchsecurity + Enter in <domain> inserts the SEV <launchSecurity> snippet');

  // An empty .xml file: sev-domain + Enter writes the whole SEV domain.
  await openFile('new-guest.xml');
  const root = await typeAndList('sev-domain');
  log(`completion of sev-domain in an empty file: ${JSON.stringify(root)}`);
  if (root.find((r) => r.endsWith(' *')) !== 'sev-domain, Snippet *') throw new Error(`the selected item for sev-domain is not the snippet: ${JSON.stringify(root)}`);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  // (indented by the editor's default, 4 spaces: an empty file has no indentation to detect)
  await savedContains('new-guest.xml', /^<domain type='kvm'>\n\s+<name>sev-guest<\/name>\n[^]*\n\s+<launchSecurity type='sev'>\n\s+<policy>0x0003<\/policy>\n\s+<\/launchSecurity>\n<\/domain>$/, 'typing sev-domain + Enter in an empty file');
  log('typing sev-domain + Enter in an empty .xml file inserts the SEV domain snippet');
  await context.close();
}

if (ok) {
  step = Date.now();
  try {
    await workbench();
  } catch (e) {
    ok = false;
    console.error(`e2e: the workbench steps failed: ${e instanceof Error ? e.message : e}`);
    await workbenchPage?.screenshot({ path: join(tmp, 'workbench-failed.png') }).catch(() => {});
  }
  timings.workbench = Date.now() - step;
}

await browser.close();
killServer();
const ms = Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`).join(', ');
log(`timings: ${ms}, total ${secs()}s`);
if (ok && process.env.SEVLINT_E2E_KEEP !== '1') rmSync(tmp, { recursive: true, force: true });
else log(`logs and state kept in ${tmp}`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
