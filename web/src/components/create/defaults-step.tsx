import type { OsExplanation } from '../../api/types';
import { defaultText, isWindows } from '../../create/catalog';
import type { CreateForm, FieldProblem, FormField } from '../../create/form';
import { ErrorBox } from '../error-box';
import { DecisionList } from './decision-list';
import { Field } from './field';

export interface DefaultsStepProps {
  form: CreateForm;
  set: (patch: Partial<CreateForm>) => void;
  explanation: OsExplanation | undefined;
  explaining: boolean;
  /** The explain failed for a reason no field shows. */
  explainError: unknown;
  /** The last explain answer is not for the options as they are now (it failed since). */
  stale: boolean;
  problems: Partial<Record<FormField, FieldProblem>>;
  advancedOpen: boolean;
  setAdvancedOpen: (open: boolean) => void;
}

type TextField = Exclude<FormField, 'os' | 'display'>;

/** Step 2: the model's defaults with their reasons, and the fields to change them. */
export function DefaultsStep(p: DefaultsStepProps) {
  const { form, set, problems } = p;
  const decisions = p.explanation?.decisions;
  const windows = isWindows(p.explanation?.os.profile ?? form.os);
  // The model's decision for a field: its default while the field is empty, else what it made of the value.
  const dflt = (field: keyof CreateForm) => {
    const t = defaultText(decisions, field);
    if (!t) return undefined;
    return `${form[field] === '' ? 'Default' : 'The model'}: ${t}`;
  };
  const text = (
    field: TextField,
    label: string,
    opts: { help?: string | undefined; placeholder?: string; path?: boolean; inputMode?: 'numeric' } = {},
  ) => (
    <Field id={`f-${field}`} label={label} help={opts.help} problem={problems[field]}>
      {(a) => (
        <input
          {...a}
          type="text"
          name={field}
          className={opts.path ? 'path' : undefined}
          value={form[field]}
          placeholder={opts.placeholder}
          spellCheck={false}
          autoComplete="off"
          {...(opts.inputMode ? { inputMode: opts.inputMode } : {})}
          onChange={(e) => set({ [field]: e.target.value })}
        />
      )}
    </Field>
  );
  return (
    <div className="create-defaults">
      <div className="create-fields">
        {text('name', 'Name', {
          help: '1 to 63 letters, digits and . _ + - (not first); the disk and firmware files are named after it.',
          placeholder: 'e.g. web',
        })}
        {text('memory', 'Memory', { help: dflt('memory'), placeholder: 'e.g. 4G, 4096M' })}
        {text('vcpus', 'Virtual CPUs', { help: dflt('vcpus'), placeholder: 'e.g. 2', inputMode: 'numeric' })}
        {text('diskSize', 'Disk size', {
          help: dflt('diskSize') ?? 'A new qcow2 disk; "none" for no disk.',
          placeholder: 'e.g. 64G, or none',
        })}
        {text('iso', 'Installer ISO', {
          help: 'An ISO on the server to install from (in an allowed directory); optional.',
          placeholder: '/var/lib/libvirt/images/installer.iso',
          path: true,
        })}
        {windows || form.drivers
          ? text('drivers', 'virtio-win driver ISO', {
              help: 'Windows has no virtio drivers: with this ISO the VM gets virtio disk, network and display.',
              placeholder: '/var/lib/libvirt/images/virtio-win.iso',
              path: true,
            })
          : null}
        <details
          className="advanced"
          open={p.advancedOpen}
          onToggle={(e) => p.setAdvancedOpen((e.currentTarget as HTMLDetailsElement).open)}
        >
          <summary>Advanced: direct kernel boot, disk image, network, display</summary>
          {text('kernel', 'Kernel', {
            help: 'Boot this kernel directly instead of the firmware’s boot order.',
            placeholder: '/var/lib/libvirt/boot/vmlinuz',
            path: true,
          })}
          {text('initrd', 'Initramfs', { help: 'For the kernel above.', path: true })}
          {text('cmdline', 'Kernel command line', { placeholder: 'console=ttyS0 quiet' })}
          {text('diskImage', 'Existing disk image', {
            help: 'Use this image instead of a new disk.',
            path: true,
          })}
          {text('network', 'Network', { help: dflt('network') ?? 'A libvirt network (default: default).' })}
          <Field id="f-display" label="Display" help={dflt('display')} problem={problems.display}>
            {(a) => (
              <select
                {...a}
                value={form.display}
                onChange={(e) => set({ display: e.target.value as CreateForm['display'] })}
              >
                <option value="">The model’s choice</option>
                <option value="vnc">VNC</option>
                <option value="spice">SPICE</option>
                <option value="none">None (serial console only)</option>
              </select>
            )}
          </Field>
        </details>
      </div>
      <section className="create-explain" aria-labelledby="explain-title" aria-live="polite">
        <h3 id="explain-title">
          What the model decides{p.explanation ? ` for ${p.explanation.os.name}` : ''} on this host
        </h3>
        {p.explanation?.os.notes?.length ? (
          <ul className="os-notes">
            {p.explanation.os.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        ) : null}
        <ErrorBox error={p.explainError} title="The model cannot decide" />
        <DecisionList
          decisions={decisions}
          warnings={p.explanation?.warnings}
          busy={p.explaining}
          stale={p.stale}
        />
      </section>
    </div>
  );
}
