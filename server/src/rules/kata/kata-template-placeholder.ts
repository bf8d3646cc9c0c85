import type { KataModel } from '../../kata/model';
import { defineRule } from '../types';

export const rule = defineRule<KataModel>()({
  id: 'kata-template-placeholder',
  target: 'kata-toml',
  severity: 'error',
  summary: 'A configuration.toml still holds an @NAME@ token of the template it was made from.',
  messages: {
    bare: "'@{name}@' is a placeholder of Kata's configuration template, left unreplaced; as a bare value it is not valid TOML. Put the real value here.",
    quoted: "'@{name}@' is a placeholder of Kata's configuration template, left unreplaced; Kata would use it literally (e.g. as a path). Put the real value here.",
  },
  check(model, _ctx, report) {
    if (model.template) return;
    for (const p of model.doc.placeholders) {
      report({ messageId: p.quoted ? 'quoted' : 'bare', data: { name: p.name }, span: p.span });
    }
  },
});
