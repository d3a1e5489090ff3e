/**
 * 200 API clients at once against `phyllo serve` on loopback (a child process, as a user runs it):
 * every request answered 200, and the server's resident memory stays bounded across two such waves
 * (concurrent lists share one libvirt call per host: src/server/coalesce.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { banner, serve } from '../support/serve-process.js';

const home = mkdtempSync(join(tmpdir(), 'phyllo-clients-'));
after(() => rmSync(home, { recursive: true, force: true }));
const env = {
  ...process.env,
  XDG_CONFIG_HOME: join(home, 'config'),
  NODE_OPTIONS: '--max-old-space-size=96',
};

const CLIENTS = 200;
const REQUESTS_EACH = 5;

function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** One client: its own keep-alive connection, `n` requests one after another; the status codes. */
function client(url: URL, token: string, n: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const one = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path, agent, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  return (async () => {
    const codes: number[] = [];
    for (let i = 0; i < n; i++) codes.push(await one(i % 2 ? '/api/hosts' : '/api/vms'));
    agent.destroy();
    return codes;
  })();
}

test(`${CLIENTS} concurrent clients: every request 200, memory bounded`, async () => {
  const s = serve(env, '--listen', '127.0.0.1:0');
  try {
    const { url, token } = await banner(s, env);
    const base = new URL(url);
    assert.deepEqual(await client(base, token, 2), [200, 200]);
    const pid = s.child.pid!;
    const before = rssOf(pid);
    const wave = async () => {
      const all = (
        await Promise.all(Array.from({ length: CLIENTS }, () => client(base, token, REQUESTS_EACH)))
      ).flat();
      assert.equal(all.length, CLIENTS * REQUESTS_EACH);
      const bad = all.filter((c) => c !== 200);
      assert.deepEqual(bad, [], `${bad.length} requests failed`);
      return rssOf(pid);
    };
    const first = await wave();
    const second = await wave();
    const MiB = 1 << 20;
    console.log(
      `phyllo serve RSS: ${(before / MiB).toFixed(1)} MiB before, ${(first / MiB).toFixed(1)} after wave 1, ${(second / MiB).toFixed(1)} after wave 2`,
    );
    // The server runs with a 96 MiB heap (NODE_OPTIONS above): memory held per client or per request
    // would crash it (a hang-up here). 200 connections' buffers may grow RSS once; a second wave must
    // not grow it again.
    assert.ok(first - before < 96 * MiB, `wave 1 grew RSS by ${((first - before) / MiB).toFixed(1)} MiB`);
    assert.ok(second - first < 32 * MiB, `wave 2 grew RSS by ${((second - first) / MiB).toFixed(1)} MiB`);
  } finally {
    s.child.kill('SIGINT');
    await s.exited;
  }
});
