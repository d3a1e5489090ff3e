import { describe, expect, it } from 'vitest';
import { emptyForm } from './form';
import { blockingProblems, nextStep, prevStep, stepOfField } from './steps';

describe('steps', () => {
  it('go forward and back within bounds', () => {
    expect(nextStep('os')).toBe('defaults');
    expect(nextStep('review')).toBe('review');
    expect(prevStep('defaults')).toBe('os');
    expect(prevStep('os')).toBe('os');
    expect(stepOfField('kernel')).toBe('defaults');
    expect(stepOfField('os')).toBe('os');
  });
  it('the OS step needs an OS, or an ISO to detect one from', () => {
    expect(blockingProblems('os', emptyForm).map((p) => p.field)).toEqual(['os']);
    expect(blockingProblems('os', { ...emptyForm, os: 'linux' })).toEqual([]);
    expect(blockingProblems('os', { ...emptyForm, osMode: 'detect' }).map((p) => p.field)).toEqual(['iso']);
    expect(blockingProblems('os', { ...emptyForm, osMode: 'detect', iso: '/x.iso' })).toEqual([]);
  });
  it('the resources step stops on a bad name or a field the server refused, in field order', () => {
    const f = { ...emptyForm, os: 'linux', name: 'bad name' };
    const server = {
      kernel: { message: 'kernel "/etc/k" is not allowed', hint: 'Files must be inside /srv' },
    };
    expect(blockingProblems('defaults', f, server).map((p) => p.field)).toEqual(['name', 'kernel']);
    expect(blockingProblems('defaults', { ...f, name: 'good' }, {})).toEqual([]);
  });
});
