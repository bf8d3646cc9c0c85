import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { complete } from '../../server/src/features/completion';
import { hover } from '../../server/src/features/hover';
import { scanToml, tomlContextAt } from '../../server/src/toml/scan';
import { at, spanText } from '../support/cursor';

const KATA = { fileName: '/etc/kata-containers/configuration.toml' };

describe('the tolerant TOML scan behind completion and hover', () => {
  it('reads table, key path, =, value and comment of each line', () => {
    const text = '[hypervisor.qemu]\n  a."b.c" . d = "x # y"  # note\nkernel_params = """\nk = v\n"""\n[[x]]\n';
    const lines = scanToml(text);
    assert.deepEqual(lines[0]!.header, true);
    const l = lines[1]!;
    assert.deepEqual(l.table, ['hypervisor', 'qemu']);
    assert.deepEqual(l.key?.path, ['a', 'b.c', 'd']);
    assert.equal(spanText(text, l.key.span), 'd');
    assert.equal(text[l.equals!], '=');
    assert.equal(spanText(text, l.value!), '"x # y"');
    assert.equal(text.slice(l.comment), '# note\nkernel_params = """\nk = v\n"""\n[[x]]\n');
    assert.equal(lines[3]!.continuation, true);
    assert.equal(lines[3]!.key, undefined);
    assert.equal(lines[4]!.continuation, true);
    assert.equal(lines[5]!.table, undefined);
  });

  it('tolerates multi-line strings and arrays: nothing inside, keys again after', () => {
    const doc = (cursorLine: string): string => `[hypervisor.qemu]\nkernel_params = """\n${cursorLine}\n"""\nenable_annotations = [\n  "a",\n]\n`;
    for (const marked of [doc('sev_|'), '[hypervisor.qemu]\nenable_annotations = [\n  "a", # x\n  |\n]\n']) {
      const { text, offset } = at(marked);
      assert.equal(complete(text, offset, KATA), undefined, marked);
      assert.equal(tomlContextAt(text, offset), undefined, marked);
    }
    const after = at('[hypervisor.qemu]\nkernel_params = """\na = b\n"""\nenable_annotations = [\n  "a",\n]\nsev_snp|\n');
    const items = complete(after.text, after.offset, KATA)?.items ?? [];
    assert.ok(items.some((i) => i.label === 'sev_snp_guest'));
    assert.ok(!items.some((i) => i.label === 'kernel_params' || i.label === 'enable_annotations'), 'keys present are not offered again');
  });

  it('says nothing on a dotted key and reads the value up to a comment', () => {
    const dotted = at('[hypervisor]\nqemu.shared|_fs = "none"\n');
    assert.equal(hover(dotted.text, dotted.offset, KATA), undefined);
    const v = at('[hypervisor.qemu]\nsnp_guest_policy = 0x3|0000# c\n');
    assert.equal(spanText(v.text, hover(v.text, v.offset, KATA)!.span), '0x30000');
  });
});
