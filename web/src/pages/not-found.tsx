import { Link, useLocation } from 'wouter';

/** An address the UI has no page for (a mistyped or old link). */
export function NotFoundPage() {
  const [path] = useLocation();
  return (
    <section>
      <h1>No such page</h1>
      <p>
        Phyllome has no page at <code>{path}</code>.
      </p>
      <p>
        <Link href="/">Back to the VMs</Link>
      </p>
    </section>
  );
}
