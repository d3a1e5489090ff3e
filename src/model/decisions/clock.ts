import type { TimerSpec } from '../spec.js';
import type { Decision, ModelContext } from './context.js';

/** UTC for Unix guests, local time for Windows (its RTC convention); paravirtual clocks only under KVM. */
export function decideClock(
  ctx: ModelContext,
): Decision<{ offset: 'utc' | 'localtime'; timers: TimerSpec[] }> {
  const { profile } = ctx;
  const kvm = ctx.domainType === 'kvm';
  const timers: TimerSpec[] = [
    { name: 'rtc', tickpolicy: 'catchup' },
    { name: 'pit', tickpolicy: 'delay' },
    { name: 'hpet', present: false },
  ];
  const para = profile.hyperv ? 'hypervclock' : profile.family === 'linux' ? 'kvmclock' : undefined;
  if (para && kvm) timers.push({ name: para, present: true });
  const paraWhy = para ? (kvm ? `, ${para}` : `; no ${para} (a KVM paravirtual clock TCG lacks)`) : '';
  return {
    choice: { offset: profile.clock, timers },
    reason:
      (profile.clock === 'localtime'
        ? 'localtime: Windows keeps the RTC in local time'
        : 'UTC: the RTC holds UTC') + `; RTC catch-up, PIT delay, no HPET${paraWhy}`,
  };
}
