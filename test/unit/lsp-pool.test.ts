/**
 * The language server's work pool (server/src/lsp/pool.ts): large documents
 * are linted in a worker thread with the same result as on the main thread;
 * cancellation is answered at once; a worker busy too long after a
 * cancellation is replaced; without workers, everything runs inline.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-languageserver';
import { DEFAULT_POOL_OPTIONS, WorkPool, type PoolOptions } from '../../server/src/lsp/pool';
import { runJob } from '../../server/src/lsp/work';
import { ROOT } from '../support/fixtures';
import { loadCorpus } from '../support/fuzz';

const domainText = fs.readFileSync(path.join(ROOT, 'examples', 'domain', 'sev-es-as-generated.xml'), 'utf8');

function large(bytes: number): string {
  const disk = (i: number) => `    <disk type="file" device="disk"><driver name="qemu" type="raw"/><source file="/i/d${i}.img"/><target dev="vd${i}" bus="virtio"/></disk>\n`;
  const disks: string[] = [];
  for (let i = 0, n = domainText.length; n < bytes; i++) n += (disks[disks.length] = disk(i)).length;
  return domainText.replace('  </devices>', disks.join('') + '  </devices>');
}

function pool(options: Partial<PoolOptions> = {}): { pool: WorkPool; logs: string[] } {
  const logs: string[] = [];
  return { pool: new WorkPool({ ...DEFAULT_POOL_OPTIONS, inlineBelow: 0, log: (m) => logs.push(m), ...options }), logs };
}

describe('work pool', () => {
  it('gives the same results in a worker as on the main thread (findings and fixes are plain data)', async () => {
    const { pool: p } = pool();
    try {
      const corpus = loadCorpus().filter((_, i) => i % 7 === 0).slice(0, 60);
      for (const f of corpus) {
        const options = { fileName: f.name };
        const inWorker = await p.run({ op: 'lint', text: f.text, options });
        assert.deepEqual(inWorker, runJob({ op: 'lint', text: f.text, options }, () => false), f.name);
        assert.deepEqual(await p.run({ op: 'fixAll', text: f.text, options }), runJob({ op: 'fixAll', text: f.text, options }, () => false), f.name);
      }
      const at = domainText.indexOf('0x07') + 1;
      assert.deepEqual(await p.run({ op: 'hover', text: domainText, offset: at, fileName: '/g.xml' }), runJob({ op: 'hover', text: domainText, offset: at, fileName: '/g.xml' }, () => false));
      assert.equal(p.workers, 1);
    } finally {
      p.dispose();
    }
  });

  it('runs short texts on the main thread without starting a worker', async () => {
    const { pool: p } = pool({ inlineBelow: 64 * 1024 });
    const r = await p.run({ op: 'lint', text: domainText, options: {} });
    assert.ok(r.ok && r.value.findings.length > 0);
    assert.equal(p.workers, 0);
    p.dispose();
  });

  it('answers a cancellation at once, queued or running; a running fix-all stops after its pass and the worker goes on', async () => {
    const { pool: p } = pool({ size: 1 });
    try {
      await p.run({ op: 'lint', text: domainText, options: {} }); // the worker is up
      const text = large(600_000);
      const running = new CancellationTokenSource();
      const queued = new CancellationTokenSource();
      const first = p.run({ op: 'fixAll', text, options: {} }, running.token);
      const second = p.run({ op: 'fixAll', text, options: {} }, queued.token);
      const third = p.run({ op: 'lint', text: domainText, options: {} });
      queued.cancel();
      assert.deepEqual(await second, { ok: false, cancelled: true });
      await new Promise((r) => setTimeout(r, 50));
      const t = performance.now();
      running.cancel();
      assert.deepEqual(await first, { ok: false, cancelled: true });
      assert.ok(performance.now() - t < 50, 'answered at once');
      const after = await third;
      assert.ok(after.ok && after.value.findings.length > 0, 'the worker takes the next job');
      assert.equal(p.workers, 1, 'the same worker: it stopped between passes');
    } finally {
      p.dispose();
    }
  });

  it('replaces a worker still busy with a cancelled job after killAfterMs', async () => {
    const { pool: p, logs } = pool({ size: 1, killAfterMs: 20 });
    try {
      await p.run({ op: 'lint', text: domainText, options: {} }); // the worker is up
      const source = new CancellationTokenSource();
      const job = p.run({ op: 'lint', text: large(1_500_000), options: {} }, source.token);
      await new Promise((r) => setTimeout(r, 100));
      source.cancel();
      assert.deepEqual(await job, { ok: false, cancelled: true });
      const next = await p.run({ op: 'lint', text: domainText, options: {} });
      assert.ok(next.ok && next.value.findings.length > 0);
      assert.ok(logs.some((l) => /a cancelled lint of \d+ characters was still running after 20 ms; its worker is replaced/.test(l)), logs.join('\n'));
    } finally {
      p.dispose();
    }
  });

  it('falls back to the main thread when no worker can start', async () => {
    const { pool: p, logs } = pool({ workerFile: path.join(ROOT, 'no-such-worker.js') });
    const r = await p.run({ op: 'lint', text: domainText, options: {} });
    assert.ok(r.ok && r.value.findings.length > 0);
    assert.ok(logs.some((l) => l.includes('large documents are linted on the main thread')), logs.join('\n'));
    p.dispose();
  });
});
