import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { ApiError } from '../api/client';
import { createVm, explainOs, listOs, previewVm } from '../api/os';
import type { DetectedOs, OsExplanation, OsList, PreviewedVm } from '../api/types';
import { DefaultsStep } from '../components/create/defaults-step';
import { OsStep } from '../components/create/os-step';
import { ReviewStep } from '../components/create/review-step';
import { StepIndicator } from '../components/create/step-indicator';
import { ErrorBox } from '../components/error-box';
import {
  createBodyOf,
  emptyForm,
  explainRequestOf,
  fieldOfError,
  nameProblem,
  requestKey,
  type CreateForm,
  type FieldProblem,
  type FormField,
} from '../create/form';
import { blockingProblems, nextStep, prevStep, STEPS, stepIndex, type StepId } from '../create/steps';
import { live, useStore } from '../store';

type Problems = Partial<Record<FormField, FieldProblem>>;

/** An error as a field shows it: the server's message and hint. */
const problemOf = (err: unknown): FieldProblem =>
  err instanceof ApiError
    ? { message: err.message, hint: err.hint }
    : { message: err instanceof Error ? err.message : String(err) };

/** Fields under the "Advanced" disclosure: a problem there opens it. */
const ADVANCED: readonly FormField[] = ['kernel', 'initrd', 'cmdline', 'diskImage', 'network', 'display'];

/** Waits this long after the last keystroke before asking the model again. */
const EXPLAIN_DEBOUNCE_MS = 350;

export function CreatePage() {
  const [, navigate] = useLocation();
  const hosts = useStore((s) => s.hosts);
  const [step, setStep] = useState<StepId>('os');
  const [tried, setTried] = useState<Partial<Record<StepId, boolean>>>({});
  const [form, setForm] = useState<CreateForm>(emptyForm);
  const [list, setList] = useState<OsList>();
  const [listError, setListError] = useState<unknown>();
  const allAsked = useRef(false);

  const [explanation, setExplanation] = useState<OsExplanation>();
  const [explainedKey, setExplainedKey] = useState<string>();
  const [explaining, setExplaining] = useState(false);
  const [explainProblems, setExplainProblems] = useState<Problems>({});
  const [explainError, setExplainError] = useState<unknown>();

  const [detecting, setDetecting] = useState(false);
  const [detected, setDetected] = useState<DetectedOs>();
  const [detectProblem, setDetectProblem] = useState<FieldProblem>();

  const [preview, setPreview] = useState<PreviewedVm>();
  const [previewing, setPreviewing] = useState(false);
  const [previewError, setPreviewError] = useState<unknown>();

  const [createProblems, setCreateProblems] = useState<Problems>({});
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<unknown>();
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);

  useEffect(() => {
    listOs().then(setList, setListError);
  }, []);
  const wantAll = () => {
    if (allAsked.current) return;
    allAsked.current = true;
    listOs(true).then(setList, (err: unknown) => {
      allAsked.current = false;
      setListError(err);
    });
  };

  // The first connected host, once the hosts are known (the server's default host too).
  useEffect(() => {
    if (form.host || !hosts.length) return;
    const h = hosts.find((x) => x.connected) ?? hosts[0]!;
    setForm((f) => (f.host ? f : { ...f, host: h.id }));
  }, [hosts, form.host]);

  const set = (patch: Partial<CreateForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setCreateProblems((p) => {
      const next = { ...p };
      for (const k of Object.keys(patch)) delete next[k as FormField];
      return next;
    });
    setPreview(undefined);
    setPreviewError(undefined);
    setCreateError(undefined);
    if ('iso' in patch) setDetectProblem(undefined);
  };

  // The model's decisions for the options as they are, asked again (debounced) when they change; the
  // server checks sizes, counts and paths (allowed directories) on the way, so a refusal shows at once.
  const request = explainRequestOf(form);
  const key = requestKey(request);
  useEffect(() => {
    if (!request) {
      setExplaining(false);
      return;
    }
    let current = true;
    setExplaining(true);
    const t = setTimeout(
      () => {
        explainOs(request.os, request.query)
          .then(
            (r) => {
              if (!current) return;
              setExplanation(r);
              setExplainedKey(key);
              setExplainProblems({});
              setExplainError(undefined);
            },
            (err: unknown) => {
              if (!current) return;
              const f = fieldOfError(err as ApiError);
              setExplainProblems(f ? { [f]: problemOf(err) } : {});
              setExplainError(f ? undefined : err);
            },
          )
          .finally(() => {
            if (current) setExplaining(false);
          });
      },
      explanation ? EXPLAIN_DEBOUNCE_MS : 0,
    );
    return () => {
      current = false;
      clearTimeout(t);
    };
    // `request` is a new object each render: `key` says when it changed.
  }, [key]);

  // Each step starts at its heading, so a screen reader and the keyboard begin there.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    heading.current?.focus();
  }, [step]);

  const server: Problems = { ...explainProblems, ...createProblems };
  const shownProblems = (s: StepId): Problems => {
    const out: Problems = {};
    for (const { field, problem } of blockingProblems(s, form, server)) {
      // The name's own check speaks once the user typed one or tried to go on.
      if (field === 'name' && !form.name && !tried[s]) continue;
      if (s === 'os' && !tried.os) continue;
      out[field] = problem;
    }
    return out;
  };

  const focusField = (field: FormField) => {
    if (ADVANCED.includes(field)) setAdvancedOpen(true);
    const id =
      field === 'os' ? 'f-os-search' : step === 'os' && field === 'iso' ? 'f-detect-iso' : `f-${field}`;
    setTimeout(() => document.getElementById(id)?.focus(), 0);
  };

  const detect = async (): Promise<boolean> => {
    const iso = form.iso.trim();
    if (!iso) return false;
    setDetecting(true);
    setDetectProblem(undefined);
    try {
      const name = nameProblem(form.name) ? 'detect-os' : form.name.trim();
      const r = await previewVm(form.host || undefined, { name, iso });
      const d = r.detected;
      if (!d) throw new Error('The server answered without a detected OS.');
      setDetected(d);
      setForm((f) => ({ ...f, os: d.os, osName: d.name, osMode: 'detect' }));
      return true;
    } catch (err) {
      setDetectProblem(problemOf(err));
      return false;
    } finally {
      setDetecting(false);
    }
  };

  const next = async () => {
    setTried((t) => ({ ...t, [step]: true }));
    if (step === 'os' && form.osMode === 'detect' && !form.os) {
      if (!(await detect())) {
        focusField('iso');
        return;
      }
      setStep(nextStep(step));
      return;
    }
    const problems = blockingProblems(step, form, server);
    if (problems.length) {
      focusField(problems[0]!.field);
      return;
    }
    setStep(nextStep(step));
  };

  const showXml = async () => {
    setPreviewing(true);
    setPreviewError(undefined);
    try {
      setPreview(await previewVm(form.host || undefined, createBodyOf(form, { preview: true })));
    } catch (err) {
      setPreviewError(err);
      const f = fieldOfError(err as ApiError);
      if (f) setCreateProblems((p) => ({ ...p, [f]: problemOf(err) }));
    } finally {
      setPreviewing(false);
    }
  };

  const create = async () => {
    const problems = blockingProblems('defaults', form, server);
    if (problems.length) {
      setTried((t) => ({ ...t, defaults: true }));
      setStep('defaults');
      focusField(problems[0]!.field);
      return;
    }
    setCreating(true);
    setCreateError(undefined);
    try {
      const vm = await createVm(form.host || undefined, createBodyOf(form));
      const host = form.host || hosts[0]?.id || 'local';
      void live.refresh(host);
      navigate(`/vms/${encodeURIComponent(host)}/${encodeURIComponent(vm.name)}`);
    } catch (err) {
      setCreating(false);
      setCreateError(err);
      const f = fieldOfError(err as ApiError);
      if (f) setCreateProblems((p) => ({ ...p, [f]: problemOf(err) }));
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (creating) return;
    void (step === 'review' ? create() : next());
  };

  const at = stepIndex(step);
  const hostLabel = (() => {
    const h = hosts.find((x) => x.id === form.host);
    return h ? `${h.id} (${h.uri})` : form.host || 'the server’s first host';
  })();
  const created =
    createError instanceof ApiError ? (createError.body.created as { name?: string } | undefined) : undefined;
  // An answer for another OS is not shown while the new one is asked for.
  const shown = explanation?.os.requestedId === form.os ? explanation : undefined;
  const stale = explainedKey !== undefined && explainedKey !== key && !explaining;
  const explainFailedField = Object.keys(explainProblems)[0];

  return (
    <section className="create">
      <h1>New VM</h1>
      <StepIndicator step={step} />
      <form className="wizard card" onSubmit={onSubmit} noValidate aria-labelledby="step-title">
        <h2 id="step-title" ref={heading} tabIndex={-1}>
          {STEPS[at]!.title}
        </h2>
        {step === 'os' ? (
          <OsStep
            form={form}
            set={set}
            hosts={hosts}
            list={list}
            listError={listError}
            wantAll={wantAll}
            detecting={detecting}
            detected={detected}
            onDetect={() => void detect()}
            problems={{ os: shownProblems('os').os, iso: detectProblem ?? shownProblems('os').iso }}
          />
        ) : step === 'defaults' ? (
          <DefaultsStep
            form={form}
            set={set}
            explanation={shown}
            explaining={explaining}
            explainError={explainError}
            stale={stale || explainFailedField !== undefined}
            problems={shownProblems('defaults')}
            advancedOpen={advancedOpen}
            setAdvancedOpen={setAdvancedOpen}
          />
        ) : (
          <ReviewStep
            form={form}
            set={set}
            hostLabel={hostLabel}
            explanation={shown}
            preview={preview}
            previewing={previewing}
            previewError={previewError}
            onPreview={() => void showXml()}
            onHidePreview={() => setPreview(undefined)}
          />
        )}
        {step === 'review' && createError ? (
          <>
            <ErrorBox error={createError} title="The VM was not created" />
            {created?.name ? (
              <p>
                It was created but did not start:{' '}
                <Link
                  href={`/vms/${encodeURIComponent(form.host || 'local')}/${encodeURIComponent(created.name)}`}
                >
                  open {created.name}
                </Link>
                .
              </p>
            ) : fieldOfError(createError as ApiError) ? (
              <p>
                <button type="button" className="link" onClick={() => setStep('defaults')}>
                  Change it in “{STEPS[1].title}”
                </button>
              </p>
            ) : null}
          </>
        ) : null}
        {creating ? (
          <div className="create-progress" role="status">
            <progress className="progress" aria-label="Creating the VM" />
            <span>
              Creating {form.name.trim()}: defining it
              {form.diskImage || form.diskSize === 'none' ? '' : ', creating its disk'}
              {form.start ? ', starting it' : ''}…
            </span>
          </div>
        ) : null}
        <div className="wizard-buttons">
          {at > 0 ? (
            <button type="button" onClick={() => setStep(prevStep(step))} disabled={creating}>
              Back
            </button>
          ) : null}
          <span className="spacer" />
          {step === 'review' ? (
            <button type="submit" className="primary" disabled={creating}>
              {creating ? 'Creating…' : form.start ? 'Create and start' : 'Create'}
            </button>
          ) : (
            <button type="submit" className="primary" disabled={detecting}>
              Next
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
