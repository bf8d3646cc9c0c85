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
    // Every run must keep the invariants. How much a run compares depends on timing (a diagnostic is compared only
    // when it arrives while the settings it was made with are known), so a run that compared too little is followed
    // by one with the next seed, up to three: one of them must reach what the test is meant to exercise.
    const reached = (s: Awaited<ReturnType<typeof runChaos>>): boolean =>
      s.maxOpen >= 100 &&
      (s.counts['change-malformed'] ?? 0) > 10 &&
      (s.counts['change-past-end'] ?? 0) > 10 &&
      s.diagnosticsCompared > 50 &&
      s.editsChecked > 10 &&
      s.fixAllCompared >= 3 &&
      (s.answers['-32602'] ?? 0) > 20 &&
      (s.answers['result'] ?? 0) > 200;
    let s: Awaited<ReturnType<typeof runChaos>> | undefined;
    const tried: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const seed = 20_251_202 + attempt;
      s = await runChaos({ ops: 1500, seed, maxOpen: 150, rounds: 1, rssLimitMb: 400 });
      assert.deepEqual(s.failures, [], `npm run fuzz:lsp -- 1500 ${seed} --max-open 150 replays this run; server stderr: ${s.serverStderr.join('').slice(0, 2000)}`);
      tried.push(`seed ${seed}: ${JSON.stringify({ compared: s.diagnosticsCompared, edits: s.editsChecked, fixAll: s.fixAllCompared, maxOpen: s.maxOpen, answers: s.answers })}`);
      if (reached(s)) break;
    }
    assert.ok(s && reached(s), `no run reached what the test exercises:\n${tried.join('\n')}`);
    console.log(`# chaos: ${s.ops} operations in ${s.seconds.toFixed(1)} s (${(s.ops / s.seconds).toFixed(0)} ops/s), RSS at most ${s.maxRssMb.toFixed(0)} MB`);
  });
});
