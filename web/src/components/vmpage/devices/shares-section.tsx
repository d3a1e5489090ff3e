import { useState, type FormEvent } from 'react';
import { addShare, removeShare, shares as listShares, type Share } from '../../../api/devices';
import { liveText, shareRequest, tagFromDir } from '../../../vmpage/devices';
import { ErrorBox } from '../../error-box';
import { ChangeNote } from './change-note';
import { useDeviceSection, type SectionProps } from './use-device-section';
import { DeviceTable, RemoveButton, SubmitRow } from './form-parts';

/** Host folders the guest mounts over virtiofs (`phyllo vm share`). */
export function SharesSection({ host, name, stateKey, onChanged }: SectionProps) {
  const s = useDeviceSection(() => listShares(host, name), stateKey);
  const [dir, setDir] = useState('');
  const [tag, setTag] = useState('');
  const [readonly, setReadonly] = useState(false);
  const [formError, setFormError] = useState<string>();
  const list = s.data?.shares;
  const showLive = list?.some((x) => x.live !== undefined);

  const add = (e: FormEvent) => {
    e.preventDefault();
    const c = shareRequest({ dir, tag, readonly });
    if (!c.ok) return setFormError(c.error);
    setFormError(undefined);
    void s
      .act('add', async () => {
        const r = await addShare(host, name, c.value);
        onChanged();
        const memory = r.sharedMemoryAdded ? ' Its memory is now shared (memfd), as virtiofs needs.' : '';
        return {
          text: `Shared ${r.share.dir} as “${r.share.tag}”.${memory}`,
          change: r,
          warnings: r.warnings,
          mount: r.mount,
        };
      })
      .then((ok) => {
        if (!ok) return;
        setDir('');
        setTag('');
      });
  };
  const remove = (x: Share) =>
    void s.act(`remove-${x.tag}`, async () => {
      const r = await removeShare(host, name, x.tag);
      onChanged();
      return { text: `Stopped sharing ${r.removed.dir} (“${r.removed.tag}”).`, change: r };
    });

  return (
    <section className="device-section" aria-labelledby="shares-head">
      <h2 id="shares-head">Shared folders</h2>
      <DeviceTable
        list={list}
        loadError={s.loadError}
        what="The shared folders"
        empty="No shared folders."
        columns={['Tag', 'Host directory', 'Access']}
        showLive={showLive}
        row={(x) => (
          <tr key={x.tag} data-share={x.tag}>
            <th scope="row">
              <code>{x.tag}</code>
            </th>
            <td className="path grow">
              <code>{x.dir}</code>
            </td>
            <td>
              {x.readonly ? 'read-only' : 'read-write'}
              {x.driver !== 'virtiofs' ? <span className="muted"> · {x.driver}</span> : null}
            </td>
            {showLive ? <td>{liveText(x.live)}</td> : null}
            <td className="row-actions">
              <RemoveButton busy={s.busy} id={x.tag} what={`share ${x.tag}`} onRemove={() => remove(x)} />
            </td>
          </tr>
        )}
      />
      <form className="device-form" onSubmit={add} noValidate aria-label="Share a folder">
        <div className="field field-wide">
          <label htmlFor="share-dir">Host directory</label>
          <input
            id="share-dir"
            className="path"
            value={dir}
            onChange={(e) => setDir(e.target.value)}
            placeholder="/srv/shared/projects"
            autoComplete="off"
            spellCheck={false}
            aria-describedby="share-dir-help"
            aria-invalid={formError ? true : undefined}
          />
          <p id="share-dir-help" className="help">
            A directory on the VM&rsquo;s host, inside one the server allows (<code>--allow-dir</code>).
          </p>
        </div>
        <div className="field">
          <label htmlFor="share-tag">Tag</label>
          <input
            id="share-tag"
            value={tag}
            onChange={(e) => setTag(e.target.value)}
            placeholder={tagFromDir(dir) || 'projects'}
            autoComplete="off"
            spellCheck={false}
            aria-describedby="share-tag-help"
          />
          <p id="share-tag-help" className="help">
            The name the guest mounts it by; empty: the directory&rsquo;s name.
          </p>
        </div>
        <label className="choice">
          <input type="checkbox" checked={readonly} onChange={(e) => setReadonly(e.target.checked)} />
          Read-only (where the host’s libvirt and virtiofsd support it; the server says when not)
        </label>
        <SubmitRow busy={s.busy} label="Share folder" working="Sharing…" error={formError} />
      </form>
      <ErrorBox error={s.error} title="The shared folder was not changed" />
      <ChangeNote done={s.done} />
    </section>
  );
}
