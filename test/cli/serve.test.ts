/**
 * `phyllo serve` as a user runs it: the banner's URL and one-time login link work, the token file is
 * private, Ctrl-C stops it cleanly, TLS is required off loopback, and with a certificate it serves
 * HTTPS there. The JSON-line log never holds the token or a login code.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { phyllo } from '../support/bin-phyllo.js';
import { banner, serve as serveWith } from '../support/serve-process.js';
import { waitFor } from '../support/wait.js';

const home = mkdtempSync(join(tmpdir(), 'phyllo-serve-'));
after(() => rmSync(home, { recursive: true, force: true }));
const env = { ...process.env, XDG_CONFIG_HOME: join(home, 'config') };
const serve = (...args: string[]) => serveWith(env, ...args);

test('the login link logs a browser in once; the token works for curl; Ctrl-C stops it with exit 0', async () => {
  const s = serve('--listen', '127.0.0.1:0');
  try {
    const { link, url, token } = await banner(s, env);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(statSync(join(env.XDG_CONFIG_HOME, 'phyllome', 'api-token')).mode & 0o777, 0o600);
    const login = await fetch(link, { redirect: 'manual' });
    assert.equal(login.status, 303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const hosts = await fetch(`${url}/api/hosts`, { headers: { cookie } });
    assert.equal(hosts.status, 200);
    assert.equal(((await hosts.json()) as { id: string }[])[0]!.id, 'local');
    assert.equal((await fetch(link, { redirect: 'manual' })).status, 401, 'the link works once');
    const vms = await fetch(`${url}/api/vms`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(vms.status, 200);
    assert.ok(Array.isArray(await vms.json()));
    s.child.kill('SIGINT');
    assert.equal(await s.exited, 0, s.stderr());
    assert.doesNotMatch(s.stderr(), /Warning|warning/, 'V8 flags start quietly (no "disabling flag" line)');
    const log = s.stdout();
    assert.match(log, /"url":"\/api\/vms"/, 'requests are logged as JSON lines');
    assert.ok(!log.includes(token), 'the token is not in the log');
    assert.ok(!log.includes(new URL(link).searchParams.get('code')!), 'the login code is not in the log');
  } finally {
    s.child.kill('SIGKILL');
  }
});

// bin/phyllo serve takes its packages from bundles (scripts/bundle.mjs): Fastify from server-deps.cjs,
// its Ajv compiler from ajv-compiler.cjs at the first validated request, @fastify/swagger from
// node_modules at the first GET /api/openapi.json. The in-process server tests run tsc's output instead.
test('the bundled server validates a request with Ajv and builds its OpenAPI document', async () => {
  const s = serve('--listen', '127.0.0.1:0');
  try {
    const { url, token } = await banner(s, env);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const bad = await fetch(`${url}/api/vms/no-such-vm/set`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ vcpus: 'many' }),
    });
    assert.equal(bad.status, 400);
    const { error } = (await bad.json()) as { error: { code: string; message: string } };
    assert.equal(error.code, 'invalid-input');
    assert.match(
      error.message,
      /body\/vcpus must be integer/,
      "Ajv's own message, from the bundled compiler",
    );
    const doc = await fetch(`${url}/api/openapi.json`, { headers });
    assert.equal(doc.status, 200);
    const { openapi, paths } = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
    assert.match(openapi, /^3\./);
    assert.ok(paths['/api/vms/{name}/set'], 'the document lists the route');
    s.child.kill('SIGINT');
    assert.equal(await s.exited, 0, s.stderr());
  } finally {
    s.child.kill('SIGKILL');
  }
});

test('off loopback without TLS: refused with the reason, nothing listens', async () => {
  const r = await phyllo('serve', '--listen', '0.0.0.0:0', '--json');
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.stdout).error.code, 'tls-required');
  const bad = await phyllo('serve', '--listen', 'nowhere', '--json');
  assert.equal(JSON.parse(bad.stdout).error.code, 'invalid-input');
});

test('with a certificate it serves HTTPS off loopback', async () => {
  const cert = join(home, 'cert.pem');
  const key = join(home, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const s = serve('--listen', '0.0.0.0:0', '--tls-cert', cert, '--tls-key', key);
  try {
    const url = await waitFor('the URL', () => /at (https:\/\/0\.0\.0\.0:\d+)/.exec(s.stderr())?.[1], {
      context: s.stderr,
    });
    const port = Number(new URL(url).port);
    const token = readFileSync(join(env.XDG_CONFIG_HOME, 'phyllome', 'api-token'), 'utf8').trim();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/hosts',
          ca: readFileSync(cert),
          headers: { authorization: `Bearer ${token}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
  } finally {
    s.child.kill('SIGINT');
    await s.exited;
  }
});
