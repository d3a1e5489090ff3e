// The VM page's VNC console: noVNC's RFB over /api/vms/NAME/vnc (the server proxies the VM's display;
// docs/api.md "Consoles"). noVNC is imported when this mounts, never with the first page.
import type RFB from '@novnc/novnc';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { get, vmPath, withQuery } from '../../api/client';
import { isActive } from '../../format';
import { useStore } from '../../store';
import {
  consoleUrl,
  endStatus,
  isKeyboardRelease,
  statusWord,
  vncRefusal,
  type ConsoleStatus,
  type DisplayEntry,
} from './console-state';

function useVmState(host: string, name: string) {
  return useStore((s) => s.vms[host]?.list?.find((v) => v.name === name)?.state);
}

function useFullscreen(target: React.RefObject<HTMLElement | null>) {
  const [on, setOn] = useState(false);
  useEffect(() => {
    const update = () =>
      setOn(document.fullscreenElement !== null && document.fullscreenElement === target.current);
    document.addEventListener('fullscreenchange', update);
    return () => document.removeEventListener('fullscreenchange', update);
  }, [target]);
  const toggle = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void target.current?.requestFullscreen().catch(() => undefined);
  };
  return [on, toggle] as const;
}

/** The VNC console of a VM (loaded only by the VM page, with React.lazy). */
export function VncConsole({ host, name }: { host: string; name: string }) {
  const vmState = useVmState(host, name);
  const active = vmState !== undefined && isActive(vmState);
  const box = useRef<HTMLElement>(null);
  const screen = useRef<HTMLDivElement>(null);
  const afterScreen = useRef<HTMLElement>(null);
  const rfb = useRef<RFB | undefined>(undefined);
  const [status, setStatus] = useState<ConsoleStatus>({ state: 'connecting' });
  const [refusal, setRefusal] = useState<{ message: string; spice: boolean } | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const [session, setSession] = useState(0);
  const [scale, setScale] = useState(true);
  const [fromGuest, setFromGuest] = useState('');
  const [toGuest, setToGuest] = useState('');
  const [needsPassword, setNeedsPassword] = useState(false);
  const [password, setPassword] = useState('');
  const [fullscreen, toggleFullscreen] = useFullscreen(box);
  const hintId = `vnc-hint-${useId()}`;

  // A new session when the page opens on a running VM, and each time the VM starts again.
  useEffect(() => {
    if (active) setSession((n) => n + 1);
  }, [active]);

  useEffect(() => {
    if (session === 0) return;
    let cancelled = false;
    let ws: WebSocket | undefined;
    let r: RFB | undefined;
    setStatus({ state: 'connecting' });
    setRefusal(undefined);
    setNeedsPassword(false);
    import('@novnc/novnc')
      .then(({ default: Rfb }) => {
        if (cancelled || !screen.current) return;
        ws = new WebSocket(consoleUrl('vnc', host, name, location), ['binary']);
        let opened = false;
        ws.addEventListener('open', () => (opened = true));
        ws.addEventListener('close', (e) => {
          if (cancelled) return;
          setStatus(endStatus('vnc', { code: e.code, reason: e.reason, opened }));
          setNeedsPassword(false);
          if (!opened)
            // The browser hides the refused upgrade's answer: the VM's displays tell why.
            get<{ running: boolean; displays: DisplayEntry[] }>(vmPath(name, '/display'), { host })
              .then((info) => !cancelled && setRefusal(vncRefusal(info)))
              .catch(() => !cancelled && setRefusal(vncRefusal(undefined)));
        });
        r = new Rfb(screen.current, ws, { shared: true });
        // noVNC's canvas is focusable by click only (tabindex -1): Tab reaches it too, and says how
        // to leave it.
        const canvas = screen.current.querySelector('canvas');
        if (canvas) {
          canvas.tabIndex = 0;
          canvas.setAttribute('aria-label', `Screen of ${name}`);
          canvas.setAttribute('aria-describedby', hintId);
        }
        r.scaleViewport = true;
        r.background = 'transparent';
        r.addEventListener('connect', () => !cancelled && setStatus({ state: 'connected' }));
        r.addEventListener('clipboard', (e) =>
          setFromGuest((e as CustomEvent<{ text: string }>).detail.text),
        );
        r.addEventListener('credentialsrequired', () => setNeedsPassword(true));
        rfb.current = r;
      })
      .catch((err: unknown) => !cancelled && setLoadError(err instanceof Error ? err.message : String(err)));
    return () => {
      cancelled = true;
      rfb.current = undefined;
      try {
        r?.disconnect();
      } catch {
        /* already disconnected */
      }
      ws?.close();
    };
  }, [host, name, session, hintId]);

  // The way out of the screen (WCAG 2.1.2, no keyboard trap): noVNC takes every key, Tab too, from its
  // canvas's own keydown listener, so this one, in the capture phase on an ancestor, sees Ctrl+] first
  // and keeps it from the guest. The Ctrl already sent down is let go (noVNC releases every key it
  // holds down when it stops listening, which viewOnly does), then focus goes to the next control.
  useEffect(() => {
    const el = screen.current;
    if (!el) return;
    const onKeyDown = (e: KeyboardEvent) => {
      if (!isKeyboardRelease(e)) return;
      e.preventDefault();
      e.stopPropagation();
      const r = rfb.current;
      if (r && !r.viewOnly) {
        r.viewOnly = true;
        r.viewOnly = false;
      }
      r?.blur();
      (afterScreen.current ?? box.current?.querySelector('button'))?.focus();
    };
    el.addEventListener('keydown', onKeyDown, { capture: true });
    return () => el.removeEventListener('keydown', onKeyDown, { capture: true });
  }, []);

  useEffect(() => {
    if (!rfb.current) return;
    rfb.current.scaleViewport = scale;
    rfb.current.clipViewport = !scale;
  }, [scale, status]);

  const reconnect = useCallback(() => setSession((n) => n + 1), []);
  const connected = status.state === 'connected';
  const sendPassword = (e: FormEvent) => {
    e.preventDefault();
    rfb.current?.sendCredentials({ password });
    setPassword('');
    setNeedsPassword(false);
  };
  const stoppedNow = vmState !== undefined && !active;
  const word = stoppedNow && session === 0 ? statusWord({ state: 'not-running' }) : statusWord(status);

  return (
    <section
      ref={box}
      className={`vnc-console${fullscreen ? ' is-fullscreen' : ''}`}
      aria-label={`Console of ${name}`}
    >
      <div className="console-bar">
        <span
          className="console-state"
          role="status"
          data-state={stoppedNow && session === 0 ? 'not-running' : status.state}
        >
          {word}
        </span>
        <button type="button" onClick={() => rfb.current?.sendCtrlAltDel()} disabled={!connected}>
          Send Ctrl-Alt-Del
        </button>
        <button type="button" onClick={toggleFullscreen} disabled={session === 0} aria-pressed={fullscreen}>
          {fullscreen ? 'Exit full screen' : 'Full screen'}
        </button>
        <label className="check">
          <input type="checkbox" checked={scale} onChange={(e) => setScale(e.target.checked)} />
          Scale to fit
        </label>
        {status.state === 'disconnected' && active ? (
          <button type="button" className="primary" onClick={reconnect}>
            Reconnect
          </button>
        ) : null}
      </div>
      {loadError ? (
        <p className="error-box" role="alert">
          The console code could not be loaded: {loadError}
        </p>
      ) : null}
      {vmState === undefined ? <p className="muted">Reading the VM’s state…</p> : null}
      {stoppedNow ? (
        <p className="console-note">
          {status.state === 'disconnected' && status.vmStopped ? 'The VM stopped. ' : ''}
          {name} is not running: start it to see its console.
        </p>
      ) : status.state === 'disconnected' ? (
        <p className="console-note">
          Disconnected: {refusal?.message ?? status.message}
          {refusal?.spice ? (
            <>
              {' '}
              <a href={withQuery(vmPath(name, '/console.vv'), { host })} download>
                Download the remote-viewer file
              </a>
            </>
          ) : null}
        </p>
      ) : null}
      {needsPassword ? (
        <form className="console-password" onSubmit={sendPassword}>
          <label>
            VNC password
            <input
              type="password"
              autoComplete="off"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          <button type="submit">Send</button>
        </form>
      ) : null}
      <div
        ref={screen}
        className={`vnc-screen${scale ? '' : ' native'}`}
        hidden={session === 0}
        title="Click the screen to type into the VM; Ctrl+] gives the keyboard back"
      />
      {session > 0 ? (
        <p className="muted console-hint" id={hintId}>
          Click the screen to type into the VM; Ctrl+] gives the keyboard back.
        </p>
      ) : null}
      <details className="console-clipboard">
        <summary ref={afterScreen}>Clipboard</summary>
        <label>
          Text to paste into the VM’s clipboard
          <textarea rows={3} value={toGuest} onChange={(e) => setToGuest(e.target.value)} />
        </label>
        <button
          type="button"
          disabled={!connected || toGuest === ''}
          onClick={() => rfb.current?.clipboardPasteFrom(toGuest)}
        >
          Send to the VM
        </button>
        <label>
          The VM’s clipboard (when its guest shares it)
          <textarea rows={3} readOnly value={fromGuest} />
        </label>
      </details>
    </section>
  );
}
