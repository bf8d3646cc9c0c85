/**
 * The CLI's input and output at their edges: one bad path is one line on
 * stderr and the run goes on (exit 2); a closed stdout ends the run quietly;
 * Unicode bidi controls are escaped in text; SARIF URIs are percent-encoded
 * per segment and the output is valid against the SARIF 2.1.0 schema.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import type * as Sarif from 'sarif';
import addFormats from 'ajv-formats';
import { run } from '../../server/src/cli/main';
import { bigDomain, SEVLINT } from '../support/cli';
import { FIXTURES, ROOT } from '../support/fixtures';

let dir = '';

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = run(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: dir });
  return { code, stdout, stderr };
}

const ERROR_XML = fs.readFileSync(path.join(FIXTURES, 'domain-xml', 'sev-uefi-firmware', 'invalid-bios.xml'));
const ERROR_LINE = "8:7  error  <os firmware='bios'> boots SeaBIOS, which cannot start a SEV guest. Use <os firmware='efi'>.  sev-uefi-firmware";

/**
 * The official SARIF 2.1.0 schema (as shipped in @microsoft/jest-sarif; only
 * the JSON file is used). It is draft-04: its top-level `id` is the `$id` of
 * the later drafts Ajv 8 reads, and one of its patterns is not valid with
 * the `u` flag, hence `unicodeRegExp: false`. Formats (`uri-reference` for
 * artifactLocation.uri) are checked with ajv-formats.
 */
function sarifValidator(): ValidateFunction {
  const file = path.join(ROOT, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');
  const { $schema: _draft, id, ...rest } = JSON.parse(fs.readFileSync(file, 'utf8')) as { $schema: string; id: string };
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile({ $id: id, ...rest });
}

describe('CLI input and output edges', () => {
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sevlint-cli-io-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('one bad path is one line on stderr; every other file is still linted and reported; exit 2', () => {
    const d = path.join(dir, 'bad');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'b-good.xml'), ERROR_XML);
    fs.symlinkSync('missing.xml', path.join(d, 'a-dangling.xml'));
    fs.symlinkSync('c-loop.xml', path.join(d, 'c-loop.xml'));
    // Not valid UTF-8: read through its bytes, shown with the bad byte escaped.
    fs.writeFileSync(Buffer.from(path.join(d, 'd-latin1-\xe9.xml'), 'latin1'), ERROR_XML);
    const long = 'x'.repeat(300) + '.xml';
    const deep = 'd/'.repeat(2100) + 'f.xml';
    const fifo = spawnSync('mkfifo', [path.join(d, 'e-named-fifo.xml')]).status === 0;
    const r = cli('bad', long, deep, 'bad/missing-too.xml', ...(fifo ? ['bad/e-named-fifo.xml'] : []), '/dev/null');
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      [
        'sevlint: cannot read bad/a-dangling.xml: symbolic link to a missing file',
        'sevlint: cannot read bad/c-loop.xml: symbolic link loop (too many levels of symbolic links)',
        `sevlint: cannot read ${long}: file name too long`,
        `sevlint: cannot read ${deep}: file name too long`,
        'sevlint: cannot read bad/missing-too.xml: no such file or directory',
        ...(fifo ? ['sevlint: cannot read bad/e-named-fifo.xml: a FIFO, not a regular file'] : []),
        'sevlint: cannot read /dev/null: a character device, not a regular file',
        '',
      ].join('\n'),
    );
    const errors = fifo ? 7 : 6;
    // The FIFO found in the folder is skipped, as any file that is not regular; named, it is an error.
    assert.equal(r.stdout, `bad/b-good.xml:${ERROR_LINE}\nbad/d-latin1-\\xe9.xml:${ERROR_LINE}\n2 problems (2 errors, 0 warnings, 0 info) in 2 files, ${errors} I/O errors.\n`);
    // --exit-zero does not hide an I/O error.
    assert.equal(cli('--exit-zero', 'bad').code, 2);
    // --fix reaches the file whose name is not valid UTF-8 through its bytes.
    const fixed = cli('--fix', 'bad');
    assert.match(fixed.stdout, /^bad\/d-latin1-\\xe9\.xml: rewritten, 1 fix applied$/m);
    assert.doesNotMatch(fs.readFileSync(Buffer.from(path.join(d, 'd-latin1-\xe9.xml'), 'latin1'), 'utf8'), /firmware='bios'/);
  });

  it("a folder that cannot be read, a file that cannot be read or replaced: one line each, the rest goes on (run as 'nobody' when root)", (t) => {
    const root = process.getuid?.() === 0;
    const as = root ? { uid: 65534, gid: 65534 } : {};
    const d = path.join(dir, 'perm');
    fs.mkdirSync(path.join(d, 'locked'), { recursive: true });
    fs.mkdirSync(path.join(d, 'ro'));
    fs.mkdirSync(path.join(d, 'rw'));
    fs.writeFileSync(path.join(d, 'locked', 'x.xml'), ERROR_XML);
    fs.writeFileSync(path.join(d, 'a-unreadable.xml'), ERROR_XML, { mode: 0o200 });
    fs.writeFileSync(path.join(d, 'ro', 'fix.xml'), ERROR_XML, { mode: 0o666 });
    fs.writeFileSync(path.join(d, 'rw', 'read-only.xml'), ERROR_XML, { mode: 0o444 });
    fs.writeFileSync(path.join(d, 'rw', 'z-fix.xml'), ERROR_XML, { mode: 0o644 });
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(d, 0o755);
    // No read permission for anyone but root: not for 'nobody' when the test runs as root, not for the owner otherwise.
    fs.chmodSync(path.join(d, 'locked'), 0o300);
    fs.chmodSync(path.join(d, 'ro'), 0o555);
    fs.chmodSync(path.join(d, 'rw'), 0o777);
    fs.chmodSync(path.join(d, 'a-unreadable.xml'), 0o200);
    fs.chmodSync(path.join(d, 'ro', 'fix.xml'), 0o666);
    fs.chmodSync(path.join(d, 'rw', 'read-only.xml'), 0o444);
    if (root) {
      fs.chownSync(path.join(d, 'rw', 'z-fix.xml'), 65534, 65534);
      fs.chownSync(path.join(d, 'rw', 'read-only.xml'), 65534, 65534);
    }
    const r = spawnSync(process.execPath, [SEVLINT, '--fix', 'perm'], { cwd: dir, encoding: 'utf8', ...as });
    t.after(() => {
      fs.chmodSync(path.join(d, 'locked'), 0o700);
      fs.chmodSync(path.join(d, 'ro'), 0o755);
    });
    if (r.error) {
      t.skip(`cannot run sevlint as another user: ${r.error.message}`);
      return;
    }
    assert.equal(r.status, 2, r.stderr);
    assert.equal(
      r.stderr,
      [
        'sevlint: cannot read perm/a-unreadable.xml: permission denied',
        'sevlint: cannot read perm/locked: permission denied',
        'sevlint: cannot write perm/ro/fix.xml: permission denied (creating a temporary file in its folder); the file is unchanged',
        'sevlint: cannot write perm/rw/read-only.xml: permission denied; the file is unchanged',
        '',
      ].join('\n'),
    );
    assert.match(r.stdout, /^perm\/rw\/z-fix\.xml: rewritten, 1 fix applied$/m);
    assert.match(r.stdout, /in 3 files, 1 fix applied, 4 I\/O errors\.\n$/);
    assert.ok(fs.readFileSync(path.join(d, 'ro', 'fix.xml')).equals(ERROR_XML));
    assert.ok(fs.readFileSync(path.join(d, 'rw', 'read-only.xml')).equals(ERROR_XML));
    assert.deepEqual(fs.readdirSync(path.join(d, 'rw')).sort(), ['read-only.xml', 'z-fix.xml'], 'no temporary file left');
    if (root) assert.equal(fs.statSync(path.join(d, 'rw', 'z-fix.xml')).uid, 65534);
  });

  it('--fix: the text names each file rewritten; JSON gives fixes and rewritten per file', () => {
    const d = path.join(dir, 'summary');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'a.xml'), ERROR_XML);
    fs.copyFileSync(path.join(FIXTURES, 'domain-xml', 'sev-uefi-firmware', 'valid-efi.xml'), path.join(d, 'b-clean.xml'));
    fs.copyFileSync(path.join(FIXTURES, 'domain-xml', 'sev-virtio-iommu', 'invalid-devices.xml'), path.join(d, 'c.xml'));
    const r = cli('--fix', 'summary');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'summary/a.xml: rewritten, 1 fix applied\nsummary/c.xml: rewritten, 10 fixes applied\nNo problems in 3 files, 11 fixes applied.\n');
    fs.writeFileSync(path.join(d, 'a.xml'), ERROR_XML);
    const json = JSON.parse(cli('--fix', '--format', 'json', 'summary').stdout) as { file: string; fixes: number; rewritten: boolean }[];
    assert.deepEqual(
      json.map(({ file, fixes, rewritten }) => ({ file, fixes, rewritten })),
      [
        { file: 'summary/a.xml', fixes: 1, rewritten: true },
        { file: 'summary/b-clean.xml', fixes: 0, rewritten: false },
        { file: 'summary/c.xml', fixes: 0, rewritten: false },
      ],
    );
    assert.deepEqual(Object.keys((JSON.parse(cli('--format', 'json', 'summary').stdout) as object[])[0]!), ['file', 'diagnostics'], 'without --fix, the shape is as before');
  });

  it('a closed stdout (sevlint … | head -1) ends the run quietly, with the exit status it would have had', async () => {
    // Many findings (far more than a pipe holds) and an error: exit 1.
    fs.writeFileSync(path.join(dir, 'many.xml'), bigDomain(400_000).replace('firmware="efi"', 'firmware="bios"'));
    for (const format of ['text', 'json', 'sarif']) {
      const result = await new Promise<{ code: number | null; signal: string | null; stderr: string; first: string }>((resolve) => {
        const child = spawn(process.execPath, [SEVLINT, '--format', format, 'many.xml'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        let first = '';
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        child.stdout.once('data', (b: Buffer) => {
          first = b.toString().split('\n')[0]!;
          child.stdout.destroy();
        });
        child.on('close', (code, signal) => resolve({ code, signal, stderr, first }));
      });
      assert.deepEqual({ code: result.code, signal: result.signal, stderr: result.stderr }, { code: 1, signal: null, stderr: '' }, format);
      assert.ok(result.first.length > 0);
    }
  });

  it('every Unicode bidi control and line separator from a file or a name is escaped in text output', () => {
    const controls = '\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029';
    const name = 'bidi-\u202e\u2066lmx.xml';
    fs.writeFileSync(path.join(dir, name), ERROR_XML.toString().replace('<policy>0x0003</policy>', `<policy>0x${controls}3</policy>`));
    const r = cli(name, `missing-\u061c.xml`);
    const escaped = '\\u061c\\u200e\\u200f\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u2028\\u2029';
    assert.equal(r.stderr, 'sevlint: cannot read missing-\\u061c.xml: no such file or directory\n');
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `bidi-\\u202e\\u2066lmx.xml:${ERROR_LINE}`);
    assert.match(lines[1]!, /^bidi-\\u202e\\u2066lmx\.xml:26:13 {2}error {2}The policy '0x(.*)3' is not a hexadecimal number/);
    assert.ok(lines[1]!.includes(`'0x${escaped}3'`), lines[1]);
    assert.ok(!/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/.test(r.stdout + r.stderr));
  });

  it('SARIF: each path segment percent-encoded (#, ?, :, %, space, bytes that are not UTF-8); absolute paths as file:// URIs; valid against the SARIF 2.1.0 schema', () => {
    const d = path.join(dir, 'sarif', 'dir #1');
    fs.mkdirSync(d, { recursive: true });
    const names = ['a#b.xml', 'q?.xml', 'c:d.xml', 'sp ace.xml', '100%.xml', "it's(1)!.xml", 'ü.xml'];
    for (const n of names) fs.writeFileSync(path.join(d, n), ERROR_XML);
    fs.writeFileSync(Buffer.from(path.join(d, 'latin1-\xe9.xml'), 'latin1'), ERROR_XML);
    const abs = path.join(dir, 'sarif', 'abs #.xml');
    fs.writeFileSync(abs, ERROR_XML);
    const r = cli('--format', 'sarif', 'sarif/dir #1', abs);
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout) as Sarif.Log;
    const locations = (sarif.runs[0]!.results as { locations: { physicalLocation: { artifactLocation: unknown } }[] }[]).map((x) => x.locations[0]!.physicalLocation.artifactLocation);
    const rel = (uri: string): { uri: string; uriBaseId: string } => ({ uri: `sarif/dir%20%231/${uri}`, uriBaseId: '%SRCROOT%' });
    assert.deepEqual(locations, [
      rel('100%25.xml'),
      rel('a%23b.xml'),
      rel('c%3Ad.xml'),
      rel("it's(1)!.xml"),
      rel('latin1-%E9.xml'),
      rel('q%3F.xml'),
      rel('sp%20ace.xml'),
      rel('%C3%BC.xml'),
      { uri: 'file://' + abs.split('/').map(encodeURIComponent).join('/') },
    ]);
    assert.ok(abs.startsWith('/') && (locations.at(-1) as { uri: string }).uri.startsWith('file:///'));
    const validate = sarifValidator();
    assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5)));
    // The check has teeth: a URI as it was encoded before (encodeURI keeps '#' and '?') is rejected.
    const broken = JSON.parse(r.stdout) as Sarif.Log;
    broken.runs[0]!.results![1]!.locations![0]!.physicalLocation!.artifactLocation!.uri = encodeURI('sarif/dir #1/a#b#c.xml');
    assert.ok(!validate(broken));
    assert.equal(validate.errors?.[0]?.params && (validate.errors[0].params as { format?: string }).format, 'uri-reference');
    // And the plain outputs of the examples are valid too.
    const examples = JSON.parse(cli('--format', 'sarif', path.join(ROOT, 'examples')).stdout) as Sarif.Log;
    assert.ok(validate(examples), JSON.stringify(validate.errors?.slice(0, 5)));
  });
});
