import { errors } from '../../errors';
import { whenAllAborted } from '../abort-signals';
import { noTelemetry, type Telemetry } from '../ports/telemetry';
import type { EmbeddingResult } from './model-types';

/** One text's embedding as the batcher hands it back. */
export interface EmbeddedText {
  vector: number[];
  truncated: boolean;
  /** Tokens the model read for this text, when the provider knows. */
  tokens?: number;
}

/** One `embed` call: its texts are queued one by one but answered together. */
interface Caller {
  signal?: AbortSignal;
}

interface Pending {
  text: string;
  caller: Caller;
  resolve: (r: EmbeddedText) => void;
  reject: (e: unknown) => void;
}

/** Upper bound of the gather wait (see `gather`), whatever the model's speed. */
export const MAX_GATHER_MS = 20;

/**
 * Micro-batching for one embedding model: callers arriving while the model is busy (or within the
 * same tick) share one model call of at most `maxBatch` texts. The wait is bounded by one batch's
 * duration plus a short gather (at most a quarter of the last model call, and MAX_GATHER_MS); the
 * queue by `maxQueue` texts (past it: RESOURCE_EXHAUSTED at once).
 *
 * Cancellation: a caller that leaves is answered CANCELLED at once and its texts still queued are
 * taken out, so they never reach the model. A batch already running goes on for the callers still
 * waiting; the signal the model call gets fires when every caller of the batch has left, and the
 * provider then stops (between its internal chunks, or its HTTP request).
 */
export class EmbeddingBatcher {
  private queue: Pending[] = [];
  /** Batches handed to the model and not yet answered. */
  private inFlight = 0;
  private scheduled = false;
  /** Size and timing of the last model call: how many callers to expect back, and how soon. */
  private lastBatch = 0;
  private lastRunMs = 0;
  private lastEndedAt = 0;
  /** True while `drain` waits in `gather`, so a second drain does not gather beside it. */
  private gathering = false;
  /** Set while `gather` waits; called on every enqueue. */
  private arrived: (() => void) | undefined;
  /** Sizes of the batches sent to the model, for tests and metrics. */
  readonly batchSizes: number[] = [];

  constructor(
    private readonly run: (texts: string[], signal: AbortSignal | undefined) => Promise<EmbeddingResult>,
    private readonly maxBatch: number,
    private readonly maxQueue: number,
    private readonly what: string,
    private readonly telemetry: Telemetry = noTelemetry,
    /** Batches the provider takes at once (ModelProvider.batchesInFlightOf). */
    private readonly maxInFlight = 1,
  ) {}

  get depth(): number {
    return this.queue.length;
  }

  /** Embeds texts through the shared queue; results come in input order. */
  async embed(texts: string[], signal?: AbortSignal): Promise<EmbeddedText[]> {
    if (signal?.aborted) throw errors.abortedBy(signal.reason);
    if (this.queue.length + texts.length > this.maxQueue) {
      throw errors.resourceExhausted(this.what, `embedding queue is full (${this.maxQueue} texts); retry later`, 1);
    }
    const caller: Caller = { signal };
    const answered = new Promise<EmbeddedText[]>((resolve, reject) => {
      const results: EmbeddedText[] = new Array<EmbeddedText>(texts.length);
      let missing = texts.length;
      let settled = false;
      const onAbort = (): void => {
        // Texts not yet in a batch never reach the model.
        this.queue = this.queue.filter((p) => p.caller !== caller);
        finish(() => reject(errors.abortedBy(signal?.reason)));
      };
      const finish = (settle: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      texts.forEach((text, i) =>
        this.queue.push({
          text,
          caller,
          resolve: (r) => {
            results[i] = r;
            missing -= 1;
            if (missing === 0) finish(() => resolve(results));
          },
          reject: (e) => finish(() => reject(e)),
        }),
      );
    });
    this.arrived?.();
    this.schedule();
    return answered;
  }

  private schedule(): void {
    if (this.inFlight >= this.maxInFlight || this.scheduled) return;
    this.scheduled = true;
    // One macrotask lets callers that arrive together join the same batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  /** Hands batches to the model while texts wait and the provider has room for another. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight && !this.gathering) {
      this.gathering = true;
      try {
        await this.gather();
      } finally {
        this.gathering = false;
      }
      const batch = this.takeBatch();
      if (batch.length === 0) continue;
      this.inFlight += 1;
      void this.runBatch(batch).finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    this.batchSizes.push(batch.length);
    if (this.batchSizes.length > 1000) this.batchSizes.splice(0, 500);
    this.telemetry.embeddingBatch(batch.length);
    const started = Date.now();
    // Fires when every caller of this batch has left: the model call may stop then.
    const everyoneLeft = whenAllAborted([...new Set(batch.map((p) => p.caller))].map((c) => c.signal));
    try {
      const result = await this.run(batch.map((p) => p.text), everyoneLeft.signal);
      batch.forEach((p, i) => p.resolve({ vector: result.vectors[i]!, truncated: result.truncated[i] ?? false, tokens: result.tokenCounts?.[i] }));
    } catch (e) {
      batch.forEach((p) => p.reject(e));
    } finally {
      everyoneLeft.release();
    }
    this.lastBatch = batch.length;
    this.lastEndedAt = Date.now();
    this.lastRunMs = this.lastEndedAt - started;
  }

  /**
   * Under steady load the callers of the last batch come back one by one: each answer has to
   * reach its client and the next request travel back, and over HTTP/1.1 they arrive on separate
   * sockets. Taking whatever is queued at once then splits them into a small batch and a large
   * one, alternately, and small batches cost more per text (measured with all-MiniLM-L6-v2 on 2
   * cores: 32 single-text REST callers formed batches of 12 on average and embedded at half the
   * rate of gRPC callers, whose requests arrive together). So while fewer texts are queued than
   * the last call took, and that call ended recently, this waits for them: until the queue holds
   * as many, or a quarter of the last call's duration (at most MAX_GATHER_MS) has passed. A lone
   * caller never waits (its last batch was itself), nor does the first caller after a quiet spell.
   */
  private gather(): Promise<void> {
    const expected = Math.min(this.maxBatch, this.lastBatch);
    const waitMs = Math.min(MAX_GATHER_MS, this.lastRunMs / 4);
    const recent = Date.now() - this.lastEndedAt <= this.lastRunMs;
    if (this.queue.length >= expected || waitMs < 1 || !recent) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.arrived = undefined;
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.arrived = () => {
        if (this.queue.length >= expected) done();
      };
    });
  }

  /**
   * Up to maxBatch texts; callers that left while queued are answered CANCELLED and not sent to
   * the model. When the provider takes two batches and none is running, this takes half of what
   * waits (rounded up): the other half follows at once as the second batch, and from then on each
   * half's callers are answered and come back while the other half computes.
   */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const size = this.maxInFlight > 1 && this.inFlight === 0 ? Math.ceil(Math.min(this.queue.length, this.maxBatch * 2) / 2) : this.maxBatch;
    while (batch.length < Math.min(size, this.maxBatch) && this.queue.length > 0) {
      const p = this.queue.shift()!;
      if (p.caller.signal?.aborted) p.reject(errors.abortedBy(p.caller.signal.reason));
      else batch.push(p);
    }
    return batch;
  }
}
