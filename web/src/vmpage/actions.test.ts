import { describe, expect, it } from 'vitest';
import { actionsFor, isGone, isShutOff, tabAfterKey, tabFromHash, TABS } from './actions';

describe('actionsFor', () => {
  it('offers start for a shut-off VM, and nothing else', () => {
    expect(actionsFor('shutoff').map((a) => a.op)).toEqual(['start']);
    expect(actionsFor('shutoff')[0]!.primary).toBe(true);
  });
  it('offers shutdown first for a running VM, with kill asking first', () => {
    const ops = actionsFor('running');
    expect(ops.map((a) => a.op)).toEqual(['shutdown', 'reboot', 'pause', 'kill']);
    expect(ops.find((a) => a.op === 'kill')!.confirm).toMatch(/lost/);
    expect(ops.filter((a) => a.primary).map((a) => a.op)).toEqual(['shutdown']);
  });
  it('offers resume for a paused VM and no shutdown (a paused guest cannot answer ACPI)', () => {
    expect(actionsFor('paused').map((a) => a.op)).toEqual(['resume', 'kill']);
  });
  it('offers start and power off for a crashed VM, power off while shutting down', () => {
    expect(actionsFor('crashed').map((a) => a.op)).toEqual(['start', 'kill']);
    expect(actionsFor('shutdown').map((a) => a.op)).toEqual(['kill']);
  });
  it('offers nothing while the state is unknown', () => {
    expect(actionsFor(undefined)).toEqual([]);
    expect(actionsFor('unknown')).toEqual([]);
  });
});

describe('tabs', () => {
  it('moves with the arrows, wrapping, and Home/End', () => {
    expect(tabAfterKey('overview', 'ArrowRight')).toBe('console');
    expect(tabAfterKey('overview', 'ArrowLeft')).toBe('delete');
    expect(tabAfterKey('delete', 'ArrowRight')).toBe('overview');
    expect(tabAfterKey('snapshots', 'Home')).toBe('overview');
    expect(tabAfterKey('snapshots', 'End')).toBe(TABS.at(-1)!.id);
    expect(tabAfterKey('snapshots', 'a')).toBeUndefined();
    expect(tabAfterKey('media', 'ArrowRight')).toBe('devices');
    expect(tabAfterKey('devices', 'ArrowRight')).toBe('settings');
  });
  it('reads the tab from the hash, the overview for anything else', () => {
    expect(tabFromHash('#snapshots')).toBe('snapshots');
    expect(tabFromHash('#devices')).toBe('devices');
    expect(tabFromHash('')).toBe('overview');
    expect(tabFromHash('#nope')).toBe('overview');
  });
});

describe('isShutOff / isGone', () => {
  it('counts crashed as shut off (no QEMU process)', () => {
    expect(isShutOff('shutoff')).toBe(true);
    expect(isShutOff('crashed')).toBe(true);
    expect(isShutOff('running')).toBe(false);
  });
  it('is gone after a 404, or when a loaded list lost a VM it had', () => {
    expect(isGone({ notFound: true, listLoaded: false, inList: false, seen: false })).toBe(true);
    expect(isGone({ notFound: false, listLoaded: true, inList: false, seen: true })).toBe(true);
    // A new clone not yet in a list read before it existed is not gone.
    expect(isGone({ notFound: false, listLoaded: true, inList: false, seen: false })).toBe(false);
    expect(isGone({ notFound: false, listLoaded: true, inList: true, seen: true })).toBe(false);
  });
});
