// The wizard's steps and when the user may go on.
import { formProblems, type CreateForm, type FieldProblem, type FormField } from './form';

export const STEPS = [
  { id: 'os', title: 'Operating system' },
  { id: 'defaults', title: 'Resources' },
  { id: 'review', title: 'Review and create' },
] as const;
export type StepId = (typeof STEPS)[number]['id'];

/** The fields each step shows (a problem there keeps the user on it). */
export const STEP_FIELDS: Record<StepId, readonly FormField[]> = {
  os: ['os'],
  defaults: [
    'name',
    'memory',
    'vcpus',
    'diskSize',
    'iso',
    'drivers',
    'kernel',
    'initrd',
    'cmdline',
    'diskImage',
    'network',
    'display',
  ],
  review: [],
};

export const stepIndex = (id: StepId) => STEPS.findIndex((s) => s.id === id);
export const nextStep = (id: StepId): StepId => STEPS[Math.min(STEPS.length - 1, stepIndex(id) + 1)]!.id;
export const prevStep = (id: StepId): StepId => STEPS[Math.max(0, stepIndex(id) - 1)]!.id;

/** The step a field is shown on. */
export function stepOfField(field: FormField): StepId {
  for (const s of STEPS) if (STEP_FIELDS[s.id].includes(field)) return s.id;
  return 'review';
}

/**
 * The problems that keep the user on `step`, in the order of its fields: the browser's own checks and
 * the server's answers (`server`: per field, from the explain or a failed create). The OS step needs an
 * OS (or an ISO to detect it from).
 */
export function blockingProblems(
  step: StepId,
  form: CreateForm,
  server: Partial<Record<FormField, FieldProblem>> = {},
): { field: FormField; problem: FieldProblem }[] {
  if (step === 'os') {
    if (form.osMode === 'detect' && !form.os)
      return form.iso.trim()
        ? []
        : [
            {
              field: 'iso',
              problem: { message: 'Give the path of an installer ISO to detect its OS from.' },
            },
          ];
    return form.os ? [] : [{ field: 'os', problem: { message: 'Pick an operating system.' } }];
  }
  const mine = formProblems(form);
  const out: { field: FormField; problem: FieldProblem }[] = [];
  for (const f of STEP_FIELDS[step]) {
    const p = mine[f] ?? server[f];
    if (p) out.push({ field: f, problem: p });
  }
  return out;
}
