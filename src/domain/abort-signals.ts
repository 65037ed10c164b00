import { errors } from '../errors';
import type { CallOptions } from './vector/vector-types';

/** Whether the caller of a call has left, without making a signal the door makes lazily. */
export function callCancelled(options: CallOptions | undefined): boolean {
  return options?.aborted ?? options?.signal?.aborted ?? false;
}

/** CANCELLED when the caller has left (callCancelled): the check every call makes before engine work. */
export function checkNotCancelled(options: CallOptions | undefined): void {
  if (callCancelled(options)) throw errors.cancelled();
}

/** A signal shared by several callers' work, and the way to let go of their signals afterwards. */
export interface SharedSignal {
  /** Fires once every caller has left; undefined when a caller has no signal (it can never leave). */
  readonly signal: AbortSignal | undefined;
  /**
   * Detaches from the callers' signals once the shared work is over. Without it each group of work
   * would leave a listener on signals that outlive it (a streamed import's call, a command's
   * Ctrl-C signal): one per write, never removed.
   */
  release(): void;
}

/**
 * A signal that fires once every one of `signals` has fired: shared work (a micro-batch of several
 * callers' texts, a coalesced write group) may stop only when nobody waits for it any more. A
 * caller without a signal can never leave, so then the signal is undefined (never fires).
 */
export function whenAllAborted(signals: readonly (AbortSignal | undefined)[]): SharedSignal {
  if (signals.length === 0 || signals.some((s) => s === undefined)) return { signal: undefined, release: () => undefined };
  const all = signals as readonly AbortSignal[];
  const controller = new AbortController();
  const release = (): void => all.forEach((s) => s.removeEventListener('abort', check));
  const check = (): void => {
    if (all.every((s) => s.aborted)) {
      release();
      controller.abort(errors.cancelled());
    }
  };
  all.forEach((s) => s.addEventListener('abort', check, { once: true }));
  check();
  return { signal: controller.signal, release };
}

/**
 * Resolves or rejects with `work`, or rejects as soon as `signal` fires (CANCELLED, or what its
 * reason says: errors.abortedBy). The work itself
 * goes on (use it where the engine offers no way to stop a call that has begun); its outcome is
 * then dropped, failures included, so nothing is left unhandled.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(errors.abortedBy(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      work.catch(() => undefined);
      reject(errors.abortedBy(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (cause: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(cause);
      },
    );
  });
}
