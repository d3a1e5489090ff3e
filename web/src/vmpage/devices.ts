// The Devices tab's words and requests: when a change applies, what a form sends, what the host offers
// to choose from. The server checks every request again (docs/devices.md). Pure: tested in devices.test.ts.
import { ApiError } from '../api/client';
import type { DeviceChange, HostDeviceAdded, NicAdd, NicModel, UsbRule } from '../api/devices';
import { shortAddress, VERDICT } from '../host/devices';
import type { DeviceMap, GroupVerdict } from '../host/types';
import type { Checked } from './forms';

/** "Applies now — hot-plugged, and in its definition." / "Applies at its next start — …". */
export function appliesText(c: Pick<DeviceChange, 'applies' | 'detail'>): string {
  const when = c.applies === 'now' ? 'Applies now' : 'Applies at its next start';
  return c.detail ? `${when} — ${c.detail}.` : `${when}.`;
}

/** A listed device's `live`: whether the running guest has it; nothing to say when the VM is off. */
export function liveText(live: boolean | undefined): string | undefined {
  if (live === undefined) return undefined;
  return live ? 'in the guest now' : 'at its next start';
}

export interface NicForm {
  via: 'network' | 'bridge';
  /** The network's or bridge's name; empty: the network `default`. */
  source: string;
  model: NicModel;
  mac: string;
}

/** The body of POST …/nics: only what was given (the server picks the `default` network and a MAC). */
export function nicRequest(form: NicForm): Checked<NicAdd> {
  const source = form.source.trim();
  const mac = form.mac.trim();
  if (form.via === 'bridge' && source === '')
    return { ok: false, error: 'Name the host bridge to plug the card into (such as br0).' };
  return {
    ok: true,
    value: {
      ...(source ? { [form.via]: source } : {}),
      model: form.model,
      ...(mac ? { mac } : {}),
    },
  };
}

/** A tag from a directory's last part, in the letters a tag may have (1–36 of A-Z a-z 0-9 . _ -). */
export function tagFromDir(dir: string): string {
  const last =
    dir
      .trim()
      .split('/')
      .filter((p) => p !== '')
      .at(-1) ?? '';
  return last.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 36);
}

/** The body of POST …/shares; an empty tag is made from the directory's name. */
export function shareRequest(form: {
  dir: string;
  tag: string;
  readonly: boolean;
}): Checked<{ dir: string; tag: string; readonly?: boolean }> {
  const dir = form.dir.trim();
  if (dir === '') return { ok: false, error: 'Give the host directory to share.' };
  const tag = form.tag.trim() || tagFromDir(dir);
  if (tag === '') return { ok: false, error: 'Give the share a tag: the name the guest mounts it by.' };
  return { ok: true, value: { dir, tag, ...(form.readonly ? { readonly: true } : {}) } };
}

/** A USB rule as typed: not empty (the server reads VID:PID[:SERIAL] and says what is wrong). */
export function usbRuleRequest(text: string): Checked<string> {
  const t = text.trim();
  if (t === '')
    return { ok: false, error: 'Give the rule as VID:PID or VID:PID:SERIAL (lsusb shows “ID 1050:0407”).' };
  return { ok: true, value: t };
}

/** What a rule matches, in words. */
export function ruleText(r: UsbRule): string {
  return r.serial
    ? `the device ${r.vendorId}:${r.productId} with serial number ${r.serial}`
    : `any ${r.vendorId}:${r.productId} device`;
}

export interface PciChoice {
  address: string;
  label: string;
  verdict: GroupVerdict;
  group: string;
}

/** The host's PCI endpoints (bridges never go to a guest), each with its group's verdict, by address. */
export function pciChoices(map: DeviceMap | undefined): PciChoice[] {
  if (!map?.iommu.enabled) return [];
  return map.groups
    .flatMap((g) =>
      g.devices
        .filter((d) => !d.bridge)
        .map((d) => ({
          address: d.address,
          label: `${shortAddress(d.address)} · ${VERDICT[g.verdict].word} (group ${g.id}) · ${d.name}`,
          verdict: g.verdict,
          group: g.id,
        })),
    )
    .sort((a, b) => a.address.localeCompare(b.address));
}

/** The host's plugged-in USB devices as `VID:PID` with their names (hubs are never given). */
export function usbChoices(map: DeviceMap | undefined): { id: string; label: string }[] {
  return (map?.usb ?? [])
    .filter((u) => u.kind !== 'hub')
    .map((u) => ({ id: `${u.vendorId}:${u.productId}`, label: u.name }));
}

/** The GPUs that offer mediated devices, with their types. */
export function mdevChoices(
  map: DeviceMap | undefined,
): { address: string; name: string; types: string[] }[] {
  return (map?.gpus ?? [])
    .filter((g) => g.mdevTypes.length > 0)
    .map((g) => ({ address: g.address, name: g.name, types: g.mdevTypes }));
}

/** What an added host device is, in words. */
export function addedText(r: HostDeviceAdded): string {
  switch (r.kind) {
    case 'pci': {
      const kept = r.bridgesKept.length
        ? `; its group's bridges stay with the host (${r.bridgesKept.map(shortAddress).join(', ')})`
        : '';
      return `Gave it ${r.added.map((a) => `${shortAddress(a.address)} ${a.name}`).join(', ')}${kept}.`;
    }
    case 'usb':
      return `Gave it the USB device ${r.added.id} ${r.added.name}.`;
    case 'mdev':
      return `Gave it a ${r.type} slice of ${shortAddress(r.parent)} (mediated device ${r.uuid}).`;
  }
}

/** The refusal of a PCI device that shares its IOMMU group: the whole group can be given instead. */
export function needsWholeGroup(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'pci-needs-with-group';
}
