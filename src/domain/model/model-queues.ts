import type { ModelProvider } from '../ports/model-provider';
import type { ModelOperation, Telemetry } from '../ports/telemetry';
import { EmbeddingBatcher } from './embedding-batcher';
import { FifoLimiter } from './fifo-limiter';
import { modelLimits } from './model-limits';
import type { ModelConfig } from './model-types';

/**
 * Each model's embedding batcher and generation limiter, made on first use and dropped when the
 * model changes, and the timing of the provider calls they make.
 */
export class ModelQueues {
  private readonly batchers = new Map<string, EmbeddingBatcher>();
  private readonly limiters = new Map<string, FifoLimiter>();

  constructor(private readonly telemetry: Telemetry) {}

  batcher(config: ModelConfig, provider: ModelProvider): EmbeddingBatcher {
    let b = this.batchers.get(config.name);
    if (!b) {
      b = new EmbeddingBatcher(
        (texts, signal) => this.timed(config, 'embed', () => provider.embed(config, texts, { signal })),
        provider.maxBatchOf(config),
        modelLimits.maxEmbedQueue,
        `model '${config.name}'`,
        this.telemetry,
        provider.batchesInFlightOf?.(config) ?? 1,
      );
      this.batchers.set(config.name, b);
    }
    return b;
  }

  limiter(config: ModelConfig, provider: ModelProvider): FifoLimiter {
    let l = this.limiters.get(config.name);
    if (!l) {
      l = new FifoLimiter(provider.concurrencyOf(config), modelLimits.maxGenerationQueue, `model '${config.name}'`);
      this.limiters.set(config.name, l);
    }
    return l;
  }

  /** The provider call alone: time spent queued is the limiter's or batcher's, not the model's. */
  async timed<T>(config: ModelConfig, operation: ModelOperation, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } finally {
      this.telemetry.modelCall(config.provider, operation, (performance.now() - started) / 1000);
    }
  }

  forget(name: string): void {
    this.batchers.delete(name);
    this.limiters.delete(name);
  }

  /** Texts waiting in all embedding batchers and calls waiting in all generation limiters. */
  depths(): { embedding: number; generation: number } {
    let embedding = 0;
    let generation = 0;
    for (const b of this.batchers.values()) embedding += b.depth;
    for (const l of this.limiters.values()) generation += l.queued;
    return { embedding, generation };
  }

  perModel(): { model: string; embedQueue: number; generationQueue: number; batchSizes: number[] }[] {
    const names = new Set([...this.batchers.keys(), ...this.limiters.keys()]);
    return [...names].map((model) => ({
      model,
      embedQueue: this.batchers.get(model)?.depth ?? 0,
      generationQueue: this.limiters.get(model)?.queued ?? 0,
      batchSizes: [...(this.batchers.get(model)?.batchSizes ?? [])],
    }));
  }
}
