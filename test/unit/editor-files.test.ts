/**
 * Which files the editor hands to sevlint: every Kata configuration, whatever
 * its name and language id, and nothing sevlint does not lint gets a notice.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EDITOR_DOCUMENT_SELECTOR } from '../../server/src/file-types';
import { kindForNotice, lint } from '../../server/src/linter';
import { FIXTURES, ROOT } from '../support/fixtures';

/** VS Code's glob for the patterns used here: `**` any folders, `*` within a name. */
function globMatches(pattern: string, file: string): boolean {
  const re = pattern
    .split('/')
    .map((part) => (part === '**' ? '(?:.*/)?' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*') + '/'))
    .join('');
  return new RegExp(`^${re.replace(/\/$/, '')}$`).test(file);
}

/** Whether the editor sends a document with this path and language id to the server. */
function selected(file: string, language: string): boolean {
  return EDITOR_DOCUMENT_SELECTOR.some((f) => ('language' in f ? f.language === language : globMatches(f.pattern, file)));
}

const kata = fs.readFileSync(path.join(FIXTURES, 'kata-toml', 'toml-syntax', 'valid-config.toml'), 'utf8').replace('kernel_params = "swiotlb=262144"', 'kernel_params = "console=hvc0"');

describe('every Kata file reaches the server', () => {
  it('any .toml whatever its name, as plain text (no TOML extension) or as toml', () => {
    for (const language of ['plaintext', 'toml']) {
      assert.ok(selected('/home/u/nodes/snp-node1.toml', language), language);
      assert.ok(selected('/etc/kata-containers/configuration.toml', language), language);
      assert.ok(selected('/src/kata/configuration-qemu-snp.toml.in', language), language);
      assert.ok(selected('/src/kata/runtime-snp.toml.in', language), language);
    }
    assert.ok(selected('untitled:Untitled-1', 'toml'));
    assert.ok(selected('/a/guest.xml', 'xml'));
    assert.ok(!selected('/a/notes.txt', 'plaintext'));
    assert.ok(!selected('/a/guest.xml.bak', 'plaintext'));
  });

  it('package.json gives .toml the toml id (no grammar), so opening one activates the extension', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      activationEvents: string[];
      contributes: { languages?: { id: string; extensions?: string[]; grammars?: unknown }[]; grammars?: unknown };
    };
    const toml = pkg.contributes.languages?.find((l) => l.id === 'toml');
    assert.deepEqual(toml?.extensions, ['.toml']);
    assert.equal(pkg.contributes.grammars, undefined);
    assert.ok(pkg.activationEvents.includes('onLanguage:toml'));
    assert.ok(pkg.activationEvents.includes('onLanguage:xml'));
  });

  it('the server lints a Kata configuration by content, whatever the name; other TOML is left alone', () => {
    const r = lint(kata, { fileName: '/home/u/nodes/snp-node1.toml' });
    assert.equal(r.kind, 'kata-toml');
    assert.deepEqual(r.findings.map((f) => f.ruleId), ['kata-swiotlb']);
    assert.deepEqual(lint('[package]\nname = "x"\n', { fileName: '/src/Cargo.toml' }), { kind: undefined, findings: [] });
  });

  it('a file too large to lint gets the notice only when it is likely sevlint\'s', () => {
    const big = 'x = 1\n'.repeat(20_000);
    assert.equal(kindForNotice(big, '/a/pyproject.toml'), undefined);
    assert.equal(kindForNotice(big, '/etc/kata-containers/configuration-qemu.toml'), 'kata-toml');
    assert.equal(kindForNotice(`[hypervisor.qemu]\n${big}`, '/a/snp-node1.toml'), 'kata-toml');
    assert.equal(kindForNotice(big, '/a/guest.xml'), 'domain-xml');
    assert.equal(kindForNotice(big, '/a/notes.txt'), undefined);
  });
});
