import { useState, type FormEvent } from 'react';
import { addUsbRule, removeUsbRule, usbRules, type UsbRule } from '../../../api/devices';
import { ruleText, usbRuleRequest } from '../../../vmpage/devices';
import { ErrorBox } from '../../error-box';
import { ChangeNote } from './change-note';
import { useDeviceSection, type SectionProps } from './use-device-section';
import { DeviceTable, RemoveButton, SubmitRow } from './form-parts';

/** USB devices that follow the VM while it runs (`phyllo usb rule`), run by the server. */
export function UsbRulesSection({ host, name, stateKey }: Omit<SectionProps, 'onChanged'>) {
  const s = useDeviceSection(() => usbRules(host, name), stateKey);
  const [rule, setRule] = useState('');
  const [formError, setFormError] = useState<string>();
  const list: UsbRule[] | undefined = s.data
    ? (s.data.vms.find((v) => v.vm === name)?.rules ?? [])
    : undefined;

  const add = (e: FormEvent) => {
    e.preventDefault();
    const c = usbRuleRequest(rule);
    if (!c.ok) return setFormError(c.error);
    setFormError(undefined);
    void s
      .act('add', async () => {
        const r = await addUsbRule(host, name, c.value);
        return {
          text: `Rule ${r.rule} added: the server attaches a matching device to ${name} from now on.`,
        };
      })
      .then((ok) => ok && setRule(''));
  };
  const remove = (r: UsbRule) =>
    void s.act(`remove-${r.id}`, async () => {
      const out = await removeUsbRule(host, name, r.id);
      return { text: `Rule ${out.rule} removed: the server no longer attaches devices by it.` };
    });

  return (
    <section className="device-section" aria-labelledby="usb-rules-head">
      <h2 id="usb-rules-head">USB rules</h2>
      <p className="notice" id="usb-rules-help">
        The Phyllome server runs these rules: while {name} runs, a matching USB device is attached when it is
        plugged in and detached when it is pulled out, and those already plugged in are attached when {name}{' '}
        starts. Its definition does not change, so it starts without them too.
      </p>
      <DeviceTable
        list={list}
        loadError={s.loadError}
        what="The USB rules"
        empty="No USB rules."
        columns={['Rule', 'Matches']}
        row={(r) => (
          <tr key={r.id} data-usb-rule={r.id}>
            <th scope="row">
              <code>{r.id}</code>
            </th>
            <td className="grow">{ruleText(r)}</td>
            <td className="row-actions">
              <RemoveButton busy={s.busy} id={r.id} what={`rule ${r.id}`} onRemove={() => remove(r)} />
            </td>
          </tr>
        )}
      />
      <form className="device-form" onSubmit={add} noValidate aria-label="Add a USB rule">
        <div className="field field-wide">
          <label htmlFor="usb-rule">New rule</label>
          <input
            id="usb-rule"
            value={rule}
            onChange={(e) => setRule(e.target.value)}
            placeholder="1050:0407"
            autoComplete="off"
            spellCheck={false}
            aria-describedby="usb-rule-help"
            aria-invalid={formError ? true : undefined}
          />
          <p id="usb-rule-help" className="help">
            <code>VID:PID</code> as lsusb shows it (any such device), or <code>VID:PID:SERIAL</code> for one.
          </p>
        </div>
        <SubmitRow busy={s.busy} label="Add rule" working="Adding…" error={formError} />
      </form>
      <ErrorBox error={s.error} title="The USB rule was not changed" />
      <ChangeNote done={s.done} />
    </section>
  );
}
