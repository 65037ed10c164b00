import { whenAllAborted, type WriteRecord } from '../../../domain';
import { errors } from '../../../errors';

export type WriteRequest =
  | { kind: 'insert'; records: WriteRecord[] }
  | { kind: 'upsert'; records: WriteRecord[] }
  | { kind: 'delete'; ids: string[] };

/**
 * Executes coalesced groups against the engine; the queue guarantees one group at a time. `signal`
 * fires once every caller of the group has left: the executor then starts no further engine step.
 */
export interface WriteExecutor {
  /** One outcome per batch, in order: undefined once committed, or the error that rejected that batch alone. */
  insertGroup(batches: WriteRecord[][], signal: AbortSignal | undefined): Promise<(Error | undefined)[]>;
  /** Later batches win for an id written twice. */
  upsertGroup(batches: WriteRecord[][], signal: AbortSignal | undefined): Promise<void>;
  deleteGroup(idLists: string[][], signal: AbortSignal | undefined): Promise<void>;
  /** After a drain cycle that committed data: bookkeeping and maintenance scheduling; must not throw. */
  afterCommits(): Promise<void>;
  /** Engine error → DomainError. */
  toError(cause: unknown): Error;
}

export interface WriteQueueLimits {
  /** Requests waiting at most; beyond it writers get RESOURCE_EXHAUSTED (retryable). */
  maxPending: number;
  /** Vector floats (or ids, for deletes) per coalesced engine call, to bound memory. */
  maxGroupFloats: number;
}

type Work = WriteRequest | { kind: 'task'; run: () => Promise<unknown> };

interface Pending {
  work: Work;
  signal: AbortSignal | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * One collection's serial write queue. Writers never touch the table directly: each request
 * waits here, and the drain loop takes everything pending at once, runs consecutive requests of
 * the same kind as ONE engine call (inserts → one `add`, upserts → one `mergeInsert`, deletes →
 * one predicate), and settles each caller's promise only after its data is committed, so
 * concurrent writers lose nothing, thousands of single-vector writes make a handful of Lance
 * versions/fragments instead of thousands, and a read started after a write returns sees it.
 * Order between kinds is kept (a delete then an insert of the same id stay in that order).
 * Index builds, compaction and other table changes run as exclusive tasks in the same queue.
 *
 * Cancellation: a caller that leaves is answered CANCELLED at once. While its request still waits
 * it is taken out of the queue and never reaches the engine; once its group has begun, the group
 * goes on for the callers still waiting, and stops before its next engine step only when all of
 * them have left (a write step that has begun is finished: see LanceActivity).
 */
export class LanceWriteQueue {
  private pending: Pending[] = [];
  private active = false;
  private idle: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly executor: WriteExecutor,
    private readonly limits: WriteQueueLimits,
    private readonly closedError: () => Error,
  ) {}

  get depth(): number {
    return this.pending.length;
  }

  write(request: WriteRequest, signal?: AbortSignal): Promise<void> {
    return this.enqueue<void>(request, signal, true);
  }

  /** Runs `run` alone, after everything queued before it. `internal` tasks skip the backpressure bound. */
  exclusive<T>(run: () => Promise<T>, signal?: AbortSignal, internal = false): Promise<T> {
    return this.enqueue<T>({ kind: 'task', run }, signal, !internal);
  }

  /** Stops accepting work and resolves once everything already queued has run. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle;
  }

  private enqueue<T>(work: Work, signal: AbortSignal | undefined, bounded: boolean): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError());
    if (signal?.aborted) return Promise.reject(errors.abortedBy(signal.reason));
    if (bounded && this.pending.length >= this.limits.maxPending) {
      return Promise.reject(errors.resourceExhausted('vectors', 'too many writes are waiting for this collection; retry shortly', 1));
    }
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { work, signal, resolve: resolve as (value: unknown) => void, reject };
      if (signal !== undefined) {
        const onAbort = (): void => {
          const at = this.pending.indexOf(entry);
          if (at >= 0) this.pending.splice(at, 1);
          reject(errors.abortedBy(signal.reason));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        entry.resolve = (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value as T);
        };
        entry.reject = (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        };
      }
      this.pending.push(entry);
      this.kick();
    });
  }

  private kick(): void {
    if (this.active) return;
    this.active = true;
    this.idle = (async () => {
      try {
        // `active` is cleared in the same synchronous step that finds the queue empty, so a
        // request arriving afterwards always starts a new drain.
        while (this.pending.length > 0) await this.cycle();
      } finally {
        this.active = false;
      }
    })();
  }

  private async cycle(): Promise<void> {
    // One macrotask of patience lets writers that arrive in the same tick join this cycle.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const taken = this.pending;
    this.pending = [];
    let committed = false;
    for (const group of this.groups(taken)) {
      const live = group.filter((p) => {
        if (!p.signal?.aborted) return true;
        p.reject(errors.abortedBy(p.signal.reason));
        return false;
      });
      if (live.length > 0 && (await this.run(live))) committed = true;
    }
    if (committed) await this.executor.afterCommits();
  }

  /** Consecutive requests of one kind, cut at maxGroupFloats; a task is always alone. */
  private *groups(taken: Pending[]): Generator<Pending[]> {
    let group: Pending[] = [];
    let weight = 0;
    for (const p of taken) {
      const size = sizeOf(p.work);
      const head = group[0];
      if (head && (head.work.kind !== p.work.kind || p.work.kind === 'task' || weight + size > this.limits.maxGroupFloats)) {
        yield group;
        group = [];
        weight = 0;
      }
      group.push(p);
      weight += size;
    }
    if (group.length > 0) yield group;
  }

  /** Runs one group and settles its callers; true when data was committed. */
  private async run(group: Pending[]): Promise<boolean> {
    const kind = group[0]!.work.kind;
    const everyoneLeft = whenAllAborted(group.map((p) => p.signal));
    try {
      if (kind === 'task') {
        group[0]!.resolve(await (group[0]!.work as { run: () => Promise<unknown> }).run());
        return false;
      }
      if (kind === 'insert') {
        const outcomes = await this.executor.insertGroup(group.map((p) => (p.work as { records: WriteRecord[] }).records), everyoneLeft.signal);
        group.forEach((p, i) => (outcomes[i] ? p.reject(outcomes[i]) : p.resolve(undefined)));
        return outcomes.some((o) => o === undefined);
      }
      if (kind === 'upsert') await this.executor.upsertGroup(group.map((p) => (p.work as { records: WriteRecord[] }).records), everyoneLeft.signal);
      else await this.executor.deleteGroup(group.map((p) => (p.work as { ids: string[] }).ids), everyoneLeft.signal);
      group.forEach((p) => p.resolve(undefined));
      return true;
    } catch (cause) {
      const error = this.executor.toError(cause);
      group.forEach((p) => p.reject(error));
      return false;
    } finally {
      everyoneLeft.release();
    }
  }
}

function sizeOf(work: Work): number {
  if (work.kind === 'task') return 0;
  return work.kind === 'delete' ? work.ids.length : work.records.reduce((n, r) => n + r.vector.length, 0);
}
