/** Charts of a VM (built by the console work; loaded only by the VM page, with React.lazy). */
export function VmCharts({ host, name }: { host: string; name: string }) {
  return (
    <p className="muted">
      Charts of {name} on {host} is not built yet.
    </p>
  );
}
