import type { KataModel } from '../../kata/model';
import { setValue } from '../../toml/edit';
import { defineRule } from '../types';

export const rule = defineRule<KataModel>()({
  id: 'kata-nvdimm',
  target: 'kata-toml',
  severity: 'warning',
  fixable: true,
  hasSuggestions: true,
  summary: 'A confidential guest cannot use NVDIMM: set disable_image_nvdimm = true and do not use block_device_driver = "nvdimm".',
  messages: {
    imageNvdimm:
      'disable_image_nvdimm = false asks for the guest image on an NVDIMM, which a confidential guest cannot have: Kata overrides it ("Nvdimm is not supported with confidential guest, disabling it.") and attaches the image as a virtio-blk disk. Set disable_image_nvdimm = true to say what happens.',
    blockDriver:
      'block_device_driver = "nvdimm" in a confidential guest: Kata would attach container block devices as NVDIMMs, which a confidential guest cannot use (Kata\'s confidential templates list NVDIMM devices under "Does not work by design"), so those containers fail to start. Use "virtio-scsi" (Kata\'s default on x86_64) or "virtio-blk".',
  },
  check(model, _ctx, report) {
    if (!model.confidential) return;
    const image = model.qemuEntry('disable_image_nvdimm');
    if (image?.value === false) {
      report({
        messageId: 'imageNvdimm',
        span: image.valueSpan,
        fixes: [{ title: 'Set disable_image_nvdimm = true', edits: [setValue(image, 'true')], preferred: true }],
      });
    }
    const driver = model.qemuEntry('block_device_driver');
    if (driver?.value === 'nvdimm') {
      report({
        messageId: 'blockDriver',
        severity: 'error',
        span: driver.valueSpan,
        fixes: [{ title: 'Use block_device_driver = "virtio-scsi"', edits: [setValue(driver, '"virtio-scsi"')], preferred: false }],
      });
    }
  },
});
