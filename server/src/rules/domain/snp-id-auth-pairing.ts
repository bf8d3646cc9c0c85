import type { DomainModel } from '../../domain/model';
import { attr, child } from '../../xml/model';
import { defineRule } from '../types';
import { givenChild } from './launch-security-util';

export const rule = defineRule<DomainModel>()({
  id: 'snp-id-auth-pairing',
  target: 'domain-xml',
  severity: 'error',
  summary: 'A SEV-SNP <idBlock> needs its <idAuth>, and <idAuth> / authorKey=\'yes\' mean nothing without an ID block.',
  messages: {
    blockWithoutAuth:
      '<idBlock> needs an <idAuth>, but {noAuth}: QEMU enables the ID block without an ID authentication structure and the launch fails in SNP_LAUNCH_FINISH. Add the <idAuth> signed for this ID block.',
    authWithoutBlock:
      '<idAuth> has no <idBlock> to authenticate, so the firmware ignores it. Add the <idBlock> it signs, or remove <idAuth>.',
    authorKeyWithoutAuth:
      "authorKey='yes' says that <idAuth> carries an author key, but {noAuth}, so it has no effect.",
  },
  check(model, _ctx, report) {
    const sev = model.sev;
    if (!sev?.snp) return;
    const idBlock = givenChild(model.text, sev, 'idBlock');
    const idAuth = givenChild(model.text, sev, 'idAuth');
    const noAuth = child(sev.element, 'idAuth') ? '<idAuth> is empty' : 'there is no <idAuth>';
    if (idBlock && !idAuth) report({ messageId: 'blockWithoutAuth', data: { noAuth }, span: idBlock.startTag });
    if (idAuth && !idBlock) report({ messageId: 'authWithoutBlock', span: idAuth.startTag, severity: 'warning' });
    const authorKey = attr(sev.element, 'authorKey');
    if (authorKey?.value === 'yes' && !idAuth) report({ messageId: 'authorKeyWithoutAuth', data: { noAuth }, span: authorKey.span, severity: 'warning' });
  },
});
