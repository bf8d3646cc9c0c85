// @ts-check
/**
 * End-to-end tests of the installed sevlint extension, run inside VS Code's
 * extension host (code-server or desktop VS Code): real language client, real
 * language server, real workbench. No test framework: `run()` runs the tests
 * in order (later ones build on the documents earlier ones changed), prints
 * one `TEST:` line per test, and rejects when any failed, which VS Code turns
 * into a non-zero exit.
 *
 * The workspace is made by test/e2e/workspace.mjs (copies of examples/).
 * SEVLINT_E2E_RESULTS, when set, names a JSON file for the results.
 */
const assert = require('node:assert/strict');
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
const vscode = require('vscode');

const EXTENSION_ID = 'sevlint.sevlint';
const TIMEOUT_MS = 30_000;

/** @type {{ name: string, fn: () => Promise<void> }[]} */
const tests = [];
/** @param {string} name @param {() => Promise<void>} fn */
const test = (name, fn) => tests.push({ name, fn });

// ---------------------------------------------------------------- helpers

/** @param {string} rel */
function wsUri(rel) {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, rel);
}

/** @param {string} rel */
async function open(rel) {
  const doc = await vscode.workspace.openTextDocument(wsUri(rel));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

/** @param {vscode.Diagnostic} d */
function codeOf(d) {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/** @param {vscode.Uri} uri */
function sevlintDiagnostics(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'sevlint');
}

/**
 * Polls until `probe` returns something truthy (no fixed sleeps).
 * @template T
 * @param {() => T | undefined | false | null | Promise<T | undefined | false | null>} probe
 * @param {string} what
 */
async function waitFor(probe, what, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits for the diagnostics of `uri` to satisfy `check(codes)`.
 * @param {vscode.Uri} uri @param {(codes: string[]) => boolean} check @param {string} what
 */
function waitForCodes(uri, check, what) {
  return waitFor(() => {
    const diags = sevlintDiagnostics(uri);
    return check(diags.map(codeOf)) && diags;
  }, `${what} (have: ${sevlintDiagnostics(uri).map(codeOf).join(', ') || 'none'})`);
}

/** @param {vscode.Uri} uri @param {vscode.Range} range @param {string} kind */
async function codeActions(uri, range, kind) {
  /** @type {(vscode.CodeAction | vscode.Command)[]} */
  const all = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, kind)) ?? [];
  // A bare Command has `command: string`; a CodeAction has an optional Command object.
  return /** @type {vscode.CodeAction[]} */ (all.filter((a) => typeof a.command !== 'string'));
}

/** @param {vscode.Hover[]} hovers */
function hoverText(hovers) {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

/**
 * Counts the occurrences of `needle` in `text`.
 * @param {string} text @param {string} needle
 */
const count = (text, needle) => text.split(needle).length - 1;

const sevEs = () => wsUri('sev-es-as-generated.xml');

// ------------------------------------------------------------------ tests

test('the installed extension activates on an XML file', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  await open('sev-es-as-generated.xml');
  await waitFor(() => ext.isActive, 'the extension to activate');
  const commands = await vscode.commands.getCommands(true);
  for (const id of ['sevlint.insertLaunchSecurity', 'sevlint.disableRule', 'sevlint.showDocumentation', 'sevlint.fixAll', 'sevlint.restartServer', 'sevlint.showOutput', 'sevlint.showRuleDocumentation']) {
    assert.ok(commands.includes(id), `command ${id} is not registered`);
  }
});

test('a defective SEV-ES domain gets sevlint diagnostics with rule ids and docs links', async () => {
  const uri = sevEs();
  const diags = await waitForCodes(
    uri,
    (c) => c.includes('sev-memory-hard-limit') && c.filter((x) => x === 'sev-virtio-iommu').length === 5,
    'sev-memory-hard-limit and five sev-virtio-iommu',
  );
  const codes = diags.map(codeOf);
  for (const id of ['sev-virtio-blk-boot-disk', 'sev-interface-rom']) assert.ok(codes.includes(id), `no ${id}`);
  const limit = diags.find((d) => codeOf(d) === 'sev-memory-hard-limit');
  assert.ok(limit);
  assert.equal(limit.severity, vscode.DiagnosticSeverity.Warning);
  assert.deepEqual([limit.range.start.line, limit.range.start.character], [2, 2], 'sev-memory-hard-limit is on <memory> (3:3)');
  const iommu = diags.find((d) => codeOf(d) === 'sev-virtio-iommu');
  assert.ok(iommu && typeof iommu.code === 'object', 'the code carries a docs link');
  assert.equal(String(iommu.code.target), 'https://github.com/sevlint/sevlint/blob/main/docs/rules/sev-virtio-iommu.md');
});

test('the preferred quick fix for sev-virtio-iommu adds <driver iommu="on"/> to the interface', async () => {
  const uri = sevEs();
  const doc = await open('sev-es-as-generated.xml');
  const diag = sevlintDiagnostics(uri).find((d) => codeOf(d) === 'sev-virtio-iommu' && d.message.startsWith('virtio interface'));
  assert.ok(diag, 'no sev-virtio-iommu diagnostic on the interface');
  const actions = await codeActions(uri, diag.range, vscode.CodeActionKind.QuickFix.value);
  // vscode.executeCodeActionProvider hands actions back without their diagnostics, so
  // they are told apart here by title and by the arguments of their commands.
  const listed = JSON.stringify(actions.map((a) => [a.title, a.isPreferred ?? false, a.command?.command]));
  const preferred = actions.filter((a) => a.isPreferred && /iommu='on'/.test(a.title));
  assert.equal(preferred.length, 1, `one preferred iommu fix expected, got: ${listed}`);
  /** @param {string} id */
  const commandFor = (id) => actions.find((a) => a.command?.command === id && JSON.stringify(a.command.arguments ?? []).includes('sev-virtio-iommu'));
  // VS Code opens the page the extension ships (the client announced sevlint.showDocumentation).
  assert.ok(commandFor('sevlint.showDocumentation'), `a "Show documentation" action: ${listed}`);
  assert.ok(commandFor('sevlint.disableRule'), `a "Disable rule" action (the client announced the command): ${listed}`);

  const edit = preferred[0]?.edit;
  assert.ok(edit, 'the preferred fix has an edit');
  assert.ok(await vscode.workspace.applyEdit(edit));
  const expected = [
    '    <interface type="network">',
    '      <source network="default"/>',
    '      <model type="virtio"/>',
    '      <driver iommu="on"/>',
    '    </interface>',
  ].join('\n');
  assert.ok(doc.getText().includes(expected), `the interface after the fix:\n${doc.getText().slice(600, 760)}`);
  assert.equal(count(doc.getText(), 'iommu="on"'), 1, 'only the interface changed');
  await waitForCodes(uri, (c) => c.filter((x) => x === 'sev-virtio-iommu').length === 4, 'four sev-virtio-iommu after the fix');
});

test('hover on a <policy> value shows the decoded bits', async () => {
  const uri = sevEs();
  const doc = await open('sev-es-as-generated.xml');
  const at = doc.getText().indexOf('<policy>0x07</policy>');
  assert.ok(at >= 0);
  const position = doc.positionAt(at + '<policy>0x'.length + 1);
  /** @type {vscode.Hover[]} */
  const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, position);
  const text = hoverText(hovers);
  assert.match(text, /\|\s*0\s*\|\s*NODBG\s*\|\s*\*\*1\*\*/, `NODBG set:\n${text}`);
  assert.match(text, /\|\s*1\s*\|\s*NOKS\s*\|\s*\*\*1\*\*/, 'NOKS set');
  assert.match(text, /\|\s*2\s*\|\s*ES\s*\|\s*\*\*1\*\*/, 'ES set');
  assert.match(text, /\|\s*3\s*\|\s*NOSEND\s*\|\s*0\s*\|/, 'NOSEND clear');
});

test('the outline names the domain, its devices by kind and target, and launchSecurity with its type and policy', async () => {
  const uri = sevEs();
  await open('sev-es-as-generated.xml');
  /** @type {vscode.DocumentSymbol[]} */
  const symbols = await waitFor(async () => {
    /** @type {vscode.DocumentSymbol[] | undefined} */
    const s = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', uri);
    return s && s.length > 0 && s;
  }, 'document symbols');
  assert.equal(symbols[0]?.name, 'sev-es-guest');
  const children = symbols[0]?.children ?? [];
  const ls = children.find((c) => c.name === 'launchSecurity');
  assert.equal(ls?.detail, 'SEV-ES · policy 0x7');
  const devices = children.find((c) => c.name === 'devices');
  assert.ok(devices?.children.some((d) => d.name === 'disk vda'), (devices?.children ?? []).map((d) => d.name).join(', '));
});

test('sevlint.disableRule turns a rule off in the workspace settings, and back', async () => {
  const uri = sevEs();
  await vscode.commands.executeCommand('sevlint.disableRule', 'sev-memory-hard-limit', uri.toString());
  const rules = vscode.workspace.getConfiguration('sevlint', uri).inspect('rules');
  assert.deepEqual(rules?.workspaceValue, { 'sev-memory-hard-limit': 'off' });
  await waitForCodes(uri, (c) => !c.includes('sev-memory-hard-limit') && c.includes('sev-virtio-iommu'), 'sev-memory-hard-limit to go');
  await vscode.workspace.getConfiguration('sevlint', uri).update('rules', undefined, vscode.ConfigurationTarget.Workspace);
  await waitForCodes(uri, (c) => c.includes('sev-memory-hard-limit'), 'sev-memory-hard-limit to come back');
});

/** The API the extension's activate() returns. */
function api() {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext?.isActive);
  return /** @type {{ statusBar: () => { text: string, tooltip: string } | undefined }} */ (ext.exports);
}

test('the palette commands are under the sevlint category', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  /** @type {{ command: string, title: string, category: string }[]} */
  const contributed = ext.packageJSON.contributes.commands;
  assert.deepEqual(contributed.map((c) => `${c.category}: ${c.title}`).sort(), [
    'sevlint: Check this host',
    'sevlint: Fix all problems',
    'sevlint: Insert SEV launchSecurity',
    'sevlint: Refresh host capabilities',
    'sevlint: Restart language server',
    'sevlint: Show output',
    'sevlint: Show rule documentation…',
  ]);
  const registered = await vscode.commands.getCommands(true);
  for (const c of contributed) assert.ok(registered.includes(c.command), `${c.command} is registered`);
  await vscode.commands.executeCommand('sevlint.showOutput');
});

test('the status bar shows the SEV generation, policy and problem count of the open domain', async () => {
  const uri = sevEs();
  await open('sev-es-as-generated.xml');
  const n = sevlintDiagnostics(uri).length;
  assert.ok(n > 0);
  const shown = await waitFor(() => {
    const s = api().statusBar();
    return s && s.text.includes(`SEV-ES 0x07 · ${sevlintDiagnostics(uri).length} problems`) && s;
  }, `the status bar to say SEV-ES 0x07 · ${n} problems (has: ${api().statusBar()?.text})`);
  assert.match(shown.text, /^\$\((warning|error)\) SEV-ES 0x07 · \d+ problems$/);
  assert.match(shown.tooltip, /command:sevlint\.fixAll/);
  await open('kata/configuration-snp-from-old-guide.toml');
  await waitFor(() => /^\$\(\w+\) sevlint · \d+ problems?$/.test(api().statusBar()?.text ?? ''), `sevlint on a Kata file (has: ${api().statusBar()?.text})`);
  const other = await vscode.workspace.openTextDocument({ language: 'xml', content: '<project><name>x</name></project>\n' });
  await vscode.window.showTextDocument(other);
  await waitFor(() => api().statusBar() === undefined, 'no status bar item on XML that is not a domain');
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

test('"Show documentation" opens the rule page shipped in the extension as a Markdown preview', async () => {
  const result = await vscode.commands.executeCommand('sevlint.showDocumentation', 'sev-virtio-iommu');
  assert.equal(/** @type {{ shown: string }} */ (result).shown, 'preview', JSON.stringify(result));
  assert.match(/** @type {{ uri: string }} */ (result).uri, /\/docs\/rules\/sev-virtio-iommu\.md$/);
  const tab = await waitFor(
    () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType) && t.label.includes('sev-virtio-iommu')),
    'a Markdown preview tab of sev-virtio-iommu.md',
  );
  assert.ok(tab);
  await vscode.window.tabGroups.close(tab);
  const refused = await vscode.commands.executeCommand('sevlint.showDocumentation', 'https://example.com/x.md');
  assert.deepEqual(refused, { shown: false, reason: 'not a rule id' });
});

test('sevlint: Fix all problems applies every safe fix of the active file', async () => {
  const content = [
    "<domain type='kvm'>",
    '  <name>fixme</name>',
    "  <memory unit='GiB'>4</memory>",
    "  <os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type></os>",
    '  <devices>',
    "    <interface type='network'><source network='default'/><model type='virtio'/></interface>",
    '  </devices>',
    "  <launchSecurity type='sev'><policy>0x0003</policy></launchSecurity>",
    '</domain>',
    '',
  ].join('\n');
  const doc = await vscode.workspace.openTextDocument({ language: 'xml', content });
  await vscode.window.showTextDocument(doc);
  await waitForCodes(doc.uri, (c) => c.includes('sev-virtio-iommu'), 'sev-virtio-iommu on the untitled domain');
  const result = await vscode.commands.executeCommand('sevlint.fixAll');
  assert.deepEqual(result, { applied: true });
  assert.ok(doc.getText().includes("<driver iommu='on'/>"), doc.getText());
  await waitForCodes(doc.uri, (c) => !c.includes('sev-virtio-iommu'), 'no sev-virtio-iommu after fix all');
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

test('source.fixAll.sevlint applies every safe fix', async () => {
  const uri = sevEs();
  const doc = await open('sev-es-as-generated.xml');
  const whole = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
  const actions = await codeActions(uri, whole, 'source.fixAll.sevlint');
  const fixAll = actions.find((a) => a.kind?.value === 'source.fixAll.sevlint');
  assert.ok(fixAll?.edit, `a fix-all action (got: ${actions.map((a) => a.title).join(' | ')})`);
  assert.ok(await vscode.workspace.applyEdit(fixAll.edit));
  assert.equal(count(doc.getText(), 'iommu="on"'), 5, 'every virtio device has iommu="on"');
  assert.ok(doc.getText().includes('<locked/>'), '<memoryBacking><locked/> was added');
  // The same result as `sevlint --fix`: what is left has no safe fix (moving the boot disk changes what the guest sees).
  await waitForCodes(uri, (c) => c.length === 1 && c[0] === 'sev-virtio-blk-boot-disk', 'only sev-virtio-blk-boot-disk left');
});

test('"Fix all sev-virtio-iommu problems in this file" fixes that rule\'s findings and nothing else', async () => {
  const doc = await open('fix-rule.xml');
  const diags = await waitForCodes(doc.uri, (c) => c.filter((x) => x === 'sev-virtio-iommu').length === 5, 'five sev-virtio-iommu');
  const diag = diags.find((d) => codeOf(d) === 'sev-virtio-iommu');
  assert.ok(diag);
  const before = sevlintDiagnostics(doc.uri).map(codeOf).filter((c) => c !== 'sev-virtio-iommu').sort();
  // Resolved as VS Code resolves the one the user picks.
  /** @type {vscode.CodeAction[]} */
  const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value, 50)) ?? [];
  const fixRule = actions.find((a) => a.title === 'Fix all sev-virtio-iommu problems in this file');
  assert.ok(fixRule?.edit, `a "Fix all sev-virtio-iommu problems" action with an edit (got: ${actions.map((a) => a.title).join(' | ')})`);
  assert.ok(await vscode.workspace.applyEdit(fixRule.edit));
  assert.equal(count(doc.getText(), 'iommu="on"'), 5, 'every virtio device has iommu="on"');
  assert.ok(!doc.getText().includes('<locked/>'), "another rule's fix (<locked/>) is not applied");
  await waitForCodes(doc.uri, (c) => !c.includes('sev-virtio-iommu') && JSON.stringify([...c].sort()) === JSON.stringify(before), 'the other findings as they were');
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

test('a .sevlintrc.json next to the domain turns a rule off, and its removal turns it back on', async () => {
  const doc = await open('configured/guest.xml');
  await waitForCodes(doc.uri, (c) => c.includes('sev-virtio-iommu'), 'sev-virtio-iommu without a config file');
  const config = vscode.Uri.joinPath(doc.uri, '..', '.sevlintrc.json');
  await vscode.workspace.fs.writeFile(config, Buffer.from('{ "rules": { "sev-virtio-iommu": "off" } }\n'));
  try {
    await waitForCodes(doc.uri, (c) => c.length > 0 && !c.includes('sev-virtio-iommu'), 'sev-virtio-iommu gone with the config file');
  } finally {
    await vscode.workspace.fs.delete(config);
  }
  await waitForCodes(doc.uri, (c) => c.includes('sev-virtio-iommu'), 'sev-virtio-iommu back once the config file is gone');
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test('completion: snippets only where they may go, a launchSecurity block kept as written (no second indentation)', async () => {
  const doc = await open('plain-guest.xml');
  const original = doc.getText();
  const at = original.lastIndexOf('</domain>');
  assert.ok(at >= 0);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(doc.uri, doc.positionAt(at), '  sev-la\n');
  assert.ok(await vscode.workspace.applyEdit(edit));
  try {
    const line = doc.positionAt(at).line;
    /** @type {vscode.CompletionList} */
    const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line, 8));
    const snippet = list.items.find((i) => i.label === 'snp-launchsecurity');
    assert.ok(snippet, list.items.map((i) => String(i.label)).join(', '));
    assert.equal(snippet.kind, vscode.CompletionItemKind.Snippet);
    assert.ok(snippet.insertText instanceof vscode.SnippetString, 'in snippet syntax');
    /** @type {vscode.CompletionList} */
    const blocks = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line, 4));
    const block = blocks.items.find((i) => i.label === 'launchSecurity SEV-SNP');
    assert.ok(block, blocks.items.map((i) => String(i.label)).join(', '));
    assert.equal(block.keepWhitespace, true, 'insertTextMode asIs');
    // Inside a start tag: no snippet.
    const tag = original.indexOf('<domain') + '<domain'.length;
    /** @type {vscode.CompletionList} */
    const inTag = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, doc.positionAt(tag));
    // The editor's own word suggestions (kind Text) aside.
    const ours = inTag.items.filter((i) => i.kind !== vscode.CompletionItemKind.Text).map((i) => String(typeof i.label === 'string' ? i.label : i.label.label));
    assert.deepEqual(ours.filter((l) => /^(sev-|snp-|launchSecurity)/.test(l)), []);
  } finally {
    const undo = new vscode.WorkspaceEdit();
    undo.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), original);
    assert.ok(await vscode.workspace.applyEdit(undo));
  }
});

// What the issue measured in code-server: lightbulb requests on a 9 000-line domain took up to 4.8 s each,
// and "Fix All" once answered that no fix-all was available. A second each is the budget (issue 8).
test('on a 9 000-line domain the lightbulb and fix-all each answer within a second', async () => {
  const base = readFileSync(sevEs().fsPath, 'utf8');
  /** @param {number} i */
  const iface = (i) => `    <interface type="network">\n      <source network="net${i}"/>\n      <model type="virtio"/>\n    </interface>\n`;
  const added = 2241;
  const content = base.replace('  </devices>', Array.from({ length: added }, (_, i) => iface(i)).join('') + '  </devices>');
  assert.ok(content.split('\n').length >= 9000, `${content.split('\n').length} lines`);
  const doc = await vscode.workspace.openTextDocument({ language: 'xml', content });
  await vscode.window.showTextDocument(doc, { preview: false });
  const iommu = await waitFor(() => {
    const d = sevlintDiagnostics(doc.uri).filter((x) => codeOf(x) === 'sev-virtio-iommu');
    return d.length >= added && d;
  }, `${added} sev-virtio-iommu diagnostics on the large domain`);
  const total = iommu.length;

  // The lightbulb: a request without `only`, on findings at the start, middle and end of the document.
  for (const k of [0, 0.25, 0.5, 0.75, 1]) {
    const d = iommu[Math.round(k * (total - 1))];
    assert.ok(d);
    // The best of two requests: one busy moment of a shared machine is not the editor's speed.
    const times = [];
    /** @type {(vscode.CodeAction | vscode.Command)[]} */
    let all = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const t0 = Date.now();
      all = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, d.range)) ?? [];
      times.push(Date.now() - t0);
    }
    const titles = all.map((a) => a.title);
    assert.ok(titles.some((t) => /iommu='on'/.test(t)), `the iommu quick fix at line ${d.range.start.line + 1}: ${titles.join(' | ')}`);
    assert.ok(titles.includes('Fix all sevlint problems'), `fix-all offered in the lightbulb: ${titles.join(' | ')}`);
    assert.ok(Math.min(...times) < 1000, `the lightbulb at line ${d.range.start.line + 1} answered in ${times.join(', ')} ms (budget 1000 ms)`);
  }

  // Fix-all, as on save or from "Fix All" (each request computes it again): the best of three.
  const whole = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
  const times = [];
  /** @type {vscode.CodeAction[]} */
  let actions = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const t0 = Date.now();
    actions = await codeActions(doc.uri, whole, 'source.fixAll.sevlint');
    times.push(Date.now() - t0);
  }
  const fixAll = actions.find((a) => a.kind?.value === 'source.fixAll.sevlint');
  assert.ok(fixAll?.edit, `a fix-all action with its edit (got: ${actions.map((a) => a.title).join(' | ')})`);
  assert.ok(Math.min(...times) < 1000, `fix-all answered in ${times.join(', ')} ms (budget 1000 ms)`);
  assert.ok(await vscode.workspace.applyEdit(fixAll.edit));
  assert.equal(count(doc.getText(), 'iommu="on"'), total, 'every virtio device has iommu="on"');
  await waitFor(() => sevlintDiagnostics(doc.uri).every((x) => codeOf(x) !== 'sev-virtio-iommu'), 'no sev-virtio-iommu after fix-all');
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

test('SEV: Insert SEV launchSecurity inserts, asks before replacing, and replaces', async () => {
  const doc = await open('plain-guest.xml');
  const original = doc.getText();
  assert.ok(!original.includes('launchSecurity'));

  const inserted = await vscode.commands.executeCommand('sevlint.insertLaunchSecurity', { kind: 'sev-snp', policy: '0x30000' });
  assert.deepEqual(inserted, { applied: true });
  const snp = ["    <memballoon model='virtio'/>", '  </devices>', "  <launchSecurity type='sev-snp'>", '    <policy>0x30000</policy>', '  </launchSecurity>', '</domain>'].join('\n');
  assert.ok(doc.getText().includes(snp), `after insert:\n${doc.getText()}`);
  // The server lints the new SEV-SNP guest: it has no UEFI firmware.
  await waitForCodes(doc.uri, (c) => c.includes('sev-uefi-firmware'), 'sev-uefi-firmware on the new SEV-SNP guest');

  const before = doc.getText();
  const declined = await vscode.commands.executeCommand('sevlint.insertLaunchSecurity', { kind: 'sev', policy: '0x0003', confirm: false });
  assert.deepEqual(declined, { applied: false, reason: 'not confirmed' });
  assert.equal(doc.getText(), before, 'nothing changes when the replacement is declined');

  const replaced = await vscode.commands.executeCommand('sevlint.insertLaunchSecurity', {
    kind: 'sev',
    policy: 3,
    cbitpos: 51,
    reducedPhysBits: 1,
    confirm: true,
  });
  assert.deepEqual(replaced, { applied: true });
  const sev = ["  <launchSecurity type='sev'>", '    <cbitpos>51</cbitpos>', '    <reducedPhysBits>1</reducedPhysBits>', '    <policy>0x0003</policy>', '  </launchSecurity>', '</domain>'].join('\n');
  assert.ok(doc.getText().includes(sev), `after replace:\n${doc.getText()}`);
  assert.equal(count(doc.getText(), '<launchSecurity'), 1);

  const bad = await vscode.commands.executeCommand('sevlint.insertLaunchSecurity', { kind: 'sev-es', policy: '0x0003', confirm: true });
  assert.equal(/** @type {{ applied: boolean }} */ (bad).applied, false, 'an SEV-ES policy without the ES bit is refused');
});

test('SEV: Insert SEV launchSecurity through its QuickPicks (first kind, first preset)', async () => {
  const doc = await vscode.workspace.openTextDocument({ language: 'xml', content: '<domain type="kvm">\n  <name>picked</name>\n</domain>\n' });
  await vscode.window.showTextDocument(doc);
  let settled = false;
  const pending = Promise.resolve(vscode.commands.executeCommand('sevlint.insertLaunchSecurity')).finally(() => (settled = true));
  // Accept whatever QuickPick is open until the command returns: SEV, then its default preset.
  // (virsh is not installed here, so no third pick; a trusted host with virsh would add one.)
  await waitFor(async () => {
    if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    return settled;
  }, 'the command to finish');
  assert.deepEqual(await pending, { applied: true });
  const expected = '<domain type="kvm">\n  <name>picked</name>\n  <launchSecurity type="sev">\n    <policy>0x0003</policy>\n  </launchSecurity>\n</domain>\n';
  assert.equal(doc.getText(), expected);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

test('sevlint.host.domainCapabilities: a host finding from the configured capabilities file', async () => {
  const doc = await open('snp-cbitpos-47.xml');
  // Without host capabilities: the model-based guess.
  await waitForCodes(doc.uri, (c) => c.includes('sev-cbitpos-host'), 'sev-cbitpos-host without host capabilities');
  const config = vscode.workspace.getConfiguration('sevlint', doc.uri);
  await config.update('host.domainCapabilities', ['host/genoa.xml'], vscode.ConfigurationTarget.Workspace);
  try {
    await waitForCodes(doc.uri, (c) => c.includes('host-sev-platform') && !c.includes('sev-cbitpos-host'), 'host-sev-platform from host/genoa.xml');
    const d = sevlintDiagnostics(doc.uri).find((x) => codeOf(x) === 'host-sev-platform');
    assert.ok(d?.message.includes('(host/genoa.xml) report 51'), d?.message);
    assert.equal(d?.range.start.line, 25);
  } finally {
    await config.update('host.domainCapabilities', undefined, vscode.ConfigurationTarget.Workspace);
  }
  await waitForCodes(doc.uri, (c) => c.includes('sev-cbitpos-host'), 'the guess again once the setting is gone');
});

test('a Kata configuration.toml gets kata-swiotlb (matched by file name)', async () => {
  const doc = await open('kata/configuration-snp-from-old-guide.toml');
  console.log(`TEST: note: ${doc.fileName} has language id '${doc.languageId}'`);
  await waitForCodes(doc.uri, (c) => c.includes('kata-swiotlb') && c.includes('kata-root-device-mismatch'), 'kata-swiotlb');
});

test('a Kata template configuration-*.toml.in is linted too', async () => {
  const doc = await open('kata/configuration-qemu-snp.toml.in');
  console.log(`TEST: note: ${doc.fileName} has language id '${doc.languageId}'`);
  await waitForCodes(doc.uri, (c) => c.includes('kata-swiotlb'), 'kata-swiotlb in the template');
});

test('a Kata configuration under any .toml name is linted (snp-node1.toml, no TOML extension installed)', async () => {
  const doc = await open('nodes/snp-node1.toml');
  assert.equal(doc.languageId, 'toml', 'package.json gives .toml the toml id');
  await waitForCodes(doc.uri, (c) => c.includes('kata-swiotlb') && c.includes('kata-root-device-mismatch'), 'kata-swiotlb in snp-node1.toml');
});

/**
 * Process ids of the extension's language servers (Linux: /proc).
 * @param {string} serverJs
 */
function serverPids(serverJs) {
  /** @type {number[]} */
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(serverJs)) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

/** The extension's one running language server: its bundle's path and its process id (Linux: /proc). */
async function theServer() {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  const serverJs = vscode.Uri.joinPath(ext.extensionUri, 'dist', 'server.js').fsPath;
  const [pid] = await waitFor(() => {
    const p = serverPids(serverJs);
    return p.length === 1 && p;
  }, 'one running language server');
  assert.ok(pid);
  return { serverJs, pid };
}

test("libvirt's schema: a misspelt <sesion> is squiggled on its name, and the did-you-mean fix renames both tags", async () => {
  const uri = wsUri('schema-typo.xml');
  const doc = await open('schema-typo.xml');
  const [diag] = /** @type {vscode.Diagnostic[]} */ (await waitForCodes(uri, (c) => c.includes('libvirt-schema'), 'a libvirt-schema diagnostic'));
  assert.ok(diag);
  assert.equal(doc.getText(diag.range), 'sesion');
  assert.match(diag.message, /Element <sesion> is not allowed in <launchSecurity>: did you mean <session>\?/);
  const actions = await codeActions(uri, diag.range, vscode.CodeActionKind.QuickFix.value);
  const rename = actions.find((a) => a.title === 'Rename <sesion> to <session>');
  assert.ok(rename?.edit, `a rename fix: ${JSON.stringify(actions.map((a) => a.title))}`);
  assert.notEqual(rename.isPreferred, true, 'offered, never preferred');
  assert.ok(await vscode.workspace.applyEdit(rename.edit));
  assert.ok(doc.getText().includes('<session>AAAA</session>'), doc.getText());
  await waitForCodes(uri, (c) => !c.includes('libvirt-schema'), 'no libvirt-schema diagnostic after the fix');
});

test("libvirt's schema: completion after < in <devices> offers libvirt's device elements", async () => {
  const doc = await open('plain-guest.xml');
  const editor = vscode.window.activeTextEditor;
  assert.ok(editor && editor.document === doc);
  const line = doc.getText().split('\n').findIndex((l) => l.includes("<memballoon model='virtio'/>"));
  assert.ok(line > 0);
  const at = new vscode.Position(line + 1, 0);
  await editor.edit((b) => b.insert(at, '    <\n'));
  /** @type {vscode.CompletionList} */
  const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line + 1, 5), '<');
  const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
  for (const name of ['disk', 'interface', 'rng', 'tpm', 'video']) assert.ok(labels.includes(name), `${name} in ${labels.join(', ')}`);
  const rng = list.items.find((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'rng');
  const insert = rng?.textEdit && 'newText' in rng.textEdit ? rng.textEdit.newText : rng?.insertText;
  assert.equal(insert, "rng model=''></rng>");
  await vscode.commands.executeCommand('undo');
});

test("the language server runs with the node flags of server/src/lsp/heap.ts (a small young generation)", async () => {
  if (process.platform !== 'linux') return console.log('TEST: note: skipped (needs /proc)');
  const { pid } = await theServer();
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  assert.ok(argv.includes('--max-semi-space-size=4'), argv.join(' '));
});

test('the client restarts a crashed language server', async () => {
  if (process.platform !== 'linux') return console.log('TEST: note: skipped (needs /proc)');
  const { serverJs, pid } = await theServer();
  process.kill(pid, 'SIGKILL');
  const [next] = await waitFor(() => {
    const p = serverPids(serverJs);
    return p.length === 1 && p[0] !== pid && p;
  }, 'a new language server process');
  assert.notEqual(next, pid);
  // The new server lints an edit.
  const doc = await open('plain-guest.xml');
  const edit = new vscode.WorkspaceEdit();
  const at = doc.getText().indexOf("<type arch='x86_64' machine='pc'>");
  assert.ok(at >= 0);
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(at), doc.positionAt(at + "<type arch='x86_64' machine='pc'>".length)), "<type arch='x86_64' machine='pc-i440fx-8.2'>");
  assert.ok(await vscode.workspace.applyEdit(edit));
  await waitForCodes(doc.uri, (c) => c.includes('sev-q35-machine'), 'sev-q35-machine from the restarted server');
});

test('sevlint: Restart language server starts a new server that lints', async () => {
  if (process.platform !== 'linux') return console.log('TEST: note: skipped (needs /proc)');
  const { serverJs, pid } = await theServer();
  assert.equal(await vscode.commands.executeCommand('sevlint.restartServer'), true);
  await waitFor(() => {
    const p = serverPids(serverJs);
    return p.length === 1 && p[0] !== pid;
  }, 'a new language server process');
  const doc = await vscode.workspace.openTextDocument({ language: 'xml', content: "<domain type='kvm'><name>r</name><launchSecurity type='sev'/></domain>\n" });
  await vscode.window.showTextDocument(doc);
  await waitForCodes(doc.uri, (c) => c.includes('sev-policy-missing'), 'sev-policy-missing from the restarted server');
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

// ------------------------------------------------------------------ runner

/** @param {Promise<void>} p @param {number} ms */
function withTimeout(p, ms) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  return Promise.race([p, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`test timed out after ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

async function run() {
  /** @type {{ name: string, ok: boolean, ms: number, error?: string }[]} */
  const results = [];
  for (const t of tests) {
    const t0 = Date.now();
    try {
      await withTimeout(t.fn(), TIMEOUT_MS);
      results.push({ name: t.name, ok: true, ms: Date.now() - t0 });
      console.log(`TEST: ok - ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      results.push({ name: t.name, ok: false, ms: Date.now() - t0, error });
      console.log(`TEST: not ok - ${t.name} (${Date.now() - t0} ms)\n${error}`);
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`TEST: ${results.length - failed} passed, ${failed} failed`);
  if (process.env['SEVLINT_E2E_RESULTS']) writeFileSync(process.env['SEVLINT_E2E_RESULTS'], JSON.stringify(results, null, 2));
  if (failed > 0) throw new Error(`${failed} of ${results.length} end-to-end tests failed`);
}

module.exports = { run };
