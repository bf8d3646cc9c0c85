/**
 * The editor's side of host-aware linting on the live machine, trusted
 * workspaces only:
 * - sevlint.host.live: the language server asks for `virsh domcapabilities
 *   --virttype kvm --arch x86_64 [--machine M] [--emulatorbin E]` for a
 *   domain's machine and emulator; this runs it (execFile, fixed argv, no
 *   shell, a timeout and an output cap) once per query and answers;
 * - "sevlint: Refresh host capabilities" forgets those answers, and the server
 *   asks again;
 * - "sevlint: Check this host" shows the `sevlint host` report of this machine.
 * The language server itself never runs a program.
 */
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import { collectHost, HOST_PROGRAMS } from '../../server/src/cli/host';
import type { CapabilitiesSource } from '../../server/src/host/domcaps';
import { isLiveQuery, virshArgs } from '../../server/src/host/live-query';
import { assessHost, formatHostText, type Read } from '../../server/src/host/readiness';

const TIMEOUT_MS = 10_000;
const MAX_OUTPUT = 8 * 1024 * 1024;

function run(file: string, args: readonly string[]): Promise<Read> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT, windowsHide: true }, (err, stdout, stderr) => {
      if (!err) {
        resolve({ text: String(stdout) });
        return;
      }
      const code = (err as NodeJS.ErrnoException).code;
      resolve({ missing: code === 'ENOENT' ? `${file} is not installed (not on PATH)` : `${file} failed: ${(String(stderr).trim() || err.message).split('\n')[0] ?? err.message}` });
    });
  });
}

export class LiveHost {
  private readonly answers = new Map<string, Promise<CapabilitiesSource>>();

  constructor(private readonly output: vscode.OutputChannel) {}

  /** The answer to the server's sevlint/liveDomainCapabilities. */
  async query(params: unknown): Promise<CapabilitiesSource | null> {
    if (!vscode.workspace.isTrusted || !isLiveQuery(params)) return null;
    if (vscode.workspace.getConfiguration('sevlint').get<boolean>('host.live') !== true) return null;
    const args = virshArgs(params);
    if (typeof args === 'string') return { name: 'virsh domcapabilities', text: '', unreadable: `not run: ${args}` };
    const key = args.join('\u0000');
    let answer = this.answers.get(key);
    if (!answer) {
      const name = `virsh ${args.join(' ')}`;
      answer = run('virsh', args).then((r) => {
        if ('text' in r) return { name, text: r.text };
        this.output.appendLine(`[sevlint] ${name}: ${r.missing}`);
        return { name, text: '', unreadable: r.missing };
      });
      this.answers.set(key, answer);
    }
    return answer;
  }

  /** "sevlint: Refresh host capabilities": forget every answer. */
  forget(): void {
    this.answers.clear();
  }
}

/** "sevlint: Check this host": the report in a new editor. */
export async function checkHost(): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage('sevlint: Check this host runs qemu-system-x86_64 and virsh, so it is only available in a trusted workspace.');
    return;
  }
  const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'SEV: checking this host…' }, async () => {
    const [qemu, virsh] = await Promise.all([run(HOST_PROGRAMS.qemu[0], HOST_PROGRAMS.qemu[1]), run(HOST_PROGRAMS.virsh[0], HOST_PROGRAMS.virsh[1])]);
    return assessHost(collectHost(undefined, '/', { qemu, virsh }));
  });
  const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: formatHostText(report) });
  await vscode.window.showTextDocument(doc, { preview: false });
}
