/**
 * `vm share NAME HOST_DIR --tag TAG`, `vm share list`, `vm share remove`: a host directory shared
 * with the guest over virtiofs (libvirt starts one virtiofsd per share). On libvirt 9.0 the guest's
 * memory must be shared (memfd) for virtiofsd to reach it, so the first share also sets that; a
 * running guest whose memory is not shared gets the share at its next start (the memory backing
 * only changes then). One whose memory is shared gets it hot-plugged (checked on libvirt 9.0).
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { LibvirtError, type Libvirt } from '../libvirt/index.js';
import { VmEditRejectedError } from '../machines/errors.js';
import { findVm } from '../machines/find-vm.js';
import { remoteHostOf } from '../machines/model-host-facts.js';
import { childrenNamed, type XmlNode } from '../xml/node.js';
import { changeDevice, vmXml, type DeviceChange, removalPlan } from './change-device.js';
import { hasSharedMemory, withDeviceAdded, withSharedMemory } from './domain-edit.js';
import {
  ShareNotFoundError,
  SharePathError,
  ShareReadonlyUnsupportedError,
  ShareTagTakenError,
} from './errors.js';
import { devicesOf, guestShares, type GuestShare } from '../machines/guest-devices.js';
import { checkTag, shareElement } from './share-xml.js';

export interface ShareAddRequest {
  dir: string;
  tag: string;
  readonly?: boolean;
}

export interface ShareAddOutcome extends DeviceChange {
  share: GuestShare;
  /** Whether this change also made the guest's memory shared (memfd), as virtiofs needs. */
  sharedMemoryAdded: boolean;
  /** How the guest mounts it. */
  mount: string;
  warnings: string[];
}

/** The directory as the host sees it: this machine's is checked (and made absolute); a remote one must be absolute. */
export function shareDir(dir: string, remote: string | undefined): string {
  if (remote !== undefined) {
    if (!isAbsolute(dir)) throw new SharePathError(dir, 'not-absolute');
    return dir;
  }
  const abs = resolve(dir);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new SharePathError(abs, 'missing');
  }
  if (!st.isDirectory()) throw new SharePathError(abs, 'not-a-directory');
  return abs;
}

/** libvirt's words when it (or the host's virtiofsd) cannot share read-only. */
const READONLY_REFUSED = /read-only|readonly/i;

function readonlyRefusal(err: unknown): ShareReadonlyUnsupportedError | undefined {
  const message =
    err instanceof VmEditRejectedError
      ? err.libvirtMessage
      : err instanceof LibvirtError
        ? err.message
        : undefined;
  return message && READONLY_REFUSED.test(message)
    ? new ShareReadonlyUnsupportedError(message, err)
    : undefined;
}

export async function addShare(lv: Libvirt, name: string, req: ShareAddRequest): Promise<ShareAddOutcome> {
  await findVm(lv, name);
  const tag = checkTag(req.tag);
  const remote = remoteHostOf(lv.requestedUri);
  const dir = shareDir(req.dir, remote);
  const readonly = req.readonly === true;
  const element = shareElement({ dir, tag, readonly });
  const warnings = remote
    ? [
        `${dir} on ${remote} is not checked from here: libvirt refuses the share when the VM starts if it is not a directory there.`,
      ]
    : [];
  let sharedMemoryAdded = false;
  let change: DeviceChange;
  try {
    change = await changeDevice(lv, name, 'share add', 'attach', (config, live) => {
      for (const x of [config, live]) {
        const same = x && guestShares(x).find((s) => s.tag === tag);
        if (same) throw new ShareTagTakenError(name, tag, same.dir);
      }
      sharedMemoryAdded = !hasSharedMemory(config);
      return {
        devices: [element],
        defined: withDeviceAdded(withSharedMemory(config), element),
        notLive:
          live && !(hasSharedMemory(live) && hasSharedMemory(config))
            ? 'its memory is not shared yet (virtiofs needs shared memfd memory, which changes only when the guest starts)'
            : null,
      };
    });
  } catch (err) {
    throw (readonly && readonlyRefusal(err)) || err;
  }
  return {
    ...change,
    share: { tag, dir, readonly, driver: 'virtiofs' },
    sharedMemoryAdded,
    mount: `mount -t virtiofs ${tag} /mnt`,
    warnings,
  };
}

export interface ShareListOutcome {
  vm: string;
  running: boolean;
  shares: (GuestShare & { live?: boolean })[];
}

export async function listShares(lv: Libvirt, name: string): Promise<ShareListOutcome> {
  const { vm, config, live } = await vmXml(lv, name);
  const liveTags = new Set(live ? guestShares(live).map((s) => s.tag) : []);
  return {
    vm,
    running: live !== null,
    shares: guestShares(config).map((s) => (live ? { ...s, live: liveTags.has(s.tag) } : s)),
  };
}

function shareNode(vm: string, domain: XmlNode, tag: string): XmlNode {
  const nodes = childrenNamed(devicesOf(domain), 'filesystem');
  const shares = guestShares(domain);
  const at = shares.findIndex((s) => s.tag === tag);
  const node = nodes[at];
  if (!node)
    throw new ShareNotFoundError(
      vm,
      tag,
      shares.map((s) => `${s.tag} (${s.dir})`),
    );
  return node;
}

export interface ShareRemoveOutcome extends DeviceChange {
  removed: GuestShare;
}

/**
 * Takes the share away (its memory backing stays shared: other vhost-user devices may rely on it,
 * and it costs nothing but the memfd).
 */
export async function removeShare(lv: Libvirt, name: string, tag: string): Promise<ShareRemoveOutcome> {
  let removed: GuestShare | undefined;
  const change = await changeDevice(lv, name, 'share remove', 'detach', (config, live) => {
    const node = shareNode(name, config, tag);
    removed = guestShares({
      name: 'domain',
      attrs: {},
      children: [{ name: 'devices', attrs: {}, children: [node] }],
    })[0];
    return removalPlan(config, live, node, {
      inLive: (l) => guestShares(l).some((s) => s.tag === tag),
      notInGuest: 'the running guest does not have this share (it was added for its next start)',
    });
  });
  return { ...change, removed: removed as GuestShare };
}
