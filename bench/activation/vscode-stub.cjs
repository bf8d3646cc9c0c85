'use strict';
// A minimal, do-nothing stand-in for the `vscode` module, enough for
// dist/extension.js to load and activate outside VS Code. Every API not named
// below is a no-op: calling or constructing it returns another no-op, events
// return disposables, collections are empty. Nothing here does work, so the
// time measured is what the extension's own code (and the bundled
// vscode-languageclient) costs.

const cache = new WeakMap();
function noop(path) {
  const target = function () {};
  const proxy = new Proxy(target, {
    get(t, key) {
      if (key === 'then') return undefined; // not a thenable
      if (key === Symbol.iterator) return function* () {};
      if (key === Symbol.toPrimitive) return (hint) => (hint === 'number' ? 0 : '');
      if (key === 'toString' || key === 'toJSON') return () => path;
      if (key === 'length') return 0;
      let kids = cache.get(t);
      if (!kids) cache.set(t, (kids = new Map()));
      if (!kids.has(key)) kids.set(key, noop(`${path}.${String(key)}`));
      return kids.get(key);
    },
    apply: () => noop(`${path}()`),
    construct: () => noop(`new ${path}()`),
  });
  return proxy;
}

class Disposable {
  constructor(fn) {
    this._fn = fn;
  }
  static from(...ds) {
    return new Disposable(() => ds.forEach((d) => d?.dispose?.()));
  }
  dispose() {
    this._fn?.();
  }
}
class EventEmitter {
  constructor() {
    this._listeners = [];
    this.event = (l) => (this._listeners.push(l), new Disposable(() => {}));
  }
  fire(e) {
    for (const l of this._listeners) l(e);
  }
  dispose() {}
}
const event = () => new Disposable(() => {});
const outputChannel = (name) => ({ name, append() {}, appendLine() {}, replace() {}, clear() {}, show() {}, hide() {}, dispose() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {}, logLevel: 2, onDidChangeLogLevel: event });
const configuration = { get: (_k, d) => d, has: () => false, inspect: () => undefined, update: async () => undefined };

const statusBarItem = () => ({ text: '', tooltip: '', command: undefined, name: '', show() {}, hide() {}, dispose() {} });

const base = {
  version: '1.100.0',
  Disposable,
  EventEmitter,
  // Enums the extension reads at activation (a bundle's module interop copies only the keys that exist).
  StatusBarAlignment: { Left: 1, Right: 2 },
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  QuickPickItemKind: { Separator: -1, Default: 0 },
  languages: { onDidChangeDiagnostics: event, getDiagnostics: () => [], match: () => 0 },
  env: { appName: 'stub', appRoot: '/', language: 'en', machineId: 'stub', sessionId: 'stub', uiKind: 1, remoteName: undefined, shell: '/bin/sh', openExternal: async () => true },
  workspace: {
    workspaceFolders: undefined,
    textDocuments: [],
    notebookDocuments: [],
    isTrusted: true,
    getConfiguration: () => configuration,
    getWorkspaceFolder: () => undefined,
    onDidChangeConfiguration: event,
    onDidOpenTextDocument: event,
    onDidChangeTextDocument: event,
    onDidCloseTextDocument: event,
    onDidSaveTextDocument: event,
    onWillSaveTextDocument: event,
    onDidChangeWorkspaceFolders: event,
    onDidGrantWorkspaceTrust: event,
    createFileSystemWatcher: () => ({ onDidCreate: event, onDidChange: event, onDidDelete: event, dispose() {} }),
  },
  window: {
    createOutputChannel: outputChannel,
    createStatusBarItem: statusBarItem,
    activeTextEditor: undefined,
    visibleTextEditors: [],
    onDidChangeActiveTextEditor: event,
    onDidChangeVisibleTextEditors: event,
    showErrorMessage: async () => undefined,
    showWarningMessage: async () => undefined,
    showInformationMessage: async () => undefined,
  },
  commands: { registerCommand: () => new Disposable(() => {}), executeCommand: async () => undefined },
};

function withFallback(obj, path) {
  return new Proxy(obj, {
    get(t, key) {
      if (key in t) {
        const v = t[key];
        return v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype ? withFallback(v, `${path}.${String(key)}`) : v;
      }
      if (key === 'then' || typeof key === 'symbol') return undefined;
      return (t[key] = noop(`${path}.${String(key)}`));
    },
  });
}

module.exports = withFallback(base, 'vscode');
