import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logFileFor } from './clone-vm.js';

test("a clone's serial log gets the clone's name in place of the source's, or in front", () => {
  assert.equal(logFileFor('/var/log/web.log', 'web', 'web2'), '/var/log/web2.log');
  assert.equal(logFileFor('/tmp/serial.log', 'web', 'db'), '/tmp/db-serial.log');
});
