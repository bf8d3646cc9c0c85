// The folder the end-to-end tests and screenshots open: copies of the bundled
// examples, so the tests edit copies and the examples stay as they are.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files of the workspace, relative to it → source, relative to the repository. */
export const WORKSPACE_FILES = {
  'sev-es-as-generated.xml': 'examples/domain/sev-es-as-generated.xml',
  'plain-guest.xml': 'examples/domain/plain-guest.xml',
  'schema-typo.xml': 'test/fixtures/domain-xml/libvirt-schema/invalid-element-typo.xml',
  'kata/configuration-snp-from-old-guide.toml': 'examples/kata/configuration-snp-from-old-guide.toml',
  'kata/configuration-qemu-snp.toml.in': 'examples/kata/configuration-snp-from-old-guide.toml',
  'nodes/snp-node1.toml': 'examples/kata/configuration-snp-from-old-guide.toml',
  // sevlint.host.domainCapabilities: a Genoa host's virsh domcapabilities (cut down), and an SNP guest written for Rome.
  'host/genoa.xml': 'test/fixtures/host/domcaps/genoa-snp.xml',
  'snp-cbitpos-47.xml': 'test/fixtures/domain-xml/host-sev-platform/invalid-cbitpos-47-on-genoa.xml',
  // .sevlintrc.json (written by the test) and "Fix all RULE problems": copies of the SEV-ES domain, five virtio devices without iommu.
  'configured/guest.xml': 'examples/domain/sev-es-as-generated.xml',
  'fix-rule.xml': 'examples/domain/sev-es-as-generated.xml',
  // The decimal-policy trap: <policy>196608</policy> on SEV-SNP (screenshots).
  'snp-pflash-bad-policy.xml': 'examples/domain/snp-pflash-bad-policy.xml',
};

/** Writes a workspace folder at `dir` (created) and returns it. */
export function makeWorkspace(root, dir) {
  for (const [to, from] of Object.entries(WORKSPACE_FILES)) {
    mkdirSync(join(dir, to, '..'), { recursive: true });
    copyFileSync(join(root, from), join(dir, to));
  }
  // An empty .xml file, where the sev-domain snippet goes ('wx': created here, or an error).
  writeFileSync(join(dir, 'new-guest.xml'), '', { flag: 'wx' });
  return dir;
}

/** User settings that keep the workbench quiet, offline and deterministic. */
export const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'files.autoSave': 'off',
  'editor.minimap.enabled': false,
  'editor.stickyScroll.enabled': false,
  'chat.commandCenter.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};
