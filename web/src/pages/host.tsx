import { Placeholder } from './placeholder';

export function HostPage() {
  return <Placeholder title="Host" />;
}
