import { Placeholder } from './placeholder';

export function CreatePage() {
  return <Placeholder title="New VM" />;
}
