/**
 * How the server compiles its route schemas, for the memory of `phyllo serve` (issue 9: the whole
 * server is weighed against the cockpit stack). Fastify's defaults compile, at start-up, an Ajv
 * validator for every route's input and a fast-json-stringify serializer for every route's responses;
 * most routes are never called in a server's life, and the serializers never at all.
 */
import type { FastifyServerOptions } from 'fastify';
import { serverRequire } from './server-require.js';

type Factories = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

type Validate = ((data: unknown, ctx?: unknown) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type RouteSchema = { schema: unknown; method?: string; url?: string; httpPart?: string };
type CompileValidator = (route: RouteSchema) => Validate;
type BuildValidator = (externalSchemas: unknown, ajvOptions: unknown) => CompileValidator;

/**
 * Fastify's own Ajv compiler (@fastify/ajv-compiler, with the server's `ajv` options), asked for a
 * route's validator only when the route first validates a request. Same validators, same messages;
 * Ajv itself is loaded on the first such request. A schema Ajv refuses would fail its route's first
 * request rather than the start: test/server/route-table.test.ts sends one to every route.
 */
export function lazyAjvValidators(): NonNullable<Factories['buildValidator']> {
  const build: BuildValidator = (externalSchemas, ajvOptions) => {
    let compilerOf: CompileValidator | undefined;
    const compiler = (): CompileValidator => {
      if (!compilerOf) {
        // Fastify's dependency (npm puts it beside Fastify): the same copy its default would use.
        const selector = serverRequire('@fastify/ajv-compiler') as () => BuildValidator;
        compilerOf = selector()(externalSchemas, ajvOptions);
      }
      return compilerOf;
    };
    return (route) => {
      let real: Validate | undefined;
      const compiled = () => (real ??= compiler()(route));
      const validate: Validate = (data, ctx) => compiled()(data, ctx);
      // Fastify reads these of the validator it was given: `schemaEnv` (an Ajv validator; then it
      // passes the parent object, so Ajv can coerce a root value) before the call, `errors` after.
      Object.defineProperties(validate, {
        schemaEnv: { get: () => compiled().schemaEnv },
        errors: { get: () => real?.errors },
      });
      return validate;
    };
  };
  // Fastify types a validator as Ajv's; this one is a function with the two properties Fastify reads.
  return build as unknown as NonNullable<Factories['buildValidator']>;
}

/**
 * A serializer "compiler" that compiles nothing: the server's reply serializer (app.ts) answers every
 * route, so Fastify never calls a route's response serializer; the response schemas are there for the
 * OpenAPI document. Given as a factory, Fastify does not even load fast-json-stringify.
 */
export function noResponseSerializers(
  serialize: (payload: unknown) => string,
): NonNullable<Factories['buildSerializer']> {
  return () => () => serialize;
}

/** Validators that accept anything, for an instance that only reads the schemas (openapi.ts). */
export function noValidators(): NonNullable<Factories['buildValidator']> {
  const build: BuildValidator = () => () => () => true;
  return build as unknown as NonNullable<Factories['buildValidator']>;
}
