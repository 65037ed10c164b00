import { errors } from '../../errors';

/**
 * At most `concurrency` holders at once; the rest wait in arrival order, at most `maxQueue` of
 * them. Past that the caller gets RESOURCE_EXHAUSTED at once rather than unbounded latency.
 */
export class FifoLimiter {
  private active = 0;
  private readonly waiting: { grant: () => void; fail: (e: unknown) => void; signal?: AbortSignal; onAbort?: () => void }[] = [];

  constructor(private readonly concurrency: number, private readonly maxQueue: number, private readonly what: string) {}

  get queued(): number {
    return this.waiting.length;
  }

  get running(): number {
    return this.active;
  }

  /** Resolves with a release function once a slot is free. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw errors.cancelled();
    if (this.active < this.concurrency) {
      this.active += 1;
      return this.releaser();
    }
    if (this.waiting.length >= this.maxQueue) {
      throw errors.resourceExhausted(this.what, `queue is full (${this.maxQueue} waiting); retry later`, 1);
    }
    return new Promise<() => void>((resolve, reject) => {
      const entry: (typeof this.waiting)[number] = {
        grant: () => resolve(this.releaser()),
        fail: reject,
        signal,
      };
      if (signal) {
        entry.onAbort = () => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(errors.cancelled());
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.waiting.push(entry);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) {
        if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
        next.grant();
      } else {
        this.active -= 1;
      }
    };
  }
}
