// Bundles the VS Code extension: the client (client/src/extension.ts → dist/extension.js,
// 'vscode' external), the language server (server/src/server.ts → dist/server.js, with
// its dependencies and the Kata JSON schema inlined) and its worker thread for large
// documents (server/src/lsp/lint-worker.ts → dist/lint-worker.js, next to server.js,
// where server/src/lsp/pool.ts looks for it). All CommonJS for Node 20.
//
//   node esbuild.mjs                 development bundle with source maps
//   node esbuild.mjs --production    minified, no source maps (what the VSIX ships)
//   node esbuild.mjs --watch         rebuild on change
//   node esbuild.mjs --sync-rules    rewrite the rule ids of the sevlint.rules setting in package.json
//                                    and of schemas/sevlintrc.schema.json (.sevlintrc.json)
//   node esbuild.mjs --cli           only the command line (server/src/cli/main.ts → dist/cli.js), part of
//                                    `npm run build`: bin/sevlint loads it, a process starts faster from one
//                                    file than from the 71 modules of out/ (see README, Performance)
//
// Every build checks that package.json's `sevlint.rules` setting lists exactly the
// registry's rule ids (so settings.json completes them); it fails with the fix otherwise.
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const syncRules = process.argv.includes('--sync-rules');
const cliOnly = process.argv.includes('--cli');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'info',
};

const targets = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' },
  { ...common, entryPoints: ['server/src/lsp/lint-worker.ts'], outfile: 'dist/lint-worker.js' },
];

/** The registry's rules, read by bundling server/src/rules/index.ts in memory. */
async function registryRules() {
  const out = await esbuild.build({ ...common, entryPoints: ['server/src/rules/index.ts'], write: false, minify: false, sourcemap: false, logLevel: 'silent' });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, createRequire(import.meta.url));
  return mod.exports.allRuleMetas.map((r) => ({ id: r.id, severity: r.severity, summary: r.summary }));
}

async function checkRuleSettings() {
  const raw = readFileSync('package.json', 'utf8');
  const pkg = JSON.parse(raw);
  const setting = pkg.contributes?.configuration?.properties?.['sevlint.rules'];
  if (!setting) throw new Error('package.json: contributes.configuration.properties["sevlint.rules"] is missing');
  const rules = await registryRules();
  const want = rules.map((r) => r.id).join(',');
  const have = Object.keys(setting.properties ?? {}).join(',');
  if (want === have) return checkConfigSchema(setting);
  if (!syncRules) {
    throw new Error('package.json: the rule ids of the "sevlint.rules" setting differ from server/src/rules/index.ts; run `node esbuild.mjs --sync-rules`');
  }
  const severity = setting.additionalProperties;
  setting.properties = Object.fromEntries(
    rules.map((r) => [r.id, { ...severity, description: `${r.summary} Default: ${r.severity}.` }]),
  );
  writeFileSync('package.json', JSON.stringify(pkg, null, 2) + (raw.endsWith('\n') ? '\n' : ''));
  console.log(`package.json: sevlint.rules now lists ${rules.length} rules`);
  checkConfigSchema(setting);
}

/** The `rules` of schemas/sevlintrc.schema.json (the .sevlintrc.json file) are those of the sevlint.rules setting. */
function checkConfigSchema(setting) {
  const file = 'schemas/sevlintrc.schema.json';
  const raw = readFileSync(file, 'utf8');
  const schema = JSON.parse(raw);
  if (JSON.stringify(schema.properties.rules.properties) === JSON.stringify(setting.properties)) return;
  if (!syncRules) throw new Error(`${file}: its rules differ from the "sevlint.rules" setting; run \`node esbuild.mjs --sync-rules\``);
  schema.properties.rules.properties = setting.properties;
  writeFileSync(file, JSON.stringify(schema, null, 2) + '\n');
  console.log(`${file}: rules now lists ${Object.keys(setting.properties).length} rules`);
}

// The CLI bundle is built with every `npm run build`, also while a new rule is not in package.json yet:
// the rule setting is checked by the extension's builds and the meta test, not here.
if (cliOnly) {
  // Minified: Node parses less. No source map (a CLI stack trace names bundle lines; out/ has the maps).
  // ajv and toml-eslint-parser (with fast-uri, half the bundle) stay in node_modules: they load
  // with the first Kata file, never for a run over domain XML.
  await esbuild.build({ ...common, minify: true, sourcemap: false, logLevel: 'warning', entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', external: ['ajv', 'toml-eslint-parser'] });
  process.exit(0);
}

await checkRuleSettings();
if (syncRules) process.exit(0);

if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
