import type { ReactNode } from 'react';
import { ApiError } from '../../api/client';
import type { FieldProblem } from '../../create/form';
import { ErrorBox } from '../error-box';

/** The error a field shows: the server's message and hint, in an ErrorBox. */
export const problemError = (p: FieldProblem) =>
  new ApiError(400, { code: 'invalid-input', message: p.message, ...(p.hint ? { hint: p.hint } : {}) });

export interface FieldProps {
  id: string;
  label: string;
  /** What the field is for, and its default with the reason. */
  help?: ReactNode;
  problem?: FieldProblem | undefined;
  /** The control, given the ids to describe it by and whether it is invalid. */
  children: (a: { 'aria-describedby'?: string; 'aria-invalid'?: boolean; id: string }) => ReactNode;
}

/** A labelled form field with its help and, when the server (or the same check here) refused it, why. */
export function Field({ id, label, help, problem, children }: FieldProps) {
  const described = [help ? `${id}-help` : '', problem ? `${id}-problem` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${problem ? ' field-bad' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(described ? { 'aria-describedby': described } : {}),
        ...(problem ? { 'aria-invalid': true } : {}),
      })}
      {help ? (
        <p className="help" id={`${id}-help`}>
          {help}
        </p>
      ) : null}
      {problem ? (
        <div id={`${id}-problem`} className="field-problem">
          <ErrorBox error={problemError(problem)} />
        </div>
      ) : null}
    </div>
  );
}
