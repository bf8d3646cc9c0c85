import type { KataModel } from '../../kata/model';
import { insertKey, tomlString } from '../../toml/edit';
import { defineRule, type Fix, type Report } from '../types';
import { setString } from './edits';
import { type Lookup, qemuAnchor, qemuLookup } from './query';

/** What Kata's Go runtime uses when `shared_fs` is absent or empty (config.go `sharedFS()`). */
const DEFAULT_SHARED_FS = 'virtio-fs';
/** Shared filesystems that expose host files to the guest. */
const HOST_SHARED = new Set(['virtio-fs', 'virtio-fs-nydus', 'virtio-9p']);
/** Shared filesystems that need a vhost-user-fs daemon. */
const NEEDS_DAEMON = new Set(['virtio-fs', 'virtio-fs-nydus']);

export const rule = defineRule<KataModel>()({
  id: 'kata-shared-fs',
  target: 'kata-toml',
  severity: 'warning',
  hasSuggestions: true,
  summary: 'A confidential guest shares host files through virtio-fs or virtio-9p; and virtio-fs needs virtio_fs_daemon.',
  messages: {
    shared:
      'shared_fs = "{fs}" shares a host directory with the confidential guest, outside its encrypted memory and under the host\'s control. Kata\'s SEV-SNP configuration uses shared_fs = "none", with images pulled in the guest or given as block devices.',
    sharedDefault:
      'shared_fs is {how}, so Kata uses "virtio-fs", which shares a host directory with the confidential guest, outside its encrypted memory and under the host\'s control. Kata\'s SEV-SNP configuration uses shared_fs = "none", with images pulled in the guest or given as block devices.',
    noDaemon:
      'shared_fs is "{fs}" but {daemon}; Kata fails with: cannot enable {fs} without daemon path in configuration file. Set virtio_fs_daemon to the path of virtiofsd.',
  },
  check(model, _ctx, report) {
    if (!model.qemu && !model.confidential) return; // not a QEMU configuration
    const look = qemuLookup(model, 'shared_fs');
    const fs = sharedFs(look);
    if (fs === undefined) return;
    if (model.confidential && HOST_SHARED.has(fs)) reportShared(model, look, fs, report);
    if (NEEDS_DAEMON.has(fs)) checkDaemon(model, look, fs, report);
  },
});

/** The shared filesystem Kata uses; undefined when unknown (a placeholder or not a string). */
function sharedFs(look: Lookup): string | undefined {
  if (look.kind === 'absent') return DEFAULT_SHARED_FS;
  if (look.kind === 'unknown' || typeof look.entry.value !== 'string') return undefined;
  return look.entry.value === '' ? DEFAULT_SHARED_FS : look.entry.value;
}

function reportShared(model: KataModel, look: Lookup, fs: string, report: (r: Report<'shared' | 'sharedDefault'>) => void): void {
  const title = 'Set shared_fs = "none" (images then come from a pull in the guest or the blockfile snapshotter)';
  if (look.kind === 'set') {
    const fixes: Fix[] = [{ title, edits: [setString(model, look.entry, 'none')], preferred: false }];
    const messageId = look.entry.value === '' ? 'sharedDefault' : 'shared';
    report({ messageId, data: { fs, how: 'empty' }, span: look.entry.valueSpan, fixes });
    return;
  }
  const span = qemuAnchor(model);
  const fixes: Fix[] = model.qemu ? [{ title, edits: [insertKey(model.text, model.qemu, 'shared_fs', tomlString('none'))], preferred: false }] : [];
  report({ messageId: 'sharedDefault', data: { how: 'not set' }, span, fixes });
}

function checkDaemon(model: KataModel, fsLook: Lookup, fs: string, report: (r: Report<'noDaemon'>) => void): void {
  const daemon = qemuLookup(model, 'virtio_fs_daemon');
  if (daemon.kind === 'unknown') return;
  if (daemon.kind === 'set' && daemon.entry.value !== '') return;
  const span = daemon.kind === 'set' ? daemon.entry.valueSpan : fsLook.kind === 'set' ? fsLook.entry.valueSpan : qemuAnchor(model);
  const text = daemon.kind === 'set' ? 'virtio_fs_daemon is empty' : 'virtio_fs_daemon is not set';
  report({ messageId: 'noDaemon', data: { fs, daemon: text }, span, severity: 'error' });
}
