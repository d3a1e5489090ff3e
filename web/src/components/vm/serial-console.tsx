// The VM page's serial console: xterm.js over /api/vms/NAME/serial (the guest's bytes in binary frames,
// keys sent as text frames; docs/api.md "Consoles"). xterm.js and its CSS are imported when this mounts.
import type { FitAddon } from '@xterm/addon-fit';
import type { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'react';
import { isActive } from '../../format';
import { useStore } from '../../store';
import { consoleUrl, endStatus, isKeyboardRelease, statusWord, type ConsoleStatus } from './console-state';

/** The serial console of a VM (loaded only by the VM page, with React.lazy). */
export function SerialConsole({ host, name }: { host: string; name: string }) {
  const vmState = useStore((s) => s.vms[host]?.list?.find((v) => v.name === name)?.state);
  const active = vmState !== undefined && isActive(vmState);
  const box = useRef<HTMLDivElement>(null);
  const after = useRef<HTMLParagraphElement>(null);
  const term = useRef<{ t: Terminal; fit: FitAddon } | undefined>(undefined);
  const ws = useRef<WebSocket | undefined>(undefined);
  const [ready, setReady] = useState(false);
  const [loadError, setLoadError] = useState<string | undefined>();
  const [status, setStatus] = useState<ConsoleStatus>({ state: 'connecting' });
  const [session, setSession] = useState<{ n: number; force: boolean }>({ n: 0, force: false });

  // The terminal: one for as long as this is shown, kept across reconnects (its scrollback too).
  useEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | undefined;
    let t: Terminal | undefined;
    Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/xterm/css/xterm.css')])
      .then(([{ Terminal }, { FitAddon }]) => {
        if (cancelled || !box.current) return;
        t = new Terminal({
          cursorBlink: true,
          fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace",
          fontSize: 14,
          scrollback: 5000,
          // A terminal is dark in light and dark mode alike (what its programs expect).
          theme: { background: '#101512', foreground: '#e6ebe7', cursor: '#5cbf86' },
        });
        const fit = new FitAddon();
        t.loadAddon(fit);
        t.open(box.current);
        const sendBytes = (data: string | Uint8Array) => {
          if (ws.current?.readyState === WebSocket.OPEN) ws.current.send(data);
        };
        // Ctrl+] gives the keyboard back (as in `phyllo vm console`): Tab goes to the guest otherwise.
        t.attachCustomKeyEventHandler((e) => {
          if (e.type !== 'keydown' || !isKeyboardRelease(e)) return true;
          e.preventDefault();
          t?.blur();
          after.current?.focus();
          return false;
        });
        t.onData((d) => sendBytes(d));
        t.onBinary((d) => sendBytes(Uint8Array.from(d, (c) => c.charCodeAt(0) & 0xff)));
        fit.fit();
        observer = new ResizeObserver(() => {
          try {
            fit.fit();
          } catch {
            /* not shown now (a hidden tab) */
          }
        });
        observer.observe(box.current);
        term.current = { t, fit };
        setReady(true);
      })
      .catch((err: unknown) => !cancelled && setLoadError(err instanceof Error ? err.message : String(err)));
    return () => {
      cancelled = true;
      observer?.disconnect();
      t?.dispose();
      term.current = undefined;
    };
  }, []);

  // A session when the terminal is there and the VM runs, and each time it starts again.
  useEffect(() => {
    if (ready && active) setSession((s) => ({ n: s.n + 1, force: false }));
  }, [ready, active]);

  useEffect(() => {
    if (session.n === 0 || !term.current) return;
    const { t } = term.current;
    let cancelled = false;
    let opened = false;
    setStatus({ state: 'connecting' });
    const socket = new WebSocket(consoleUrl('serial', host, name, location, session.force));
    socket.binaryType = 'arraybuffer';
    ws.current = socket;
    socket.onopen = () => {
      opened = true;
      if (cancelled) return;
      setStatus({ state: 'connected' });
      t.focus();
    };
    socket.onmessage = (m) => {
      t.write(m.data instanceof ArrayBuffer ? new Uint8Array(m.data) : String(m.data));
    };
    socket.onclose = (e) => {
      if (cancelled) return;
      setStatus(endStatus('serial', { code: e.code, reason: e.reason, opened }));
    };
    return () => {
      cancelled = true;
      if (ws.current === socket) ws.current = undefined;
      socket.close();
    };
  }, [host, name, session]);

  const stoppedNow = vmState !== undefined && !active;
  const shown: ConsoleStatus = stoppedNow && session.n === 0 ? { state: 'not-running' } : status;
  return (
    <section className="serial-console" aria-label={`Serial console of ${name}`}>
      <div className="console-bar">
        <span className="console-state" role="status" data-state={shown.state}>
          {statusWord(shown)}
        </span>
        {status.state === 'disconnected' && active ? (
          <>
            <button type="button" onClick={() => setSession((s) => ({ n: s.n + 1, force: false }))}>
              Reconnect
            </button>
            {status.takeOver ? (
              <button
                type="button"
                className="primary"
                onClick={() => setSession((s) => ({ n: s.n + 1, force: true }))}
              >
                Take over
              </button>
            ) : null}
          </>
        ) : null}
      </div>
      {loadError ? (
        <p className="error-box" role="alert">
          The terminal could not be loaded: {loadError}
        </p>
      ) : null}
      {vmState === undefined ? <p className="muted">Reading the VM’s state…</p> : null}
      {stoppedNow ? (
        <p className="console-note">
          {status.state === 'disconnected' && status.vmStopped ? 'The VM stopped. ' : ''}
          {name} is not running: start it to use its serial console.
        </p>
      ) : status.state === 'disconnected' ? (
        <p className="console-note">
          Disconnected: {status.message}
          {status.takeOver ? ' “Take over” closes the other session and opens this one.' : ''}
        </p>
      ) : null}
      <div ref={box} className="serial-screen" />
      <p ref={after} tabIndex={-1} className="muted console-hint">
        Click the terminal to type into the VM; Ctrl+] gives the keyboard back.
      </p>
    </section>
  );
}
