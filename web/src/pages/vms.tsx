import { Placeholder } from './placeholder';

export function VmsPage() {
  return <Placeholder title="VMs" />;
}
