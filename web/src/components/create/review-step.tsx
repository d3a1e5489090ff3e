import type { OsExplanation, PreviewedVm } from '../../api/types';
import { decisionOf } from '../../create/catalog';
import type { CreateForm } from '../../create/form';
import { ErrorBox } from '../error-box';
import { DecisionList } from './decision-list';

export interface ReviewStepProps {
  form: CreateForm;
  set: (patch: Partial<CreateForm>) => void;
  hostLabel: string;
  explanation: OsExplanation | undefined;
  preview: PreviewedVm | undefined;
  previewing: boolean;
  previewError: unknown;
  onPreview: () => void;
  onHidePreview: () => void;
}

/** Step 3: what will be created, the domain XML on request, and whether to start it. */
export function ReviewStep(p: ReviewStepProps) {
  const { form, explanation } = p;
  const d = explanation?.decisions;
  const chosen = (v: string, topic: string, fallback = 'the model’s choice') =>
    v.trim() || (decisionOf(d, topic) ? `${decisionOf(d, topic)!.choice} (default)` : fallback);
  const rows: [string, string | undefined][] = [
    ['Host', p.hostLabel],
    ['Operating system', `${explanation?.os.name ?? form.osName ?? form.os} (${form.os})`],
    ['Name', form.name.trim()],
    ['Memory', chosen(form.memory, 'memory')],
    ['Virtual CPUs', chosen(form.vcpus, 'topology')],
    ['Disk', form.diskImage.trim() ? `the image ${form.diskImage.trim()}` : chosen(form.diskSize, 'disks')],
    ['Installer ISO', form.iso.trim() || undefined],
    ['Driver ISO', form.drivers.trim() || undefined],
    ['Kernel', form.kernel.trim() || undefined],
    ['Initramfs', form.initrd.trim() || undefined],
    ['Kernel command line', form.cmdline.trim() || undefined],
    ['Network', chosen(form.network, 'nic')],
    ['Display', chosen(form.display, 'display')],
  ];
  return (
    <>
      <dl className="review">
        {rows
          .filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '')
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
      <p>
        <label className="check">
          <input type="checkbox" checked={form.start} onChange={(e) => p.set({ start: e.target.checked })} />{' '}
          Start the VM once it is created
        </label>
      </p>
      <details className="review-decisions">
        <summary>Every decision with its reason ({d?.length ?? 0})</summary>
        <DecisionList decisions={d} warnings={explanation?.warnings} />
      </details>
      <div className="xml-preview">
        <button
          type="button"
          onClick={p.preview ? p.onHidePreview : p.onPreview}
          disabled={p.previewing}
          aria-expanded={p.preview !== undefined}
        >
          {p.previewing ? 'Building the XML…' : p.preview ? 'Hide the domain XML' : 'Show the domain XML'}
        </button>
        <ErrorBox error={p.previewError} title="No XML" />
        {p.preview ? (
          <pre className="xml" tabIndex={0} aria-label="The domain XML libvirt will get">
            {p.preview.xml}
          </pre>
        ) : null}
      </div>
    </>
  );
}
