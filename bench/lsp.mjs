// The language server through a real stdio JSON-RPC client (vscode-jsonrpc,
// as in test/unit/lsp.test.ts): didChange → publishDiagnostics latency, and
// the server's resident memory read from /proc/<pid>/status.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);

/** VmRSS of a process in bytes (Linux), undefined elsewhere. */
export function rssOf(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the server (bin/sevlint-language-server --stdio) and an initialized client with debounce 0. */
export async function startServer(root) {
  const { StreamMessageReader, StreamMessageWriter, createMessageConnection } = require('vscode-jsonrpc/node');
  const bin = join(root, 'bin', 'sevlint-language-server');
  // Started as a user's editor starts it: with the node flags of the program's first line.
  const flags = /^#!\/usr\/bin\/env -S node (.*)$/m.exec(readFileSync(bin, 'utf8').split('\n')[0])?.[1].split(' ') ?? [];
  const server = spawn(process.execPath, [...flags, bin, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  const waiters = [];
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    const at = performance.now();
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.version === p.version) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve({ at, params: p });
      }
    }
  });
  conn.onRequest('workspace/configuration', (params) => params.items.map(() => ({ validate: { debounceMs: 0 } })));
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } }, textDocument: { publishDiagnostics: { versionSupport: true } } },
  });
  await conn.sendNotification('initialized', {});

  const diagnosticsFor = (uri, version, timeoutMs = 30000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({ uri, version, resolve: (x) => (clearTimeout(timer), resolve(x)) });
    });

  return {
    pid: server.pid,
    /** Opens a document and waits for its first diagnostics. */
    async open(uri, text, version = 1) {
      const got = diagnosticsFor(uri, version);
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'xml', version, text } });
      return got;
    },
    close(uri) {
      return conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    },
    /** Sends a request and resolves with its answer and its latency (ms). */
    async request(method, params) {
      const t0 = performance.now();
      const result = await conn.sendRequest(method, params);
      return { ms: performance.now() - t0, result };
    },
    /** Sends one incremental change and resolves with the latency until its diagnostics arrive (ms). */
    async change(uri, version, range, newText) {
      const got = diagnosticsFor(uri, version);
      const t0 = performance.now();
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: newText }] });
      const { at, params } = await got;
      return { ms: at - t0, diagnostics: params.diagnostics.length };
    },
    /** shutdown + exit, then waits (at most 3 s) for the server to end before killing it. */
    async stop() {
      const exited = new Promise((resolve) => (server.exitCode !== null ? resolve() : server.once('exit', resolve)));
      try {
        await conn.sendRequest('shutdown');
        await conn.sendNotification('exit');
      } catch {
        // already gone
      }
      let timer;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 3000)))]);
      clearTimeout(timer);
      conn.dispose();
      if (server.exitCode === null) server.kill();
    },
  };
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

/** Line/character of the first occurrence of `needle` (ASCII text: offsets are characters). */
function positionOf(text, needle) {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`'${needle}' not in the document`);
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/**
 * Types into the `<memory>` value: each edit replaces its last digit (the
 * document length stays the same, the findings stay), as a user retyping a
 * number does. `warmup` edits go first and are not counted.
 */
export async function editLatencies(server, uri, text, { edits, warmup }) {
  await server.open(uri, text, 1);
  const anchor = "<memory unit='KiB'>";
  const start = positionOf(text, anchor);
  const valueStart = start.character + anchor.length;
  const value = /<memory unit='KiB'>(\d+)</.exec(text)[1];
  const digitAt = { line: start.line, character: valueStart + value.length - 1 };
  const range = { start: digitAt, end: { line: digitAt.line, character: digitAt.character + 1 } };
  const latencies = [];
  let findings = 0;
  let version = 1;
  for (let i = 0; i < warmup + edits; i++) {
    version++;
    const r = await server.change(uri, version, range, String(i % 10));
    findings = r.diagnostics;
    if (i >= warmup) latencies.push(r.ms);
  }
  return { latencies, findings, p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

/** Position of `offset` in `text` (ASCII: characters are offsets). */
function positionAt(text, offset) {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
}

/**
 * What an editor asks as the cursor moves over a large document, each request
 * answered before the next: a code action request without `only` (the
 * lightbulb) on a diagnostic, completion inside an element, hover on a name.
 * `count` cursor positions spread over the document; the first round warms up.
 */
export async function requestLatencies(server, uri, text, { count }) {
  const first = await server.open(uri, text, 1);
  const diagnostics = first.params.diagnostics;
  const tags = [...text.matchAll(/<(driver|target|model|source)\b/g)].map((m) => m.index);
  const pick = (xs, i) => xs[Math.floor((i * xs.length) / count)];
  const out = { codeAction: [], completion: [], hover: [] };
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < count; i++) {
      const d = pick(diagnostics, i);
      const ca = await server.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
      const tag = pick(tags, i);
      const co = await server.request('textDocument/completion', { textDocument: { uri }, position: positionAt(text, tag + 1) });
      const ho = await server.request('textDocument/hover', { textDocument: { uri }, position: positionAt(text, tag + 2) });
      if (round === 1) {
        out.codeAction.push(ca.ms);
        out.completion.push(co.ms);
        out.hover.push(ho.ms);
      }
    }
  }
  await server.close(uri);
  const stats = (xs) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95) });
  return { diagnostics: diagnostics.length, codeAction: stats(out.codeAction), completion: stats(out.completion), hover: stats(out.hover) };
}

