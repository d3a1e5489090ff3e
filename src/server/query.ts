import { Type } from 'typebox';

/** `?host=ID`: which connected host (default: the first). */
export const HostQuery = Type.Object({
  host: Type.Optional(
    Type.String({ minLength: 1, maxLength: 253, description: 'A host id from GET /api/hosts' }),
  ),
});

/** A VM name in a path: what libvirt and Phyllome accept is checked by the services. */
export const VmParams = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
});

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      hint: Type.Optional(Type.String()),
    }),
  },
  { $id: 'Error' },
);
