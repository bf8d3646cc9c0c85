import type { DomainModel } from '../../domain/model';
import { KiB, MiB, toBytes } from '../../domain/units';
import { insertChild, render, type TextEdit } from '../../xml/edit';
import { attrValue, child, textContent, type XmlElement } from '../../xml/model';
import { defineRule, type Fix } from '../types';

/** Headroom over guest RAM that the libvirt kbase recommends for QEMU's own allocations. */
const HEADROOM = 256n * MiB;

/** Where libvirt writes `<memoryBacking>`: after these, in this order. */
const BEFORE_MEMORY_BACKING = ['memtune', 'blkiotune', 'currentMemory', 'memory', 'maxMemory'];
const BEFORE_MEMTUNE = ['blkiotune', 'currentMemory', 'memory', 'maxMemory'];

export const rule = defineRule<DomainModel>()({
  id: 'sev-memory-hard-limit',
  target: 'domain-xml',
  severity: 'warning',
  fixable: true,
  hasSuggestions: true,
  summary: 'A SEV / SEV-ES guest needs <memoryBacking><locked/> or a <memtune><hard_limit>, and a hard_limit of at least its memory + 256 MiB, <locked/> or not.',
  messages: {
    missing:
      '{label} pins all guest memory, but the domain has neither <memoryBacking><locked/> nor <memtune><hard_limit>; with the default memlock limit the launch fails. Add <locked/>.',
    tooSmall:
      'hard_limit is {limit} KiB, below guest memory + 256 MiB ({needed} KiB); QEMU of this {label} guest can be killed when it reaches the limit.',

    lockedTooSmall:
      'hard_limit is {limit} KiB, below guest memory + 256 MiB ({needed} KiB); with <locked/>, libvirt makes hard_limit the memlock limit of QEMU, which locks all its memory, so KVM cannot pin all the memory of this {label} guest.',
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev || sev.snp) return;
    const backing = child(model.root, 'memoryBacking');
    const isLocked = backing !== undefined && child(backing, 'locked') !== undefined;
    const memory = child(model.root, 'memory');
    const memoryBytes = memory ? toBytes(textContent(model.text, memory), attrValue(memory, 'unit')) : undefined;
    const memtune = child(model.root, 'memtune');
    const hardLimit = memtune ? child(memtune, 'hard_limit') : undefined;
    const neededKiB = memoryBytes === undefined ? undefined : (memoryBytes + HEADROOM + KiB - 1n) / KiB;

    const locked: Fix = {
      title: 'Lock guest memory: add <memoryBacking><locked/>',
      edits: [backing ? insertChild(model.doc, model.style, backing, '<locked/>', 'last') : insertAfterAny(model, BEFORE_MEMORY_BACKING, '<memoryBacking>\n  <locked/>\n</memoryBacking>')],
      preferred: !hardLimit,
    };
    if (!hardLimit) {
      if (isLocked) return;
      const fixes: Fix[] = [locked];
      if (neededKiB !== undefined) {
        fixes.push({ title: `Set <memtune><hard_limit> to ${neededKiB} KiB (memory + 256 MiB)`, edits: [setHardLimit(model, memtune, undefined, neededKiB)], preferred: false });
      }
      report({ messageId: 'missing', data: { label: sev.label }, span: (memory ?? sev.element).startTag, fixes });
      return;
    }
    const limitBytes = toBytes(textContent(model.text, hardLimit), attrValue(hardLimit, 'unit'));
    if (limitBytes === undefined || neededKiB === undefined || memoryBytes === undefined) return;
    if (limitBytes >= memoryBytes + HEADROOM) return;
    const raise: Fix = { title: `Set hard_limit to ${neededKiB} KiB (memory + 256 MiB)`, edits: [setHardLimit(model, memtune, hardLimit, neededKiB)], preferred: true };
    report({
      // qemuDomainGetMemLockLimitBytes: a hard_limit is the memlock limit even with <locked/>.
      messageId: isLocked ? 'lockedTooSmall' : 'tooSmall',
      data: { label: sev.label, limit: String(limitBytes / KiB), needed: String(neededKiB) },
      span: hardLimit.span,
      fixes: isLocked ? [raise] : [raise, locked],
    });
  },
});

function setHardLimit(model: DomainModel, memtune: XmlElement | undefined, hardLimit: XmlElement | undefined, kib: bigint): TextEdit {
  const markup = `<hard_limit unit='KiB'>${kib}</hard_limit>`;
  if (hardLimit) return { ...hardLimit.span, newText: render(markup, '', model.style) };
  if (memtune) return insertChild(model.doc, model.style, memtune, markup, 'last');
  return insertAfterAny(model, BEFORE_MEMTUNE, `<memtune>\n  ${markup}\n</memtune>`);
}

/** Inserts a child of `<domain>` after the last of `after` that exists (else first). */
function insertAfterAny(model: DomainModel, after: readonly string[], markup: string): TextEdit {
  for (const name of after) {
    const el = child(model.root, name);
    if (el) return insertChild(model.doc, model.style, model.root, markup, { after: el });
  }
  return insertChild(model.doc, model.style, model.root, markup, 'first');
}
