/**
 * `vm set`: memory, vCPUs and autostart. Every change is persistent (the VM's definition); on a
 * running VM it is also applied live where libvirt allows it: memory through the balloon up to the
 * running maximum, vCPUs by hotplug up to the running maximum. The limits are the model's
 * (`checkAskedMemory`, `checkAskedVcpus`). Each change says whether it applied now or at the next start.
 */
import {
  DomainXmlFlags,
  DefineFlags,
  MemoryFlags,
  ModifyFlags,
  VcpuFlags,
  type Libvirt,
} from '../libvirt/index.js';
import { checkAskedMemory } from '../model/decisions/memory.js';
import { checkAskedVcpus } from '../model/decisions/topology.js';
import { kibText } from '../model/size.js';
import { findVm } from './find-vm.js';
import { guestOfDomainXml } from './vm-guest.js';
import { withVmLock } from './vm-lock.js';

export interface SetRequest {
  memoryKiB?: number;
  vcpus?: number;
  autostart?: boolean;
}

export interface SetChange {
  setting: 'memory' | 'vcpus' | 'autostart';
  value: string;
  /** `now`: in effect already (live and persistent); `next-start`: in the definition only. */
  applies: 'now' | 'next-start';
  /** Why it waits for the next start, or what "now" means. */
  detail: string;
}

export interface SetOutcome {
  name: string;
  running: boolean;
  changes: SetChange[];
  warnings: string[];
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The domain XML with `n` vCPUs (all present at start) and a topology of that many. */
export function withVcpuCount(xml: string, n: number): string {
  let out = xml.replace(/<vcpu\b[^>]*>\s*\d+\s*<\/vcpu>/, (m) => {
    const placement = /placement=(['"])([^'"]*)\1/.exec(m)?.[2];
    return `<vcpu${placement ? ` placement='${placement}'` : ''}>${n}</vcpu>`;
  });
  out = out.replace(/<topology\b[^>]*\/>/, (m) => {
    const num = (a: string): number => Number(new RegExp(`${a}=['"](\\d+)['"]`).exec(m)?.[1] ?? 1);
    const [sockets, dies, threads] = [num('sockets'), num('dies'), num('threads')];
    const per = sockets * dies * threads;
    return n % per === 0
      ? m.replace(/cores=(['"])\d+\1/, `cores='${n / per}'`)
      : `<topology sockets='1' dies='1' cores='${n}' threads='1'/>`;
  });
  return out;
}

export async function setVm(lv: Libvirt, name: string, req: SetRequest): Promise<SetOutcome> {
  const dom = await findVm(lv, name);
  return withVmLock(lv, dom, 'set', async () => {
    const [xml, node, { state }] = await Promise.all([
      dom.xml(DomainXmlFlags.INACTIVE | DomainXmlFlags.SECURE),
      lv.nodeInfo(),
      dom.state(),
    ]);
    const running = state !== 'shutoff' && state !== 'crashed';
    const guest = guestOfDomainXml(xml);
    const warnings: string[] = [];
    // Every limit is checked before anything changes.
    if (req.memoryKiB !== undefined) checkAskedMemory(req.memoryKiB, guest, Number(node.memoryKiB), warnings);
    if (req.vcpus !== undefined) checkAskedVcpus(req.vcpus, guest, node.cpus, undefined, warnings);
    const changes: SetChange[] = [];

    if (req.vcpus !== undefined) {
      const n = req.vcpus;
      const defined = withVcpuCount(xml, n);
      if (defined !== xml) await lv.domains.define(defined, DefineFlags.VALIDATE);
      let change: SetChange = {
        setting: 'vcpus',
        value: String(n),
        applies: 'next-start',
        detail: 'the VM is shut off',
      };
      if (running) {
        const [liveMax, live] = await Promise.all([
          dom.vcpus(VcpuFlags.LIVE | VcpuFlags.MAXIMUM),
          dom.vcpus(VcpuFlags.LIVE),
        ]);
        if (n === live) change = { ...change, applies: 'now', detail: `it runs with ${n} already` };
        else if (n > liveMax)
          change.detail = `it runs with at most ${liveMax} vCPUs (its maximum when it started): ${n} at the next start`;
        else
          await dom.setVcpus(n, ModifyFlags.LIVE).then(
            () =>
              (change = {
                ...change,
                applies: 'now',
                detail: `hot-${n > live ? 'plugged' : 'unplugged'} (was ${live})`,
              }),
            (err: unknown) =>
              (change.detail = `libvirt cannot change them live (${message(err)}): at the next start`),
          );
      }
      changes.push(change);
    }

    if (req.memoryKiB !== undefined) {
      const kib = req.memoryKiB;
      const text = kibText(kib);
      // Maximum first (it also lowers the current amount), then the current amount.
      await dom.setMemory(BigInt(kib), MemoryFlags.CONFIG | MemoryFlags.MAXIMUM);
      await dom.setMemory(BigInt(kib), MemoryFlags.CONFIG);
      let change: SetChange = {
        setting: 'memory',
        value: text,
        applies: 'next-start',
        detail: 'the VM is shut off',
      };
      if (running) {
        const info = await dom.info();
        if (BigInt(kib) > info.maxMemKiB)
          change.detail = `above its running maximum of ${kibText(Number(info.maxMemKiB))}: at the next start`;
        else
          await dom.setMemory(BigInt(kib), MemoryFlags.LIVE).then(
            () =>
              (change = {
                ...change,
                applies: 'now',
                detail: `the balloon target is now ${text}: the guest's balloon driver hands the memory over (a guest without one keeps what it has)`,
              }),
            (err: unknown) =>
              (change.detail = `libvirt cannot change it live (${message(err)}): at the next start`),
          );
      }
      changes.push(change);
    }

    if (req.autostart !== undefined) {
      await dom.setAutostart(req.autostart);
      changes.push({
        setting: 'autostart',
        value: req.autostart ? 'on' : 'off',
        applies: 'now',
        detail: req.autostart ? 'starts when the libvirt daemon starts' : 'no longer starts with the daemon',
      });
    }
    return { name, running, changes, warnings };
  });
}
