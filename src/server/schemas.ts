/** Schema pieces the route modules share (TypeBox, so handlers see typed input). */
import { Type, type TProperties, type TSchema } from 'typebox';
import { ErrorBody, HostQuery } from './query.js';

/** An object that refuses unknown fields (400 naming the field). */
export const Strict = <T extends TProperties>(props: T, description?: string) =>
  Type.Object(props, { additionalProperties: false, ...(description ? { description } : {}) });

/** `?host=ID` and nothing else. */
export const HostOnly = Strict({ ...HostQuery.properties });

/**
 * A document with the CLI's JSON shape (`phyllo … --json`): the fields named are documented, others
 * may follow (the reply is not cut down to the schema).
 */
export const Doc = <T extends TProperties>(description: string, props: T = {} as T) =>
  Type.Unsafe<unknown>(Type.Object(props, { additionalProperties: true, description }));

/** The success status and schema of a route, with the error shape for 4xx and 5xx. */
export const replies = (ok: TSchema, status = 200) => ({ [status]: ok, '4xx': ErrorBody, '5xx': ErrorBody });

export const Flag = (description: string) => Type.Optional(Type.Boolean({ description }));

/** A string out of a fixed list (an `enum`, so a wrong value's 400 names the allowed ones). */
export const OneOf = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description });
