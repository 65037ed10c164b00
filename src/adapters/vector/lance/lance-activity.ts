import { EventEmitter } from 'node:events';
import { untilAborted } from '../../../domain';
import { errors } from '../../../errors';

/** One engine call: what it does and for which collection. */
export interface EngineStep {
  collection: string;
  kind: 'search' | 'get' | 'count' | 'exists' | 'write' | 'scan';
}

/**
 * How the adapter carries a caller's cancellation into LanceDB 0.31, whose Node API takes no
 * AbortSignal (queries accept only a fixed `timeoutMs`; add, mergeInsert and delete nothing), so a
 * native call that has begun cannot be stopped. What can be stopped is everything around it: every
 * engine call goes through `read` or `write` here, which never start one for a caller that has
 * left, and a call of several engine steps (a search following a tie group or falling back to an
 * exact scan, an id lookup in chunks, a write group's existence checks) checks between steps.
 * A cancelled read answers CANCELLED at once; its running step ends on its own and is dropped.
 *
 * It also counts the steps, so tests and diagnostics can see that a cancelled call really stopped
 * working, not just that its caller was answered.
 */
export class LanceActivity {
  private readonly events = new EventEmitter();
  private running = 0;
  private begun = 0;

  /** Engine steps running now. */
  get active(): number {
    return this.running;
  }

  /** Engine steps started so far. */
  get started(): number {
    return this.begun;
  }

  /** Calls `listener` as each step starts (before the engine call is made); returns the unsubscribe function. */
  onStart(listener: (step: EngineStep) => void): () => void {
    this.events.on('start', listener);
    return () => this.events.off('start', listener);
  }

  /** Calls `listener` when each step has really ended in the engine. */
  onEnd(listener: (step: EngineStep) => void): () => void {
    this.events.on('end', listener);
    return () => this.events.off('end', listener);
  }

  /**
   * A read step: not started for a caller that has left, and answered CANCELLED as soon as the
   * caller leaves (the engine call runs to its end and its result is dropped).
   */
  read<T>(step: EngineStep, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    if (signal?.aborted) return Promise.reject(errors.abortedBy(signal.reason));
    return untilAborted(this.track(step, run), signal);
  }

  /**
   * A write step (data, schema or index change): not started once every caller has left, but
   * awaited to its end once begun, since the write queue's order and the collection's bookkeeping
   * depend on knowing whether it committed.
   */
  write<T>(step: EngineStep, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    if (signal?.aborted) return Promise.reject(errors.abortedBy(signal.reason));
    return this.track(step, run);
  }

  private async track<T>(step: EngineStep, run: () => Promise<T>): Promise<T> {
    this.running += 1;
    this.begun += 1;
    try {
      this.events.emit('start', step);
      return await run();
    } finally {
      this.running -= 1;
      this.events.emit('end', step);
    }
  }
}
