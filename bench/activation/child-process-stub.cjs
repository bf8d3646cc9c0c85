'use strict';
// child_process for the extension bundle under measurement: everything real
// except fork(), which returns an in-process fake language server. The fake
// answers `initialize` with the capabilities the real server announces (and
// `shutdown` with null) on the next tick, and ignores notifications.

const real = require('node:child_process');
const { EventEmitter } = require('node:events');
const { PassThrough } = require('node:stream');

const forked = [];
const state = { initialized: false };

const CAPABILITIES = {
  textDocumentSync: { openClose: true, change: 2 },
  codeActionProvider: { codeActionKinds: ['quickfix', 'source.fixAll.sevlint'], resolveProvider: false },
  completionProvider: { triggerCharacters: ['<', '=', '"', "'"] },
  hoverProvider: true,
  executeCommandProvider: { commands: ['sevlint.server.showDocumentation'] },
};

function fork(modulePath, args) {
  const child = new EventEmitter();
  child.pid = 424242;
  child.stdin = new PassThrough();
  child.stdout = new PassThrough();
  child.stderr = new PassThrough();
  child.connected = true;
  child.exitCode = null;
  child.kill = () => {
    child.connected = false;
    setImmediate(() => child.emit('exit', 0, null));
    return true;
  };
  child.send = (msg, _handle, _options, cb) => {
    const callback = [_handle, _options, cb].find((x) => typeof x === 'function');
    if (msg && msg.id !== undefined && msg.method === 'initialize') {
      state.initialized = true;
      setImmediate(() => child.emit('message', { jsonrpc: '2.0', id: msg.id, result: { capabilities: CAPABILITIES, serverInfo: { name: 'sevlint' } } }));
    } else if (msg && msg.id !== undefined && msg.method === 'shutdown') {
      setImmediate(() => child.emit('message', { jsonrpc: '2.0', id: msg.id, result: null }));
    } else if (msg && msg.id !== undefined && msg.method !== undefined) {
      setImmediate(() => child.emit('message', { jsonrpc: '2.0', id: msg.id, result: null }));
    }
    if (callback) setImmediate(() => callback(null));
    return true;
  };
  forked.push({ modulePath, args });
  return child;
}

module.exports = {
  ...real,
  fork,
  forked,
  get initialized() {
    return state.initialized;
  },
};
