/**
 * The zstd layer of bundles, through Debian's `zstd` program (Node 20's zlib has no zstd): a
 * compressor that sends its output on to a sink, a decompressor with a limit on what it may produce
 * (a small file must not expand without bound), and the frame of stored blocks a bundle's manifest
 * region lives in (RFC 8878: a frame of raw blocks, whose length depends only on its content's
 * length, so the region can be rewritten in place; decoders decode concatenated frames as the
 * concatenation of their contents).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PhyllomeError } from '../errors.js';
import { BundleInvalidError } from './errors.js';
import type { TarSink } from './tar-writer.js';
import type { Compression, Compressor } from './write-bundle.js';

/** A zstd frame begins with 28 B5 2F FD. */
export function isZstd(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd;
}

const BLOCK_MAX = 128 * 1024;

/** A frame of raw blocks holding `data` (single segment, 4-byte content size, no checksum). */
export function storedFrame(data: Buffer): Buffer {
  if (data.length > 0xffffffff) throw new RangeError('storedFrame: at most 4 GiB');
  const blocks = Math.max(1, Math.ceil(data.length / BLOCK_MAX));
  const out = Buffer.alloc(4 + 1 + 4 + blocks * 3 + data.length);
  out.writeUInt32LE(0xfd2fb528, 0);
  out[4] = 0xa0; // content size in 4 bytes, single segment
  out.writeUInt32LE(data.length, 5);
  let at = 9;
  for (let b = 0; b < blocks; b++) {
    const part = data.subarray(b * BLOCK_MAX, Math.min(data.length, (b + 1) * BLOCK_MAX));
    const header = (part.length << 3) | (b === blocks - 1 ? 1 : 0); // raw block type 0
    out.writeUIntLE(header, at, 3);
    part.copy(out, at + 3);
    at += 3 + part.length;
  }
  return out;
}

export class ZstdMissingError extends PhyllomeError {
  override name = 'ZstdMissingError';
  constructor(cause?: unknown) {
    super('zstd-missing', 'zstd is not installed, so a compressed bundle cannot be written or read', {
      cause,
      hint: "Install Debian's zstd package (npm start's set-up does), or export with --compress none.",
    });
  }
}

function startZstd(args: string[]): ChildProcessWithoutNullStreams {
  return spawn('zstd', ['-q', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}

/** What zstd said on stderr, its last line, trimmed. */
function said(stderr: string): string {
  return (
    stderr
      .trim()
      .split('\n')
      .pop()
      ?.replace(/^zstd: (\/\*stdin\*\\: )?/, '') ?? ''
  );
}

/** Waits for the child to exit; rejects with its reason (ENOENT: not installed). */
function exited(child: ChildProcessWithoutNullStreams, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new ZstdMissingError(err) : err),
    );
    child.once('close', (code, signal) =>
      signal ? reject(new Error(`zstd was stopped (${signal})`)) : resolve(code ?? 0),
    );
    void stderr;
  });
}

/** A compressor (`zstd -1 -T1`: one core, as the bundle's benchmark measures) writing to `out`. */
export function zstdCompressor(out: TarSink, level = 1): Compressor {
  const child = startZstd([`-${level}`, '-T1', '-c']);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // The output goes on to the sink one chunk at a time; zstd waits while the sink is slow.
  let failed: unknown;
  const pumped = (async () => {
    for await (const chunk of child.stdout) await out(chunk as Buffer);
  })().catch((err: unknown) => {
    failed = err;
    child.kill('SIGKILL');
  });
  const done = exited(child, () => stderr);
  done.catch(() => undefined);
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => {
      if (failed) return reject(failed);
      child.stdin.write(chunk, (err) => (err ? reject(failed ?? err) : resolve()));
    });
  return {
    write: (chunk) =>
      Promise.race([
        write(chunk),
        done.then(() => Promise.reject(failed ?? new Error(`zstd ended early: ${said(stderr)}`))),
      ]),
    async end() {
      child.stdin.end();
      const code = await done;
      await pumped;
      if (failed) throw failed;
      if (code !== 0) throw new Error(`zstd failed (exit status ${code}): ${said(stderr)}`);
    },
    destroy() {
      child.kill('SIGKILL');
    },
  };
}

/** The zstd layer as the bundle writer takes it. */
export function zstdCompression(level = 1): Compression {
  return { storedFrame, compressor: (out) => zstdCompressor(out, level) };
}

export class BundleTooLargeError extends BundleInvalidError {
  override name = 'BundleTooLargeError';
  constructor(limit: number) {
    super(`It expands to more than ${limit} bytes, more than it can hold: a damaged or hostile file`);
  }
}

/**
 * The decompressed bytes of `source` (a zstd stream), failing once they pass `limit()` bytes (asked
 * again for each chunk: it may grow once the manifest is known).
 */
export async function* zstdDecompressed(
  source: AsyncIterable<Uint8Array>,
  limit: () => number,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const child = startZstd(['-d', '-c']);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = exited(child, () => stderr);
  done.catch(() => undefined);
  const onAbort = () => child.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  const fed = (async () => {
    try {
      for await (const chunk of source) {
        if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
      }
      child.stdin.end();
    } catch {
      child.kill('SIGKILL');
    }
  })();
  child.stdin.on('error', () => undefined);
  let total = 0;
  try {
    for await (const chunk of child.stdout) {
      total += (chunk as Buffer).length;
      if (total > limit()) throw new BundleTooLargeError(limit());
      yield chunk as Buffer;
    }
    signal?.throwIfAborted();
    const code = await done;
    if (code !== 0)
      throw new BundleInvalidError(
        `Its compressed data is damaged: ${said(stderr) || `zstd exit status ${code}`}`,
      );
    await fed;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
