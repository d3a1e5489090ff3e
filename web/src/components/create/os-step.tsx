import { useMemo, useState } from 'react';
import type { DetectedOs, HostSummary, OsList } from '../../api/types';
import { searchOs, type OsChoice } from '../../create/catalog';
import type { CreateForm, FieldProblem } from '../../create/form';
import { ErrorBox } from '../error-box';
import { OsIcon } from '../os-icon';
import { Field, problemError } from './field';

export interface OsStepProps {
  form: CreateForm;
  set: (patch: Partial<CreateForm>) => void;
  hosts: HostSummary[];
  list: OsList | undefined;
  listError: unknown;
  /** Asks for every osinfo-db id (on the first search). */
  wantAll: () => void;
  detecting: boolean;
  detected: DetectedOs | undefined;
  onDetect: () => void;
  problems: { os?: FieldProblem | undefined; iso?: FieldProblem | undefined };
}

function Choice({ c, form, set }: { c: OsChoice; form: CreateForm; set: OsStepProps['set'] }) {
  const checked = form.os === c.id && form.osMode === 'pick';
  return (
    <label className={`os-card${checked ? ' os-card-on' : ''}`} data-os={c.id}>
      <input
        type="radio"
        name="os"
        value={c.id}
        checked={checked}
        onChange={() => set({ os: c.id, osName: c.name, osMode: 'pick' })}
      />
      <span aria-hidden="true" className="os-card-icon">
        <OsIcon os={c.id} />
      </span>
      <span className="os-card-text">
        <span className="os-card-name">{c.name}</span>
        <code className="os-card-id">{c.id}</code>
      </span>
    </label>
  );
}

/** Step 1: a profile (or any osinfo-db OS, searched), or an installer ISO to detect the OS from. */
export function OsStep(p: OsStepProps) {
  const { form, set } = p;
  const [query, setQuery] = useState('');
  const found = useMemo(() => searchOs(p.list, query), [p.list, query]);
  const searching = query.trim() !== '';
  const shown = [...found.profiles, ...found.osinfo];
  const picked =
    form.osMode === 'pick' && form.os && !shown.some((c) => c.id === form.os) ? form.os : undefined;
  return (
    <>
      {p.hosts.length > 1 ? (
        <Field id="f-host" label="Host">
          {(a) => (
            <select {...a} value={form.host} onChange={(e) => set({ host: e.target.value })}>
              {p.hosts.map((h) => (
                <option key={h.id} value={h.id} disabled={!h.connected}>
                  {h.id} ({h.uri}){h.connected ? '' : ' — not connected'}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
      <Field
        id="f-os-search"
        label="Search every OS osinfo-db knows"
        help="The profiles below fit most guests; search for a distribution or version (ubuntu22.04, fedora37, win2k19…) to tune for it."
      >
        {(a) => (
          <input
            {...a}
            type="search"
            value={query}
            placeholder="e.g. debian, fedora 37, win10"
            onChange={(e) => {
              setQuery(e.target.value);
              if (e.target.value.trim()) p.wantAll();
            }}
          />
        )}
      </Field>
      <ErrorBox error={p.listError} title="The OS list could not be read" />
      <fieldset className="os-choices" aria-describedby={p.problems.os ? 'f-os-problem' : undefined}>
        <legend>
          {searching ? `Operating systems matching “${query.trim()}”` : 'Operating system profiles'}
        </legend>
        {!p.list && !p.listError ? <p className="muted">Loading the OS list…</p> : null}
        {found.profiles.length ? (
          <div className="os-grid">
            {found.profiles.map((c) => (
              <Choice key={c.id} c={c} form={form} set={set} />
            ))}
          </div>
        ) : null}
        {searching ? (
          found.osinfo.length ? (
            <>
              <p className="muted os-sub">From osinfo-db (each mapped to its family’s profile):</p>
              <div className="os-grid">
                {found.osinfo.map((c) => (
                  <Choice key={c.id} c={c} form={form} set={set} />
                ))}
              </div>
              {found.more ? <p className="muted">and {found.more} more: type more of the name.</p> : null}
            </>
          ) : p.list?.osinfo ? (
            found.profiles.length ? null : (
              <p className="muted">No OS matches “{query.trim()}”.</p>
            )
          ) : (
            <p className="muted">Loading every osinfo-db OS…</p>
          )
        ) : null}
        {picked ? (
          <p className="muted">
            Chosen: <strong>{form.osName || form.os}</strong> (<code>{form.os}</code>)
          </p>
        ) : null}
        {p.problems.os ? (
          <div id="f-os-problem">
            <ErrorBox error={problemError(p.problems.os)} />
          </div>
        ) : null}
      </fieldset>
      <section className="card detect" aria-labelledby="detect-title">
        <h3 id="detect-title">Or detect it from an installer ISO</h3>
        <Field
          id="f-detect-iso"
          label="Installer ISO on the server"
          help="Phyllome reads the ISO’s volume id and picks the OS osinfo-db knows for it; the ISO is also the VM’s install medium."
          problem={form.osMode === 'detect' ? p.problems.iso : undefined}
        >
          {(a) => (
            <span className="inline-row">
              <input
                {...a}
                type="text"
                className="path"
                spellCheck={false}
                autoComplete="off"
                value={form.osMode === 'detect' ? form.iso : ''}
                placeholder="/var/lib/libvirt/images/debian-12.iso"
                onChange={(e) => set({ iso: e.target.value, osMode: 'detect', os: '', osName: '' })}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    p.onDetect();
                  }
                }}
              />
              <button
                type="button"
                onClick={p.onDetect}
                disabled={p.detecting || !(form.osMode === 'detect' && form.iso.trim())}
              >
                {p.detecting ? 'Detecting…' : 'Detect'}
              </button>
            </span>
          )}
        </Field>
        {form.osMode === 'detect' && p.detected && form.os === p.detected.os ? (
          <p className="detected" role="status">
            Detected <strong>{p.detected.name}</strong> (<code>{p.detected.os}</code>) — {p.detected.reason}
          </p>
        ) : null}
      </section>
    </>
  );
}
