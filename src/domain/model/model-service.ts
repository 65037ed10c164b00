import { errors } from '../../errors';
import { noTelemetry, type ModelOperation, type Telemetry } from '../ports/telemetry';
import { EmbeddingBatcher } from './embedding-batcher';
import { FifoLimiter } from './fifo-limiter';
import type { ModelProvider } from '../ports/model-provider';
import { ModelRegistry } from './model-registry';
import { StreamSlots } from './stream-slots';
import type { GenerationChunk, GenerationResult, ModelCallOptions, ModelConfig, ModelKind, ProviderName } from './model-types';
import { checkModelName, checkText, parseGenerationParams, parseModelConfig, type ModelConfigInput } from './model-validation';

/** Bounds of the model calls (documented in docs/API.md). */
export const modelLimits = {
  maxPromptBytes: 256 * 1024,
  maxEmbedTextBytes: 64 * 1024,
  maxTextsPerCall: 2048,
  /** Texts waiting per embedding model before RESOURCE_EXHAUSTED. */
  maxEmbedQueue: 4096,
  /** Generation calls waiting per model before RESOURCE_EXHAUSTED. */
  maxGenerationQueue: 64,
  /** Generation streams open at once across both doors, unless the service is told otherwise. */
  defaultMaxConcurrentStreams: 64,
} as const;

export interface ModelServiceOptions {
  /** Generation streams open at once (gRPC, SSE and OpenAI streaming together); one more is refused. */
  maxConcurrentStreams?: number;
  /** Where batch sizes and model call times are reported; nowhere by default. */
  telemetry?: Telemetry;
}

export interface EmbedOutput {
  vectors: number[][];
  dimension: number;
  truncated: boolean[];
  /** Tokens read in all, when the provider counts them. */
  tokens?: number;
}

/**
 * The ModelService operations, once for both doors: registry rules, parameter checks, queues and
 * micro-batching live here; providers only run models.
 */
export class ModelService {
  private readonly batchers = new Map<string, EmbeddingBatcher>();
  private readonly limiters = new Map<string, FifoLimiter>();
  private readonly streams: StreamSlots;
  private readonly telemetry: Telemetry;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly providers: ReadonlyMap<ProviderName, ModelProvider>,
    options: ModelServiceOptions = {},
  ) {
    this.streams = new StreamSlots(options.maxConcurrentStreams ?? modelLimits.defaultMaxConcurrentStreams);
    this.telemetry = options.telemetry ?? noTelemetry;
  }

  async register(input: ModelConfigInput | undefined): Promise<ModelConfig> {
    const config = parseModelConfig(input);
    await this.provider(config).validate(config);
    await this.registry.add(config);
    return config;
  }

  async unregister(name: string): Promise<void> {
    checkModelName(name, 'name');
    const old = await this.registry.remove(name);
    await this.forget(old);
  }

  list(): ModelConfig[] {
    return this.registry.list();
  }

  get(name: string): ModelConfig {
    checkModelName(name, 'name');
    return this.registry.get(name);
  }

  /** Replaces the config; an empty `config.name` keeps the name, another one renames. */
  async update(name: string, input: ModelConfigInput | undefined): Promise<ModelConfig> {
    checkModelName(name, 'name');
    this.registry.get(name);
    const config = parseModelConfig({ ...input, name: input?.name || name });
    await this.provider(config).validate(config);
    const old = await this.registry.replace(name, config);
    await this.forget(old);
    return config;
  }

  kindOf(config: ModelConfig): ModelKind {
    return this.provider(config).kindOf(config);
  }

  async generateText(name: string, prompt: string, parameters: Record<string, unknown> | null | undefined, options: ModelCallOptions = {}): Promise<GenerationResult> {
    const { config, provider, params } = this.prepareGeneration(name, prompt, parameters);
    const release = await this.limiter(config, provider).acquire(options.signal);
    try {
      return await this.timed(config, 'generate', () => provider.generate(config, prompt, params, options));
    } finally {
      release();
    }
  }

  /**
   * Validates before the first chunk, so bad input fails the call rather than the stream. The
   * stream slot is taken on the first pull (a stream never pulled never holds one) and before any
   * model work; it is given back when the stream ends, fails or is closed by a cancelled caller.
   */
  streamGenerateText(name: string, prompt: string, parameters: Record<string, unknown> | null | undefined, options: ModelCallOptions = {}): AsyncIterable<GenerationChunk> {
    const { config, provider, params } = this.prepareGeneration(name, prompt, parameters);
    const limiter = this.limiter(config, provider);
    const streams = this.streams;
    const telemetry = this.telemetry;
    return (async function* stream() {
      const releaseSlot = streams.take();
      try {
        const release = await limiter.acquire(options.signal);
        // Timed from the provider call on, like unary calls: queue wait is not model time.
        const started = performance.now();
        try {
          yield* provider.stream(config, prompt, params, options);
        } finally {
          release();
          telemetry.modelCall(config.provider, 'stream', (performance.now() - started) / 1000);
        }
      } finally {
        releaseSlot();
      }
    })();
  }

  /** Generation streams open now (for metrics and tests). */
  get openStreams(): number {
    return this.streams.inUse;
  }

  async embed(name: string, texts: string[], options: ModelCallOptions = {}, field = 'texts'): Promise<EmbedOutput> {
    const config = this.usable(name, 'embedding');
    if (texts.length === 0) throw errors.invalidArgument(field, 'must not be empty');
    if (texts.length > modelLimits.maxTextsPerCall) throw errors.tooLarge(field, `at most ${modelLimits.maxTextsPerCall} texts per call`);
    texts.forEach((t, i) => checkText(t, texts.length === 1 && field === 'text' ? field : `${field}[${i}]`, modelLimits.maxEmbedTextBytes));
    const provider = this.provider(config);
    const results = await this.batcher(config, provider).embed(texts, options.signal);
    const counted = results.every((r) => r.tokens !== undefined);
    return {
      vectors: results.map((r) => r.vector),
      dimension: results[0]!.vector.length,
      truncated: results.map((r) => r.truncated),
      ...(counted ? { tokens: results.reduce((n, r) => n + r.tokens!, 0) } : {}),
    };
  }

  /** Every enabled model answers (loaded or reachable). */
  async ready(names: string[]): Promise<boolean> {
    const checks = names.map(async (name) => {
      const config = this.registry.get(name);
      return this.provider(config).isReady(config);
    });
    return (await Promise.all(checks.map((c) => c.catch(() => false)))).every(Boolean);
  }

  /** Texts waiting in all embedding batchers and calls waiting in all generation limiters, read when metrics are scraped. */
  queueDepths(): { embedding: number; generation: number } {
    let embedding = 0;
    let generation = 0;
    for (const b of this.batchers.values()) embedding += b.depth;
    for (const l of this.limiters.values()) generation += l.queued;
    return { embedding, generation };
  }

  /** Embedding batch sizes and queue depths, for metrics and tests. */
  queues(): { model: string; embedQueue: number; generationQueue: number; batchSizes: number[] }[] {
    const names = new Set([...this.batchers.keys(), ...this.limiters.keys()]);
    return [...names].map((model) => ({
      model,
      embedQueue: this.batchers.get(model)?.depth ?? 0,
      generationQueue: this.limiters.get(model)?.queued ?? 0,
      batchSizes: [...(this.batchers.get(model)?.batchSizes ?? [])],
    }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.close()));
  }

  private prepareGeneration(name: string, prompt: string, parameters: Record<string, unknown> | null | undefined) {
    const config = this.usable(name, 'generation');
    checkText(prompt, 'prompt', modelLimits.maxPromptBytes);
    const provider = this.provider(config);
    const params = parseGenerationParams(parameters, provider.contextSizeOf(config));
    return { config, provider, params };
  }

  /** Known, enabled and of the right kind, in that order. */
  private usable(name: string, kind: ModelKind): ModelConfig {
    checkModelName(name, 'model_name');
    const config = this.registry.get(name);
    if (!config.enabled) throw errors.failedPrecondition(`model '${name}' is disabled; enable it with UpdateModelConfig`);
    const actual = this.provider(config).kindOf(config);
    if (actual !== kind) {
      throw errors.failedPrecondition(`model '${name}' is an ${actual === 'embedding' ? 'embedding' : 'text generation'} model; use ${actual === 'embedding' ? 'GenerateEmbedding' : 'GenerateText'}`);
    }
    return config;
  }

  private provider(config: ModelConfig): ModelProvider {
    const p = this.providers.get(config.provider);
    if (!p) throw errors.failedPrecondition(`provider '${config.provider}' is not available in this deployment`);
    return p;
  }

  private batcher(config: ModelConfig, provider: ModelProvider): EmbeddingBatcher {
    let b = this.batchers.get(config.name);
    if (!b) {
      b = new EmbeddingBatcher(
        (texts, signal) => this.timed(config, 'embed', () => provider.embed(config, texts, { signal })),
        provider.maxBatchOf(config),
        modelLimits.maxEmbedQueue,
        `model '${config.name}'`,
        this.telemetry,
      );
      this.batchers.set(config.name, b);
    }
    return b;
  }

  private limiter(config: ModelConfig, provider: ModelProvider): FifoLimiter {
    let l = this.limiters.get(config.name);
    if (!l) {
      l = new FifoLimiter(provider.concurrencyOf(config), modelLimits.maxGenerationQueue, `model '${config.name}'`);
      this.limiters.set(config.name, l);
    }
    return l;
  }

  /** The provider call alone: time spent queued is the limiter's or batcher's, not the model's. */
  private async timed<T>(config: ModelConfig, operation: ModelOperation, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } finally {
      this.telemetry.modelCall(config.provider, operation, (performance.now() - started) / 1000);
    }
  }

  private async forget(config: ModelConfig): Promise<void> {
    this.batchers.delete(config.name);
    this.limiters.delete(config.name);
    await this.provider(config).release(config);
  }
}
