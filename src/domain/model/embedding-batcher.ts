import { errors } from '../../errors';
import type { EmbeddingResult } from './model-types';

/** One text's embedding as the batcher hands it back. */
export interface EmbeddedText {
  vector: number[];
  truncated: boolean;
  /** Tokens the model read for this text, when the provider knows. */
  tokens?: number;
}

interface Pending {
  text: string;
  resolve: (r: EmbeddedText) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
}

/**
 * Micro-batching for one embedding model: callers arriving while the model is busy (or within the
 * same tick) share one model call of at most `maxBatch` texts. The wait is bounded by one batch's
 * duration; the queue by `maxQueue` texts (past it: RESOURCE_EXHAUSTED at once).
 */
export class EmbeddingBatcher {
  private readonly queue: Pending[] = [];
  private running = false;
  private scheduled = false;
  /** Sizes of the batches sent to the model, for tests and metrics. */
  readonly batchSizes: number[] = [];

  constructor(
    private readonly run: (texts: string[]) => Promise<EmbeddingResult>,
    private readonly maxBatch: number,
    private readonly maxQueue: number,
    private readonly what: string,
  ) {}

  get depth(): number {
    return this.queue.length;
  }

  /** Embeds texts through the shared queue; results come in input order. */
  async embed(texts: string[], signal?: AbortSignal): Promise<EmbeddedText[]> {
    if (signal?.aborted) throw errors.cancelled();
    if (this.queue.length + texts.length > this.maxQueue) {
      throw errors.resourceExhausted(this.what, `embedding queue is full (${this.maxQueue} texts); retry later`, 1);
    }
    const promises = texts.map(
      (text) => new Promise<EmbeddedText>((resolve, reject) => this.queue.push({ text, resolve, reject, signal })),
    );
    this.schedule();
    return Promise.all(promises);
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // One macrotask lets callers that arrive together join the same batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        if (batch.length === 0) continue;
        this.batchSizes.push(batch.length);
        if (this.batchSizes.length > 1000) this.batchSizes.splice(0, 500);
        try {
          const result = await this.run(batch.map((p) => p.text));
          batch.forEach((p, i) => p.resolve({ vector: result.vectors[i]!, truncated: result.truncated[i] ?? false, tokens: result.tokenCounts?.[i] }));
        } catch (e) {
          batch.forEach((p) => p.reject(e));
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Callers that left while queued are answered CANCELLED and not sent to the model. */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    while (batch.length < this.maxBatch && this.queue.length > 0) {
      const p = this.queue.shift()!;
      if (p.signal?.aborted) p.reject(errors.cancelled());
      else batch.push(p);
    }
    return batch;
  }
}
