/** The serial console of a VM (built by the console work; loaded only by the VM page, with React.lazy). */
export function SerialConsole({ host, name }: { host: string; name: string }) {
  return (
    <p className="muted">
      The serial console of {name} on {host} is not built yet.
    </p>
  );
}
