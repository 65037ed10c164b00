import {
  wrongKind,
  type EmbeddingResult,
  type FinishReason,
  type GenerationChunk,
  type GenerationParams,
  type GenerationResult,
  type ModelCallOptions,
  type ModelConfig,
  type ModelKind,
  type ModelProvider,
  type RerankScores,
} from '../../domain';
import { errors } from '../../errors';
import { ChunkQueue } from './chunk-queue';
import { GenerationActivity } from './generation-activity';
import { checkGgufFile } from './gguf-file';
import { cancellation, toDomainError } from './llamacpp-errors';
import { generateOn } from './llamacpp-generation';
import { LoadedModel } from './llamacpp-loaded-model';
import { LlamaModels, LlamaRuntime, type LlamaCppLogger } from './llamacpp-models';
import { LoadedRanker, noRankingHead } from './llamacpp-ranker';
import { defaultThreads, parseLlamaSettings, type LlamaSettings } from './llamacpp-settings';

export interface LlamaCppProviderOptions {
  /** Where GGUF files live; `model_id` is a path relative to it. */
  modelCacheDir: string;
  logger?: LlamaCppLogger;
  /** CPU only: the provider never offloads to a GPU. */
  gpu?: false;
  /** Threads per model context when `parameters.threads` is absent (default: half the cores). */
  threads?: number;
}

const silent: LlamaCppLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Local GGUF text generation with node-llama-cpp 3 (llama.cpp, prebuilt CPU binary). Each model is
 * loaded once per name, with `parameters.concurrency` sequences decoded in parallel; every call
 * gets a fresh chat session (or raw completion with `chat_template: false`). A GGUF with a ranking
 * head registered with parameters.kind 'reranker' is served through a ranking context instead
 * (llamacpp-ranker.ts).
 *
 * Cancellation: the caller's signal, and a consumer that stops iterating a stream, both abort the
 * node-llama-cpp call, which stops between two tokens; a caller whose signal fired gets CANCELLED
 * (or its signal's reason). `activity` reports when a generation has really ended, so tests can
 * observe the generator stop rather than only the stream.
 */
export class LlamaCppProvider implements ModelProvider {
  readonly name = 'llamacpp' as const;
  /** Running generations, their end events and a count of produced tokens. */
  readonly activity = new GenerationActivity();
  private readonly cacheDir: string;
  private readonly threads: number;
  private readonly logger: LlamaCppLogger;
  private readonly runtime: LlamaRuntime;
  private readonly models: LlamaModels<LoadedModel>;
  private readonly rankers: LlamaModels<LoadedRanker>;

  constructor(options: LlamaCppProviderOptions) {
    this.cacheDir = options.modelCacheDir;
    this.threads = options.threads ?? defaultThreads();
    this.logger = options.logger ?? silent;
    this.runtime = new LlamaRuntime(this.logger);
    this.models = new LlamaModels(this.logger, this.runtime, ({ sdk, llama }, settings) => LoadedModel.load(sdk, llama, settings), 'model loaded');
    this.rankers = new LlamaModels(this.logger, this.runtime, LoadedRanker.load, 'ranking model loaded');
  }

  kindOf(config: ModelConfig): ModelKind {
    return config.parameters.kind === 'reranker' ? 'reranker' : 'generation';
  }

  /**
   * The file is there and is GGUF; a reranker's file has a ranking head (read from the GGUF
   * header, without loading the weights), so a generation model registered as a reranker is
   * refused here rather than at its first call.
   */
  async validate(config: ModelConfig): Promise<void> {
    const settings = this.settings(config);
    await checkGgufFile(settings.modelPath);
    if (settings.kind !== 'reranker') return;
    let ranks: boolean;
    try {
      const { sdk, llama } = await this.runtime.open();
      ranks = (await sdk.GgufInsights.from(await sdk.readGgufFileInfo(settings.modelPath), llama)).supportsRanking;
    } catch (cause) {
      throw toDomainError(cause, 'load', settings.modelPath);
    }
    if (!ranks) throw errors.failedPrecondition(noRankingHead(settings.modelPath));
  }

  concurrencyOf(config: ModelConfig): number {
    return this.settings(config).concurrency;
  }

  contextSizeOf(config: ModelConfig): number {
    return this.settings(config).contextSize;
  }

  /** Embedding is not offered: `embed` always refuses. */
  maxBatchOf(_config: ModelConfig): number {
    return 1;
  }

  async embed(config: ModelConfig, _texts: string[]): Promise<EmbeddingResult> {
    throw wrongKind(config.name, this.kindOf(config), KIND_FROM);
  }

  /**
   * Through the model's ranking context, in groups of RANK_GROUP pairs; the caller's signal is
   * checked before the load and between groups, and answers as for generation.
   */
  async rerank(config: ModelConfig, query: string, documents: string[], options: ModelCallOptions = {}): Promise<RerankScores> {
    const settings = this.settings(config);
    if (settings.kind !== 'reranker') throw wrongKind(config.name, 'generation', KIND_FROM);
    const stop = new AbortController();
    const unlink = follow(options.signal, stop);
    try {
      const ranker = await untilAborted(() => this.rankers.get(config.name, settings), stop.signal);
      return await ranker.rank(query, documents, stop.signal, () => undefined);
    } catch (cause) {
      const error = toDomainError(cause, 'generate', settings.modelPath, stop.signal);
      if (error.code === 'INTERNAL') this.logger.error({ model: config.name, err: cause }, 'ranking failed');
      throw error;
    } finally {
      unlink();
    }
  }

  /** Generations running now, across models. */
  activeGenerations(): number {
    return this.activity.active;
  }

  /**
   * A caller whose signal fires gets CANCELLED (or the signal's reason), as from every provider,
   * not the partial text: it has gone. finishReason 'cancelled' is left for generations the
   * service itself stopped (the model unloaded mid-call).
   */
  async generate(config: ModelConfig, prompt: string, params: GenerationParams, options: ModelCallOptions = {}): Promise<GenerationResult> {
    const stop = new AbortController();
    const unlink = follow(options.signal, stop);
    try {
      const result = await this.run(config, prompt, params, stop);
      if (options.signal?.aborted) throw cancellation(options.signal);
      return result;
    } finally {
      unlink();
    }
  }

  async *stream(config: ModelConfig, prompt: string, params: GenerationParams, options: ModelCallOptions = {}): AsyncGenerator<GenerationChunk> {
    const stop = new AbortController();
    const unlink = follow(options.signal, stop);
    const queue = new ChunkQueue();
    const run = this.run(config, prompt, params, stop, (text) => queue.push(text));
    run.then(
      () => queue.end(),
      (error: unknown) => queue.end({ error }),
    );
    try {
      // No chunk after the caller's abort, even one already produced: the next pull throws.
      for await (const text of queue) {
        if (options.signal?.aborted) throw cancellation(options.signal);
        yield { done: false, text };
      }
      const result = await run;
      if (options.signal?.aborted) throw cancellation(options.signal);
      yield { done: true, result };
    } finally {
      // Also reached when the consumer stops early (break, return(), a closed transport): the
      // generation is aborted and awaited, so it has stopped and freed its sequence by the time
      // this generator returns.
      stop.abort();
      unlink();
      await run.catch(() => undefined);
    }
  }

  async isReady(config: ModelConfig): Promise<boolean> {
    try {
      const settings = this.settings(config);
      await (settings.kind === 'reranker' ? this.rankers : this.models).get(config.name, settings);
      return true;
    } catch (err) {
      this.logger.warn({ model: config.name, err }, 'model not ready');
      return false;
    }
  }

  async release(config: ModelConfig): Promise<void> {
    await Promise.all([this.models.release(config.name), this.rankers.release(config.name)]);
  }

  async close(): Promise<void> {
    await Promise.all([this.models.close(), this.rankers.close()]);
    await this.runtime.close();
  }

  private settings(config: ModelConfig): LlamaSettings {
    return parseLlamaSettings(config, this.cacheDir, this.threads);
  }

  /** One generation from its start to its real end; `stop` aborts it. */
  private async run(config: ModelConfig, prompt: string, params: GenerationParams, stop: AbortController, onText?: (text: string) => void): Promise<GenerationResult> {
    const settings = this.settings(config);
    if (settings.kind !== 'generation') throw wrongKind(config.name, settings.kind, KIND_FROM);
    const loaded = await untilAborted(() => this.models.get(config.name, settings), stop.signal);
    const sequence = await loaded.acquire(stop);
    const tracker = this.activity.begin(config.name);
    let finish: FinishReason | 'error' = 'error';
    try {
      const result = await generateOn(loaded, sequence, settings, prompt, params, { signal: stop.signal, onText, onTokens: tracker.tokens });
      finish = result.finishReason;
      return result;
    } catch (cause) {
      const error = toDomainError(cause, 'generate', settings.modelPath, stop.signal);
      if (error.code === 'INTERNAL') this.logger.error({ model: config.name, err: cause }, 'generation failed');
      throw error;
    } finally {
      loaded.release(sequence, stop);
      tracker.end(finish);
    }
  }
}

/** Where a llamacpp model's kind comes from, for the wrong-kind message. */
const KIND_FROM = ' (llamacpp)';

/** Aborts `stop` when the caller's signal does; returns the unsubscribe function. */
function follow(signal: AbortSignal | undefined, stop: AbortController): () => void {
  if (!signal) return () => undefined;
  const onAbort = (): void => stop.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/**
 * A caller who leaves while the model loads is answered at once; the load goes on for the next
 * one. An already-aborted caller starts nothing, not even the load.
 */
function untilAborted<T>(start: () => Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(cancellation(signal));
  const work = start();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancellation(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
