// Completion and hover on a large domain, in process: p50 and p95 over 50
// cursor positions (spread through the file, plus the <launchSecurity> block).
// Each call gets a text of its own (one more trailing space), as after an
// edit, so no result is reused from the call before.
//
//   node bench/features.mjs [OUT_DIR] [BYTES]   OUT_DIR: the compiled tree (default out/), BYTES: 500000

import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { domainOfSize } from './generate.mjs';

const require = createRequire(import.meta.url);
const out = resolve(process.argv[2] ?? 'out');
const bytes = Number(process.argv[3] ?? 500_000);
const { complete } = require(join(out, 'server', 'src', 'features', 'completion.js'));
const { hover } = require(join(out, 'server', 'src', 'features', 'hover.js'));

const text = domainOfSize(bytes);
const positions = [];
for (let i = 0; i < 40; i++) positions.push(Math.floor(((i + 0.5) * text.length) / 40));
const ls = text.indexOf('<launchSecurity');
const policy = text.indexOf('<policy>', ls) + '<policy>'.length;
positions.push(ls + 3, ls + 17, ls + 23, policy, policy + 2);
const devices = text.indexOf('<devices>');
positions.push(devices + 3, devices + 10, text.indexOf('<driver') + 8, text.length - 2, text.length);

function measure(fn) {
  const times = [];
  let k = 0;
  for (let round = 0; round < 6; round++) {
    for (const p of positions) {
      const t = text + ' '.repeat(++k);
      const t0 = process.hrtime.bigint();
      fn(t, p);
      const dt = Number(process.hrtime.bigint() - t0) / 1e6;
      if (round > 0) times.push(dt);
    }
  }
  times.sort((a, b) => a - b);
  const q = (f) => times[Math.min(times.length - 1, Math.floor(f * times.length))];
  return { p50: q(0.5).toFixed(2), p95: q(0.95).toFixed(2), n: times.length };
}

console.log(`${(text.length / 1000).toFixed(0)} kB domain, ${positions.length} positions, ${out}`);
console.log('completion ms', measure((t, p) => complete(t, p)));
console.log('hover      ms', measure((t, p) => hover(t, p)));
