import { useState, type FormEvent } from 'react';
import { media, type MediaResult } from '../../api/vms';
import { isShutOff } from '../../vmpage/actions';
import type { VmState } from '../../api/types';
import { checkMediaPath } from '../../vmpage/forms';
import { removableDrives, type VmInfoReport } from '../../vmpage/report';
import { ErrorBox } from '../error-box';

/** Insert an ISO or eject it: live on a running VM, and in its definition. */
export function Media({
  host,
  name,
  state,
  report,
  onChanged,
}: {
  host: string;
  name: string;
  state: VmState | undefined;
  report: VmInfoReport;
  onChanged: () => void;
}) {
  const drives = removableDrives(report.disks).filter((d) => d.device === 'cdrom');
  const [path, setPath] = useState('');
  const [target, setTarget] = useState('');
  const [addDrive, setAddDrive] = useState(false);
  const [formError, setFormError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const [result, setResult] = useState<MediaResult>();

  const send = async (body: Parameters<typeof media>[2], label: string) => {
    setBusy(label);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await media(host, name, body));
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  };
  const insert = (e: FormEvent) => {
    e.preventDefault();
    const c = checkMediaPath(path);
    if (!c.ok) return setFormError(c.error);
    setFormError(undefined);
    void send(
      {
        action: 'insert',
        path: c.value,
        ...(target ? { target } : {}),
        ...(addDrive ? { addDrive: true } : {}),
      },
      'insert',
    );
  };

  return (
    <div className="media">
      {drives.length === 0 ? (
        <p className="notice">
          {name} has no CD-ROM drive.{' '}
          {isShutOff(state)
            ? 'Tick “Add a drive” to give it one with the ISO.'
            : 'One can be added while it is shut off.'}
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Drive</th>
              <th scope="col">Inserted</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {drives.map((d) => (
              <tr key={d.target}>
                <th scope="row">
                  {d.target} <span className="muted">{d.bus}</span>
                </th>
                <td>{d.source ? <code>{d.source}</code> : <span className="muted">empty</span>}</td>
                <td>
                  <button
                    type="button"
                    disabled={!d.source || busy !== undefined}
                    onClick={() => void send({ action: 'eject', target: d.target }, `eject-${d.target}`)}
                  >
                    Eject<span className="sr-only"> {d.target}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="stack-form" onSubmit={insert} noValidate>
        <div className="field">
          <label htmlFor="media-path">ISO to insert</label>
          <input
            id="media-path"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/var/lib/libvirt/images/virtio-win.iso"
            aria-describedby="media-path-help"
            aria-invalid={formError ? true : undefined}
          />
          <p id="media-path-help" className="help">
            A path on the VM&rsquo;s host, inside a directory the server allows (<code>--allow-dir</code>).
          </p>
          {formError ? (
            <p className="field-error" role="alert">
              {formError}
            </p>
          ) : null}
        </div>
        {drives.length > 1 ? (
          <div className="field">
            <label htmlFor="media-target">Drive</label>
            <select id="media-target" value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">the first empty one</option>
              {drives.map((d) => (
                <option key={d.target} value={d.target}>
                  {d.target}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {drives.length === 0 ? (
          <label className="choice">
            <input type="checkbox" checked={addDrive} onChange={(e) => setAddDrive(e.target.checked)} />
            Add a drive (SATA CD-ROM; shut off only)
          </label>
        ) : null}
        <div>
          <button type="submit" className="primary" disabled={busy !== undefined}>
            {busy === 'insert' ? 'Inserting…' : 'Insert'}
          </button>
        </div>
      </form>
      <ErrorBox error={error} title="The media change failed" />
      {result ? (
        <p role="status" className="ok-note">
          {result.source
            ? `Inserted ${result.source} in ${result.target}`
            : `Ejected ${result.previous ?? 'the medium'} from ${result.target}`}
          {result.addedDrive ? ' (a new drive)' : ''}
          {result.applies === 'now' ? ', now.' : ': in its definition (it is shut off).'}
        </p>
      ) : null}
    </div>
  );
}
