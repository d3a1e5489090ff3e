import { dirname } from 'node:path';
import { PhyllomeError } from '../errors.js';
import type { DomainState } from '../libvirt/index.js';
import { stateWords } from './state-words.js';

/** A VM of that name is already defined: nothing was created. */
export class VmExistsError extends PhyllomeError {
  override name = 'VmExistsError';
  constructor(vm: string) {
    super('vm-exists', `A VM named "${vm}" already exists.`, {
      hint: 'Pick another name, or remove the old VM first.',
    });
  }
}

/**
 * A step of creating a VM failed (libvirt refused the network, pool, disk or domain). Whatever the
 * operation had created was undone; `leftBehind` names what could not be (with the undo's error),
 * and the hint says so instead of promising a clean host. `cause` is the original failure.
 */
export class VmCreateError extends PhyllomeError {
  override name = 'VmCreateError';
  readonly leftBehind: string[];
  constructor(vm: string, step: string, cause: unknown, leftBehind: string[] = []) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'vm-create-failed',
      `Could not create VM "${vm}" (${step}): ${why}` +
        (leftBehind.length ? `. Left behind: ${leftBehind.join('; ')}` : ''),
      {
        cause,
        hint: leftBehind.length
          ? 'Remove what was left behind by hand (virsh net-undefine / pool-undefine / vol-delete), then try again.'
          : 'Nothing was left behind. Check the message above; `phyllo host check` lists missing host parts.',
      },
    );
    this.leftBehind = leftBehind;
  }
}

/**
 * The new VM's disk image did not fit: the filesystem under its storage pool is full (qemu-img or
 * libvirt said ENOSPC). Like VmCreateError, everything the create had made was undone and
 * `leftBehind` names what could not be. The code is the disk copy's for a full pool, `pool-full`.
 */
export class VmDiskNoSpaceError extends PhyllomeError {
  override name = 'VmDiskNoSpaceError';
  readonly leftBehind: string[];
  /** `host` as `hostName` says it ("this computer", or the remote host). */
  constructor(
    vm: string,
    pool: string,
    disk: string,
    host: string,
    cause: unknown,
    leftBehind: string[] = [],
  ) {
    super(
      'pool-full',
      `Could not create VM "${vm}": no room for its disk ${disk} in the storage pool "${pool}" on ${host} (No space left on device)` +
        (leftBehind.length ? `. Left behind: ${leftBehind.join('; ')}` : ''),
      {
        cause,
        hint: leftBehind.length
          ? `Remove what was left behind by hand (virsh net-undefine / pool-undefine / vol-delete), free space in ${dirname(disk)} on ${host}, then try again.`
          : `Nothing was left behind. Free space in ${dirname(disk)} on ${host}, or give the VM an existing image elsewhere (--disk-image PATH) or no disk (--disk-size none).`,
      },
    );
    this.leftBehind = leftBehind;
  }
}

/** The network a VM should join does not exist and Phyllome does not create it. */
export class NetworkMissingError extends PhyllomeError {
  override name = 'NetworkMissingError';
  constructor(network: string) {
    super('network-missing', `The libvirt network "${network}" does not exist.`, {
      hint: 'Create it first (virsh net-define), or leave out --network to use the default NAT network.',
    });
  }
}

/** A file named by an option exists but is not what the option needs (a directory for --iso, an empty kernel). */
export class InvalidFileError extends PhyllomeError {
  override name = 'InvalidFileError';
  constructor(option: string, path: string, problem: string, hint: string) {
    super('invalid-file', `${option} ${path} ${problem}`, { hint });
  }
}

/** A path given for a remote host is not a storage volume there, so libvirt cannot tell it exists. */
export class RemoteFileNotInPoolError extends PhyllomeError {
  override name = 'RemoteFileNotInPoolError';
  constructor(option: string, path: string, host: string, uri: string, cause?: unknown) {
    super('remote-file-not-in-pool', `${option} ${path}: the file is not in any storage pool on ${host}`, {
      ...(cause === undefined ? {} : { cause }),
      hint: `Paths name files on ${host}. Upload it into a pool there: \`virsh -c '${uri}' vol-create-as POOL NAME SIZE --format raw\`, then \`virsh -c '${uri}' vol-upload --pool POOL NAME LOCAL-FILE\`, and give /POOL-DIRECTORY/NAME or POOL/NAME (\`virsh -c '${uri}' vol-list POOL\` lists them).`,
    });
  }
}

/** `--session` with a connection that is not a session daemon's. */
export class SessionUriMismatchError extends PhyllomeError {
  override name = 'SessionUriMismatchError';
  /** `given` names where the URI came from: `--connect URI` or `PHYLLO_CONNECT=URI`. */
  constructor(given: string, uri: string) {
    super('session-uri-mismatch', `--session asks for a session VM, but ${given} is not a session URI`, {
      hint: `Leave out --session for a VM on ${uri}, or connect to a session daemon (qemu:///session, qemu+ssh://USER@HOST/session).`,
    });
  }
}

/** A session VM as root on this machine: root's qemu:///session is the system daemon itself. */
export class SessionAsRootError extends PhyllomeError {
  override name = 'SessionAsRootError';
  constructor(uri: string) {
    super(
      'session-as-root',
      `A session VM (--session, ${uri}) is refused as root: root has no session daemon of its own (qemu:///session as root is the system daemon), so the VM would be a system VM with session settings`,
      {
        hint: 'Run phyllo as the user who should own the VM (not root), or leave out --session and use qemu:///system for a system VM.',
      },
    );
  }
}

/** No VM of that name on the connection's host. */
export class VmNotFoundError extends PhyllomeError {
  override name = 'VmNotFoundError';
  constructor(vm: string, host: string, cause?: unknown) {
    super('vm-not-found', `There is no VM named "${vm}" on ${host}.`, {
      ...(cause === undefined ? {} : { cause }),
      hint: 'Check the name and the --connect URI (a session VM lives on qemu:///session).',
    });
  }
}

/**
 * The VM is not in a state the operation accepts (start a running VM, clone a running one). `state`
 * is libvirt's, also in `--json` (`{"error":{"code":"vm-wrong-state","state":"running",…}}`).
 */
export class VmStateError extends PhyllomeError {
  override name = 'VmStateError';
  constructor(
    vm: string,
    readonly state: DomainState,
    message: string,
    hint: string,
  ) {
    super('vm-wrong-state', `VM "${vm}" is ${stateWords(state)}: ${message}`, { hint });
  }

  override toJSON(): ReturnType<PhyllomeError['toJSON']> & { state: DomainState } {
    return { ...super.toJSON(), state: this.state };
  }
}

/**
 * Another Phyllome command is working on this VM right now: `operation` and `pid` name it (also in
 * `--json`; pid 0 when the lock kept changing hands and no holder could be read).
 */
export class VmBusyError extends PhyllomeError {
  override name = 'VmBusyError';
  constructor(
    vm: string,
    readonly operation: string,
    readonly pid: number,
  ) {
    super('operation-in-progress', `VM "${vm}" is busy: "${operation}" is running on it (process ${pid}).`, {
      hint: 'Wait for it to finish, then try again.',
    });
  }

  override toJSON(): ReturnType<PhyllomeError['toJSON']> & { operation: string; pid: number } {
    return { ...super.toJSON(), operation: this.operation, pid: this.pid };
  }
}

/** libvirt refused an edited domain XML: the VM keeps its previous definition. */
export class VmEditRejectedError extends PhyllomeError {
  override name = 'VmEditRejectedError';
  constructor(
    vm: string,
    readonly libvirtMessage: string,
    cause?: unknown,
  ) {
    super('vm-edit-rejected', `libvirt refused the edited XML of VM "${vm}": ${libvirtMessage}`, {
      ...(cause === undefined ? {} : { cause }),
      hint: 'The VM is unchanged. Run `phyllo vm edit` again and fix what libvirt names (on a terminal it offers to re-edit at once).',
    });
  }
}

/** The edited XML names another VM (a new name or UUID): an edit never makes or renames a VM. */
export class VmEditIdentityError extends PhyllomeError {
  override name = 'VmEditIdentityError';
  constructor(vm: string, what: string) {
    super(
      'vm-edit-identity-changed',
      `The edited XML changes the ${what} of VM "${vm}"; the VM is unchanged.`,
      {
        hint: 'Keep <name> and <uuid> as they are: an edit changes this VM, it does not create or rename one.',
      },
    );
  }
}

/** The editor could not be run or exited with an error: nothing was changed. */
export class EditorFailedError extends PhyllomeError {
  override name = 'EditorFailedError';
  constructor(editor: string, why: string) {
    super('editor-failed', `The editor "${editor}" ${why}; the VM is unchanged.`, {
      hint: 'Set VISUAL or EDITOR to an editor that waits until you close the file (e.g. EDITOR=nano, or "code --wait").',
    });
  }
}

/** `vm media` on a VM without a CD-ROM drive (or without the one named). */
export class NoCdromDriveError extends PhyllomeError {
  override name = 'NoCdromDriveError';
  constructor(vm: string, detail: string, hint: string) {
    super('no-cdrom-drive', `VM "${vm}" ${detail}`, { hint });
  }
}

/** `vm upgrade-devices` cannot work on this VM (not made by Phyllome, or nothing recorded to undo). */
export class VmUpgradeError extends PhyllomeError {
  override name = 'VmUpgradeError';
  constructor(vm: string, problem: string, hint: string) {
    super('vm-upgrade-not-possible', `VM "${vm}" ${problem}`, { hint });
  }
}
