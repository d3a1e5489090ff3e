import type { Decision } from '../decisions/context.js';

export type DecisionTopic =
  | 'os'
  | 'domain-type'
  | 'machine'
  | 'firmware'
  | 'cpu'
  | 'topology'
  | 'memory'
  | 'shared-memory'
  | 'clock'
  | 'features'
  | 'hyperv'
  | 'power'
  | 'boot'
  | 'disk-bus'
  | 'disks'
  | 'controllers'
  | 'nic'
  | 'display'
  | 'video'
  | 'input'
  | 'tpm'
  | 'rng'
  | 'balloon'
  | 'channels'
  | 'console'
  | 'iommu';

export interface ExplainedDecision {
  topic: DecisionTopic;
  /** A one-line summary of the choice. */
  choice: string;
  reason: string;
}

function describe(value: unknown): string {
  if (value === undefined) return 'none';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value);
}

/** The model's decisions in the order they were made, each with a summary of its choice and its reason. */
export class DecisionLog {
  readonly decisions: ExplainedDecision[] = [];

  note(topic: DecisionTopic, choice: unknown, reason: string): void {
    this.decisions.push({ topic, choice: describe(choice), reason });
  }

  /** Records a decision (its choice summed up by `summary`) and hands back the choice. */
  take<T>(topic: DecisionTopic, decision: Decision<T>, summary: (choice: T) => unknown): T {
    this.note(topic, summary(decision.choice), decision.reason);
    return decision.choice;
  }
}
