'use strict';
// Measures loading dist/extension.js and running its activate(), in a fresh
// Node process (run once per sample by bench/run.mjs):
//
//   node bench/activation/measure.cjs [path/to/dist/extension.js]
//
// Stubbed, through Node's module resolution (Module._resolveFilename):
// - `vscode` → bench/activation/vscode-stub.cjs (no-op API);
// - `child_process` / `node:child_process`, as required by the extension
//   bundle → the real module with fork() replaced by an in-process fake server
//   that answers `initialize` at once. So LanguageClient.start() runs all of
//   its client-side work, but no server process is started or waited for.
// Prints one JSON line: { requireMs, activateMs, totalMs, ... }.

const Module = require('node:module');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const extension = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'dist', 'extension.js'));
const stubs = {
  vscode: path.join(__dirname, 'vscode-stub.cjs'),
  child_process: path.join(__dirname, 'child-process-stub.cjs'),
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request === 'vscode') return stubs.vscode;
  if ((request === 'child_process' || request === 'node:child_process') && parent?.filename === extension) return stubs.child_process;
  return resolve.call(this, request, parent, ...rest);
};

const subscriptions = [];
const context = {
  subscriptions,
  extensionPath: path.dirname(path.dirname(extension)),
  extensionUri: { fsPath: path.dirname(path.dirname(extension)), scheme: 'file', path: path.dirname(path.dirname(extension)) },
  asAbsolutePath: (p) => path.join(path.dirname(path.dirname(extension)), p),
  globalState: { get: () => undefined, update: async () => undefined, keys: () => [], setKeysForSync() {} },
  workspaceState: { get: () => undefined, update: async () => undefined, keys: () => [] },
  secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => ({ dispose() {} }) },
  environmentVariableCollection: { replace() {}, append() {}, prepend() {}, get() {}, forEach() {}, delete() {}, clear() {} },
  extensionMode: 1,
  logUri: { fsPath: '/tmp' },
  storageUri: undefined,
  globalStorageUri: { fsPath: '/tmp' },
  extension: { id: 'sevlint.sevlint', packageJSON: {} },
};

(async () => {
  const t0 = performance.now();
  const ext = require(extension);
  const t1 = performance.now();
  await ext.activate(context);
  const t2 = performance.now();
  const fake = require(stubs.child_process);
  const result = {
    requireMs: t1 - t0,
    activateMs: t2 - t1,
    totalMs: t2 - t0,
    subscriptions: subscriptions.length,
    serverForked: fake.forked.length,
    initializeAnswered: fake.initialized,
  };
  if (typeof ext.deactivate === 'function') await Promise.race([ext.deactivate(), new Promise((r) => setTimeout(r, 500))]);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
})().catch((e) => {
  process.stdout.write(JSON.stringify({ error: String(e?.stack ?? e) }) + '\n');
  process.exit(1);
});
