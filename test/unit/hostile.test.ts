/**
 * Hostile inputs, each through the real CLI (bin/sevlint, spawned with a
 * timeout) and the real language server (stdio): the CLI answers within
 * seconds with exit 0/1/2 and at most one line on stderr; the server answers,
 * and still answers hover and diagnostics on a normal document afterwards.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { detectKind, lint } from '../../server/src/linter';
import { MAX_TOML_DEPTH, parseToml } from '../../server/src/toml/parse';
import { MAX_XML_DEPTH, parseXml } from '../../server/src/xml/parse';
import { ROOT } from '../support/fixtures';
import { LspClient } from '../support/lsp-client';

const SEV_DOMAIN = (name: string, policy: string, prolog = ''): string =>
  `${prolog}<domain type="kvm">
  <name>${name}</name>
  <memory unit="GiB">4</memory>
  <memoryBacking><locked/></memoryBacking>
  <os firmware="efi"><type arch="x86_64" machine="q35">hvm</type></os>
  <launchSecurity type="sev"><policy>${policy}</policy></launchSecurity>
</domain>
`;

const normalText = fs.readFileSync(path.join(ROOT, 'examples', 'domain', 'sev-es-as-generated.xml'), 'utf8');
const kataText = fs.readFileSync(path.join(ROOT, 'examples', 'kata', 'configuration-snp.toml'), 'utf8');

/** Deterministic pseudo-random bytes. */
function randomBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

let dir = '';

/**
 * Runs bin/sevlint; fails unless it exits 0, 1 or 2, with at most one stderr
 * line and no stack trace. `timeoutMs` only stops a run that hangs; speed is
 * asserted as ratios ({@link scaling}), never as a time limit.
 */
function cli(args: readonly string[], timeoutMs = 120_000): CliResult {
  const t = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'sevlint'), ...args], { cwd: dir, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t;
  assert.equal(r.error, undefined, `sevlint ${args.join(' ')}: ${r.error?.message} after ${Math.round(ms)} ms`);
  assert.ok(r.status === 0 || r.status === 1 || r.status === 2, `exit status ${r.status} (signal ${r.signal})`);
  // One line of error (a usage error adds the usual pointer to --help).
  assert.ok(r.stderr.split('\n').filter((l) => l && l !== "Try 'sevlint --help'.").length <= 1, `at most one stderr line, got: ${r.stderr.slice(0, 500)}`);
  assert.ok(!r.stderr.includes('    at ') && !r.stdout.includes('    at '), 'no stack trace');
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms };
}

/**
 * How the time of `run(size)` grows from `n` to `4 * n` (best of five at
 * each size, so another job on the machine moves it little): about 4 when the
 * work is linear, 16 when it is quadratic.
 */
function scaling(n: number, run: (size: number) => void): number {
  // The two sizes take turns, so a busy moment (another test file runs beside this one) falls on both alike.
  let small = Infinity;
  let large = Infinity;
  const time = (size: number): number => {
    const t = performance.now();
    run(size);
    return performance.now() - t;
  };
  for (let i = 0; i < 5; i++) {
    small = Math.min(small, time(n));
    large = Math.min(large, time(4 * n));
  }
  return large / Math.max(small, 0.05);
}

/** Linear, with room for noise and caches: far below the 16 of quadratic work. */
const LINEAR = 8;

function write(name: string, content: string | Buffer): string {
  fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  fs.writeFileSync(path.join(dir, name), content);
  return name;
}

/** The finding lines of text output (all but the summary). */
function findingLines(stdout: string): string[] {
  return stdout.trimEnd().split('\n').slice(0, -1);
}

describe('hostile inputs (CLI and language server)', () => {
  let client: LspClient;
  let httpServer: http.Server;
  let port = 0;
  const httpRequests: string[] = [];
  const secret = `sevlint-secret-${process.pid}-${Date.now()}`;
  let secretFile = '';
  const normalUri = 'file:///work/normal.xml';

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-hostile-'));
    secretFile = path.join(dir, 'secret.txt');
    fs.writeFileSync(secretFile, `${secret}\n`);
    httpServer = http.createServer((req, res) => {
      httpRequests.push(req.url ?? '');
      res.end(`<!ENTITY leaked "${secret}">`);
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    port = (httpServer.address() as { port: number }).port;
    client = new LspClient({ validate: { debounceMs: 0 } });
    await client.initialize();
    const first = client.nextDiagnostics(normalUri, 10_000);
    client.open(normalUri, normalText);
    await first;
  });

  after(() => {
    client.dispose();
    httpServer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Opens `text` in the server: expects an answer (a code action request on
   * it, and diagnostics when `expectDiagnostics`), then checks the server
   * still answers hover and fresh diagnostics on the normal document.
   */
  async function throughServer(uri: string, text: string, expectDiagnostics: boolean, timeoutMs = 20_000): Promise<Diagnostic[]> {
    const diagnostics = expectDiagnostics ? client.nextDiagnostics(uri, timeoutMs) : undefined;
    client.open(uri, text, uri.endsWith('.xml') ? 'xml' : 'toml');
    const actions = await client.request<unknown[] | null>(
      'textDocument/codeAction',
      { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } },
      timeoutMs,
    );
    assert.ok(actions === null || Array.isArray(actions));
    const got: PublishDiagnosticsParams | undefined = diagnostics ? await diagnostics : undefined;
    client.close(uri);
    // The server is still there and answers on a normal document.
    assert.equal(client.exited, false, 'the server is still running');
    const doc = TextDocument.create(normalUri, 'xml', 1, normalText);
    const hover = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: normalUri }, position: doc.positionAt(normalText.indexOf('0x07') + 1) }, 5_000);
    assert.match(hover!.contents.value, /NODBG/);
    const again = client.nextDiagnostics('file:///work/normal-again.xml', 5_000);
    client.open('file:///work/normal-again.xml', normalText);
    assert.ok((await again).diagnostics.some((d) => d.code === 'sev-virtio-iommu'));
    client.close('file:///work/normal-again.xml');
    return got?.diagnostics ?? [];
  }

  it('billion laughs: entities are never expanded', async () => {
    const lol = ['<!ENTITY lol "lol">'];
    for (let k = 1; k <= 9; k++) lol.push(`<!ENTITY lol${k} "${`&lol${k - 1 || ''};`.replace('&lol0;', '&lol;').repeat(10)}">`);
    const text = SEV_DOMAIN('&lol9;', '&lol9;', `<?xml version="1.0"?>\n<!DOCTYPE domain [\n ${lol.join('\n ')}\n]>\n`);
    write('lol.xml', text);
    const r = cli(['lol.xml']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /The policy '&lol9;' is not a hexadecimal number/);
    assert.ok(r.stdout.length < 2000, 'nothing was expanded');
    assert.ok(!r.stdout.includes('lollol'));
    const d = await throughServer('file:///work/lol.xml', text, true);
    assert.deepEqual(d.map((x) => x.code), ['sev-policy-format']);
    assert.ok(JSON.stringify(d).length < 2000 && !JSON.stringify(d).includes('lollol'));
  });

  it('external entities and DTDs (file and http): never resolved or read', async () => {
    const prolog =
      `<?xml version="1.0"?>\n<!DOCTYPE domain SYSTEM "http://127.0.0.1:${port}/domain.dtd" [\n` +
      ` <!ENTITY secret SYSTEM "file://${secretFile}">\n` +
      ` <!ENTITY passwd SYSTEM "file:///etc/passwd">\n` +
      ` <!ENTITY remote SYSTEM "http://127.0.0.1:${port}/remote">\n` +
      ` <!ENTITY % param SYSTEM "http://127.0.0.1:${port}/param.dtd">\n %param;\n]>\n`;
    const text = SEV_DOMAIN('&secret;&passwd;&remote;&leaked;', '&secret;', prolog);
    write('xxe.xml', text);
    const r = cli(['--format', 'json', 'xxe.xml']);
    assert.equal(r.status, 1);
    const out = r.stdout + r.stderr;
    assert.match(out, /The policy '&secret;' is not a hexadecimal number/);
    assert.ok(!out.includes(secret), 'the secret file was not read');
    assert.ok(!/root:.*:0:0:/.test(out), '/etc/passwd was not read');
    const d = await throughServer('file:///work/xxe.xml', text, true);
    assert.deepEqual(d.map((x) => x.code), ['sev-policy-format']);
    assert.ok(!JSON.stringify(d).includes(secret) && !/root:.*:0:0:/.test(JSON.stringify(d)));
    // A DOCTYPE where none may be is reported, not read.
    const inner = `<domain type="kvm"><!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:${port}/inner">]><name>&e;</name></domain>\n`;
    write('xxe-inner.xml', inner);
    const r2 = cli(['xxe-inner.xml']);
    assert.equal(r2.status, 1);
    assert.match(r2.stdout, /^xxe-inner\.xml:1:20 {2}error {2}Not well-formed XML: A DOCTYPE declaration is only allowed before the root element\. {2}xml-not-well-formed$/m);
    await throughServer('file:///work/xxe-inner.xml', inner, true);
    assert.deepEqual(httpRequests, [], 'no network access');
  });

  it(`200 000-deep nesting: one clear diagnostic past ${MAX_XML_DEPTH} levels, no stack overflow`, async () => {
    const n = 200_000;
    const closed = '<domain type="kvm">' + '<a>'.repeat(n) + '</a>'.repeat(n) + '</domain>\n';
    const open = '<domain type="kvm">' + '<a x="1">'.repeat(n);
    write('deep.xml', closed);
    write('deep-open.xml', open);
    const r = cli(['deep.xml', 'deep-open.xml']);
    assert.equal(r.status, 1);
    const message = `Not well-formed XML: Elements are nested more than ${MAX_XML_DEPTH} deep; sevlint does not read further.`;
    assert.deepEqual(findingLines(r.stdout), [
      // At the name of the first element too deep: <domain type="kvm"> is 19 characters, then MAX_XML_DEPTH - 1 elements.
      `deep.xml:1:${19 + 3 * (MAX_XML_DEPTH - 1) + 2}  error  ${message}  xml-not-well-formed`,
      `deep-open.xml:1:${19 + 9 * (MAX_XML_DEPTH - 1) + 2}  error  ${message}  xml-not-well-formed`,
    ]);
    const d = await throughServer('file:///work/deep.xml', closed, true);
    assert.deepEqual(d.map((x) => [x.code, x.message, x.range.start.character]), [['xml-not-well-formed', message, 19 + 3 * (MAX_XML_DEPTH - 1) + 1]]);
  });

  it('a 20 MB attribute: over --max-file-size, one information line and not read; under a raised limit, linted in seconds', async () => {
    // A qemu:arg value is any string, so the schema has nothing to say about the size either.
    const text = SEV_DOMAIN('big', '0x07')
      .replace('<domain type="kvm"', '<domain type="kvm" xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0"')
      .replace('</domain>', `<qemu:commandline><qemu:arg value="${'A'.repeat(20 * 1024 * 1024)}"/></qemu:commandline></domain>`);
    write('big.xml', text);
    const size = Buffer.byteLength(text);
    const r = cli(['big.xml']);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `big.xml:1:1  information  sevlint skips this file: ${size} bytes is more than --max-file-size (5000000).  file-too-large\n1 problem (0 errors, 0 warnings, 1 info) in 1 file.\n`);
    const raised = cli(['--max-file-size', '30000000', 'big.xml'], 60_000);
    assert.equal(raised.status, 0);
    assert.equal(raised.stdout, 'No problems in 1 file.\n');
    const d = await throughServer('file:///work/big.xml', text, true, 60_000);
    assert.equal(d.length, 1);
    assert.equal(d[0]!.severity, 3);
    assert.match(d[0]!.message, /^sevlint skips this file: \d+ characters is more than sevlint\.maxFileSize \(5000000\)\.$/);
  });

  it('random bytes: a domain full of them, and a file of nothing else', async () => {
    const noise = randomBytes(256 * 1024, 42);
    write('random.xml', Buffer.concat([Buffer.from('<domain type="kvm">\n'), noise]));
    write('random.bin', noise);
    write('configuration-random.toml', noise);
    const r = cli(['random.xml', 'random.bin', 'configuration-random.toml']);
    assert.equal(r.status, 1);
    const lines = findingLines(r.stdout);
    assert.equal(lines.length, 2, r.stdout.slice(0, 1000));
    assert.match(lines[0]!, /^random\.xml:\d+:\d+ {2}error {2}Not well-formed XML: .{1,600} {2}xml-not-well-formed$/);
    assert.match(lines[1]!, /^configuration-random\.toml:\d+:\d+ {2}error {2}Invalid TOML: .+ {2}toml-syntax$/);
    assert.match(r.stdout, /in 2 files\.\n$/, 'random.bin is not something sevlint lints');
    const text = '<domain type="kvm">\n' + noise.toString('latin1');
    const d = await throughServer('file:///work/random.xml', text, true);
    assert.deepEqual(d.map((x) => x.code), ['xml-not-well-formed']);
    await throughServer('file:///work/random.bin.xml', noise.toString('utf8'), false);
  });

  it('UTF-16 with a byte order mark: decoded, linted with exact positions, and --fix writes UTF-16 back', () => {
    const text = SEV_DOMAIN('utf16', '0x07').replace('firmware="efi"', 'firmware="bios"').replace('\n  <memoryBacking><locked/></memoryBacking>', '');
    write('utf8.xml', text);
    write('utf16le.xml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    write('utf16be.xml', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
    const r8 = cli(['utf8.xml']);
    assert.equal(r8.status, 1);
    for (const f of ['utf16le.xml', 'utf16be.xml']) {
      const r = cli([f]);
      assert.equal(r.status, 1);
      assert.equal(r.stdout.replaceAll(f, 'utf8.xml'), r8.stdout);
    }
    assert.match(r8.stdout, /^utf8\.xml:4:7 {2}error {2}<os firmware='bios'>/m);
    // --fix: the memory fix applies; the file stays UTF-16 with its BOM.
    const fixed8 = cli(['--fix', 'utf8.xml']);
    const fixedLe = cli(['--fix', 'utf16le.xml']);
    const fixedBe = cli(['--fix', 'utf16be.xml']);
    assert.equal(fixedLe.stdout.replaceAll('utf16le.xml', 'utf8.xml'), fixed8.stdout);
    assert.equal(fixedBe.stdout.replaceAll('utf16be.xml', 'utf8.xml'), fixed8.stdout);
    const after8 = fs.readFileSync(path.join(dir, 'utf8.xml'), 'utf8');
    assert.notEqual(after8, text, 'something was fixed');
    const le = fs.readFileSync(path.join(dir, 'utf16le.xml'));
    assert.deepEqual([...le.subarray(0, 2)], [0xff, 0xfe]);
    assert.equal(le.subarray(2).toString('utf16le'), after8);
    const be = fs.readFileSync(path.join(dir, 'utf16be.xml'));
    assert.deepEqual([...be.subarray(0, 2)], [0xfe, 0xff]);
    assert.equal(Buffer.from(be.subarray(2)).swap16().toString('utf16le'), after8);
  });

  it('invalid UTF-8: linted, but --fix never rewrites it', () => {
    const text = SEV_DOMAIN('latin1-\u00e9', '0x07').replace('\n  <memoryBacking><locked/></memoryBacking>', '');
    const bytes = Buffer.from(text, 'latin1');
    write('latin1.xml', bytes);
    const r = cli(['--fix', 'latin1.xml']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^latin1\.xml:1:1 {2}information {2}sevlint does not fix this file: it is not valid UTF-8/m);
    assert.match(r.stdout, /sev-memory-hard-limit/);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'latin1.xml')), bytes);
  });

  it('CRLF and a UTF-8 BOM: positions exact, in the CLI and the server', async () => {
    const lf = SEV_DOMAIN('crlf', '0x07').replace('firmware="efi"', 'firmware="bios"');
    const crlf = '\ufeff' + lf.replace(/\n/g, '\r\n');
    write('lf.xml', lf);
    write('crlf-bom.xml', crlf);
    const a = cli(['lf.xml']);
    const b = cli(['crlf-bom.xml']);
    assert.equal(a.status, 1);
    assert.equal(b.stdout.replaceAll('crlf-bom.xml', 'lf.xml'), a.stdout);
    // An error on the first line, after the BOM: the column does not count the BOM.
    write('bom-error.xml', '\ufeff<domain a=1>\r\n</domain>\r\n');
    assert.match(cli(['bom-error.xml']).stdout, /^bom-error\.xml:1:9 {2}error {2}Not well-formed XML: The value of attribute 'a' must be quoted /);
    // A client that sends the BOM as part of the text gets ranges in that text.
    const doc = TextDocument.create('file:///work/crlf-bom.xml', 'xml', 1, crlf);
    const d = await throughServer('file:///work/crlf-bom.xml', crlf, true);
    const at = crlf.indexOf('firmware="bios"');
    const f = d.find((x) => x.code === 'sev-uefi-firmware')!;
    assert.deepEqual(f.range.start, doc.positionAt(at));
    const bad = '\ufeff<domain a=1>\r\n</domain>\r\n';
    const e = await throughServer('file:///work/bom-error.xml', bad, true);
    assert.deepEqual(e[0]!.range.start, { line: 0, character: bad.indexOf('a=1') });
  });

  it('truncated files, XML and TOML: one syntax error each', async () => {
    const xml = SEV_DOMAIN('cut', '0x07', '<?xml version="1.0"?>\n<!-- a comment -->\n');
    const xmlCuts = ['<?xml vers', '<!-- a com', '<domain ty', '<domain type="kv', '<name>cu', '</name', '<launchSecurity type="sev"><policy>0x0', '</launchSecurity>\n</dom'];
    const tomlCuts = ['[hypervisor.q', 'path = "/opt/ka', 'kernel_params = "', 'machine_type =', '[agent.kat'];
    const files: string[] = [];
    for (const [k, c] of xmlCuts.entries()) files.push(write(`cut/x${k}.xml`, xml.slice(0, xml.indexOf(c) + c.length)));
    for (const [k, c] of tomlCuts.entries()) {
      assert.ok(kataText.includes(c), c);
      files.push(write(`cut/configuration-${k}.toml`, kataText.slice(0, kataText.indexOf(c) + c.length)));
    }
    const r = cli(['--format', 'json', ...files]);
    assert.equal(r.status, 1);
    const out = JSON.parse(r.stdout) as { file: string; diagnostics: { ruleId: string }[] }[];
    // Cut before <domain, a file is not recognised as a domain and not linted.
    assert.deepEqual(out.map((f) => f.file), files.filter((f) => !/x[01]\.xml$/.test(f)));
    for (const f of out) assert.deepEqual(f.diagnostics.map((x) => x.ruleId), [f.file.endsWith('.xml') ? 'xml-not-well-formed' : 'toml-syntax'], f.file);
    const d = await throughServer('file:///work/cut.xml', xml.slice(0, xml.indexOf('</name') + 6), true);
    assert.deepEqual(d.map((x) => x.code), ['xml-not-well-formed']);
    const t = await throughServer('file:///work/configuration.toml', kataText.slice(0, kataText.indexOf('path = "/opt/ka') + 15), true);
    assert.deepEqual(t.map((x) => x.code), ['toml-syntax']);
  });

  it(`TOML garbage and 100 000-deep arrays and inline tables: one clear diagnostic past ${MAX_TOML_DEPTH} levels`, async () => {
    const n = 100_000;
    const arrays = 'a = ' + '['.repeat(n) + ']'.repeat(n) + '\n';
    const tables = '[hypervisor.qemu]\na = ' + '{ b = '.repeat(n) + '1' + ' }'.repeat(n) + '\n';
    const garbage = '[hypervisor.qemu]\n' + '= ] [ "\'\'\' {{ @ # \\u12\n'.repeat(1000);
    write('configuration-arrays.toml', arrays);
    write('configuration-tables.toml', tables);
    write('configuration-garbage.toml', garbage);
    const r = cli(['configuration-arrays.toml', 'configuration-tables.toml', 'configuration-garbage.toml']);
    assert.equal(r.status, 1);
    const message = `Invalid TOML: Arrays and inline tables are nested more than ${MAX_TOML_DEPTH} deep; sevlint does not read further.`;
    const lines = findingLines(r.stdout);
    assert.deepEqual(lines.slice(0, 2), [`configuration-arrays.toml:1:${5 + MAX_TOML_DEPTH}  error  ${message}  toml-syntax`, `configuration-tables.toml:2:${5 + 6 * MAX_TOML_DEPTH}  error  ${message}  toml-syntax`]);
    assert.match(lines[2]!, /^configuration-garbage\.toml:2:1 {2}error {2}Invalid TOML: .+ {2}toml-syntax$/);
    assert.equal(lines.length, 3);
    const d = await throughServer('file:///work/configuration-arrays.toml', arrays, true);
    assert.deepEqual(d.map((x) => x.message), [message]);
    await throughServer('file:///work/configuration-garbage.toml', garbage, true);
  });

  it('a template with 20 000 bare @NAME@ tokens parses in one pass, fast', async () => {
    const n = 20_000;
    const text = kataText + '\n[hypervisor.qemu.extra]\n' + Array.from({ length: n }, (_, k) => `k${k} = @TOKEN_${k}@ # @NOT_${k}@\nq${k} = "@QUOTED_${k}@"`).join('\n') + '\n';
    const parsed = parseToml(text);
    assert.ok(parsed.ok);
    assert.equal(parsed.document.placeholders.filter((p) => !p.quoted).length, n);
    assert.equal(parsed.document.placeholders.filter((p) => p.quoted).length, n);
    const p = parsed.document.placeholders[parsed.document.placeholders.length - 2]!;
    assert.equal(text.slice(p.span.start, p.span.end), `@TOKEN_${n - 1}@`);
    const template = (m: number) => kataText + '\n[hypervisor.qemu.extra]\n' + Array.from({ length: m }, (_, k) => `k${k} = @TOKEN_${k}@\nq${k} = "@QUOTED_${k}@"`).join('\n') + '\n';
    const ratio = scaling(2_500, (m) => parseToml(template(m)));
    assert.ok(ratio < LINEAR, `4× the tokens took ${ratio.toFixed(1)}× the time`);
    write('configuration-tokens.toml.in', text);
    const r = cli(['configuration-tokens.toml.in']);
    assert.ok(!r.stdout.includes('toml-syntax'));
    assert.equal(r.status, 0);
    await throughServer('file:///work/configuration-tokens.toml.in', text, false);
  });

  it('prologs built to make a regular expression backtrack: recognised in linear time', async () => {
    const pis = '<?a?>'.repeat(20_000) + '<x/>';
    const comments = '<!--a-->'.repeat(5_000) + '<domain type="kvm"><name>x</name></domain>';
    const subset = '<!DOCTYPE d [' + '<!-- ] -->'.repeat(5_000) + ']>' + '<domain/>';
    for (const [text, kind] of [[pis, undefined], [comments, 'domain-xml'], [subset, 'domain-xml']] as const) {
      assert.equal(detectKind(text), kind);
      assert.doesNotThrow(() => lint(text));
    }
    const prologs: readonly ((m: number) => string)[] = [
      (m) => '<?a?>'.repeat(m) + '<x/>',
      (m) => '<!--a-->'.repeat(m) + '<domain type="kvm"><name>x</name></domain>',
      (m) => '<!DOCTYPE d [' + '<!-- ] -->'.repeat(m) + ']>' + '<domain/>',
    ];
    for (const make of prologs) {
      const ratio = scaling(1_000, (m) => detectKind(make(m)));
      assert.ok(ratio < LINEAR, `${make(1).slice(0, 20)}…: 4× the input took ${ratio.toFixed(1)}× the time`);
    }
    write('pis.xml', pis);
    assert.equal(cli(['pis.xml']).status, 0);
    await throughServer('file:///work/pis.xml', pis, false);
  });

  it('control characters and line breaks from the file stay on one escaped line', () => {
    write('escape.xml', SEV_DOMAIN('esc', '0x[31m\nred\u202e'));
    const r = cli(['escape.xml']);
    assert.equal(r.status, 1);
    assert.ok(!r.stdout.includes('\u202e'));
    assert.deepEqual(findingLines(r.stdout).map((l) => l.split('  ').at(-1)), ['sev-policy-format']);
    assert.match(r.stdout, /The policy '0x\[31m\\nred\\u202e'/);
    // An ESC is no XML character: the file is not well-formed, and the ESC is not printed either.
    write('escape-esc.xml', SEV_DOMAIN('esc', '0x\u001b[31m'));
    const e = cli(['escape-esc.xml']);
    assert.equal(e.status, 1);
    assert.ok(!e.stdout.includes('\u001b'));
    assert.deepEqual(findingLines(e.stdout).map((l) => l.split('  ').at(-1)), ['xml-not-well-formed']);
    assert.match(e.stdout, /PCDATA invalid Char value 27 \(U\+001B\)/);
  });

  it('folders: a symbolic link loop is walked once; FIFOs in a folder are skipped, a named one is one error; --max-file-size is checked', () => {
    write('tree/guest.xml', SEV_DOMAIN('tree', '0x07'));
    write('tree/sub/other.xml', SEV_DOMAIN('other', '0x07'));
    fs.symlinkSync('..', path.join(dir, 'tree', 'sub', 'up'));
    // A FIFO would block a reader forever; it is not a regular file, so it is never opened.
    const fifo = spawnSync('mkfifo', [path.join(dir, 'tree', 'sub', 'pipe.xml')]);
    const r = cli(['tree']);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'No problems in 2 files.\n');
    if (fifo.status === 0) {
      const named = cli(['tree/sub/pipe.xml']);
      assert.equal(named.status, 2);
      assert.equal(named.stderr, 'sevlint: cannot read tree/sub/pipe.xml: a FIFO, not a regular file\n');
      assert.equal(named.stdout, 'No problems in 0 files, 1 I/O error.\n');
    }
    const bad = cli(['--max-file-size', '0', 'tree']);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr.split('\n')[0], "sevlint: --max-file-size needs a positive number of bytes, got '0'");
    const small = cli(['--max-file-size', '10', 'tree/guest.xml']);
    assert.match(small.stdout, /^tree\/guest\.xml:1:1 {2}information {2}sevlint skips this file: \d+ bytes is more than --max-file-size \(10\)\. {2}file-too-large$/m);
  });

  it('parser guards hold without the CLI: depth, DOCTYPE placement, byte order marks', () => {
    const atLimit = '<domain>' + '<a>'.repeat(MAX_XML_DEPTH - 1) + '</a>'.repeat(MAX_XML_DEPTH - 1) + '</domain>';
    assert.ok(parseXml(atLimit).ok);
    const over = '<domain>' + '<a>'.repeat(MAX_XML_DEPTH) + '</a>'.repeat(MAX_XML_DEPTH) + '</domain>';
    assert.ok(!parseXml(over).ok);
    const cases: [string, string][] = [
      ['<!DOCTYPE a><!DOCTYPE b><domain/>', 'Only one DOCTYPE declaration is allowed.'],
      ['<!DOCTYPE a [ <!ENTITY x "y">', 'Unclosed DOCTYPE declaration.'],
      ['\ufeff\ufeff<domain/>', 'A second byte order mark (U+FEFF) is not allowed here.'],
    ];
    for (const [text, message] of cases) {
      const r = parseXml(text);
      assert.ok(!r.ok);
      assert.equal(r.error.message, message);
    }
    // At the end of the text, where xmllint says the data ends; the element left open is the related span.
    const text = '<domain>\n  <devices>\n    <disk type="file">\n';
    const unclosed = parseXml(text);
    assert.ok(!unclosed.ok);
    assert.equal(unclosed.error.message, 'Premature end of data in tag disk line 3: the file ends before </disk> (and 2 enclosing elements).');
    assert.deepEqual(unclosed.error.span, { start: text.length, end: text.length });
    assert.deepEqual(unclosed.error.related, { start: 26, end: 30 });
    // Linear time on text built to make a scanner backtrack or rescan (`<a `, `&#`, …), in a document, an element
    // and a start tag: 4 times the text takes about 4 times as long (best of five, see scaling()), not 16.
    for (const unit of ['<a ', '&#', '<a b="&#', '<!--', '<a>]]', '<a x="1" ', 'b="1" ', 'xmlns:a="1" ', '</', '<?a ', '<!DOCTYPE a [<!ENTITY ']) {
      const parseAll = (n: number): void => {
        const body = unit.repeat(Math.ceil(n / unit.length));
        for (const doc of [body, '<domain>' + body, '<domain ' + body]) parseXml(doc);
      };
      const size = 250_000;
      parseAll(size);
      const ratio = scaling(size, parseAll);
      // A million attributes or nodes keep the collector busy, so the ratio runs above 4; quadratic work would give 16.
      assert.ok(ratio < 12, `${JSON.stringify(unit)}: 4× the text (${4 * size} characters) took ${ratio.toFixed(1)}× the time`);
    }
    const tomlAtLimit = 'a = ' + '['.repeat(MAX_TOML_DEPTH) + ']'.repeat(MAX_TOML_DEPTH);
    assert.ok(parseToml(tomlAtLimit).ok);
    assert.ok(!parseToml('a = [' + tomlAtLimit.slice(4) + ']').ok);
    const bom = parseToml('\ufeff[hypervisor.qemu]\npath = @QEMUPATH@\n');
    assert.ok(bom.ok);
    assert.deepEqual(bom.document.placeholders[0]!.span, { start: 26, end: 36 });
  });
});
