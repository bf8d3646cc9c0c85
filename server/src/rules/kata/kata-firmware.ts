import type { KataModel } from '../../kata/model';
import { tomlString } from '../../toml/edit';
import { defineRule, type Fix } from '../types';
import { setQemuKey } from './edits';
import { isAmdSevFirmwarePath, isSecureExecution, looksAmd, qemuAnchor, qemuLookup } from './query';

/** Where kata-deploy installs the OVMF AmdSev build (Kata's Makefile: FIRMWARESNPPATH under PREFIXDEPS=/opt/kata). */
export const KATA_DEPLOY_SNP_FIRMWARE = '/opt/kata/share/ovmf/AMDSEV.fd';

export const rule = defineRule<KataModel>()({
  id: 'kata-firmware',
  target: 'kata-toml',
  severity: 'error',
  hasSuggestions: true,
  summary: 'A confidential guest needs firmware set, and an SEV-SNP guest an OVMF AmdSev build with the kernel hashes table.',
  messages: {
    missing:
      "[hypervisor.qemu] of a confidential guest sets no firmware: Kata hands an SEV-SNP guest its firmware with -bios and cannot describe the SNP launch without it, and QEMU's default SeaBIOS cannot run a confidential guest, so the guest does not start. Set firmware to an OVMF build for the guest, for SEV-SNP an AmdSev build (kata-deploy: {kataDeploy}).",
    empty:
      "firmware is empty in a confidential guest: Kata hands an SEV-SNP guest its firmware with -bios and cannot describe the SNP launch without it, and QEMU's default SeaBIOS cannot run a confidential guest, so the guest does not start. Set firmware to an OVMF build for the guest, for SEV-SNP an AmdSev build (kata-deploy: {kataDeploy}).",
    notAmdSev:
      "firmware '{path}' does not look like an OVMF AmdSev build (no 'AmdSev' in its name): Kata always turns on kernel-hashes for an SEV-SNP guest, and QEMU refuses firmware without a hashes table area (\"SEV: guest firmware hashes table area is invalid (base=0x0 size=0x0)\" for a generic OVMF build; \"SEV: kernel specified but guest firmware has no hashes table GUID\" for firmware without the GUID). Use an AmdSev build such as {kataDeploy} (kata-deploy) or OVMF.amdsev.fd (distribution packages).",
  },
  check(model, _ctx, report) {
    if (!model.confidential || isSecureExecution(model)) return;
    const firmware = qemuLookup(model, 'firmware');
    if (firmware.kind === 'unknown') return;
    if (firmware.kind === 'absent' || firmware.entry.value === '') {
      const edit = looksAmd(model) ? setQemuKey(model, 'firmware', tomlString(KATA_DEPLOY_SNP_FIRMWARE)) : undefined;
      const fixes: Fix[] = edit ? [{ title: `Set firmware = "${KATA_DEPLOY_SNP_FIRMWARE}" (kata-deploy's OVMF AmdSev build)`, edits: [edit], preferred: false }] : [];
      report({ messageId: firmware.kind === 'absent' ? 'missing' : 'empty', data: { kataDeploy: KATA_DEPLOY_SNP_FIRMWARE }, span: firmware.kind === 'absent' ? qemuAnchor(model) : firmware.entry.valueSpan, fixes });
      return;
    }
    const path = firmware.entry.value;
    if (!model.snp || typeof path !== 'string' || isAmdSevFirmwarePath(path)) return;
    report({ messageId: 'notAmdSev', severity: 'warning', data: { path, kataDeploy: KATA_DEPLOY_SNP_FIRMWARE }, span: firmware.entry.valueSpan });
  },
});
