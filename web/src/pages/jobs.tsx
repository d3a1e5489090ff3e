import { Placeholder } from './placeholder';

export function JobsPage() {
  return <Placeholder title="Jobs" />;
}
