import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import type { ApiError } from '../../api/client';
import type { HostSummary } from '../../api/types';
import { useStore } from '../../store';
import { BUNDLE_ACCEPT, checkImportName, importUrl, uploadProgress, type ImportedVm } from '../../vms/import';
import { uploadBundle, type Upload } from '../../vms/upload';
import { ErrorBox } from '../error-box';
import { Dialog } from '../vmpage/dialog';

type Phase =
  | { kind: 'choosing' }
  | { kind: 'uploading'; sent: number; total: number }
  | { kind: 'done'; vm: ImportedVm; host: string }
  | { kind: 'cancelled' };

/**
 * Import a bundle (from Export on a VM's page, or `phyllo vm export`): the file picked, an optional new
 * name, the upload with its progress (Cancel stops it; the server then removes what it had made), and
 * the server's answer: the new VM, or its refusal in its own words.
 */
export function ImportDialog({
  open,
  onClose,
  hosts,
}: {
  open: boolean;
  onClose: () => void;
  hosts: HostSummary[];
}) {
  const [file, setFile] = useState<File>();
  const [name, setName] = useState('');
  const [host, setHost] = useState(hosts[0]?.id ?? '');
  const [phase, setPhase] = useState<Phase>({ kind: 'choosing' });
  const [fileError, setFileError] = useState<string>();
  const [nameError, setNameError] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const upload = useRef<Upload>(undefined);
  const target = host || hosts[0]?.id || '';
  const taken = useStore((s) => s.vms[target]?.list)?.map((v) => v.name) ?? [];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const n = checkImportName(name, taken);
    setFileError(file ? undefined : 'Choose the bundle file to import.');
    setNameError(n.ok ? undefined : n.error);
    if (!file || !n.ok) return;
    setError(undefined);
    setPhase({ kind: 'uploading', sent: 0, total: file.size });
    const u = uploadBundle(importUrl(target, n.value, file.name), file, (sent, total) =>
      setPhase((p) => (p.kind === 'uploading' ? { kind: 'uploading', sent, total } : p)),
    );
    upload.current = u;
    const answer = await u.done;
    if (upload.current !== u) return; // cancelled meanwhile
    upload.current = undefined;
    if (answer.ok) setPhase({ kind: 'done', vm: answer.vm, host: target });
    else {
      setError(answer.error);
      setPhase({ kind: 'choosing' });
    }
  };

  const cancel = () => {
    const u = upload.current;
    upload.current = undefined;
    u?.abort();
    setPhase({ kind: 'cancelled' });
  };

  const close = () => {
    // A running upload is stopped only by its own button: Escape must not throw away an hour of it.
    if (phase.kind === 'uploading') return;
    setPhase({ kind: 'choosing' });
    setError(undefined);
    onClose();
  };

  const uploading = phase.kind === 'uploading';
  const progress = uploading ? uploadProgress(phase.sent, phase.total) : undefined;

  return (
    <Dialog open={open} title="Import a VM" onClose={close} className="import-dialog">
      {phase.kind === 'done' ? (
        <div className="import-result">
          <p role="status">
            Imported <strong>{phase.vm.name}</strong>
            {hosts.length > 1 ? ` on ${phase.host}` : ''}.
          </p>
          {phase.vm.changes.length ? (
            <ul className="muted">
              {phase.vm.changes.map((c) => (
                <li key={c}>
                  {phase.vm.notCarried ? 'Changed' : 'Changed for this host'}: {c}
                </li>
              ))}
            </ul>
          ) : null}
          {phase.vm.notCarried?.length ? (
            <ul className="muted">
              {phase.vm.notCarried.map((n) => (
                <li key={`${n.kind} ${n.detail}`}>Not carried over: {n.detail}</li>
              ))}
            </ul>
          ) : null}
          {phase.vm.warnings.map((w) => (
            <p key={w} className="notice">
              {w}
            </p>
          ))}
          <div className="dialog-actions">
            <button type="button" onClick={close}>
              Close
            </button>
            <Link
              className="button primary"
              href={`/vms/${encodeURIComponent(phase.host)}/${encodeURIComponent(phase.vm.name)}`}
              onClick={close}
            >
              Open {phase.vm.name}
            </Link>
          </div>
        </div>
      ) : (
        <form className="stack-form" onSubmit={(e) => void submit(e)} noValidate>
          <p className="muted import-lede">
            A bundle made by Export on a VM&rsquo;s page or by <code>phyllo vm export</code>, or an OVA
            exported by VirtualBox or VMware. Every part of it is checked before anything is made; a refused
            or cancelled import leaves nothing.
          </p>
          <div className="field">
            <label htmlFor="import-file">Bundle or OVA file</label>
            <input
              id="import-file"
              type="file"
              accept={BUNDLE_ACCEPT}
              disabled={uploading}
              aria-invalid={fileError ? true : undefined}
              aria-describedby={fileError ? 'import-file-error' : undefined}
              onChange={(e) => {
                setFile(e.target.files?.[0]);
                setFileError(undefined);
              }}
            />
            {fileError ? (
              <p id="import-file-error" className="field-error" role="alert">
                {fileError}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="import-name">New name (optional)</label>
            <input
              id="import-name"
              type="text"
              value={name}
              disabled={uploading}
              placeholder="the bundle’s own name"
              autoComplete="off"
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? 'import-name-error' : 'import-name-help'}
              onChange={(e) => setName(e.target.value)}
            />
            {nameError ? (
              <p id="import-name-error" className="field-error" role="alert">
                {nameError}
              </p>
            ) : (
              <p id="import-name-help" className="help">
                A new name gives the VM a new UUID and MAC addresses, so the original can stay too.
              </p>
            )}
          </div>
          {hosts.length > 1 ? (
            <div className="field">
              <label htmlFor="import-host">Host</label>
              <select
                id="import-host"
                value={target}
                disabled={uploading}
                onChange={(e) => setHost(e.target.value)}
              >
                {hosts.map((h) => (
                  <option key={h.id} value={h.id} disabled={!h.connected}>
                    {h.id}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {progress ? (
            <div className="job job-running import-progress">
              <p role="status" aria-live="polite">
                Uploading {file?.name}: <strong>{progress.text}</strong>
              </p>
              <progress
                className="progress"
                aria-label="Upload progress"
                max={1}
                {...(progress.fraction === undefined || progress.sent ? {} : { value: progress.fraction })}
              />
            </div>
          ) : null}
          {phase.kind === 'cancelled' ? (
            <p className="notice" role="status">
              The upload was cancelled; the server removes what it had made of it.
            </p>
          ) : null}
          <ErrorBox error={error} title="The import was refused" />
          <div className="dialog-actions">
            {uploading ? (
              <button type="button" className="danger" onClick={cancel}>
                Cancel upload
              </button>
            ) : (
              <>
                <button type="button" onClick={close}>
                  Close
                </button>
                <button type="submit" className="primary">
                  Import
                </button>
              </>
            )}
          </div>
        </form>
      )}
    </Dialog>
  );
}
