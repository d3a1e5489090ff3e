import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validationMessage } from './validation-message.js';

describe('validationMessage', () => {
  it('names the unknown field, the missing one, the allowed values, or the path and what is wrong', () => {
    const at = (keyword: string, params: Record<string, unknown>, instancePath = '', message?: string) => [
      { instancePath, keyword, params, ...(message ? { message } : {}) },
    ];
    assert.equal(
      validationMessage('body', at('additionalProperties', { additionalProperty: 'colour' })),
      'body has an unknown field "colour"',
    );
    assert.equal(
      validationMessage('body', at('required', { missingProperty: 'name' })),
      'body needs the field "name"',
    );
    assert.equal(
      validationMessage('querystring', at('enum', { allowedValues: ['spice', 'vnc'] }, '/display')),
      'querystring/display must be one of: spice, vnc',
    );
    assert.equal(
      validationMessage('body', at('type', { type: 'integer' }, '/timeout', 'must be integer')),
      'body/timeout must be integer',
    );
    assert.equal(validationMessage(undefined, []), 'invalid input');
  });
});
