import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { lazyAjvValidators, noResponseSerializers } from './schema-compilers.js';

const AJV = { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } };

function server(validate: boolean) {
  const app = Fastify({
    logger: false,
    ajv: AJV as never,
    ...(validate
      ? {
          schemaController: {
            compilersFactory: {
              buildValidator: lazyAjvValidators(),
              buildSerializer: noResponseSerializers((p) => JSON.stringify(p)),
            },
          },
        }
      : {}),
  });
  // As in app.ts: the reply serializer answers every route.
  app.setReplySerializer((p) => JSON.stringify(p));
  app.get(
    '/x',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            n: { type: 'integer', minimum: 1 },
            tags: { type: 'array', items: { type: 'string' } },
          },
          required: ['n'],
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
      },
    },
    async (req) => req.query,
  );
  app.post(
    '/y',
    { schema: { body: { type: 'object', properties: { on: { type: 'boolean', default: true } } } } },
    async (req) => req.body,
  );
  return app;
}

test('lazy validators answer as Fastify’s own Ajv compiler does: coercion, defaults, the same errors', async () => {
  const lazy = server(true);
  const eager = server(false);
  const requests = [
    { method: 'GET' as const, url: '/x?n=3&tags=a' },
    { method: 'GET' as const, url: '/x?n=0' },
    { method: 'GET' as const, url: '/x?n=two' },
    { method: 'GET' as const, url: '/x' },
    { method: 'GET' as const, url: '/x?n=1&other=1' },
    { method: 'POST' as const, url: '/y', payload: {} },
    { method: 'POST' as const, url: '/y', payload: { on: 'yes' } },
  ];
  for (const r of requests) {
    const [a, b] = await Promise.all([lazy.inject(r), eager.inject(r)]);
    assert.equal(a.statusCode, b.statusCode, `${r.method} ${r.url}`);
    assert.deepEqual(a.json(), b.json(), `${r.method} ${r.url}`);
  }
  assert.deepEqual((await lazy.inject(requests[0]!)).json(), { n: 3, tags: ['a'] });
  assert.match((await lazy.inject(requests[1]!)).json().message, /must be >= 1/);
  await Promise.all([lazy.close(), eager.close()]);
});

test('a route’s validator is compiled at its first request, not at start', async () => {
  const app = Fastify({
    logger: false,
    schemaController: { compilersFactory: { buildValidator: lazyAjvValidators() } },
  });
  // Ajv would refuse this schema (an unknown type); with lazy compiling only the route's requests fail.
  app.get('/bad', { schema: { querystring: { type: 'no-such-type' } } }, async () => 'never');
  app.get('/good', async () => ({ ok: true }));
  await app.ready();
  assert.equal((await app.inject('/good')).statusCode, 200);
  assert.ok((await app.inject('/bad')).statusCode >= 400);
  await app.close();
});
