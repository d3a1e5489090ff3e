import { existsSync, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DomainXmlFlags, parseUri, type Domain, type DomainState, type Libvirt } from '../libvirt/index.js';
import { child, childrenNamed, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import type { ModelHostFacts } from '../model/host-facts.js';
import { hostName } from './find-vm.js';
import { gatherModelHostFacts, remoteHostOf } from './model-host-facts.js';
import { qcow2BackingFile } from './image-chain.js';
import { readStartFailure, type StartFailure } from './start-failure.js';

export type FindingId =
  | 'start.failed'
  | 'qemu.refused'
  | 'hook.refused'
  | 'file.missing'
  | 'backing.missing'
  | 'kvm.not-working'
  | 'tpm.no-swtpm'
  | 'firmware.no-secure-boot';

/** One thing found wrong (or worth knowing), in plain words, with what to do. */
export interface Finding {
  id: FindingId;
  severity: 'problem' | 'warning';
  summary: string;
  detail?: string;
  fix: string;
}

export interface Diagnosis {
  vm: string;
  host: string;
  state: DomainState;
  /** libvirt's error for the last start that failed (cleared by a start that works). */
  lastStartFailure?: StartFailure;
  /** The QEMU log: its end when this machine can read it, else where it is. */
  qemuLog: { path: string; tail?: string; note?: string };
  findings: Finding[];
}

const LOG_TAIL_BYTES = 4096;
const LOG_TAIL_LINES = 15;

/** Where libvirt writes the domain's QEMU log on its host. */
export function qemuLogPath(uri: string, vm: string): string {
  return parseUri(uri).path === '/session'
    ? join(homedir(), '.cache/libvirt/qemu/log', `${vm}.log`)
    : `/var/log/libvirt/qemu/${vm}.log`;
}

function tail(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const len = Math.min(size, LOG_TAIL_BYTES);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf.toString('utf8').split('\n').filter(Boolean).slice(-LOG_TAIL_LINES).join('\n');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

interface NeededFile {
  what: string;
  path: string;
  /** A disk image (whose backing file matters too). */
  image: boolean;
  /** The disk's target device (sda), for a command that names it. */
  target?: string;
}

/** The files a domain needs, from its XML: disks (by device), kernel, initrd, loader, NVRAM template. */
export function neededFiles(domain: XmlNode): NeededFile[] {
  const out: NeededFile[] = [];
  const os = child(domain, 'os');
  for (const [tag, what] of [
    ['kernel', 'kernel'],
    ['initrd', 'initrd'],
  ] as const) {
    const text = child(os, tag)?.text?.trim();
    if (text) out.push({ what, path: text, image: false });
  }
  const loader = child(os, 'loader')?.text?.trim();
  if (loader) out.push({ what: 'firmware loader', path: loader, image: false });
  const template = child(os, 'nvram')?.attrs.template;
  if (template) out.push({ what: 'UEFI variable store template', path: template, image: false });
  for (const disk of childrenNamed(child(domain, 'devices'), 'disk')) {
    const file = child(disk, 'source')?.attrs.file;
    if (disk.attrs.type !== 'file' || !file) continue;
    const device = disk.attrs.device ?? 'disk';
    out.push({
      what: device === 'cdrom' ? 'CD-ROM image (ISO)' : device === 'floppy' ? 'floppy image' : 'disk image',
      path: file,
      image: device === 'disk',
      ...(child(disk, 'target')?.attrs.dev ? { target: child(disk, 'target')!.attrs.dev! } : {}),
    });
  }
  return out;
}

/** QEMU's own complaint inside a libvirt error ("qemu-system-x86_64: -device x: …"), if any. */
export function qemuComplaint(message: string): string | undefined {
  const m = /qemu-system-[\w-]+: (.+?)(?:\n|$)/.exec(message);
  return m?.[1]?.trim();
}

/** How far before the failed start's recorded time a QEMU error in its log may be and still be its own. */
const LOG_COMPLAINT_WINDOW_MS = 120_000;

/**
 * QEMU's complaint in the end of its log (`2026-12-07T13:48:53.072351Z qemu-system-x86_64: …`, libvirt
 * runs QEMU with `-msg timestamp=on`), if it was written by the start that failed at `at`: libvirt's
 * own error does not always carry it (when QEMU is gone before libvirt reads its output, the error
 * only says that the monitor closed). An older run's complaint is not this failure's.
 */
export function logComplaint(tail: string, at: string): string | undefined {
  const failedAt = Date.parse(at);
  if (Number.isNaN(failedAt)) return undefined;
  for (const line of tail.split('\n').reverse()) {
    const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) qemu-system-[\w-]+: (.+)$/.exec(line.trim());
    if (!m) continue;
    const t = Date.parse(m[1]!);
    if (t <= failedAt + 5_000 && t >= failedAt - LOG_COMPLAINT_WINDOW_MS) return m[2]!.trim();
    return undefined;
  }
  return undefined;
}

/** A libvirt hook script that refused the start, as libvirt's error names it. */
export interface HookRefusal {
  /** The script on the VM's host: /etc/libvirt/hooks/qemu (or one in hooks/qemu.d/). */
  script: string;
  /** The hook's operation that failed: prepare, start, … */
  operation: string;
  status: number;
  /** What the script printed on stderr, if anything. */
  output?: string;
}

/**
 * The hook script's refusal inside a libvirt error ("Hook script execution failed: … Child process
 * (ENV /etc/libvirt/hooks/qemu NAME prepare begin -) unexpected exit status 1: OUTPUT"), if any.
 */
export function hookRefusal(message: string): HookRefusal | undefined {
  const m =
    /Hook script execution failed:[\s\S]*?(\S*\/hooks\/\S+) [\s\S]*? (\w+) \w+ \S+\) unexpected exit status (\d+)(?::\s*([\s\S]*))?$/.exec(
      message,
    );
  if (!m) return undefined;
  const output = m[4]?.trim();
  return { script: m[1]!, operation: m[2]!, status: Number(m[3]), ...(output ? { output } : {}) };
}

interface FileCheck {
  exists(path: string): Promise<boolean>;
  backing(path: string): Promise<string | undefined>;
  /** How "missing" reads: on this machine "does not exist", remotely "is not in any storage pool". */
  missing: string;
}

function localFiles(): FileCheck {
  return {
    exists: async (p) => existsSync(p),
    backing: (p) => qcow2BackingFile(p),
    missing: 'does not exist',
  };
}

function remoteFiles(lv: Libvirt, host: string): FileCheck {
  const lookup = (p: string) => lv.volumes.lookupByPath(p).catch(() => undefined);
  return {
    exists: async (p) => (await lookup(p)) !== undefined,
    backing: async (p) => {
      const xml = await (await lookup(p))?.xml().catch(() => undefined);
      return xml ? /<backingStore>\s*<path>([^<]+)<\/path>/.exec(xml)?.[1] : undefined;
    },
    missing: `is not in any storage pool on ${host} (libvirt cannot see it there)`,
  };
}

function hostFindings(domain: XmlNode, facts: ModelHostFacts, host: string, vm: string): Finding[] {
  const out: Finding[] = [];
  if (domain.attrs.type === 'kvm' && facts.kvm.works !== true)
    out.push({
      id: 'kvm.not-working',
      severity: 'problem',
      summary: `The VM needs KVM (type='kvm'), and KVM ${facts.kvm.works === false ? 'does not run a guest' : 'is not proven to work'} on ${host}`,
      detail: facts.kvm.reason,
      fix: `Fix KVM (see \`phyllo host check\`), or make the VM emulated: \`virsh edit ${vm}\` and set <domain type="qemu">`,
    });
  const devices = child(domain, 'devices');
  const emulatedTpm = childrenNamed(devices, 'tpm').some(
    (t) => child(t, 'backend')?.attrs.type === 'emulator',
  );
  if (emulatedTpm && !facts.swtpm)
    out.push({
      id: 'tpm.no-swtpm',
      severity: 'problem',
      summary: `The VM has an emulated TPM, and ${host} has no TPM emulator (swtpm) that libvirt can use`,
      fix: `Install it on ${host}: \`sudo apt install swtpm swtpm-tools\`, then restart libvirtd`,
    });
  const os = child(domain, 'os');
  const secure =
    child(os, 'loader')?.attrs.secure === 'yes' ||
    childrenNamed(child(os, 'firmware'), 'feature').some(
      (f) => f.attrs.name === 'secure-boot' && f.attrs.enabled === 'yes',
    );
  if (
    secure &&
    Array.isArray(facts.firmware) &&
    !facts.firmware.some((d) => d.features.includes('secure-boot'))
  )
    out.push({
      id: 'firmware.no-secure-boot',
      severity: 'problem',
      summary: `The VM boots with Secure Boot, and ${host} has no Secure Boot UEFI firmware`,
      fix: `Install it on ${host}: \`sudo apt install ovmf\``,
    });
  return out;
}

/**
 * What is wrong with a VM, in plain words: the last failed start's error, QEMU's complaint in it,
 * the QEMU log's end, files it needs that are missing (disks, ISO, kernel, firmware, a backing file),
 * and the host checks that matter for it (KVM, swtpm, Secure Boot firmware; from the same host facts
 * the model uses). `facts` may be given by a caller that has them.
 */
export async function diagnoseVm(lv: Libvirt, dom: Domain, facts?: ModelHostFacts): Promise<Diagnosis> {
  const host = hostName(lv);
  const remote = remoteHostOf(lv.requestedUri) !== undefined;
  const [{ state }, xml, failure, hostFacts] = await Promise.all([
    dom.state(),
    dom.xml(DomainXmlFlags.INACTIVE),
    readStartFailure(dom),
    facts ??
      gatherModelHostFacts(lv, { session: parseUri(lv.requestedUri).path === '/session' }).catch(
        () => undefined,
      ),
  ]);
  const domain = parseXml(xml, `the domain XML of ${dom.name}`);
  const logPath = qemuLogPath(lv.requestedUri, dom.name);
  const logTail = remote ? undefined : tail(logPath);
  const findings: Finding[] = [];
  if (failure) {
    const complaint =
      qemuComplaint(failure.message) ??
      (logTail === undefined ? undefined : logComplaint(logTail, failure.at));
    findings.push({
      id: 'start.failed',
      severity: 'problem',
      summary: `The last start (${failure.at}) failed: ${failure.message}`,
      fix: 'Fix the cause named below, then `phyllo vm start` again',
    });
    const hook = hookRefusal(failure.message);
    if (hook)
      findings.push({
        id: 'hook.refused',
        severity: 'problem',
        summary: `The libvirt hook script ${hook.script} on ${host} refused the start (exit status ${hook.status} at "${hook.operation}")${hook.output ? `: ${hook.output}` : ''}`,
        fix: `The script is a rule of ${host}, not part of the VM's configuration: read it there to see what it checks, then change the VM (or the script) to fit`,
      });
    if (complaint)
      findings.push({
        id: 'qemu.refused',
        severity: 'problem',
        summary: `QEMU refused the VM's configuration: ${complaint}`,
        fix: `Remove or correct that setting (\`virsh edit ${dom.name}\`)`,
      });
  }
  const files = remote ? remoteFiles(lv, host) : localFiles();
  for (const f of neededFiles(domain)) {
    if (!(await files.exists(f.path))) {
      findings.push({
        id: 'file.missing',
        severity: remote ? 'warning' : 'problem',
        summary: `The ${f.what} ${f.path} ${files.missing}`,
        fix: f.what.startsWith('CD-ROM')
          ? `Put the ISO back at that path, or eject it: \`virsh change-media ${dom.name} ${f.target ?? 'TARGET'} --eject --config\``
          : 'Put the file back at that path, or change the VM to use another one',
      });
      continue;
    }
    if (!f.image) continue;
    const backing = await files.backing(f.path);
    if (backing && !(await files.exists(backing)))
      findings.push({
        id: 'backing.missing',
        severity: remote ? 'warning' : 'problem',
        summary: `The disk image ${f.path} is an overlay on ${backing}, which ${files.missing}`,
        fix: 'Restore the base image at that path; the overlay alone cannot boot',
      });
  }
  if (hostFacts) findings.push(...hostFindings(domain, hostFacts, host, dom.name));
  return {
    vm: dom.name,
    host,
    state,
    ...(failure ? { lastStartFailure: failure } : {}),
    qemuLog: remote
      ? { path: logPath, note: `on ${host}; read it there` }
      : logTail === undefined
        ? { path: logPath, note: 'not readable here (no log yet, or no permission)' }
        : { path: logPath, tail: logTail },
    findings,
  };
}
