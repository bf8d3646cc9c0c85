import type { KataModel } from '../../kata/model';
import { DEFAULT_POLICY, formatPolicy, showNumber } from '../../policy';
import type { TomlEntry } from '../../toml/parse';
import { defineRule, type Report } from '../types';
import { type Lookup, qemuLookup, readKataPolicy } from './query';

/** The SNP ID block is exactly this long (SEV-SNP ABI, KVM_SEV_SNP_ID_BLOCK_SIZE). */
const ID_BLOCK_BYTES = 96;
/** The ID authentication structure is at most this long (KVM_SEV_SNP_ID_AUTH_SIZE). */
const ID_AUTH_MAX_BYTES = 4096;
/** Where the ID block's POLICY field (little-endian u64) starts. */
const POLICY_OFFSET = 88;
/** What QEMU's qbase64_decode accepts: base64 characters and line feeds. */
const BASE64 = /^[A-Za-z0-9+/=\n]*$/;

type Emit = (r: Report<'blockWithoutAuth' | 'authWithoutBlock' | 'charset' | 'blockLength' | 'authLength' | 'policyMismatch' | 'policyMismatchDefault'>) => void;

/** A blob as Kata passes it: given (a non-empty string), absent (unset or ""), or unknown (placeholder, not a string). */
type Blob = { readonly kind: 'given'; readonly entry: TomlEntry; readonly text: string } | { readonly kind: 'absent'; readonly empty: boolean } | { readonly kind: 'unknown' };

export const rule = defineRule<KataModel>()({
  id: 'kata-snp-id-block',
  target: 'kata-toml',
  severity: 'error',
  summary: 'snp_id_block and snp_id_auth go together, are base64 of the right size, and the ID block carries the guest policy.',
  messages: {
    blockWithoutAuth:
      'snp_id_block is set but {auth}; Kata refuses to start the guest: specifying SNP IDBlock without SNP IDAuth is not allowed. Add the snp_id_auth signed for this ID block.',
    authWithoutBlock:
      'snp_id_auth is set but {block}; Kata refuses to start the guest: specifying SNP IDAuth without SNP IDBlock is not allowed. Add the snp_id_block it authenticates, or remove snp_id_auth.',
    charset:
      '{key} contains {char}, which QEMU does not accept in base64 (only A–Z, a–z, 0–9, +, /, = and line feeds); it fails with: Base64 data contains invalid characters.',
    blockLength:
      'snp_id_block decodes to {actual} bytes but the SNP ID block is exactly 96; QEMU fails with: parameter length of {actual} not equal to 96.',
    authLength:
      'snp_id_auth decodes to {actual} bytes, more than the 4096 of the SNP ID authentication structure; QEMU fails with: parameter length:ID_AUTH {actual} exceeds max of 4096.',
    policyMismatch:
      "The ID block's POLICY field is {blockPolicy} but snp_guest_policy is {policy}; the firmware compares them and SNP_LAUNCH_FINISH fails. Sign an ID block for {policy}, or set snp_guest_policy to {blockPolicy}.",
    policyMismatchDefault:
      "The ID block's POLICY field is {blockPolicy} but snp_guest_policy is not set, so Kata uses QEMU's default 0x30000; the firmware compares them and SNP_LAUNCH_FINISH fails. Set snp_guest_policy = {blockPolicy}, or sign an ID block for 0x30000.",
  },
  check(model, _ctx, report) {
    if (!model.snp) return;
    const block = readBlob(qemuLookup(model, 'snp_id_block'));
    const auth = readBlob(qemuLookup(model, 'snp_id_auth'));
    checkPairing(block, auth, report);
    if (block.kind === 'given') checkBlock(model, block.entry, block.text, report);
    if (auth.kind === 'given') checkAuth(auth.entry, auth.text, report);
  },
});

function readBlob(look: Lookup): Blob {
  if (look.kind === 'absent') return { kind: 'absent', empty: false };
  if (look.kind === 'unknown' || typeof look.entry.value !== 'string') return { kind: 'unknown' };
  if (look.entry.value === '') return { kind: 'absent', empty: true };
  return { kind: 'given', entry: look.entry, text: look.entry.value };
}

function missing(blob: Blob, key: string): string {
  return blob.kind === 'absent' && blob.empty ? `${key} is empty` : `${key} is not set`;
}

function checkPairing(block: Blob, auth: Blob, report: Emit): void {
  if (block.kind === 'given' && auth.kind === 'absent') {
    report({ messageId: 'blockWithoutAuth', data: { auth: missing(auth, 'snp_id_auth') }, span: block.entry.valueSpan });
  }
  if (auth.kind === 'given' && block.kind === 'absent') {
    report({ messageId: 'authWithoutBlock', data: { block: missing(block, 'snp_id_block') }, span: auth.entry.valueSpan });
  }
}

/** The decoded bytes, or undefined after reporting a character QEMU refuses. */
function decode(entry: TomlEntry, key: string, text: string, report: Emit): Buffer | undefined {
  if (BASE64.test(text)) return Buffer.from(text.replace(/\n/g, ''), 'base64');
  const bad = /[^A-Za-z0-9+/=\n]/.exec(text)![0];
  report({ messageId: 'charset', data: { key, char: shown(bad) }, span: entry.valueSpan });
  return undefined;
}

function shown(ch: string): string {
  const names: Record<string, string> = { ' ': 'a space', '\t': 'a tab', '\r': 'a carriage return' };
  return names[ch] ?? `'${ch}'`;
}

function checkBlock(model: KataModel, entry: TomlEntry, text: string, report: Emit): void {
  const bytes = decode(entry, 'snp_id_block', text, report);
  if (!bytes) return;
  if (bytes.length !== ID_BLOCK_BYTES) {
    report({ messageId: 'blockLength', data: { actual: bytes.length }, span: entry.valueSpan });
    return;
  }
  const blockPolicy = bytes.readBigUInt64LE(POLICY_OFFSET);
  const policy = readKataPolicy(model);
  if (policy.kind === 'unknown' || policy.kind === 'invalid') return;
  const expected = policy.kind === 'absent' ? DEFAULT_POLICY['sev-snp'] : policy.value;
  if (blockPolicy === expected) return;
  const data = { blockPolicy: formatPolicy(blockPolicy), policy: policy.kind === 'set' ? showNumber(expected, policy.style) : formatPolicy(expected) };
  report({ messageId: policy.kind === 'absent' ? 'policyMismatchDefault' : 'policyMismatch', data, span: entry.valueSpan });
}

function checkAuth(entry: TomlEntry, text: string, report: Emit): void {
  const bytes = decode(entry, 'snp_id_auth', text, report);
  if (bytes && bytes.length > ID_AUTH_MAX_BYTES) report({ messageId: 'authLength', data: { actual: bytes.length }, span: entry.valueSpan });
}
