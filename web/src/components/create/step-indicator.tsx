import { STEPS, stepIndex, type StepId } from '../../create/steps';

/** Where the user is in the wizard: every step, the current one marked. */
export function StepIndicator({ step }: { step: StepId }) {
  const at = stepIndex(step);
  return (
    <ol className="steps" aria-label="Steps">
      {STEPS.map((s, i) => (
        <li
          key={s.id}
          className={i < at ? 'step-done' : i === at ? 'step-now' : undefined}
          aria-current={i === at ? 'step' : undefined}
        >
          <span className="step-number" aria-hidden="true">
            {i + 1}
          </span>
          <span>
            <span className="sr-only">Step {i + 1}: </span>
            {s.title}
            {i < at ? <span className="sr-only"> (done)</span> : null}
          </span>
        </li>
      ))}
    </ol>
  );
}
