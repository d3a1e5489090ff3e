import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { InvalidInputError } from '../errors.js';
import type { Job } from '../jobs/job.js';
import type { Libvirt } from '../libvirt/index.js';
import { VmExistsError } from '../machines/errors.js';
import { domainExists } from '../machines/find-vm.js';
import { validateName } from '../model/options.js';
import { cancelWhenClientGoes } from './client-gone.js';
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

/** An import's `pool` query parameter. */
export const PoolParam = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'The storage pool for the disk (default: the one of /var/lib/libvirt/images)',
  }),
);

/** A new name given in the query: a bad or taken one is answered before the upload is read. */
export async function checkNewName(lv: Libvirt, name: string | undefined): Promise<void> {
  if (name === undefined) return;
  validateName(name);
  if (await domainExists(lv, name)) throw new VmExistsError(name);
}

/**
 * Answers an import job when it is done: 201 with the VM and its address, or its error; a client that
 * goes away cancels it; what the import left unread of the upload is drained after the answer.
 */
export async function answerImport<T extends { name: string }>(
  reply: FastifyReply,
  job: Job<T>,
  upload: Readable,
): Promise<FastifyReply> {
  cancelWhenClientGoes(reply, job);
  try {
    const vm = await job.result;
    return await reply
      .status(201)
      .header('location', `/api/vms/${encodeURIComponent(vm.name)}`)
      .send(vm);
  } finally {
    drainUpload(upload);
  }
}
