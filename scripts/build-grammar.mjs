// Compiles libvirt's RelaxNG schemas (schemas/libvirt/*.rng) into the one
// simplified grammar the validator loads (server/src/schema/libvirt-domain.grammar.json,
// committed), and puts a copy beside the compiled server in out/. Run by
// `npm run build` after tsc; writes only what changed, atomically.
//
//   node scripts/build-grammar.mjs           regenerate
//   node scripts/build-grammar.mjs --check   exit 1 when the committed grammar is stale
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { compileSchema, serializeGrammar, LIBVIRT_SCHEMA_SOURCE } = require(path.join(root, 'out/server/src/schema/compile.js'));
const { writeChecked } = require(path.join(root, 'out/test/support/write.js'));

const dir = path.join(root, 'schemas/libvirt');
const grammar = compileSchema('domain.rng', (href) => readFileSync(path.join(dir, path.basename(href)), 'utf8'), LIBVIRT_SCHEMA_SOURCE);
const text = serializeGrammar(grammar);

const committed = path.join(root, 'server/src/schema/libvirt-domain.grammar.json');
const built = path.join(root, 'out/server/src/schema/libvirt-domain.grammar.json');
const current = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

if (process.argv.includes('--check')) {
  if (current(committed) !== text) {
    console.error(`${path.relative(root, committed)} is stale: run npm run build`);
    process.exit(1);
  }
  process.exit(0);
}
for (const file of [committed, built]) {
  if (current(file) !== text) {
    writeChecked(file, text);
    console.log(`wrote ${path.relative(root, file)} (${grammar.nodes.length} nodes, ${Buffer.byteLength(text)} bytes)`);
  }
}
