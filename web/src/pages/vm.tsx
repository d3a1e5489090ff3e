import { Placeholder } from './placeholder';

export function VmPage({ name }: { host: string; name: string }) {
  return <Placeholder title={name} />;
}
