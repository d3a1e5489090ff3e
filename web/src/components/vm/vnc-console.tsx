/** The VNC console of a VM (built by the console work; loaded only by the VM page, with React.lazy). */
export function VncConsole({ host, name }: { host: string; name: string }) {
  return (
    <p className="muted">
      The VNC console of {name} on {host} is not built yet.
    </p>
  );
}
