import type { DomainModel } from '../../domain/model';
import { removeAttribute, render, setAttribute, type TextEdit } from '../../xml/edit';
import { attr, child, type XmlElement } from '../../xml/model';
import { defineRule, type Fix } from '../types';

export const rule = defineRule<DomainModel>()({
  id: 'snp-smm',
  target: 'domain-xml',
  severity: 'error',
  fixable: true,
  summary: 'A SEV-SNP guest cannot have SMM: no <smm state=\'on\'/>, no Secure Boot loader.',
  messages: {
    smmOn: "SMM is enabled, but QEMU refuses it for {label} guests ('SEV-SNP does not support SMM.'). Set state='off'.",
    smmDefault:
      "<smm/> without state enables SMM, but QEMU refuses it for {label} guests ('SEV-SNP does not support SMM.'). Use <smm state='off'/>.",
    secure:
      "<loader secure='yes'> asks for Secure Boot, which needs SMM ('Secure boot requires SMM feature enabled'), but QEMU refuses SMM for {label} guests ('SEV-SNP does not support SMM.'). Remove secure='yes'.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev?.snp) return;
    const features = child(model.root, 'features');
    const smm = features ? child(features, 'smm') : undefined;
    const state = smm ? attr(smm, 'state') : undefined;
    const smmOn = smm && (!state || state.value === 'on') ? smm : undefined;
    const loader = model.os ? child(model.os, 'loader') : undefined;
    const secure = loader ? attr(loader, 'secure') : undefined;
    const secureLoader = secure?.value === 'yes' ? loader : undefined;
    if (!smmOn && !secureLoader) return;

    // One fix for both findings: turning SMM off while Secure Boot stays on is rejected by libvirt.
    const fixes = [smmOffFix(model, smmOn, secureLoader)];
    const data = { label: sev.label };
    if (smmOn) report({ messageId: state ? 'smmOn' : 'smmDefault', data, span: state?.span ?? smmOn.startTag, fixes });
    if (secure && secureLoader) report({ messageId: 'secure', data, span: secure.span, fixes });
  },
});

function smmOffFix(model: DomainModel, smm: XmlElement | undefined, secureLoader: XmlElement | undefined): Fix {
  const edits: TextEdit[] = [];
  if (smm) edits.push(smmOff(model, smm));
  if (secureLoader) edits.push(removeAttribute(model.doc, secureLoader, 'secure')!);
  const parts = [smm ? "set <smm state='off'/>" : '', secureLoader ? "remove secure='yes' from <loader>" : ''].filter(Boolean);
  return { title: `Disable SMM: ${parts.join(' and ')}`, edits, preferred: true };
}

/** `<tseg>` only means something while SMM is on, so a disabled `<smm>` is written without it. */
function smmOff(model: DomainModel, smm: XmlElement): TextEdit {
  if (smm.children.length === 0) return setAttribute(model.style, smm, 'state', 'off');
  return { ...smm.span, newText: render("<smm state='off'/>", '', model.style) };
}
