import { useState, type FormEvent, type ReactNode } from 'react';
import { post } from '../api/client';
import { ErrorBox } from '../components/error-box';

/** Why the login page shows: no session yet, a link that failed, or a session that ended. */
export type LoginReason = 'none' | 'link-failed' | 'expired';

const REASONS: Record<LoginReason, ReactNode> = {
  none: undefined,
  'link-failed': (
    <>
      That login link did not work: each link works once, and only for a while. Paste the API token below, or
      restart <code>phyllo serve</code> for a new link.
    </>
  ),
  expired: 'Your session ended. Log in again.',
};

/** Log in with the API token (or a one-time code from a login link). */
export function LoginPage({ reason, onLogin }: { reason: LoginReason; onLogin: () => void }) {
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await post('/api/login', { secret: secret.trim() });
      setSecret('');
      onLogin();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const notice = REASONS[reason];
  return (
    <main className="login">
      <h1>Phyllome</h1>
      <p className="lede">A cozy home for your operating systems.</p>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={submit} className="card">
        <label htmlFor="secret">API token or one-time code</label>
        <input
          id="secret"
          name="secret"
          type="password"
          autoComplete="current-password"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          required
        />
        <p className="help">
          The token is in <code>~/.config/phyllome/api-token</code> of the user running{' '}
          <code>phyllo serve</code>; the link it prints at start logs you in without it.
        </p>
        <button type="submit" className="primary" disabled={busy || !secret.trim()}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <ErrorBox error={error} title="Login failed" />
      </form>
    </main>
  );
}
