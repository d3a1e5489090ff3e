/**
 * The words for a lifecycle event's detail: virDomainEvent<Event>DetailType, whose numbers mean
 * something different for each event (libvirt-domain.h), named as libvirt names them, in kebab case.
 */
import type { LifecycleEventName } from './events.js';

const DETAILS: Record<Exclude<LifecycleEventName, 'unknown'>, readonly string[]> = {
  defined: ['added', 'updated', 'renamed', 'from-snapshot'],
  undefined: ['removed', 'renamed'],
  started: ['booted', 'migrated', 'restored', 'from-snapshot', 'wakeup', 'recreated'],
  suspended: [
    'paused',
    'migrated',
    'io-error',
    'watchdog',
    'restored',
    'from-snapshot',
    'api-error',
    'postcopy',
    'postcopy-failed',
  ],
  resumed: ['unpaused', 'migrated', 'from-snapshot', 'postcopy', 'postcopy-failed'],
  stopped: ['shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from-snapshot'],
  shutdown: ['finished', 'guest', 'host'],
  pmsuspended: ['memory', 'disk'],
  crashed: ['panicked', 'crashloaded'],
};

/** `stopped` + 1 → `destroyed`; a number this table does not know yet → `detail-N`. */
export function lifecycleDetailName(event: LifecycleEventName, detail: number): string {
  const names = event === 'unknown' ? undefined : DETAILS[event];
  return names?.[detail] ?? `detail-${detail}`;
}
