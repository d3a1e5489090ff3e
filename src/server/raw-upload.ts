import { Readable } from 'node:stream';
import { InvalidInputError } from '../errors.js';
import type { Api } from './context.js';

/** The media type of a raw upload (a bundle, an OVA): the request body as it is. */
export const UPLOAD_TYPE = 'application/octet-stream';

/**
 * Registers `routes` in a scope of their own where an `application/octet-stream` body is passed on
 * as the request stream, never buffered (every other route takes JSON).
 */
export async function rawUploadScope(app: Api, routes: (scope: Api) => void): Promise<void> {
  await app.register(async (scope) => {
    const raw = scope as unknown as Api;
    raw.addContentTypeParser(UPLOAD_TYPE, (_req, payload, done) => done(null, payload));
    routes(raw);
  });
}

/** The request body as a stream, or a clear error for a request that sent none (or JSON). */
export function uploadOf(body: unknown, what: string, example: string): Readable {
  if (!(body instanceof Readable))
    throw new InvalidInputError(`Send ${what} as the request body, with Content-Type: ${UPLOAD_TYPE}`, {
      hint: example,
    });
  // A cut upload is the reader's error (its read fails); nothing else listens.
  body.on('error', () => undefined);
  return body;
}

/** After the answer: what the reader left unread is drained, so the client finishes sending and reads it. */
export function drainUpload(upload: Readable): void {
  if (!upload.readableEnded && !upload.destroyed) upload.resume();
}
