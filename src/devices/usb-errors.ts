/**
 * The errors of USB passthrough, USB rules and mediated devices: each is bad input caught before
 * anything changed, with a stable code and a hint naming the next step.
 */
import { PhyllomeError } from '../errors.js';

/** `--usb` or a rule that is neither `VID:PID` nor `BUS.DEVICE`. */
export class UsbIdInvalidError extends PhyllomeError {
  override name = 'UsbIdInvalidError';
  constructor(text: string, what: 'a USB device' | 'a USB rule') {
    super('usb-id-invalid', `"${text}" does not name ${what}.`, {
      hint:
        what === 'a USB rule'
          ? 'Write VID:PID or VID:PID:SERIAL with the 4-digit hex ids lsusb shows (ID 046d:c52b), e.g. 046d:c52b or 046d:c52b:A1B2C3.'
          : 'Write VID:PID with the 4-digit hex ids lsusb shows (ID 046d:c52b), or BUS.DEVICE for one plugged-in device (lsusb: Bus 001 Device 005 → 1.5).',
    });
  }
}

/** One line per host USB device, for the hints below. */
export interface UsbListing {
  id: string;
  address: string;
  name: string;
}

const listing = (devices: UsbListing[]): string =>
  devices.map((d) => `${d.id} at ${d.address} (${d.name})`).join('; ');

/** No USB device on the VM's host has that id (or address). */
export class UsbUnknownError extends PhyllomeError {
  override name = 'UsbUnknownError';
  constructor(
    id: string,
    host: string,
    readonly present: UsbListing[],
  ) {
    super(
      'usb-unknown',
      present.length
        ? `Unknown USB id ${id}: ${host} has no such USB device plugged in.`
        : `Unknown USB id ${id}; this host has no USB devices (libvirt on ${host} lists none).`,
      {
        hint: present.length
          ? `Its USB devices: ${listing(present)}. Plug the device in, or give one of these (VID:PID or BUS.DEVICE).`
          : 'Plug the device into the VM host (a machine without a USB bus, like most build servers and many cloud VMs, has none); `phyllo usb rule add VID:PID --vm NAME` attaches it when it appears.',
      },
    );
  }
  override toJSON(): ReturnType<PhyllomeError['toJSON']> & { present: UsbListing[] } {
    return { ...super.toJSON(), present: this.present };
  }
}

/** `VID:PID` matches several plugged-in devices: libvirt refuses to pick one, and so do we. */
export class UsbAmbiguousError extends PhyllomeError {
  override name = 'UsbAmbiguousError';
  constructor(id: string, matches: UsbListing[]) {
    super('usb-ambiguous', `${matches.length} USB devices plugged in have the id ${id}.`, {
      hint: `Name one by its bus and device number: ${matches.map((m) => m.address).join(', ')} (--usb BUS.DEVICE).`,
    });
  }
}

/** The device is given to a running VM already (or this VM has it). */
export class UsbInUseError extends PhyllomeError {
  override name = 'UsbInUseError';
  constructor(id: string, vm: string, running: boolean) {
    super(
      'usb-in-use',
      `The USB device ${id} is already given to ${running ? 'the running ' : ''}VM "${vm}".`,
      {
        hint: `Remove it there first: phyllo vm device remove ${vm} ${id}`,
      },
    );
  }
}

/** `usb rule add` for a rule the VM has already. */
export class UsbRuleExistsError extends PhyllomeError {
  override name = 'UsbRuleExistsError';
  constructor(rule: string, vm: string) {
    super('usb-rule-exists', `VM "${vm}" has the USB rule ${rule} already.`, {
      hint: `phyllo usb rule list --vm ${vm} shows its rules.`,
    });
  }
}

/** `usb rule remove` for a rule the VM does not have. */
export class UsbRuleNotFoundError extends PhyllomeError {
  override name = 'UsbRuleNotFoundError';
  constructor(rule: string, vm: string, rules: string[]) {
    super('usb-rule-not-found', `VM "${vm}" has no USB rule ${rule}.`, {
      hint: rules.length ? `Its rules: ${rules.join(', ')}.` : 'It has no USB rules.',
    });
  }
}

/** Why a mediated device cannot be made for the guest. */
export type MdevRefusal =
  'no-mdev-support' | 'unknown-parent' | 'unknown-type' | 'no-instances' | 'remote-host';

/** `vm device add --gpu ADDR --mdev TYPE` refused: what the host lacks, and how to change that. */
export class MdevRefusedError extends PhyllomeError {
  override name = 'MdevRefusedError';
  constructor(
    readonly refusal: MdevRefusal,
    message: string,
    hint: string,
  ) {
    super('mdev-refused', message, { hint });
  }
  override toJSON(): ReturnType<PhyllomeError['toJSON']> & { refusal: MdevRefusal } {
    return { ...super.toJSON(), refusal: this.refusal };
  }
}
