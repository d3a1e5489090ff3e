import { describe, expect, it } from 'vitest';
import { deleteSummary } from './delete-summary';
import type { VmInfoReport } from './report';

const IMG = '/var/lib/libvirt/images';
const SRC = 'a1f48060-6759-4bd3-a4b8-5e10561d0e7b';
const CLONE = 'a02162ed-4102-4ba6-a729-0c44729200a2';

type R = Parameters<typeof deleteSummary>[0];

const chainMeta = (path: string, bases: { path: string; from?: string }[]) => ({
  profile: 'linux',
  os: 'linux',
  modelVersion: 2,
  options: { 'disk-size': '64M' },
  extra: [
    {
      name: 'phyllome:disks',
      attrs: {},
      children: [
        {
          name: 'phyllome:disk',
          attrs: { target: 'vda', path },
          children: bases.map((b) => ({
            name: 'phyllome:base',
            attrs: { path: b.path, ...(b.from ? { from: b.from } : {}) },
            children: [],
          })),
        },
      ],
    },
  ],
});

const disk = (paths: string[]): VmInfoReport['disks'][number] => ({
  target: 'vda',
  device: 'disk',
  source: paths[0]!,
  backingChain: paths.map((path) => ({ path })),
});

// As the real server answers after `vm clone web web-c` (linked): the source's old image frozen.
const source: R = {
  name: 'web',
  uuid: SRC,
  state: 'shutoff',
  disks: [disk([`${IMG}/web-vda-7f9c1b.qcow2`, `${IMG}/web-vda-36d6e9.qcow2`, `${IMG}/web.qcow2`])],
  phyllome: chainMeta(`${IMG}/web-vda-7f9c1b.qcow2`, [
    { path: `${IMG}/web-vda-36d6e9.qcow2`, from: SRC },
    { path: `${IMG}/web.qcow2` },
  ]),
  nvram: null,
  tpm: { model: 'tpm-crb', version: '2.0', path: `/var/lib/libvirt/swtpm/${SRC}/tpm2`, exists: true },
  snapshots: [],
  dependentClones: ['web-c'],
};
const clone: R = {
  name: 'web-c',
  uuid: CLONE,
  state: 'shutoff',
  disks: [disk([`${IMG}/web-c-vda-98f480.qcow2`, `${IMG}/web-vda-36d6e9.qcow2`, `${IMG}/web.qcow2`])],
  phyllome: chainMeta(`${IMG}/web-c-vda-98f480.qcow2`, [
    { path: `${IMG}/web-vda-36d6e9.qcow2`, from: SRC },
    { path: `${IMG}/web.qcow2` },
  ]),
  nvram: null,
  tpm: { model: 'tpm-crb', version: '2.0', path: `/var/lib/libvirt/swtpm/${CLONE}/tpm2`, exists: false },
  snapshots: [],
  dependentClones: [],
};
const vms = [
  { name: 'web', uuid: SRC },
  { name: 'web-c', uuid: CLONE },
];
const paths = (items: { path?: string }[]) => items.map((i) => i.path).filter(Boolean);

describe('deleteSummary', () => {
  it('a linked clone: its own overlay goes, the base its source uses stays', () => {
    const s = deleteSummary(clone, [], vms);
    expect(paths(s.removed)).toEqual([`${IMG}/web-c-vda-98f480.qcow2`]);
    expect(paths(s.kept)).toEqual([`${IMG}/web-vda-36d6e9.qcow2`, `${IMG}/web.qcow2`]);
    expect(s.kept[0]!.why).toMatch(/"web" uses it/);
    expect(s.removed[0]!.what).toMatch(/definition of web-c/);
    // A TPM never started has no state yet: nothing to name.
    expect(s.removed.some((i) => i.what.includes('TPM'))).toBe(false);
    expect(s.powersOff).toBe(false);
  });

  it('a source with linked clones: its images the clones stand on stay, its TPM state and snapshots go', () => {
    const s = deleteSummary(source, ['before-update'], vms);
    expect(paths(s.removed)).toEqual([`${IMG}/web-vda-7f9c1b.qcow2`, `/var/lib/libvirt/swtpm/${SRC}/tpm2`]);
    expect(paths(s.kept)).toEqual([`${IMG}/web-vda-36d6e9.qcow2`, `${IMG}/web.qcow2`]);
    expect(s.kept[0]!.why).toMatch(/"web-c" stands on it/);
    expect(s.removed.at(-1)!.what).toBe('1 snapshot: "before-update"');
  });

  it('the source once its clone is gone: the whole chain goes', () => {
    const s = deleteSummary({ ...source, dependentClones: [] }, [], [vms[0]!]);
    expect(paths(s.removed)).toContain(`${IMG}/web.qcow2`);
    expect(s.kept).toEqual([]);
  });

  it('keep disks: every image stays, NVRAM and TPM still go', () => {
    const s = deleteSummary(
      { ...source, nvram: { path: '/var/lib/libvirt/qemu/nvram/web_VARS.fd', exists: true } },
      [],
      vms,
      { keepDisks: true },
    );
    expect(s.kept.every((i) => i.why === 'you chose to keep the disks')).toBe(true);
    expect(paths(s.removed)).toEqual([
      '/var/lib/libvirt/qemu/nvram/web_VARS.fd',
      `/var/lib/libvirt/swtpm/${SRC}/tpm2`,
    ]);
  });

  it('an image brought with --disk-image stays unless asked; a CD-ROM medium always stays', () => {
    const brought: R = {
      ...clone,
      state: 'running',
      phyllome: {
        profile: 'linux',
        os: 'linux',
        modelVersion: 2,
        options: { 'disk-image': '/srv/mine.qcow2' },
      },
      disks: [
        {
          target: 'vda',
          device: 'disk',
          source: '/srv/mine.qcow2',
          backingChain: [{ path: '/srv/mine.qcow2' }],
        },
        { target: 'sda', device: 'cdrom', source: '/isos/d.iso', backingChain: [] },
      ],
    };
    const s = deleteSummary(brought, [], vms);
    expect(s.powersOff).toBe(true);
    expect(paths(s.kept)).toEqual(['/srv/mine.qcow2', '/isos/d.iso']);
    expect(paths(deleteSummary(brought, [], vms, { deleteImages: true }).removed)).toContain(
      '/srv/mine.qcow2',
    );
  });

  it('an unrecorded backing chain, or one under a gone VM, is left to the server to judge', () => {
    const foreign: R = { ...clone, phyllome: undefined };
    expect(paths(deleteSummary(foreign, [], vms).maybe)).toEqual([
      `${IMG}/web-vda-36d6e9.qcow2`,
      `${IMG}/web.qcow2`,
    ]);
    const orphan = deleteSummary(clone, [], [vms[1]!]);
    expect(paths(orphan.maybe)).toEqual([`${IMG}/web-vda-36d6e9.qcow2`, `${IMG}/web.qcow2`]);
  });
});
