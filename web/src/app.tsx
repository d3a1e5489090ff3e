import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { Link, Route, Switch, useLocation } from 'wouter';
import { get, onUnauthorized, post } from './api/client';
import type { HostSummary } from './api/types';
import { ErrorBox } from './components/error-box';
import { LoginPage, type LoginReason } from './pages/login';
import { live, useStore } from './store';
import { NotFoundPage } from './pages/not-found';
// The VM list is the first page: in the initial bundle, so it paints without another round trip.
import { VmsPage } from './pages/vms';

// Pages load on first visit: the VM page brings the console and chart code only when opened.
const HostPage = lazy(() => import('./pages/host').then((m) => ({ default: m.HostPage })));
const VmPage = lazy(() => import('./pages/vm').then((m) => ({ default: m.VmPage })));
const CreatePage = lazy(() => import('./pages/create').then((m) => ({ default: m.CreatePage })));
const JobsPage = lazy(() => import('./pages/jobs').then((m) => ({ default: m.JobsPage })));

type Auth =
  | { state: 'checking' }
  | { state: 'in' }
  | { state: 'out'; reason: LoginReason }
  | { state: 'error'; error: unknown };

function initialReason(): LoginReason {
  return new URLSearchParams(location.search).get('login') === 'failed' ? 'link-failed' : 'none';
}

function Nav({ onLogout }: { onLogout: () => void }) {
  const [path] = useLocation();
  const connection = useStore((s) => s.connection);
  const running = useStore((s) => Object.values(s.jobs).filter((j) => j.state === 'running').length);
  const item = (href: string, label: string, match = (p: string) => p === href) => (
    <li>
      <Link href={href} aria-current={match(path) ? 'page' : undefined}>
        {label}
      </Link>
    </li>
  );
  return (
    <header className="top">
      <Link href="/" className="brand" aria-label="Phyllome home">
        <span aria-hidden="true" className="leaf" />
        Phyllome
      </Link>
      <nav aria-label="Main">
        <ul>
          {item('/', 'VMs', (p) => p === '/' || p.startsWith('/vms/'))}
          {item('/new', 'New VM')}
          {item('/host', 'Host')}
          {item('/jobs', running ? `Jobs (${running})` : 'Jobs')}
        </ul>
      </nav>
      <span className={`live live-${connection}`} role="status" title="The live connection to the server">
        {connection === 'open' ? 'live' : connection === 'connecting' ? 'connecting…' : 'offline, retrying'}
      </span>
      <button type="button" className="link" onClick={onLogout}>
        Log out
      </button>
    </header>
  );
}

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  /** The page load's own check: a session there now is the one index.html's preloads carried. */
  const firstCheck = useRef(true);
  const check = useCallback(async () => {
    try {
      // The session check reads the hosts (index.html preloads them), which the live feed starts from.
      const hosts = await get<HostSummary[]>('/api/hosts');
      // Started here, not in an effect after the render: the lists are asked for one frame sooner.
      live.start(hosts, { preloaded: firstCheck.current });
      firstCheck.current = false;
      setAuth({ state: 'in' });
    } catch (err) {
      firstCheck.current = false;
      const status = (err as { status?: number }).status;
      setAuth(status === 401 ? { state: 'out', reason: initialReason() } : { state: 'error', error: err });
    }
  }, []);
  useEffect(() => {
    void check();
    return onUnauthorized(() => {
      live.stop();
      setAuth({ state: 'out', reason: 'expired' });
    });
  }, [check]);
  useEffect(() => {
    if (auth.state !== 'in') return;
    if (location.search.includes('login=')) history.replaceState(null, '', location.pathname);
    return () => live.stop();
  }, [auth.state]);
  const logout = async () => {
    live.stop();
    await post('/api/logout').catch(() => undefined);
    setAuth({ state: 'out', reason: 'none' });
  };
  if (auth.state === 'checking') return <p className="loading">Loading…</p>;
  if (auth.state === 'error')
    return (
      <main className="login">
        <ErrorBox error={auth.error} title="Phyllome cannot be reached" />
      </main>
    );
  if (auth.state === 'out') return <LoginPage reason={auth.reason} onLogin={() => void check()} />;
  return (
    <>
      <a href="#main" className="skip">
        Skip to content
      </a>
      <Nav onLogout={() => void logout()} />
      <main id="main">
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <Switch>
            <Route path="/" component={VmsPage} />
            <Route path="/new" component={CreatePage} />
            <Route path="/host" component={HostPage} />
            <Route path="/jobs" component={JobsPage} />
            <Route path="/vms/:host/:name">
              {(p) => <VmPage key={`${p.host}/${p.name}`} host={p.host} name={decodeURIComponent(p.name)} />}
            </Route>
            <Route component={NotFoundPage} />
          </Switch>
        </Suspense>
      </main>
    </>
  );
}
