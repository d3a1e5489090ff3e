/** `remote_typed_param`: a named value whose type is an i32 discriminant (1 INT … 7 STRING). */
import { type Codec, XdrError, xarray, XdrReader, XdrWriter } from './xdr.js';

export const TypedParamType = {
  INT: 1,
  UINT: 2,
  LLONG: 3,
  ULLONG: 4,
  DOUBLE: 5,
  BOOLEAN: 6,
  STRING: 7,
} as const;

export type TypedParam =
  | { field: string; type: 'int'; value: number }
  | { field: string; type: 'uint'; value: number }
  | { field: string; type: 'llong'; value: bigint }
  | { field: string; type: 'ullong'; value: bigint }
  | { field: string; type: 'double'; value: number }
  | { field: string; type: 'boolean'; value: boolean }
  | { field: string; type: 'string'; value: string };

export type TypedParamValue = number | bigint | boolean | string;

const FIELD_MAX = 80; // VIR_TYPED_PARAM_FIELD_LENGTH
const STRING_MAX = 4194304;

function encodeParam(w: XdrWriter, p: TypedParam): void {
  w.string(p.field, FIELD_MAX);
  switch (p.type) {
    case 'int':
      w.int(TypedParamType.INT);
      w.int(p.value);
      return;
    case 'uint':
      w.int(TypedParamType.UINT);
      w.uint(p.value);
      return;
    case 'llong':
      w.int(TypedParamType.LLONG);
      w.hyper(p.value);
      return;
    case 'ullong':
      w.int(TypedParamType.ULLONG);
      w.uhyper(p.value);
      return;
    case 'double':
      w.int(TypedParamType.DOUBLE);
      w.double(p.value);
      return;
    case 'boolean':
      w.int(TypedParamType.BOOLEAN);
      w.int(p.value ? 1 : 0);
      return;
    case 'string':
      w.int(TypedParamType.STRING);
      w.string(p.value, STRING_MAX);
      return;
  }
}

function decodeParam(r: XdrReader): TypedParam {
  const field = r.string(FIELD_MAX);
  const type = r.int();
  switch (type) {
    case TypedParamType.INT:
      return { field, type: 'int', value: r.int() };
    case TypedParamType.UINT:
      return { field, type: 'uint', value: r.uint() };
    case TypedParamType.LLONG:
      return { field, type: 'llong', value: r.hyper() };
    case TypedParamType.ULLONG:
      return { field, type: 'ullong', value: r.uhyper() };
    case TypedParamType.DOUBLE:
      return { field, type: 'double', value: r.double() };
    case TypedParamType.BOOLEAN:
      return { field, type: 'boolean', value: r.int() !== 0 };
    case TypedParamType.STRING:
      return { field, type: 'string', value: r.string(STRING_MAX) };
    default:
      throw new XdrError(`unknown typed parameter type ${type} for field ${field}`);
  }
}

export const xtypedParam: Codec<TypedParam> = { encode: encodeParam, decode: decodeParam };

export function xtypedParams(max: number): Codec<TypedParam[]> {
  return xarray(xtypedParam, max);
}

/** Typed parameters as a plain record (the last value wins for repeated fields). */
export function typedParamsToRecord(params: TypedParam[]): Record<string, TypedParamValue> {
  const out: Record<string, TypedParamValue> = {};
  for (const p of params) out[p.field] = p.value;
  return out;
}
