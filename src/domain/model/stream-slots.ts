import { errors } from '../../errors';

/**
 * A cap on the generation streams open at once, across both doors and all models. A stream holds
 * its connection, a queue place and a model context for as long as the client reads, so past the
 * cap a new one is refused at once (RESOURCE_EXHAUSTED, retryable) rather than queued.
 */
export class StreamSlots {
  private open = 0;

  constructor(private readonly max: number) {}

  get inUse(): number {
    return this.open;
  }

  /** A slot's release function (idempotent), or RESOURCE_EXHAUSTED when all are taken. */
  take(): () => void {
    if (this.open >= this.max) {
      throw errors.resourceExhausted('generation streams', `all ${this.max} are open; retry when one ends`, 1);
    }
    this.open += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open -= 1;
    };
  }
}
