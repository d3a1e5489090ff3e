/**
 * Loads one of the server's packages when it is first needed (@fastify/ajv-compiler at the first
 * request that validates, @fastify/swagger at the first GET /api/openapi.json): `require` of
 * node_modules, from this module. The bundle (scripts/bundle.mjs) puts another body in its place, which
 * takes them from dist/src/cli/server-deps.cjs, the server's packages bundled into one script.
 */
import { createRequire } from 'node:module';

export const serverRequire: (name: string) => unknown = createRequire(import.meta.url);
