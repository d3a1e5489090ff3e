import { ApiError } from '../api/client';

/** A failed action in the server's words: its message and hint, never a stack. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e =
    error instanceof ApiError
      ? error
      : {
          message: error instanceof Error ? error.message : String(error),
          hint: undefined,
          code: 'internal',
        };
  return (
    <div className="error-box" role="alert">
      {title ? <strong>{title}: </strong> : null}
      <span className="error-message">{e.message}</span>
      {e.hint ? <p className="error-hint">{e.hint}</p> : null}
    </div>
  );
}
