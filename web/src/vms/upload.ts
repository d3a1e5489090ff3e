// The upload of a bundle: XMLHttpRequest, because fetch() reports no upload progress. The file goes
// as it is (the browser streams it from disk), with the session cookie; the server's answer comes
// when the import is done.
import { importAnswer, type ImportedVm } from './import';
import type { ApiError } from '../api/client';

export interface Upload {
  /** Settles with the imported VM, or the server's (or the network's) error; never rejects. */
  done: Promise<{ ok: true; vm: ImportedVm } | { ok: false; error: ApiError }>;
  /** Stops sending: the server cancels the import and removes what it had made. */
  abort(): void;
}

export function uploadBundle(
  url: string,
  file: Blob,
  onProgress: (sent: number, total: number) => void,
): Upload {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Awaited<Upload['done']>>((resolve) => {
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => resolve(importAnswer(xhr.status, xhr.responseText));
    xhr.onerror = () => resolve(importAnswer(0, ''));
    xhr.onabort = () => resolve(importAnswer(0, ''));
  });
  xhr.open('POST', url);
  xhr.withCredentials = true;
  xhr.setRequestHeader('content-type', 'application/octet-stream');
  xhr.send(file);
  return { done, abort: () => xhr.abort() };
}
