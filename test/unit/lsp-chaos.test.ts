/**
 * A short seeded chaos run of the language server (the long one:
 * `npm run fuzz:lsp -- [OPS] [SEED]`, 20 000 operations and 1000 open
 * documents by default). The invariants are in test/support/lsp-chaos.ts.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { runChaos } from '../support/lsp-chaos';

describe('language server chaos (short run)', () => {
  it('1500 random operations on up to 150 documents: no crash, no range outside its document, every edit applies to the version it names', async () => {
    const seed = 20_251_202;
    const s = await runChaos({ ops: 1500, seed, maxOpen: 150, rounds: 1, rssLimitMb: 400 });
    assert.deepEqual(s.failures, [], `npm run fuzz:lsp -- 1500 ${seed} --max-open 150 replays this run; server stderr: ${s.serverStderr.join('').slice(0, 2000)}`);
    // The run reached what it is meant to exercise.
    assert.ok(s.maxOpen >= 100, `${s.maxOpen} documents open at most`);
    assert.ok((s.counts['change-malformed'] ?? 0) > 10 && (s.counts['change-past-end'] ?? 0) > 10, JSON.stringify(s.counts));
    // How many fix-alls finish before the next edit cancels them depends on the machine's load: a few suffice.
    assert.ok(s.diagnosticsCompared > 50 && s.editsChecked > 10 && s.fixAllCompared >= 3, JSON.stringify(s));
    assert.ok((s.answers['-32602'] ?? 0) > 20 && (s.answers['result'] ?? 0) > 200, JSON.stringify(s.answers));
    console.log(`# chaos: ${s.ops} operations in ${s.seconds.toFixed(1)} s (${(s.ops / s.seconds).toFixed(0)} ops/s), RSS at most ${s.maxRssMb.toFixed(0)} MB`);
  });
});
