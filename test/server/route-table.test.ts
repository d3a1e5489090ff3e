/**
 * Every route of the API, table-driven, in-process against the real system daemon: 401 without a
 * token or session, 403 from another origin (state-changing routes), 400 with a message naming what
 * is wrong, 404 for an unknown VM and for an unknown `?host=`. The table must cover every route the
 * server has (read from `printRoutes`), and the OpenAPI document must list exactly those routes,
 * each with a summary. The success cases are in the other tests of this folder.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { testApi, type TestApi } from '../support/api-server.js';

let api: TestApi;
before(async () => {
  api = await testApi();
});
after(() => api.close());

const VM = 'phyllo-no-such-vm-api-table';

interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The route as Fastify names it. */
  route: string;
  /** A request that passes validation (VM routes name a VM that does not exist). */
  url: string;
  body?: unknown;
  /** Reachable without a session (the login exchange). */
  public?: true;
  /** Answers 404 vm-not-found for an unknown VM. */
  vm?: true;
  /** Takes ?host=ID (404 host-not-found for an unknown one). */
  host?: true;
  /** A request with bad input, and what its 400 message must name. */
  bad?: { url: string; body?: unknown; message: RegExp };
}

const vmUrl = (path = '') => `/api/vms/${VM}${path}`;
const hostBad = (url: string) => ({ url: `${url}${url.includes('?') ? '&' : '?'}host=`, message: /host/ });

const ROWS: Row[] = [
  {
    method: 'GET',
    route: '/login',
    url: '/login?code=nope',
    public: true,
    bad: { url: '/login', message: /code/ },
  },
  {
    method: 'POST',
    route: '/api/login',
    url: '/api/login',
    body: { secret: 'nope' },
    public: true,
    bad: { url: '/api/login', body: { secret: '' }, message: /secret/ },
  },
  { method: 'POST', route: '/api/logout', url: '/api/logout' },
  { method: 'GET', route: '/api/hosts', url: '/api/hosts' },
  { method: 'GET', route: '/api/jobs', url: '/api/jobs' },
  { method: 'GET', route: '/api/events', url: '/api/events' },
  {
    method: 'GET',
    route: '/api/jobs/:id',
    url: '/api/jobs/nope',
    bad: { url: `/api/jobs/${'x'.repeat(101)}`, message: /id/ },
  },
  {
    method: 'POST',
    route: '/api/jobs/:id/cancel',
    url: '/api/jobs/nope/cancel',
    bad: { url: `/api/jobs/${'x'.repeat(101)}/cancel`, message: /id/ },
  },
  {
    method: 'GET',
    route: '/api/status',
    url: '/api/status',
    host: true,
    bad: { url: '/api/status?retest=maybe', message: /retest/ },
  },
  {
    method: 'GET',
    route: '/api/host/check',
    url: '/api/host/check',
    host: true,
    bad: { url: '/api/host/check?x=1', message: /unknown field "x"/ },
  },
  {
    method: 'GET',
    route: '/api/host/devices',
    url: '/api/host/devices',
    host: true,
    bad: hostBad('/api/host/devices'),
  },
  {
    method: 'GET',
    route: '/api/host/overhead',
    url: '/api/host/overhead?sample=0',
    bad: { url: '/api/host/overhead?sample=soon', message: /sample/ },
  },
  { method: 'GET', route: '/metrics', url: '/metrics' },
  { method: 'GET', route: '/api/os', url: '/api/os', bad: { url: '/api/os?all=maybe', message: /all/ } },
  {
    method: 'GET',
    route: '/api/os/:id',
    url: '/api/os/linux',
    bad: { url: '/api/os/no%20such', message: /id/ },
  },
  {
    method: 'GET',
    route: '/api/os/:id/explain',
    url: '/api/os/linux/explain?memory=2G',
    host: true,
    bad: { url: '/api/os/linux/explain?memory=lots', message: /memory.*lots/ },
  },
  { method: 'GET', route: '/api/vms', url: '/api/vms', host: true, bad: hostBad('/api/vms') },
  {
    method: 'POST',
    route: '/api/vms',
    url: '/api/vms',
    body: { name: 'phyllo-api-table-never', os: 'linux', memory: '1G', diskSize: 'none' },
    host: true,
    bad: { url: '/api/vms', body: { name: 'bad name!', os: 'linux' }, message: /name/ },
  },
  { method: 'GET', route: '/api/vms/:name', url: vmUrl(), vm: true, host: true, bad: hostBad(vmUrl()) },
  {
    method: 'DELETE',
    route: '/api/vms/:name',
    url: vmUrl(),
    vm: true,
    host: true,
    bad: { url: vmUrl('?force=maybe'), message: /force/ },
  },
  ...(['start', 'kill', 'reboot', 'pause', 'resume'] as const).map((op): Row => ({
    method: 'POST',
    route: `/api/vms/:name/${op}`,
    url: vmUrl(`/${op}`),
    vm: true,
    host: true,
    bad: hostBad(vmUrl(`/${op}`)),
  })),
  {
    method: 'POST',
    route: '/api/vms/:name/autostart',
    url: vmUrl('/autostart'),
    body: { on: false },
    vm: true,
    host: true,
    bad: { url: vmUrl('/autostart'), body: { on: 'yes please' }, message: /on/ },
  },
  {
    method: 'POST',
    route: '/api/vms/:name/shutdown',
    url: vmUrl('/shutdown'),
    body: {},
    vm: true,
    host: true,
    bad: { url: vmUrl('/shutdown'), body: { timeout: 0 }, message: /timeout/ },
  },
  {
    method: 'POST',
    route: '/api/vms/:name/set',
    url: vmUrl('/set'),
    body: { vcpus: 1 },
    vm: true,
    host: true,
    bad: { url: vmUrl('/set'), body: { memory: 'lots' }, message: /memory.*lots/ },
  },
  {
    method: 'POST',
    route: '/api/vms/:name/media',
    url: vmUrl('/media'),
    body: { action: 'eject' },
    vm: true,
    host: true,
    bad: { url: vmUrl('/media'), body: { action: 'spin' }, message: /insert, eject/ },
  },
  {
    method: 'GET',
    route: '/api/vms/:name/xml',
    url: vmUrl('/xml'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/xml')),
  },
  {
    method: 'PUT',
    route: '/api/vms/:name/xml',
    url: vmUrl('/xml'),
    body: { xml: '<domain/>' },
    vm: true,
    host: true,
    bad: { url: vmUrl('/xml'), body: { xml: '' }, message: /xml/ },
  },
  {
    method: 'POST',
    route: '/api/vms/:name/upgrade-devices',
    url: vmUrl('/upgrade-devices'),
    body: {},
    vm: true,
    host: true,
    bad: { url: vmUrl('/upgrade-devices'), body: { undo: 'sometimes' }, message: /undo/ },
  },
  {
    method: 'GET',
    route: '/api/vms/:name/screenshot',
    url: vmUrl('/screenshot'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/screenshot')),
  },
  {
    method: 'GET',
    route: '/api/vms/:name/vnc',
    // A WebSocket: a plain GET is 426 before any lookup; its 404s are tested over a real socket
    // (test/server/console.test.ts).
    url: vmUrl('/vnc'),
    bad: hostBad(vmUrl('/vnc')),
  },
  {
    method: 'GET',
    route: '/api/vms/:name/serial',
    // A WebSocket: a plain GET is 426 before any lookup; its 404s are tested over a real socket
    // (test/server/console.test.ts).
    url: vmUrl('/serial'),
    bad: { url: vmUrl('/serial?force=maybe'), message: /force/ },
  },
  {
    method: 'GET',
    route: '/api/vms/:name/console.vv',
    url: vmUrl('/console.vv'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/console.vv')),
  },
  {
    method: 'GET',
    route: '/api/vms/:name/display',
    url: vmUrl('/display'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/display')),
  },
  {
    method: 'GET',
    route: '/api/vms/:name/diagnose',
    url: vmUrl('/diagnose'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/diagnose')),
  },
  {
    method: 'POST',
    route: '/api/vms/:name/clone',
    url: vmUrl('/clone'),
    body: { name: 'phyllo-api-table-clone-never' },
    vm: true,
    host: true,
    bad: { url: vmUrl('/clone'), body: { name: 'x', linked: true }, message: /unknown field "linked"/ },
  },
  {
    method: 'GET',
    route: '/api/vms/:name/export',
    url: vmUrl('/export'),
    vm: true,
    host: true,
    bad: { url: vmUrl('/export?compress=lz4'), message: /compress.*zstd, none/ },
  },
  {
    method: 'POST',
    route: '/api/vms/import',
    // No body: the checks of the query come first (an unknown host, a bad name), then the body's.
    url: '/api/vms/import',
    host: true,
    bad: { url: '/api/vms/import?name=bad%20name!', message: /name/ },
  },
  {
    method: 'POST',
    route: '/api/vms/import-ova',
    url: '/api/vms/import-ova',
    host: true,
    bad: { url: '/api/vms/import-ova?name=bad%20name!', message: /name/ },
  },
  {
    method: 'POST',
    route: '/api/vms/:name/move',
    url: vmUrl('/move'),
    body: { to: 'local' },
    vm: true,
    host: true,
    bad: { url: vmUrl('/move'), body: { to: '' }, message: /to/ },
  },
  {
    method: 'GET',
    route: '/api/vms/:name/snapshots',
    url: vmUrl('/snapshots'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/snapshots')),
  },
  {
    method: 'POST',
    route: '/api/vms/:name/snapshots',
    url: vmUrl('/snapshots'),
    body: { name: 'before' },
    vm: true,
    host: true,
    bad: { url: vmUrl('/snapshots'), body: {}, message: /needs the field "name"/ },
  },
  {
    method: 'POST',
    route: '/api/vms/:name/snapshots/:snap/revert',
    url: vmUrl('/snapshots/before/revert'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/snapshots/before/revert')),
  },
  {
    method: 'DELETE',
    route: '/api/vms/:name/snapshots/:snap',
    url: vmUrl('/snapshots/before'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/snapshots/before')),
  },
  {
    method: 'GET',
    route: '/api/vms/:name/devices',
    url: vmUrl('/devices'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/devices')),
  },
  {
    method: 'POST',
    route: '/api/vms/:name/devices',
    url: vmUrl('/devices'),
    body: { usb: '046d:c52b' },
    vm: true,
    host: true,
    bad: {
      url: vmUrl('/devices'),
      body: { usb: '046d:c52b', pci: '00:02.0' },
      message: /one device at a time/,
    },
  },
  {
    method: 'DELETE',
    route: '/api/vms/:name/devices/:device',
    url: vmUrl('/devices/046d:c52b'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/devices/046d:c52b')),
  },
  {
    method: 'GET',
    route: '/api/vms/:name/nics',
    url: vmUrl('/nics'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/nics')),
  },
  {
    method: 'POST',
    route: '/api/vms/:name/nics',
    url: vmUrl('/nics'),
    body: {},
    vm: true,
    host: true,
    bad: { url: vmUrl('/nics'), body: { model: 'rtl8139' }, message: /model/ },
  },
  {
    method: 'DELETE',
    route: '/api/vms/:name/nics/:nic',
    url: vmUrl('/nics/1'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/nics/1')),
  },
  {
    method: 'GET',
    route: '/api/vms/:name/shares',
    url: vmUrl('/shares'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/shares')),
  },
  {
    method: 'POST',
    route: '/api/vms/:name/shares',
    url: vmUrl('/shares'),
    body: { dir: '/var/lib/libvirt/images/shared', tag: 'data' },
    vm: true,
    host: true,
    bad: { url: vmUrl('/shares'), body: { dir: '', tag: 'data' }, message: /dir/ },
  },
  {
    method: 'DELETE',
    route: '/api/vms/:name/shares/:tag',
    url: vmUrl('/shares/data'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/shares/data')),
  },
  {
    method: 'GET',
    route: '/api/usb-rules',
    url: '/api/usb-rules',
    host: true,
    bad: hostBad('/api/usb-rules'),
  },
  {
    method: 'GET',
    route: '/api/vms/:name/usb-rules',
    url: vmUrl('/usb-rules'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/usb-rules')),
  },
  {
    method: 'POST',
    route: '/api/vms/:name/usb-rules',
    url: vmUrl('/usb-rules'),
    body: { rule: '046d:c52b' },
    vm: true,
    host: true,
    bad: { url: vmUrl('/usb-rules'), body: { rule: '' }, message: /rule/ },
  },
  {
    method: 'DELETE',
    route: '/api/vms/:name/usb-rules/:rule',
    url: vmUrl('/usb-rules/046d:c52b'),
    vm: true,
    host: true,
    bad: hostBad(vmUrl('/usb-rules/046d:c52b')),
  },
];

const send = (r: Row, headers: Record<string, string>, url = r.url, body = r.body) =>
  api.app.inject({
    method: r.method,
    url,
    headers,
    ...(body === undefined ? {} : { payload: body as object }),
  });

/** The API routes the server has, from Fastify's route tree: "METHOD /path/:param" (HEAD left out). */
function serverRoutes(tree: string): Set<string> {
  const out = new Set<string>();
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD'))
      out.add(`${method} ${stack.join('')}`);
  }
  // The web UI's page and files (GET / and /assets/*) are not API routes: test/server/web-ui.test.ts.
  return new Set([...out].filter((r) => /^\S+ \/(api\/|login$|metrics$)/.test(r)));
}

test('the table covers every route of the server', () => {
  const routes = serverRoutes(api.app.printRoutes({ commonPrefix: false }));
  routes.delete('GET /api/openapi.json'); // the document itself
  assert.ok(routes.size > 30, `read only ${routes.size} routes`);
  assert.deepEqual(
    [...routes].sort(),
    ROWS.map((r) => `${r.method} ${r.route}`).sort(),
    'a route was added without a row here (or a row names a route that is gone)',
  );
});

test('the OpenAPI document lists exactly the routes the server has, each with a summary', async () => {
  const doc = (await api.call('GET', '/api/openapi.json')).json() as {
    paths: Record<string, Record<string, { summary?: string; responses?: object }>>;
  };
  const documented = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      if (method === 'head') continue;
      const route = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
      documented.add(route);
      assert.ok((op.summary ?? '').length > 10, `${route} has a summary`);
      assert.ok(op.responses && Object.keys(op.responses).length > 0, `${route} documents its responses`);
    }
  const routes = serverRoutes(api.app.printRoutes({ commonPrefix: false }));
  routes.delete('GET /api/openapi.json');
  assert.deepEqual([...documented].sort(), [...routes].sort());
});

test('401 without a token or session on every route but the login exchange', async () => {
  for (const r of ROWS.filter((x) => !x.public)) {
    const res = await send(r, {});
    assert.equal(res.statusCode, 401, `${r.method} ${r.url}: ${res.body}`);
    assert.equal(res.json().error.code, 'unauthorized');
    const wrong = await send(r, { authorization: 'Bearer not-the-token' });
    assert.equal(wrong.statusCode, 401, `${r.method} ${r.url} with a wrong token`);
  }
});

test('403 from another origin on every state-changing route, even with the token', async () => {
  const changing = ROWS.filter((r) => r.method !== 'GET');
  assert.ok(changing.length > 15);
  for (const r of changing) {
    const res = await send(r, { authorization: `Bearer ${api.token}`, origin: 'http://evil.example' });
    assert.equal(res.statusCode, 403, `${r.method} ${r.url}: ${res.body}`);
    assert.equal(res.json().error.code, 'origin-not-allowed');
  }
});

test('400 with a message naming what is wrong, on every route that takes input', async () => {
  for (const r of ROWS.filter((x) => x.bad)) {
    const bad = r.bad!;
    const res = await api.call(r.method, bad.url, bad.body);
    assert.equal(res.statusCode, 400, `${r.method} ${bad.url}: ${res.body}`);
    const e = res.json().error as { code: string; message: string };
    assert.match(e.message, bad.message, `${r.method} ${bad.url}`);
    assert.ok(e.code.startsWith('invalid-'), `${r.method} ${bad.url}: ${e.code}`);
  }
});

test('404 for an unknown VM on every VM route, and for an unknown ?host= on every route that takes one', async () => {
  for (const r of ROWS.filter((x) => x.vm)) {
    const res = await api.call(r.method, r.url, r.body);
    assert.equal(res.statusCode, 404, `${r.method} ${r.url}: ${res.body}`);
    assert.equal(res.json().error.code, 'vm-not-found', `${r.method} ${r.url}`);
    assert.match(res.json().error.message, new RegExp(VM));
  }
  for (const r of ROWS.filter((x) => x.host)) {
    const url = `${r.url}${r.url.includes('?') ? '&' : '?'}host=elsewhere`;
    const res = await api.call(r.method, url, r.body);
    assert.equal(res.statusCode, 404, `${r.method} ${url}: ${res.body}`);
    assert.equal(res.json().error.code, 'host-not-found');
    assert.match(res.json().error.hint, /local/, 'the hint names the connected hosts');
  }
});

test("the router's own refusals have the error shape too: a too long path part, a bad %-escape", async () => {
  const long = await api.call('GET', `/api/vms/${'x'.repeat(300)}`);
  assert.equal(long.statusCode, 414);
  assert.deepEqual(Object.keys(long.json().error), ['code', 'message']);
  assert.equal(long.json().error.code, 'invalid-input');
  const escape = await api.call('GET', '/api/vms/%E0%A4%A');
  assert.equal(escape.statusCode, 400, escape.body);
  assert.equal(escape.json().error.code, 'invalid-input');
  const json = await api.app.inject({
    method: 'POST',
    url: vmUrlFor('set'),
    headers: {
      authorization: `Bearer ${api.token}`,
      origin: 'http://localhost',
      'content-type': 'application/json',
    },
    payload: '{"vcpus": ',
  });
  assert.equal(json.statusCode, 400, json.body);
  assert.equal(json.json().error.code, 'invalid-input');
});

function vmUrlFor(op: string): string {
  return `/api/vms/${VM}/${op}`;
}

test("the README's API section lists every route with a curl example", () => {
  const root = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    ...(import.meta.url.includes('/dist/') ? ['..'] : []),
  );
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## API'), readme.indexOf('## Benchmarks'));
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  const routes = serverRoutes(api.app.printRoutes({ commonPrefix: false }));
  for (const r of routes) {
    const [method, path] = r.split(' ') as [string, string];
    const shown = `\`${method} ${path.replace(/:(\w+)/g, '{$1}')}`;
    const row = rows.find((l) => l.startsWith(`| ${shown}\``) || l.startsWith(`| ${shown}?`));
    assert.ok(row, `README: no row for ${shown}`);
    assert.match(row, /\| `curl /, `README: ${shown} has a curl example`);
  }
});

test('every request body is strict: an unknown field is a 400 naming it', async () => {
  const withBody = ROWS.filter((r) => !r.public && r.body !== undefined && typeof r.body === 'object');
  assert.ok(withBody.length >= 9, `${withBody.length} routes with a body`);
  for (const r of withBody) {
    const res = await api.call(r.method, r.url, { ...(r.body as object), bogus: 1 });
    assert.equal(res.statusCode, 400, `${r.method} ${r.url}: ${res.body}`);
    assert.match(res.json().error.message, /body has an unknown field "bogus"/, `${r.method} ${r.url}`);
  }
});
