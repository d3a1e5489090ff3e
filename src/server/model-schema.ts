/**
 * The model options `os explain` and `vm create` take (src/cli/commands/os-model-options.ts), as one
 * schema for the API: the query of GET /api/os/{id}/explain and the body of POST /api/vms. Field names
 * are the flags' in camelCase (`--disk-size` → `diskSize`). Left out: `session` (the host's URI says
 * whether a VM is a session VM: a host id such as `local-session`) and `serialLog` (a file QEMU would
 * write, anywhere). Paths must lie in an allowed directory (allowed-path.ts).
 */
import { Type, type Static } from 'typebox';
import { checkModelOptions, type ModelOptions } from '../model/options.js';
import { OneOf } from './schemas.js';

const Size = (description: string) =>
  Type.Optional(
    Type.Union([Type.String({ minLength: 1, maxLength: 32 }), Type.Integer({ minimum: 1 })], { description }),
  );
const Path = (description: string) =>
  Type.Optional(
    Type.String({ minLength: 1, maxLength: 4096, description: `${description}; in an allowed directory` }),
  );

export const ModelFields = {
  memory: Size('Guest memory: 4G, 4096M, 1.5GiB, 4GB (powers of ten) or a number of MiB'),
  vcpus: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^[0-9]{1,5}$' })], {
      description: 'Number of virtual CPUs',
    }),
  ),
  diskSize: Size('Size of the new qcow2 disk: 64G, 500M, a number of GiB, or "none" for no disk'),
  diskImage: Path('An existing disk image to use instead of a new disk'),
  iso: Path('Installer ISO to boot from (on a remote host: a volume path or POOL/VOLUME there)'),
  drivers: Path('virtio-win driver ISO (Windows guests)'),
  kernel: Path('Boot this kernel directly'),
  initrd: Path('Initramfs for kernel'),
  cmdline: Type.Optional(Type.String({ maxLength: 4096, description: 'Kernel command line for kernel' })),
  display: Type.Optional(OneOf(['spice', 'vnc', 'none'] as const, 'Graphical console')),
  network: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'libvirt network for a system VM (default: default)',
    }),
  ),
  migratable: Type.Optional(
    Type.Boolean({ description: 'Prefer a CPU model that can migrate between different hosts' }),
  ),
};

/** The fields as one object schema (for tests and documents). */
export const ModelFieldsSchema = Type.Object(ModelFields);
export type ModelFieldValues = Static<typeof ModelFieldsSchema>;

/** The options of a request, checked as the CLI checks its flags (name, strings, sizes, counts). */
export function modelOptionsOf(name: string, os: string, fields: ModelFieldValues): ModelOptions {
  const opts: ModelOptions = { name, os };
  for (const k of Object.keys(ModelFields) as (keyof typeof ModelFields)[]) {
    const v = fields[k];
    if (v !== undefined) (opts as unknown as Record<string, unknown>)[k] = v;
  }
  checkModelOptions(opts);
  return opts;
}
