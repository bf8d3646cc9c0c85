import type { DomainModel } from '../../domain/model';
import { machineFamily } from '../../host/domcaps';
import { defineRule } from '../types';
import { sevOnHost } from './util';

export const rule = defineRule<DomainModel>()({
  id: 'host-machine',
  target: 'domain-xml',
  severity: 'warning',
  summary: 'The machine type must be of the family the host capabilities describe (pc-q35-* versions differ freely; q35 vs i440fx does not).',
  messages: {
    family:
      'The machine {machine} is of the {family} family, but the host capabilities ({caps}) describe {host}, of the {hostFamily} family: the host findings may not hold for this machine. Use the capabilities for this machine (virsh domcapabilities --machine {machine}), or a {hostFamily} machine.',
  },
  check(model, ctx, report) {
    const on = sevOnHost(model, ctx.host);
    const host = on?.caps.machine;
    if (!on || host === undefined) return;
    const machine = model.machine.name;
    const family = machineFamily(machine);
    const hostFamily = machineFamily(host);
    if (family === hostFamily) return;
    const span = model.machine.attribute?.span ?? model.machine.typeElement?.startTag ?? model.root.nameSpan;
    const shown = machine ?? 'pc (the default)';
    report({ messageId: 'family', data: { machine: shown, family, host, hostFamily, caps: on.caps.name }, span });
  },
});
