import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { hover, type HoverResult } from '../../server/src/features/hover';
import { schemaAt } from '../../server/src/rules/kata/schema';
import { at, spanText } from '../support/cursor';

const KATA = '/etc/kata-containers/configuration.toml';

function hoverAt(marked: string, fileName?: string): { text: string; offset: number; h: HoverResult | undefined } {
  const { text, offset } = at(marked);
  return { text, offset, h: hover(text, offset, fileName ? { fileName } : {}) };
}

function must(r: { h: HoverResult | undefined }): HoverResult {
  assert.ok(r.h, 'a hover');
  return r.h;
}

const ls = (type: string, inner: string): string =>
  `<domain type='kvm'>\n  <name>g</name>\n  <launchSecurity type='${type}'>\n    ${inner}\n  </launchSecurity>\n</domain>\n`;

const LINK = '[libvirt: Launch Security](https://libvirt.org/formatdomain.html#launch-security)';

describe('hover on a <policy> value', () => {
  it('decodes an SNP policy bit by bit', () => {
    const r = hoverAt(ls('sev-snp', '<policy>0x3|0000</policy>'));
    const h = must(r);
    assert.equal(spanText(r.text, h.span), '0x30000');
    const lines = h.markdown.split('\n');
    assert.equal(lines[0], '**SEV-SNP guest policy 0x30000** (= 196608 decimal)');
    assert.equal(lines[2], '| Bit | Name | Value | Meaning (when set) |');
    assert.ok(lines.includes('| 16 | SMT | **1** | SMT is allowed (KVM requires this bit) |'));
    assert.ok(lines.includes('| 17 | RSVD_MBO | **1** | reserved, must be one |'));
    assert.ok(lines.includes('| 26–63 | RESERVED | 0 | reserved, must be zero |'));
    assert.equal(lines.length, 2 + 2 + 13 + 2);
    assert.doesNotMatch(h.markdown, /Error|Warning/);
    assert.equal(lines[lines.length - 1], LINK);
  });

  it('says what is wrong with an SNP policy', () => {
    const h = must(hoverAt(ls('sev-snp', '<policy>0x|90000</policy>')));
    assert.match(h.markdown, /^\*\*SEV-SNP guest policy 0x90000\*\* \(= 589824 decimal\)/);
    assert.ok(h.markdown.includes("- **Error:** leaves RSVD_MBO (bit 17, 0x20000) clear; KVM's SNP_LAUNCH_START refuses the policy (-EINVAL)."));
    assert.ok(h.markdown.includes('- **Note:** sets DEBUG (bit 19, 0x80000)'));
    const forbidden = must(hoverAt(ls('sev-snp', '<policy>|0x4000070000</policy>')));
    assert.ok(forbidden.markdown.includes('- **Error:** sets MIGRATE_MA (bit 18, 0x40000) and RESERVED (bit 38, 0x4000000000)'));
    const host = must(hoverAt(ls('sev-snp', '<policy>0x13000|0</policy>')));
    assert.ok(host.markdown.includes('- **Warning:** sets SINGLE_SOCKET (bit 20, 0x100000)'));
  });

  it('decodes SEV and SEV-ES policies with the SEV table', () => {
    const sev = must(hoverAt(ls('sev', '<policy>|0x0003</policy>')));
    assert.match(sev.markdown, /^\*\*SEV guest policy 0x0003\*\*\n/);
    assert.ok(sev.markdown.includes('| 0 | NODBG | **1** | debugging of the guest is disallowed |'));
    assert.ok(sev.markdown.includes('| 16–23 | API_MAJOR | 0 | minimum SEV firmware API major version |'));
    assert.doesNotMatch(sev.markdown, /\*\*(Error|Warning|Note):/);
    const es = must(hoverAt(ls('sev', '<policy>0x0007|</policy>')));
    assert.match(es.markdown, /^\*\*SEV-ES guest policy 0x0007\*\*/);
    assert.ok(es.markdown.includes('| 2 | ES | **1** | SEV-ES is required (encrypted register state) |'));
  });

  it('spots the reserved bit 6 written for the ES bit, and NODBG clear', () => {
    const h = must(hoverAt(ls('sev', '<policy>0x00|40</policy>')));
    assert.ok(h.markdown.includes('| 6–15 | RESERVED | **0x40** | reserved, must be zero |'));
    assert.ok(h.markdown.includes('- **Warning:** sets reserved bit 6 (0x40), not the ES bit 2 (0x4)'));
    assert.ok(h.markdown.includes('- **Note:** leaves NODBG (bit 0, 0x1) clear'));
  });

  it('decodes the decimal reading first when the policy was most likely meant as decimal', () => {
    const r = hoverAt(ls('sev-snp', '<policy>1966|08</policy>'));
    const h = must(r);
    assert.equal(spanText(r.text, h.span), '196608');
    const lines = h.markdown.split('\n');
    assert.equal(lines[0], '**SEV-SNP guest policy 196608**: most likely decimal, 0x30000');
    assert.equal(lines[2], '| Bit | Name | Value | Meaning (when set) |');
    assert.ok(lines.includes('| 17 | RSVD_MBO | **1** | reserved, must be one |'));
    const after = lines.slice(2 + 2 + 13);
    assert.deepEqual(after.slice(0, 3), ['', 'libvirt reads `196608` as hex 0x196608, which:', '- **Warning:** has no `0x` but libvirt reads it as hexadecimal: 196608 is 0x196608, not decimal 196608 (= 0x30000).']);
    assert.ok(after.includes("- **Error:** leaves RSVD_MBO (bit 17, 0x20000) clear; KVM's SNP_LAUNCH_START refuses the policy (-EINVAL)."));
    assert.equal(lines[lines.length - 1], LINK);
    // Too large for 64 bits as hex: the decimal reading is the only one.
    const big = must(hoverAt(ls('sev', '<policy>|100000003</policy>')));
    assert.match(big.markdown, /^\*\*SEV guest policy 100000003\*\*: most likely decimal/);
  });

  it('explains how libvirt reads the text', () => {
    // 10000: decimal 0x2710 is no better a policy than hex 0x10000, so libvirt's reading is decoded.
    const decimal = must(hoverAt(ls('sev-snp', '<policy>100|00</policy>')));
    assert.match(decimal.markdown, /^\*\*SEV-SNP guest policy 10000\*\* \(read as 0x10000, = 65536 decimal\)/);
    assert.ok(decimal.markdown.includes('- **Warning:** has no `0x` but libvirt reads it as hexadecimal: 10000 is 0x10000, not decimal 10000 (= 0x2710).'));
    const trailing = hoverAt(ls('sev', '<policy>0x3|\n    </policy>'));
    assert.equal(spanText(trailing.text, must(trailing).span), '0x3');
    assert.ok(must(trailing).markdown.includes('\nThe policy 0x3:\n- **Error:** has whitespace after the number: libvirt does not trim it and fails with "failed to get launch security policy".\n'));
    const junk = must(hoverAt(ls('sev', '<policy>z|z</policy>')));
    assert.equal(junk.markdown, `**SEV guest policy \`zz\`**\n\nThe policy:\n- **Error:** is not a hexadecimal number: libvirt fails with "failed to get launch security policy".\n\n${LINK}`);
    const upper = must(hoverAt(ls('sev', '<policy>0x0|00A</policy>')));
    assert.ok(upper.markdown.includes("- **Warning:** uses upper-case hex or `0X`: libvirt reads it, libvirt's schema (`(0x)?[0-9a-f]+`) does not."));
  });

  it('works on incomplete XML and needs the type to decode', () => {
    const incomplete = must(hoverAt("<domain type='kvm'>\n  <launchSecurity type='sev-snp'>\n    <policy>0x30|000</policy>\n"));
    assert.match(incomplete.markdown, /^\*\*SEV-SNP guest policy 0x30000\*\*/);
    const untyped = must(hoverAt("<domain type='kvm'>\n  <launchSecurity>\n    <policy>0x3|</policy>\n  </launchSecurity>\n</domain>\n"));
    assert.match(untyped.markdown, /Set `type='sev'` or `type='sev-snp'`/);
  });
});

describe('hover on launchSecurity elements and attributes', () => {
  it('explains <launchSecurity> on its start and end tag', () => {
    const r = hoverAt("<domain type='kvm'>\n  <launch|Security type='sev'>\n    <policy>0x3</policy>\n  </launchSecurity>\n</domain>\n");
    const h = must(r);
    assert.equal(spanText(r.text, h.span), 'launchSecurity');
    assert.match(h.markdown, /^\*\*<launchSecurity>\*\*\n\nLaunches the guest with AMD memory encryption/);
    assert.ok(h.markdown.endsWith(`${LINK} · [libvirt: SEV guide](https://libvirt.org/kbase/launch_security_sev.html)`));
    const end = hoverAt("<domain type='kvm'>\n  <launchSecurity type='sev'>\n    <policy>0x3</policy>\n  </launchSec|urity>\n</domain>\n");
    assert.equal(spanText(end.text, must(end).span), 'launchSecurity');
  });

  it('explains its children', () => {
    for (const [name, pattern] of [
      ['cbitpos', /C-bit/],
      ['reducedPhysBits', /physical address space/],
      ['policy', /guest policy the AMD firmware enforces/],
      ['idBlock', /96 bytes/],
      ['hostData', /32 bytes/],
      ['dhCert', /Diffie-Hellman/],
    ] as const) {
      const r = hoverAt(ls(name === 'idBlock' || name === 'hostData' ? 'sev-snp' : 'sev', `<${name.slice(0, 2)}|${name.slice(2)}>x</${name}>`));
      const h = must(r);
      assert.equal(spanText(r.text, h.span), name);
      assert.ok(h.markdown.startsWith(`**<${name}>** in \`<launchSecurity>\``), name);
      assert.match(h.markdown, pattern);
      assert.ok(h.markdown.endsWith(LINK), name);
    }
  });

  it('explains the attributes and their values', () => {
    const r = hoverAt("<domain type='kvm'>\n  <launchSecurity type='sev-snp' kernel|Hashes='yes'>\n  </launchSecurity>\n</domain>\n");
    const h = must(r);
    assert.equal(spanText(r.text, h.span), 'kernelHashes');
    assert.match(h.markdown, /^\*\*kernelHashes\*\* on `<launchSecurity>`\n\nWhether the firmware measures the hashes/);
    const v = hoverAt("<domain type='kvm'>\n  <launchSecurity type='sev-snp' vcek='n|o'>\n  </launchSecurity>\n</domain>\n");
    assert.equal(spanText(v.text, must(v).span), 'no');
    assert.ok(must(v).markdown.includes("`vcek='no'`: Only the VLEK is used."));
    const t = hoverAt("<domain type='kvm'>\n  <launchSecurity ty|pe='sev'>\n  </launchSecurity>\n</domain>\n");
    assert.match(must(t).markdown, /^\*\*type\*\* on `<launchSecurity>`/);
  });

  it('explains <driver iommu>', () => {
    const r = hoverAt("<domain type='kvm'>\n  <devices>\n    <rng model='virtio'>\n      <driver io|mmu='on'/>\n    </rng>\n  </devices>\n</domain>\n");
    const h = must(r);
    assert.equal(spanText(r.text, h.span), 'iommu');
    assert.match(h.markdown, /^\*\*iommu\*\* on `<driver>`\n\nVirtio option/);
    assert.ok(h.markdown.endsWith('[libvirt: Virtio-related options](https://libvirt.org/formatdomain.html#virtio-related-options)'));
  });

  it('says nothing about other elements but what the schema allows', () => {
    assert.match(hoverAt("<domain type='kvm'>\n  <na|me>g</name>\n</domain>\n").h?.markdown ?? '', /^\*\*<name>\*\* in `<domain>`\n\n.*libvirt: Domain XML format/s);
    for (const marked of [
      "<domain type='kvm'>\n  <name>g|</name>\n</domain>\n",
      "<domain type='kvm'>\n  <devices>\n    <policy>0x|3</policy>\n  </devices>\n</domain>\n",
      "<network>\n  <launchSecurity type='sev'><policy>0x|3</policy></launchSecurity>\n</network>\n",
    ]) {
      assert.equal(hoverAt(marked).h, undefined, marked);
    }
  });
});

describe('hover in Kata configuration.toml', () => {
  it('shows a key’s schema description, type, default and links', () => {
    const r = hoverAt('[hypervisor.qemu]\nconfidential_guest = true\nsnp_guest_pol|icy = 0x30000\n', KATA);
    const h = must(r);
    assert.equal(spanText(r.text, h.span), 'snp_guest_policy');
    const description = (schemaAt(['hypervisor', 'qemu', 'snp_guest_policy']) as { description: string }).description;
    assert.equal(
      h.markdown,
      [
        '**snp_guest_policy** in `[hypervisor.qemu]`',
        '',
        description,
        '',
        'Type: `integer` · default: `196608` · range: 0 to …',
        '',
        '[Kata template](https://github.com/kata-containers/kata-containers/blob/main/src/runtime/config/configuration-qemu-snp.toml.in) · [Go runtime source](https://github.com/kata-containers/kata-containers/blob/main/src/runtime/pkg/katautils/config.go)',
      ].join('\n'),
    );
  });

  it('lists the allowed values and works in [runtime]', () => {
    const fs = must(hoverAt('[hypervisor.qemu]\n|shared_fs = "none"\n', KATA));
    assert.ok(fs.markdown.includes('Allowed values: `"virtio-fs"`, `"virtio-9p"`, `"virtio-fs-nydus"`, `"none"`, `""`'));
    const rt = must(hoverAt('[hypervisor.qemu]\n[runtime]\nstatic_sandbox_resource_mg|mt = true\n', KATA));
    assert.match(rt.markdown, /^\*\*static_sandbox_resource_mgmt\*\* in `\[runtime\]`/);
    assert.ok(rt.markdown.endsWith('[Kata template](https://github.com/kata-containers/kata-containers/blob/main/src/runtime/config/configuration-qemu.toml.in)'));
  });

  it('decodes snp_guest_policy values with the SNP table', () => {
    const r = hoverAt('[hypervisor.qemu]\nsnp_guest_policy = 1966|08 # default\n', KATA);
    const h = must(r);
    assert.equal(spanText(r.text, h.span), '196608');
    assert.match(h.markdown, /^\*\*SEV-SNP guest policy 0x30000\*\* \(= 196608 decimal\)\n/);
    assert.ok(h.markdown.includes('| 17 | RSVD_MBO | **1** | reserved, must be one |'));
    assert.doesNotMatch(h.markdown, /\*\*(Error|Warning):/);
    const bad = must(hoverAt('[hypervisor.qemu]\nsnp_guest_policy = 0x7_0000|\n', KATA));
    assert.ok(bad.markdown.includes('- **Error:** sets MIGRATE_MA (bit 18, 0x40000)'));
    const big = must(hoverAt('[hypervisor.qemu]\nsnp_guest_policy = |0x100030000\n', KATA));
    assert.ok(big.markdown.includes('- **Warning:** does not fit 32 bits: runtime-rs reads snp_guest_policy as a u32.'));
    const neg = must(hoverAt('[hypervisor.qemu]\nsnp_guest_policy = -|1\n', KATA));
    assert.match(neg.markdown, /the value is negative/);
  });

  it('says nothing about unknown keys, comments or other tables', () => {
    for (const marked of [
      '[hypervisor.qemu]\nno_such_k|ey = 1\n',
      '[hypervisor.qemu]\n# shared|_fs = "none"\n',
      '[hypervisor.qemu]\nshared_fs = "no|ne"\n',
      '[hypervisor.clh]\nshared|_fs = "none"\n',
    ]) {
      assert.equal(hoverAt(marked, KATA).h, undefined, marked);
    }
  });
});
