/**
 * Where the VM the model defined differs from the one the OVF describes, in words: its name, memory
 * and vCPUs raised to the profile's minimum, the disk bus and network card the guest profile picks,
 * the network it joins, its MAC, Secure Boot and TPM as the profile has them. Read from the domain
 * XML that was defined, so it says what is, not what was meant.
 */
import { child, childrenNamed } from '../../xml/node.js';
import { parseXml } from '../../xml/parse.js';
import type { OvaPlan } from './ovf-map.js';

export interface DefinedFacts {
  firmware: 'efi' | 'bios';
  secureBoot: boolean;
  tpm: boolean;
  changes: string[];
}

const onOff = (b: boolean) => (b ? 'on' : 'off');

export function describeChanges(
  plan: OvaPlan,
  xml: string,
  vm: { name: string; memoryMiB: number; vcpus: number; guestName: string; macKept: boolean },
): DefinedFacts {
  const dom = parseXml(xml, 'the defined VM');
  const os = child(dom, 'os');
  const firmware = os?.attrs.firmware === 'efi' ? 'efi' : 'bios';
  const features = childrenNamed(child(os, 'firmware'), 'feature');
  const secureBoot = features.some((f) => f.attrs.name === 'secure-boot' && f.attrs.enabled === 'yes');
  const devices = child(dom, 'devices');
  const tpm = child(devices, 'tpm') !== undefined;
  const disk = childrenNamed(devices, 'disk').find((d) => (d.attrs.device ?? 'disk') === 'disk');
  const bus = child(disk, 'target')?.attrs.bus;
  const nic = child(devices, 'interface');
  const nicModel = child(nic, 'model')?.attrs.type;
  const network = child(nic, 'source')?.attrs.network;

  const changes: string[] = [];
  if (vm.name !== plan.sourceName) changes.push(`name: "${plan.sourceName}" there, "${vm.name}" here`);
  if (plan.memoryMiB === undefined)
    changes.push(`memory: none declared, ${vm.memoryMiB} MiB here (${vm.guestName}'s recommendation)`);
  else if (vm.memoryMiB !== plan.memoryMiB)
    changes.push(`memory: ${plan.memoryMiB} MiB there, ${vm.memoryMiB} MiB here (${vm.guestName}'s minimum)`);
  if (vm.vcpus !== plan.vcpus)
    changes.push(`vCPUs: ${plan.vcpus} there, ${vm.vcpus} here (${vm.guestName}'s minimum)`);
  if (bus) changes.push(`disk: on ${plan.disk.controller} there, ${bus} here (converted to qcow2)`);
  if (nic)
    changes.push(
      `network card: ${plan.nic ? `${plan.nic.model}${plan.nic.network ? ` on "${plan.nic.network}"` : ''}` : 'none'} there, ${nicModel ?? 'the default model'} on libvirt's "${network ?? 'default'}" network here` +
        (plan.nic?.mac
          ? vm.macKept
            ? `, MAC ${plan.nic.mac} kept`
            : ', a new MAC (a new name was given)'
          : ''),
    );
  if (firmware !== plan.firmware) changes.push(`firmware: ${plan.firmware} there, ${firmware} here`);
  if (secureBoot !== plan.secureBoot)
    changes.push(
      `Secure Boot: ${onOff(plan.secureBoot)} there, ${onOff(secureBoot)} here (the ${plan.os.id} profile)`,
    );
  if (tpm !== plan.tpm)
    changes.push(
      `TPM: ${plan.tpm ? 'one' : 'none'} there, ${tpm ? 'a new one' : 'none'} here (the ${plan.os.id} profile)`,
    );
  return { firmware, secureBoot, tpm, changes };
}
