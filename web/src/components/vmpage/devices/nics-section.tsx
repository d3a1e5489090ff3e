import { useState, type FormEvent } from 'react';
import { addNic, nics as listNics, removeNic, type Nic, type NicModel } from '../../../api/devices';
import { liveText, nicRequest, type NicForm } from '../../../vmpage/devices';
import { ErrorBox } from '../../error-box';
import { ChangeNote } from './change-note';
import { useDeviceSection, type SectionProps } from './use-device-section';
import { DeviceTable, RemoveButton, SubmitRow } from './form-parts';

const joins = (n: Nic) => (n.source ? `${n.type} ${n.source}` : n.type);

/** The VM's network cards (`phyllo vm nic`): listed, added on a libvirt network or a host bridge, removed. */
export function NicsSection({ host, name, stateKey, onChanged }: SectionProps) {
  const s = useDeviceSection(() => listNics(host, name), stateKey);
  const [form, setForm] = useState<NicForm>({ via: 'network', source: '', model: 'virtio', mac: '' });
  const [formError, setFormError] = useState<string>();
  const set = (patch: Partial<NicForm>) => setForm((f) => ({ ...f, ...patch }));
  const list = s.data?.nics;
  const showLive = list?.some((n) => n.live !== undefined);

  const add = (e: FormEvent) => {
    e.preventDefault();
    const c = nicRequest(form);
    if (!c.ok) return setFormError(c.error);
    setFormError(undefined);
    void s
      .act('add', async () => {
        const r = await addNic(host, name, c.value);
        onChanged();
        const mac = r.nic.mac ? ` (${r.nic.mac})` : '';
        return {
          text: `Added a ${r.nic.model} card on ${r.nic.type} ${r.nic.source}${mac}.`,
          change: r,
          warnings: r.warnings,
        };
      })
      .then((ok) => ok && set({ mac: '' }));
  };
  const remove = (n: Nic) =>
    void s.act(`remove-${n.index}`, async () => {
      const r = await removeNic(host, name, n.mac ?? String(n.index));
      onChanged();
      return {
        text: `Removed the card ${r.removed.mac ?? r.removed.index} (${joins(r.removed)}).`,
        change: r,
      };
    });

  return (
    <section className="device-section" aria-labelledby="nics-head">
      <h2 id="nics-head">Network cards</h2>
      <DeviceTable
        list={list}
        loadError={s.loadError}
        what="The network cards"
        empty="No network card: the guest has no network."
        columns={['MAC address', 'Joins', 'Model']}
        showLive={showLive}
        row={(n) => (
          <tr key={n.mac ?? n.index} data-nic={n.mac ?? n.index}>
            <th scope="row">
              <code>{n.mac ?? `#${n.index}`}</code>
            </th>
            <td>{joins(n)}</td>
            <td>{n.model ?? '—'}</td>
            {showLive ? <td>{liveText(n.live)}</td> : null}
            <td className="row-actions">
              <RemoveButton
                busy={s.busy}
                id={n.index}
                what={`card ${n.mac ?? n.index}`}
                onRemove={() => remove(n)}
              />
            </td>
          </tr>
        )}
      />
      <form className="device-form" onSubmit={add} noValidate aria-label="Add a network card">
        <div className="field">
          <label htmlFor="nic-via">Connect to</label>
          <select
            id="nic-via"
            value={form.via}
            onChange={(e) => set({ via: e.target.value as NicForm['via'], source: '' })}
          >
            <option value="network">a libvirt network</option>
            <option value="bridge">a host bridge</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="nic-source">{form.via === 'network' ? 'Network' : 'Bridge'}</label>
          <input
            id="nic-source"
            value={form.source}
            onChange={(e) => set({ source: e.target.value })}
            placeholder={form.via === 'network' ? 'default' : 'br0'}
            autoComplete="off"
            aria-invalid={formError ? true : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor="nic-model">Model</label>
          <select
            id="nic-model"
            value={form.model}
            onChange={(e) => set({ model: e.target.value as NicModel })}
          >
            <option value="virtio">virtio (fastest)</option>
            <option value="e1000e">e1000e (no driver needed)</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="nic-mac">MAC address</label>
          <input
            id="nic-mac"
            value={form.mac}
            onChange={(e) => set({ mac: e.target.value })}
            placeholder="libvirt picks one"
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <SubmitRow busy={s.busy} label="Add network card" working="Adding…" error={formError} />
      </form>
      <ErrorBox error={s.error} title="The network card was not changed" />
      <ChangeNote done={s.done} />
    </section>
  );
}
