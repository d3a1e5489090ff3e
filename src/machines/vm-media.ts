/**
 * `vm media NAME insert PATH | eject`: the medium of a CD-ROM drive, changed in the definition and,
 * on a running VM, in the drive itself. A drive cannot be hot-added on SATA (the bus the model puts
 * CD-ROMs on), so a VM without one gets a new drive only while shut off (`addDrive`).
 */
import { DomainXmlFlags, ModifyFlags, type Domain, type Libvirt } from '../libvirt/index.js';
import { child, childrenNamed, el, type XmlNode } from '../xml/node.js';
import { parseXml } from '../xml/parse.js';
import { serializeXml } from '../xml/serialize.js';
import { NoCdromDriveError, VmStateError } from './errors.js';
import { findVm } from './find-vm.js';
import { remoteHostOf } from './model-host-facts.js';
import { checkOptionPaths } from './option-paths.js';
import { withVmLock } from './vm-lock.js';

export interface MediaRequest {
  action: 'insert' | 'eject';
  /** For insert: the ISO (this machine's path, or a volume path / POOL/VOLUME on a remote host). */
  path?: string;
  /** The drive's target (`sdb`); by default insert takes the first empty drive, eject the one holding a medium. */
  target?: string;
  /** Add a SATA CD-ROM drive when the VM has none (shut off only). */
  addDrive?: boolean;
}

export interface MediaOutcome {
  name: string;
  target: string;
  /** The medium now in the drive (none after eject). */
  source?: string;
  /** The medium that was in it before. */
  previous?: string;
  running: boolean;
  /** `now`: the running VM sees it already (and it is kept); `definition`: the VM is shut off. */
  applies: 'now' | 'definition';
  addedDrive: boolean;
}

interface Drive {
  node: XmlNode;
  target: string;
  bus: string;
  source?: string;
}

function drives(domainXml: string): { drives: Drive[]; targets: string[] } {
  const devices = child(parseXml(domainXml, 'the domain XML'), 'devices');
  const disks = childrenNamed(devices, 'disk');
  const out: Drive[] = [];
  for (const d of disks) {
    if (d.attrs.device !== 'cdrom') continue;
    const t = child(d, 'target');
    const src = child(d, 'source');
    const source = src?.attrs.file ?? src?.attrs.dev ?? src?.attrs.volume;
    out.push({ node: d, target: t?.attrs.dev ?? '', bus: t?.attrs.bus ?? '', ...(source ? { source } : {}) });
  }
  return { drives: out, targets: disks.map((d) => child(d, 'target')?.attrs.dev ?? '') };
}

/** The drive's XML with `path` as its medium, or none. */
function withMedium(drive: XmlNode, path: string | undefined): string {
  const children = drive.children.filter((c) => c.name !== 'source');
  const at = children.findIndex((c) => c.name === 'driver') + 1;
  if (path !== undefined) children.splice(at, 0, el('source', { file: path }));
  return serializeXml({ ...drive, attrs: { ...drive.attrs, type: 'file' }, children });
}

function pick(vm: string, list: Drive[], req: MediaRequest): Drive {
  const names = list.map((d) => `${d.target}${d.source ? ` (${d.source})` : ' (empty)'}`).join(', ');
  if (req.target !== undefined) {
    const d = list.find((x) => x.target === req.target);
    if (!d)
      throw new NoCdromDriveError(vm, `has no CD-ROM drive ${req.target}`, `Its CD-ROM drives: ${names}.`);
    return d;
  }
  if (req.action === 'insert') return list.find((d) => !d.source) ?? (list[0] as Drive);
  const full = list.filter((d) => d.source);
  if (full.length > 1)
    throw new NoCdromDriveError(
      vm,
      `has media in ${full.length} CD-ROM drives`,
      `Say which with --target: ${names}.`,
    );
  return full[0] ?? (list[0] as Drive);
}

async function stateOf(dom: Domain): Promise<boolean> {
  const { state } = await dom.state();
  return state !== 'shutoff' && state !== 'crashed';
}

export async function changeMedia(lv: Libvirt, name: string, req: MediaRequest): Promise<MediaOutcome> {
  const dom = await findVm(lv, name);
  const remote = remoteHostOf(lv.requestedUri);
  // Checked like vm create's --iso: this machine's file, or the remote host's volume.
  const path =
    req.path === undefined
      ? undefined
      : ((
          await checkOptionPaths(
            { name, os: '', iso: req.path },
            remote === undefined
              ? { kind: 'local' }
              : { kind: 'remote', lv, host: remote, uri: lv.requestedUri },
          )
        ).iso as string);
  return withVmLock(lv, dom, `media ${req.action}`, async () => {
    const running = await stateOf(dom);
    const config = drives(await dom.xml(DomainXmlFlags.INACTIVE));
    if (config.drives.length === 0) {
      if (!req.addDrive || req.action === 'eject')
        throw new NoCdromDriveError(
          name,
          'has no CD-ROM drive',
          req.action === 'eject'
            ? 'There is nothing to eject.'
            : `A drive cannot be hot-added on SATA. Shut the VM off, then add one with \`phyllo vm media ${name} insert ${req.path ?? 'PATH'} --add-drive\`.`,
        );
      if (running)
        throw new VmStateError(
          name,
          'running',
          'a CD-ROM drive cannot be hot-added on SATA',
          `Shut it off first (e.g. \`virsh shutdown ${name}\`), then run this again.`,
        );
      const target = nextSataTarget(config.targets);
      const xml = serializeXml(
        el('disk', { type: 'file', device: 'cdrom' }, [
          el('driver', { name: 'qemu', type: 'raw' }),
          el('source', { file: path }),
          el('target', { dev: target, bus: 'sata' }),
          el('readonly'),
        ]),
      );
      await dom.attachDevice(xml, ModifyFlags.CONFIG);
      return { name, target, source: path as string, running, applies: 'definition', addedDrive: true };
    }
    const drive = pick(name, config.drives, req);
    const newSource = req.action === 'insert' ? path : undefined;
    if (running) {
      // The running drive as it is now (its medium may differ from the definition's).
      const live = drives(await dom.xml()).drives.find((d) => d.target === drive.target);
      if (live) await dom.updateDevice(withMedium(live.node, newSource), ModifyFlags.LIVE);
    }
    await dom.updateDevice(withMedium(drive.node, newSource), ModifyFlags.CONFIG);
    return {
      name,
      target: drive.target,
      ...(newSource ? { source: newSource } : {}),
      ...(drive.source ? { previous: drive.source } : {}),
      running,
      applies: running ? 'now' : 'definition',
      addedDrive: false,
    };
  });
}

/** The first `sdX` no disk uses. */
function nextSataTarget(taken: string[]): string {
  for (let i = 0; i < 26; i++) {
    const t = `sd${String.fromCharCode(97 + i)}`;
    if (!taken.includes(t)) return t;
  }
  throw new Error('no free SATA target');
}
