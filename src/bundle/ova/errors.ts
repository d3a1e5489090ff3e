import { PhyllomeError } from '../../errors.js';

const DAMAGED_HINT =
  'Nothing was created. Export the appliance again from VirtualBox or VMware (File > Export Appliance, or ovftool), or copy the file again and compare its size.';

/**
 * An OVA that is not one, is damaged, or was made to do harm (a link, a `..` name, a DOCTYPE, a
 * digest that does not match): nothing was created. The message names the file and what is wrong.
 */
export class OvaInvalidError extends PhyllomeError {
  override name = 'OvaInvalidError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ova-invalid', message, { ...options, hint: DAMAGED_HINT });
  }
}

/** A well-formed OVA that asks for something `vm import-ova` does not do (yet): nothing was created. */
export class OvaUnsupportedError extends PhyllomeError {
  override name = 'OvaUnsupportedError';
  constructor(message: string, hint: string) {
    super('ova-unsupported', message, { hint });
  }
}

/** The OVF names an OS type no Phyllome profile is mapped to, and no `--os` was given. */
export class OvaUnknownOsError extends PhyllomeError {
  override name = 'OvaUnknownOsError';
  constructor(declared: string, profiles: readonly string[]) {
    super('ova-unknown-os', `The appliance's OS type ${declared} maps to no Phyllome guest profile`, {
      hint: `Name the guest yourself with --os ID: a profile (${profiles.join(', ')}) or an osinfo-db id; \`phyllo os list\` lists them.`,
    });
  }
}

/** `qemu-img` could not read or convert the appliance's disk: nothing was created. */
export class OvaDiskConvertError extends PhyllomeError {
  override name = 'OvaDiskConvertError';
  constructor(file: string, detail: string, cause?: unknown) {
    super('ova-disk-unreadable', `qemu-img could not convert the appliance's disk ${file}: ${detail}`, {
      ...(cause === undefined ? {} : { cause }),
      hint: 'The disk image inside the OVA is damaged or of a kind qemu-img cannot read; nothing was created. Export the appliance again.',
    });
  }
}
