/**
 * The appliance's VMDK into a qcow2 image with `qemu-img` (always `-f vmdk`: never a format qemu
 * guesses). First `qemu-img info` must show one extent, the file itself (`vmdk-header.ts` checked its
 * header already; this is what qemu will really read). Then `qemu-img convert -p`, whose progress
 * lines (`    (42.00/100%)` ended by a carriage return) become the job's progress. A cancel kills
 * qemu-img; the caller removes the half-written image (its undo list holds it from the start).
 */
import { spawn } from 'node:child_process';
import { OvaDiskConvertError } from './errors.js';

/** The percentages in a chunk of `qemu-img convert -p` output, in order. */
export function progressPercents(output: string): number[] {
  return [...output.matchAll(/\((\d{1,3}(?:\.\d+)?)\/100%\)/g)].map((m) => Math.min(100, Number(m[1])));
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function qemuImg(args: string[], signal?: AbortSignal, onStdout?: (s: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const child = spawn('qemu-img', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (onStdout) onStdout(s);
      else stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const onAbort = (): void => void child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(signal.reason);
      else resolve({ code, stdout, stderr });
    });
  });
}

const lastLine = (s: string) =>
  s
    .trim()
    .split('\n')
    .at(-1)
    ?.replace(/^qemu-img: /, '') ?? '';

/** What `qemu-img info` says of the VMDK: its virtual size; refuses more than one extent or another file. */
export async function inspectVmdk(
  path: string,
  name: string,
  signal?: AbortSignal,
): Promise<{ virtualSize: number }> {
  const r = await qemuImg(['info', '--output=json', '-f', 'vmdk', path], signal);
  if (r.code !== 0)
    throw new OvaDiskConvertError(name, lastLine(r.stderr) || `qemu-img info exited with ${r.code}`);
  const info = JSON.parse(r.stdout) as {
    format?: string;
    'virtual-size'?: number;
    'backing-filename'?: string;
    'format-specific'?: { data?: { extents?: { filename?: string }[] } };
  };
  const extents = info['format-specific']?.data?.extents ?? [];
  if (info.format !== 'vmdk' || info['backing-filename'] !== undefined)
    throw new OvaDiskConvertError(name, 'it is not a self-contained VMDK');
  if (extents.length !== 1 || extents[0]?.filename !== path)
    throw new OvaDiskConvertError(name, `its data is in ${extents.length} extents, not in the file itself`);
  return { virtualSize: info['virtual-size'] ?? 0 };
}

/** `qemu-img convert -p -f vmdk -O qcow2 SRC DST`; `progress` gets 0–100. */
export async function convertToQcow2(
  src: string,
  dst: string,
  name: string,
  opts: { signal?: AbortSignal; progress?: (percent: number) => void } = {},
): Promise<void> {
  let last = -1;
  let carry = ''; // a progress line cut between two reads
  const r = await qemuImg(['convert', '-p', '-f', 'vmdk', '-O', 'qcow2', src, dst], opts.signal, (s) => {
    const lines = (carry + s).split(/[\r\n]/);
    carry = lines.pop() ?? '';
    for (const p of progressPercents(lines.join('\n')))
      if (p !== last) {
        last = p;
        opts.progress?.(p);
      }
  });
  if (r.code !== 0)
    throw new OvaDiskConvertError(name, lastLine(r.stderr) || `qemu-img convert exited with ${r.code}`);
}
