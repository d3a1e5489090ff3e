/** Authentication and origin checks of the API, in-process against the real system daemon. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ORIGIN, testApi, type TestApi } from '../support/api-server.js';

let api: TestApi;
let now = Date.now();
before(async () => {
  api = await testApi({ sessions: { now: () => now, codeTtlMs: 60_000, sessionTtlMs: 3_600_000 } });
});
after(() => api.close());

const cookieOf = (res: { headers: Record<string, unknown> }): string => {
  const set = res.headers['set-cookie'];
  const line = Array.isArray(set) ? String(set[0]) : String(set);
  return line.split(';')[0]!;
};

test('no token, no cookie: 401 with the error shape; a wrong token: 401', async () => {
  const res = await api.app.inject({ method: 'GET', url: '/api/hosts' });
  assert.equal(res.statusCode, 401);
  assert.equal(res.json().error.code, 'unauthorized');
  assert.match(res.json().error.hint, /Bearer/);
  const wrong = await api.call('GET', '/api/hosts', undefined, { authorization: 'Bearer nope' });
  assert.equal(wrong.statusCode, 401);
  const ok = await api.call('GET', '/api/hosts');
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.json(), [{ id: 'local', uri: 'qemu:///system', connected: true }]);
});

test('a one-time code logs in once: the link sets an HttpOnly SameSite=Strict cookie, a replay is refused', async () => {
  const code = api.sessions.issueCode();
  const res = await api.app.inject({ method: 'GET', url: `/login?code=${code}` });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/');
  const set = String(res.headers['set-cookie']);
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Strict/);
  const cookie = cookieOf(res);
  const me = await api.app.inject({ method: 'GET', url: '/api/hosts', headers: { cookie } });
  assert.equal(me.statusCode, 200);
  const replay = await api.app.inject({ method: 'GET', url: `/login?code=${code}` });
  assert.equal(replay.statusCode, 401);
});

test('forged and expired cookies are refused; an expired code too', async () => {
  const forged = await api.app.inject({
    method: 'GET',
    url: '/api/hosts',
    headers: { cookie: 'phyllome_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
  });
  assert.equal(forged.statusCode, 401);
  const login = await api.app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { secret: api.token },
    headers: { origin: ORIGIN },
  });
  assert.equal(login.statusCode, 200);
  const cookie = cookieOf(login);
  const code = api.sessions.issueCode();
  now += 3_600_001;
  try {
    const expired = await api.app.inject({ method: 'GET', url: '/api/hosts', headers: { cookie } });
    assert.equal(expired.statusCode, 401);
    const late = await api.app.inject({ method: 'GET', url: `/login?code=${code}` });
    assert.equal(late.statusCode, 401);
  } finally {
    now = Date.now();
  }
});

test('a state-changing request from another origin is 403, even with the token; with a cookie and no Origin too', async () => {
  const evil = await api.call('POST', '/api/vms/x/start', undefined, { origin: 'http://evil.example' });
  assert.equal(evil.statusCode, 403);
  assert.equal(evil.json().error.code, 'origin-not-allowed');
  const login = await api.app.inject({
    method: 'POST',
    url: '/api/login',
    payload: { secret: api.token },
    headers: { origin: ORIGIN },
  });
  const cookie = cookieOf(login);
  const bare = await api.app.inject({ method: 'POST', url: '/api/vms/x/start', headers: { cookie } });
  assert.equal(bare.statusCode, 403);
  const rebound = await api.app.inject({
    method: 'GET',
    url: '/api/hosts',
    headers: { host: 'evil.example:80', authorization: `Bearer ${api.token}` },
  });
  assert.equal(rebound.statusCode, 403);
});

test('a flood of logins is rate-limited (429 in the error shape)', async () => {
  const codes: number[] = [];
  for (let i = 0; i < 15; i++) {
    const r = await api.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { secret: `wrong-${i}` },
      headers: { origin: ORIGIN },
      remoteAddress: '10.1.2.3',
    });
    codes.push(r.statusCode);
    if (r.statusCode === 429) assert.equal(r.json().error.code, 'too-many-requests');
  }
  assert.deepEqual(codes.slice(0, 10), Array(10).fill(401));
  assert.ok(
    codes.slice(10).every((c) => c === 429),
    `after 10 attempts: ${codes.slice(10).join(',')}`,
  );
});

test('only wrong attempts count: a right code or the token still logs in, however many came before', async () => {
  const from = { remoteAddress: '10.4.5.6', headers: { origin: ORIGIN } };
  const login = (secret: string) =>
    api.app.inject({ method: 'POST', url: '/api/login', payload: { secret }, ...from });
  for (let i = 0; i < 25; i++)
    assert.equal((await login(api.sessions.issueCode())).statusCode, 200, `login ${i}`);
  for (let i = 0; i < 10; i++) assert.equal((await login(`wrong-${i}`)).statusCode, 401);
  assert.equal((await login('wrong-again')).statusCode, 429, 'the eleventh wrong guess is refused');
  assert.equal((await login(api.sessions.issueCode())).statusCode, 200, 'a right code still logs in');
  assert.equal((await login(api.token)).statusCode, 200, 'the token still logs in');
  const link = await api.app.inject({
    method: 'GET',
    url: `/login?code=${api.sessions.issueCode()}`,
    ...from,
  });
  assert.equal(link.statusCode, 303, 'the one-time link too');
});

test('an unknown route is 404 in the error shape; the OpenAPI document lists the routes', async () => {
  const res = await api.call('GET', '/api/nothing');
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().error.code, 'route-not-found');
  const doc = (await api.call('GET', '/api/openapi.json')).json();
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/api/vms/{name}/start'].post, 'POST /api/vms/{name}/start documented');
});
