/**
 * Job progress for event listeners, at most one message per job every `intervalMs`: a disk copy
 * reports every chunk, which no screen needs. A report inside the interval is held (only the newest)
 * and sent when the interval ends; the job's end goes out at once, after what was held.
 */
import type { JobView } from '../job-registry.js';

export class JobThrottle {
  private readonly last = new Map<string, number>();
  private readonly held = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly send: (job: JobView) => void,
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {}

  report(job: JobView): void {
    const timer = this.held.get(job.id);
    if (job.state !== 'running') {
      clearTimeout(timer);
      this.held.delete(job.id);
      this.last.delete(job.id);
      this.send({ ...job });
      return;
    }
    if (timer) return; // the held report reads the view when it fires: always the newest
    const wait = (this.last.get(job.id) ?? -Infinity) + this.intervalMs - this.now();
    if (wait <= 0) return this.emit(job);
    const t = setTimeout(() => {
      this.held.delete(job.id);
      if (job.state === 'running') this.emit(job);
    }, wait);
    t.unref();
    this.held.set(job.id, t);
  }

  close(): void {
    for (const t of this.held.values()) clearTimeout(t);
    this.held.clear();
  }

  private emit(job: JobView): void {
    this.last.set(job.id, this.now());
    this.send({ ...job, progress: { ...job.progress } });
  }
}
