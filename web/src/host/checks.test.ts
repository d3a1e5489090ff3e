import { describe, expect, it } from 'vitest';
import {
  checkAnchor,
  checkSections,
  checkTitle,
  countStatus,
  kvmMeaning,
  STATUS,
  summarize,
  textParts,
} from './checks';
import type { CheckStatus, HostCheck, HostReport } from './types';

const c = (id: string, status: CheckStatus, fix = ''): HostCheck => ({
  id,
  status,
  summary: `${id} summary`,
  detail: '',
  fix,
});

const report = (verdict: HostReport['verdict'], checks: HostCheck[], kvm?: string): HostReport => ({
  verdict,
  checks,
  host: kvm
    ? { kvmVerdict: { state: kvm as 'works', usable: kvm === 'works', summary: '', detail: '' } }
    : {},
});

describe('checkSections', () => {
  it('puts failures, then warnings, first; passes and infos after, each in report order', () => {
    const s = checkSections([
      c('a', 'pass'),
      c('b', 'warn'),
      c('c', 'info'),
      c('d', 'fail'),
      c('e', 'warn'),
      c('f', 'fail'),
      c('g', 'pass'),
    ]);
    expect(s.map((x) => [x.key, x.checks.map((y) => y.id).join('')])).toEqual([
      ['attention', 'dfbe'],
      ['passed', 'ag'],
      ['info', 'c'],
    ]);
  });
  it('leaves empty sections out', () => {
    expect(checkSections([c('a', 'pass')]).map((x) => x.key)).toEqual(['passed']);
    expect(checkSections([])).toEqual([]);
  });
});

describe('summarize', () => {
  it('a ready host: with its number of warnings, or none', () => {
    expect(summarize(report('ready', [c('a', 'pass')])).headline).toBe('Ready for VMs.');
    const r = summarize(report('ready', [c('a', 'warn'), c('b', 'warn'), c('c', 'pass')]));
    expect(r).toMatchObject({ tone: 'ok', headline: 'Ready for VMs, with 2 warnings.' });
    expect(summarize(report('ready', [c('a', 'warn')])).headline).toBe('Ready for VMs, with 1 warning.');
  });
  it('a degraded host says VMs run, with how many failed', () => {
    const r = summarize(report('degraded', [c('a', 'fail'), c('b', 'fail'), c('c', 'warn')]));
    expect(r.tone).toBe('warn');
    expect(r.headline).toBe('VMs can run, but with less: 2 checks failed, 1 warning.');
  });
  it('an unusable host says no VM can run', () => {
    const r = summarize(report('unusable', [c('host.disk', 'fail')]));
    expect(r.tone).toBe('bad');
    expect(r.headline).toMatch(/no VM can run here until the failing check is fixed/);
  });
  it('says what broken KVM means: TCG, slower', () => {
    const r = summarize(report('degraded', [c('kvm.works', 'fail')], 'broken'));
    expect(r.kvm).toMatch(/TCG/);
    expect(r.kvm).toMatch(/10–50× slower/);
    expect(summarize(report('ready', [], 'works')).kvm).toMatch(/KVM works/);
    // /api/status's verdict wins over the report's own (it may be newer).
    expect(
      summarize(report('ready', [], 'works'), {
        state: 'unavailable',
        usable: false,
        summary: '',
        detail: '',
      }).kvm,
    ).toMatch(/No KVM/);
    expect(kvmMeaning(undefined)).toBeUndefined();
  });
});

describe('textParts', () => {
  it('splits commands in backticks from the words around them', () => {
    expect(textParts('Load it: `sudo modprobe vhost_net` (and add vhost_net to /etc/modules).')).toEqual([
      { code: false, text: 'Load it: ' },
      { code: true, text: 'sudo modprobe vhost_net' },
      { code: false, text: ' (and add vhost_net to /etc/modules).' },
    ]);
    expect(textParts('`a``b`')).toEqual([
      { code: true, text: 'a' },
      { code: true, text: 'b' },
    ]);
    expect(textParts('no command')).toEqual([{ code: false, text: 'no command' }]);
    expect(textParts('')).toEqual([]);
  });
});

describe('words', () => {
  it('every status has an icon and a word; titles and anchors for ids', () => {
    for (const s of Object.values(STATUS)) {
      expect(s.icon).not.toBe('');
      expect(s.word).not.toBe('');
    }
    expect(checkTitle('kvm.works')).toBe('KVM boot test');
    expect(checkTitle('some.new-check')).toBe('some.new-check');
    expect(checkAnchor('iommu.acs-override')).toBe('check-iommu-acs-override');
    expect(countStatus([c('a', 'pass'), c('b', 'pass'), c('c', 'fail')])).toEqual({
      pass: 2,
      warn: 0,
      fail: 1,
      info: 0,
    });
  });
});
