import { describe, expect, it } from 'vitest';
import {
  createBodyOf,
  emptyForm,
  explainRequestOf,
  fieldOfError,
  formProblems,
  modelOptionsOf,
  nameProblem,
  type CreateForm,
} from './form';

const form = (patch: Partial<CreateForm>): CreateForm => ({ ...emptyForm, ...patch });

describe('createBodyOf', () => {
  it('sends only what the user set, trimmed; vCPUs as a number; start when asked', () => {
    const f = form({
      os: 'linux',
      name: ' web ',
      memory: ' 1G ',
      vcpus: '2',
      diskSize: 'none',
      kernel: '/srv/k',
      cmdline: 'console=ttyS0 quiet',
      display: 'none',
    });
    expect(createBodyOf(f)).toEqual({
      name: 'web',
      os: 'linux',
      memory: '1G',
      vcpus: 2,
      diskSize: 'none',
      kernel: '/srv/k',
      cmdline: 'console=ttyS0 quiet',
      display: 'none',
      start: true,
    });
    expect(createBodyOf({ ...f, start: false })).not.toHaveProperty('start');
  });
  it('never asks a preview to start (the server refuses printXml with start)', () => {
    expect(createBodyOf(form({ os: 'linux', name: 'a' }), { preview: true })).toEqual({
      name: 'a',
      os: 'linux',
    });
  });
  it('leaves os out when none is chosen: the server detects it from the ISO', () => {
    expect(createBodyOf(form({ name: 'a', iso: '/i.iso', start: false }))).toEqual({
      name: 'a',
      iso: '/i.iso',
    });
  });
  it('keeps a vCPU count that is not a number as typed, for the server to refuse in its words', () => {
    expect(modelOptionsOf(form({ vcpus: 'two' }))).toEqual({ vcpus: 'two' });
  });
});

describe('explainRequestOf', () => {
  it('needs an OS; carries the options (paths too) and the host', () => {
    expect(explainRequestOf(form({}))).toBeUndefined();
    expect(explainRequestOf(form({ os: 'win11', memory: '8G', iso: '/x.iso', host: 'local' }))).toEqual({
      os: 'win11',
      query: { memory: '8G', iso: '/x.iso', host: 'local' },
    });
  });
});

describe('nameProblem', () => {
  it('says what the server says of a bad name', () => {
    expect(nameProblem('')).toBe('The VM name is empty');
    expect(nameProblem('web server')).toBe('The VM name "web server" contains " ", which is not allowed');
    expect(nameProblem('-web')).toBe('The VM name "-web" contains "-", which is not allowed first');
    expect(nameProblem('a'.repeat(64))).toBe('The VM name is 64 characters long; at most 63 are allowed');
    expect(nameProblem('a<b')).toMatch(/not allowed \(< > &/);
    expect(nameProblem('win11-work.2')).toBeUndefined();
  });
});

describe('formProblems', () => {
  it('finds the name and an initrd without a kernel', () => {
    const p = formProblems(form({ name: 'ok', initrd: '/i' }));
    expect(p.name).toBeUndefined();
    expect(p.kernel?.message).toMatch(/need --kernel/);
    expect(formProblems(form({ name: 'ok', initrd: '/i', kernel: '/k' }))).toEqual({});
  });
});

describe('fieldOfError', () => {
  it('reads the field from the server’s error', () => {
    expect(
      fieldOfError({ code: 'path-not-allowed', message: 'kernel "/etc/x" is not allowed: it is outside' }),
    ).toBe('kernel');
    expect(fieldOfError({ code: 'path-not-allowed', message: 'diskImage "/x" is not allowed' })).toBe(
      'diskImage',
    );
    expect(
      fieldOfError({ code: 'missing-file', message: 'The file given to --disk-image does not exist: /x' }),
    ).toBe('diskImage');
    expect(fieldOfError({ code: 'invalid-option', message: '--memory must be a size, not "lots"' })).toBe(
      'memory',
    );
    expect(fieldOfError({ code: 'invalid-input', message: 'Bad request: body/vcpus must be integer' })).toBe(
      'vcpus',
    );
    expect(fieldOfError({ code: 'invalid-name', message: 'The VM name is empty' })).toBe('name');
    expect(fieldOfError({ code: 'vm-exists', message: 'A VM named "a" already exists.' })).toBe('name');
    expect(fieldOfError({ code: 'memory-below-minimum', message: 'x' })).toBe('memory');
    expect(fieldOfError({ code: 'unknown-medium', message: 'x' })).toBe('iso');
    expect(fieldOfError({ code: 'host-unavailable', message: 'down' })).toBeUndefined();
    expect(fieldOfError(undefined)).toBeUndefined();
  });
});
