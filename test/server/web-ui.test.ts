/**
 * The web UI as `phyllo serve` serves it (in-process, the real build in dist/web): the page for a
 * browser's navigation to any UI path, hashed files with their compressed twins and a year's cache,
 * no session needed for either (the app shows its login), and the API's paths untouched.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { brotliDecompressSync } from 'node:zlib';
import { webRoot } from '../../src/server/web-ui.js';
import { testApi, type TestApi } from '../support/api-server.js';

let api: TestApi;
before(async () => {
  api = await testApi();
});
after(() => api.close());

const html = { accept: 'text/html,application/xhtml+xml' };

test('a browser opening /, /host or /vms/HOST/NAME gets the app page, without a session', async () => {
  for (const url of ['/', '/host', '/vms/system/debian', '/jobs?x=1']) {
    const res = await api.app.inject({ method: 'GET', url, headers: html });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(res.body, /<div id="root">/);
    assert.equal(res.headers['cache-control'], 'no-cache');
  }
});

test("the page's script is served compressed, cached for a year, and is what the build wrote", async () => {
  const page = (await api.app.inject({ method: 'GET', url: '/', headers: html })).body;
  const src = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1];
  assert.ok(src, page);
  const res = await api.app.inject({ method: 'GET', url: src, headers: { 'accept-encoding': 'br, gzip' } });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-encoding'], 'br');
  assert.match(String(res.headers['cache-control']), /max-age=31536000.*immutable/);
  assert.match(String(res.headers['content-type']), /javascript/);
  const body = brotliDecompressSync(res.rawPayload).toString();
  assert.equal(body, readFileSync(join(webRoot(), src), 'utf8'));
});

test('API paths keep their answers: JSON 401 without a session, JSON 404 for an unknown route', async () => {
  const noSession = await api.app.inject({ method: 'GET', url: '/api/vms', headers: html });
  assert.equal(noSession.statusCode, 401);
  assert.equal(noSession.json().error.code, 'unauthorized');
  const metrics = await api.app.inject({ method: 'GET', url: '/metrics', headers: html });
  assert.equal(metrics.statusCode, 401);
  const unknown = await api.call('GET', '/api/no-such-route');
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().error.code, 'route-not-found');
  // A script (no text/html in Accept) asking for a path that is no file gets JSON, not the page.
  const script = await api.app.inject({ method: 'GET', url: '/no-such-file.txt' });
  assert.equal(script.statusCode, 404);
  assert.equal(script.json().error.code, 'route-not-found');
});

test('a used login link opened in a browser lands on the login page, which says why', async () => {
  const res = await api.app.inject({ method: 'GET', url: '/login?code=used-or-forged', headers: html });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/?login=failed');
  assert.equal(res.headers['set-cookie'], undefined);
  // curl and scripts still get the error shape.
  const plain = await api.app.inject({ method: 'GET', url: '/login?code=used-or-forged' });
  assert.equal(plain.statusCode, 401);
  assert.equal(plain.json().error.code, 'unauthorized');
});

test('a state-changing request to a UI path still needs a session and the right Origin', async () => {
  const res = await api.app.inject({
    method: 'POST',
    url: '/host',
    headers: { origin: 'http://evil.example' },
  });
  assert.equal(res.statusCode, 403);
  const noAuth = await api.app.inject({ method: 'POST', url: '/host' });
  assert.equal(noAuth.statusCode, 401);
});
