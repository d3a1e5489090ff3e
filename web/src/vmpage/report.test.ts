import { describe, expect, it } from 'vitest';
import {
  asDiagnosis,
  snapshotNames,
  consoleKind,
  startDiagnosis,
  dataDisks,
  recordedChains,
  removableDrives,
  topicLabel,
} from './report';

describe('report helpers', () => {
  it('tells the console the display offers', () => {
    expect(consoleKind([{ type: 'vnc' }])).toEqual({ kind: 'vnc' });
    expect(consoleKind([{ type: 'spice', address: 'spice://127.0.0.1:5900' }])).toEqual({ kind: 'spice' });
    expect(consoleKind([])).toEqual({ kind: 'none' });
  });
  it('splits data disks from removable drives', () => {
    const disks = [
      { target: 'vda', device: 'disk', backingChain: [] },
      { target: 'sda', device: 'cdrom', backingChain: [] },
    ];
    expect(dataDisks(disks).map((d) => d.target)).toEqual(['vda']);
    expect(removableDrives(disks).map((d) => d.target)).toEqual(['sda']);
  });
  it('reads the recorded chains, whatever the namespace prefix', () => {
    const chains = recordedChains({
      phyllome: {
        profile: 'linux',
        os: 'linux',
        modelVersion: 2,
        options: {},
        extra: [
          {
            name: 'p:disks',
            attrs: {},
            children: [
              {
                name: 'p:disk',
                attrs: { target: 'vda', path: '/a', owned: 'no' },
                children: [{ name: 'p:base', attrs: { path: '/b', from: 'u' }, children: [] }],
              },
            ],
          },
        ],
      },
    });
    expect(chains).toEqual([
      { target: 'vda', path: '/a', owned: false, bases: [{ path: '/b', owned: true, from: 'u' }] },
    ]);
    expect(recordedChains({})).toEqual([]);
  });
  it('counts Phyllome’s snapshots from the metadata, and libvirt’s', () => {
    const extra = [
      {
        name: 'phyllome:snapshots',
        attrs: {},
        children: [{ name: 'phyllome:snapshot', attrs: { name: 's1', created: 'x' }, children: [] }],
      },
    ];
    const phyllome = { profile: 'linux', os: 'linux', modelVersion: 2, options: {}, extra };
    expect(snapshotNames({ phyllome, snapshots: [{ name: 'lv' }, { name: 's1' }] })).toEqual(['s1', 'lv']);
    expect(snapshotNames({ snapshots: [] })).toEqual([]);
  });
  it('knows a diagnosis when it sees one', () => {
    expect(
      asDiagnosis({ vm: 'a', host: 'h', state: 'shutoff', qemuLog: { path: '/x' }, findings: [] }),
    ).toBeTruthy();
    expect(asDiagnosis({ error: {} })).toBeUndefined();
    expect(asDiagnosis(undefined)).toBeUndefined();
    // As the server answers a refused start: inside the error shape.
    const d = { vm: 'a', host: 'h', state: 'shutoff', qemuLog: { path: '/x' }, findings: [] };
    expect(startDiagnosis({ error: { code: 'vm-start-failed', message: 'm', diagnosis: d } })).toEqual(d);
    expect(startDiagnosis({ diagnosis: d })).toEqual(d);
    expect(startDiagnosis({ error: { code: 'x', message: 'm' } })).toBeUndefined();
  });
  it('names topics in plain words', () => {
    expect(topicLabel('disk-bus')).toBe('Disk bus');
    expect(topicLabel('domain-type')).toBe('Accelerator');
  });
});
