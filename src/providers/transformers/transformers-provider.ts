import { join, resolve } from 'node:path';
import {
  wrongKind,
  type EmbeddingResult,
  type GenerationChunk,
  type GenerationResult,
  type ModelCallOptions,
  type ModelConfig,
  type ModelKind,
  type ModelProvider,
  type RerankScores,
} from '../../domain';
import { DomainError, errors } from '../../errors';
import { biEncoderScores } from './bi-encoder';
import { crossEncoderScores, type CrossEncoder } from './cross-encoder';
import { FALLBACK_WINDOW, windowOf, type EmbedProgress } from './embed-texts';
import { EmbeddingActivity } from './embedding-activity';
import { EmbeddingThreadLost } from './embedding-thread-messages';
import { DEFAULT_THREADS, EmbeddingThreads } from './embedding-threads';
import { checkHead, declaredDimension, declaredHead, declaredWindow, missingFiles } from './model-folder';
import { onnxSessionOptions } from './onnx-session-options';
import { SharedPipelines } from './shared-pipelines';
import { toDomainError } from './transformers-errors';
import { loadSdk } from './transformers-sdk';
import { parseTransformersParameters, type TransformersParameters } from './transformers-parameters';

/** The slice of a logger this provider uses (pino's Logger fits). */
export interface TransformersLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface TransformersProviderOptions {
  /** Where models live, laid out as transformers.js expects (`<owner>/<name>/onnx/model_quantized.onnx`, …). */
  modelCacheDir: string;
  /** Let transformers.js download missing files from the hub into modelCacheDir (needs internet). */
  allowRemoteModels: boolean;
  logger?: TransformersLogger;
  /** Worker threads per embedding model, each with its own copy of the weights (default 2; embedding-threads.ts). */
  embeddingThreads?: number;
}

const silent: TransformersLogger = { info: () => undefined, warn: () => undefined };

/**
 * Embedding and reranker models run in-process by transformers.js (ONNX Runtime on CPU). Embeddings
 * are feature extraction with mean pooling and L2 normalization; a reranker (parameters.kind
 * 'reranker') is a cross-encoder (a sequence-classification model scoring each query-document
 * pair) or a bi-encoder (the cosine of the two embeddings, over any embedding model's weights).
 * Each model is loaded once, on first use, and shared by every name using the same weights. A call
 * runs in chunks of padded tokens and stops between them when its signal fires (an ONNX run that
 * has begun cannot be interrupted); `activity` shows what is being computed.
 */
export class TransformersProvider implements ModelProvider {
  readonly name = 'transformers' as const;
  private readonly cacheDir: string;
  private readonly allowRemote: boolean;
  private readonly logger: TransformersLogger;
  private readonly pipelines = new SharedPipelines<EmbeddingThreads>();
  private readonly crossEncoders = new SharedPipelines<CrossEncoder>();
  /** Token windows of loaded models, by pipeline key. */
  private readonly windows = new Map<string, number>();
  readonly activity = new EmbeddingActivity();
  private readonly threads: number;

  constructor(options: TransformersProviderOptions) {
    this.cacheDir = resolve(options.modelCacheDir);
    this.allowRemote = options.allowRemoteModels;
    this.logger = options.logger ?? silent;
    this.threads = options.embeddingThreads ?? DEFAULT_THREADS;
  }

  kindOf(config: ModelConfig): ModelKind {
    return config.parameters.kind === 'reranker' ? 'reranker' : 'embedding';
  }

  /**
   * Parameters, files, and that config.json declares the right model: a cross-encoder is a
   * sequence-classification model with one label; an embedding model or a bi-encoder is not one
   * (its graph answers logits, not the hidden states pooling needs).
   */
  async validate(config: ModelConfig): Promise<void> {
    const params = parseTransformersParameters(config);
    const modelDir = this.modelDir(config);
    await this.requireFiles(config, params);
    checkHead(config.modelId, await declaredHead(modelDir), params.architecture);
    const dimension = await declaredDimension(modelDir);
    if (params.dimensions !== undefined && dimension !== undefined && params.dimensions !== dimension) {
      throw errors.invalidArgument('config.parameters.dimensions', `must equal the model's dimension ${dimension} (transformers models cannot shorten their output)`);
    }
  }

  /** One call at a time per model: a single ONNX run already uses every core. */
  concurrencyOf(_config: ModelConfig): number {
    return 1;
  }

  /**
   * One embedding batch per model thread (embedding-threads.ts): the batches compute side by side,
   * off the event loop, while the main thread answers the callers of the one that ended before.
   */
  batchesInFlightOf(config: ModelConfig): number {
    return this.kindOf(config) === 'embedding' ? this.threads : 1;
  }

  contextSizeOf(config: ModelConfig): number {
    const params = parseTransformersParameters(config);
    return this.windows.get(keyOf(config, params)) ?? declaredWindow(this.modelDir(config)) ?? FALLBACK_WINDOW;
  }

  maxBatchOf(config: ModelConfig): number {
    return parseTransformersParameters(config).maxBatch;
  }

  /**
   * Texts past the window are cut to it (as sentence-transformers does) and flagged in `truncated`.
   * An ONNX run cannot be interrupted, so the signal is checked before loading, before each run of
   * the batch (embed-texts.ts) and after the last: a caller who left gets CANCELLED (or its
   * signal's reason) like from every provider.
   */
  async embed(config: ModelConfig, texts: string[], options: ModelCallOptions = {}): Promise<EmbeddingResult> {
    const { signal } = options;
    const params = parseTransformersParameters(config);
    if (params.kind !== 'embedding') throw wrongKind(config.name, params.kind, KIND_FROM);
    if (signal?.aborted) throw errors.abortedBy(signal.reason);
    const key = keyOf(config, params);
    const tracker = this.activity.begin(config.name);
    try {
      const result = await this.pipelines.use(key, config.name, () => this.load(config, params), async (thread) => {
        if (signal?.aborted) throw errors.abortedBy(signal.reason);
        const result = await thread.embed(texts, this.windows.get(key) ?? thread.window, {
          signal,
          onChunk: (chunk, chunks, start, end) => tracker.chunk(chunk, chunks, end - start),
        });
        if (params.dimensions !== undefined && result.dimension !== params.dimensions) {
          throw errors.failedPrecondition(`model '${config.name}' produces ${result.dimension} dimensions, but its parameters.dimensions is ${params.dimensions}`);
        }
        return result;
      });
      if (signal?.aborted) throw errors.abortedBy(signal.reason);
      return result;
    } catch (cause) {
      // The caller gets a retryable UNAVAILABLE; the operator gets why the thread went.
      if (cause instanceof EmbeddingThreadLost) this.logger.warn({ model: config.name, err: cause }, 'embedding thread stopped');
      throw this.mapped(cause, config);
    } finally {
      tracker.end();
    }
  }

  /**
   * Scores by the reranker's architecture (cross-encoder.ts, bi-encoder.ts), in runs of at most
   * CHUNK_TOKENS padded tokens; the signal is checked as in `embed`.
   */
  async rerank(config: ModelConfig, query: string, documents: string[], options: ModelCallOptions = {}): Promise<RerankScores> {
    const { signal } = options;
    const params = parseTransformersParameters(config);
    if (params.kind !== 'reranker') throw wrongKind(config.name, params.kind, KIND_FROM);
    if (signal?.aborted) throw errors.abortedBy(signal.reason);
    const key = keyOf(config, params);
    const tracker = this.activity.begin(config.name);
    const progress: EmbedProgress = { signal, onChunk: (chunk, chunks, start, end) => tracker.chunk(chunk, chunks, end - start) };
    try {
      const scored = await this.withModel(config, params, async (model) => {
        if (signal?.aborted) throw errors.abortedBy(signal.reason);
        const window = this.windows.get(key) ?? ('thread' in model ? model.thread.window : windowOf(model.encoder));
        return 'thread' in model
          ? biEncoderScores((texts) => model.thread.embed(texts, window, progress), query, documents)
          : crossEncoderScores(model.encoder, query, documents, window, params.activation, progress);
      });
      if (signal?.aborted) throw errors.abortedBy(signal.reason);
      return scored;
    } catch (cause) {
      throw this.mapped(cause, config);
    } finally {
      tracker.end();
    }
  }

  generate(config: ModelConfig, _prompt: string, _params: unknown, _options?: ModelCallOptions): Promise<GenerationResult> {
    return Promise.reject(wrongKind(config.name, this.kindOf(config)));
  }

  /** Throws on the first `next()`: the domain calls it inside its own generator. */
  stream(config: ModelConfig, _prompt: string, _params: unknown, _options?: ModelCallOptions): AsyncIterable<GenerationChunk> {
    return {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(wrongKind(config.name, this.kindOf(config))) }),
    };
  }

  /** Loads the model if needed: readiness means the weights are in memory and answer. */
  async isReady(config: ModelConfig): Promise<boolean> {
    try {
      await this.withModel(config, parseTransformersParameters(config), async () => undefined);
      return true;
    } catch (cause) {
      this.logger.warn({ model: config.name, err: this.mapped(cause, config) }, 'embedding model not ready');
      return false;
    }
  }

  async release(config: ModelConfig): Promise<void> {
    await Promise.all([this.pipelines.release(config.name), this.crossEncoders.release(config.name)]);
  }

  async close(): Promise<void> {
    await Promise.all([this.pipelines.close(), this.crossEncoders.close()]);
  }

  /** Runs `work` on the loaded model a config names: a cross-encoder, or the feature-extraction pipeline's thread. */
  private withModel<T>(config: ModelConfig, params: TransformersParameters, work: (model: { thread: EmbeddingThreads } | { encoder: CrossEncoder }) => Promise<T>): Promise<T> {
    const key = keyOf(config, params);
    if (params.architecture === 'cross-encoder') {
      return this.crossEncoders.use(key, config.name, () => this.loadCrossEncoder(config, params), (encoder) => work({ encoder }));
    }
    return this.pipelines.use(key, config.name, () => this.load(config, params), (thread) => work({ thread }));
  }

  /**
   * transformers.js reads these from its global env; one process has one MODEL_CACHE_DIR, and
   * using it as both the local folder and the download cache means a hub download lands in the
   * same layout scripts/fetch-models produces.
   */
  private async sdk() {
    const sdk = await loadSdk();
    sdk.env.localModelPath = this.cacheDir;
    sdk.env.cacheDir = this.cacheDir;
    sdk.env.allowLocalModels = true;
    sdk.env.allowRemoteModels = this.allowRemote;
    return sdk;
  }

  /** Every file the model needs is under MODEL_CACHE_DIR, unless they may be downloaded: FAILED_PRECONDITION naming the missing ones. */
  private async requireFiles(config: ModelConfig, params: TransformersParameters): Promise<void> {
    if (this.allowRemote) return;
    const missing = await missingFiles(this.modelDir(config), params.dtype);
    if (missing.length > 0) {
      throw errors.failedPrecondition(
        `model '${config.modelId}': files missing: ${missing.join(', ')} (run npm run fetch-models, or set ALLOW_REMOTE_MODELS=true with internet access)`,
      );
    }
  }

  /**
   * AutoModelForSequenceClassification and its tokenizer, not the text-classification pipeline
   * (cross-encoder.ts says why). The files are checked first: AutoTokenizer answers a missing
   * folder with a TypeError rather than the library's file-not-found error.
   */
  private async loadCrossEncoder(config: ModelConfig, params: TransformersParameters): Promise<CrossEncoder> {
    const started = Date.now();
    await this.requireFiles(config, params);
    const { AutoTokenizer, AutoModelForSequenceClassification } = await this.sdk();
    const files = { cache_dir: this.cacheDir, local_files_only: !this.allowRemote };
    const tokenizer = await AutoTokenizer.from_pretrained(config.modelId, files);
    const model = await AutoModelForSequenceClassification.from_pretrained(config.modelId, { ...files, dtype: params.dtype, session_options: onnxSessionOptions() });
    const encoder: CrossEncoder = {
      tokenizer: tokenizer as unknown as CrossEncoder['tokenizer'],
      model: model as unknown as CrossEncoder['model'],
      dispose: async () => void (await model.dispose()),
    };
    this.windows.set(keyOf(config, params), windowOf(encoder));
    this.logger.info({ model: config.name, modelId: config.modelId, dtype: params.dtype, ms: Date.now() - started }, 'cross-encoder model loaded');
    return encoder;
  }

  /** The feature-extraction pipeline, loaded on threads of its own (embedding-threads.ts). */
  private async load(config: ModelConfig, params: TransformersParameters): Promise<EmbeddingThreads> {
    const started = Date.now();
    const thread = await EmbeddingThreads.start({ modelId: config.modelId, dtype: params.dtype, cacheDir: this.cacheDir, allowRemote: this.allowRemote }, this.threads);
    this.windows.set(keyOf(config, params), thread.window);
    this.logger.info({ model: config.name, modelId: config.modelId, dtype: params.dtype, ms: Date.now() - started }, 'embedding model loaded');
    return thread;
  }

  private mapped(cause: unknown, config: ModelConfig): DomainError {
    return toDomainError(cause, { modelId: config.modelId, modelDir: this.modelDir(config) });
  }

  private modelDir(config: ModelConfig): string {
    return join(this.cacheDir, config.modelId);
  }
}

/**
 * Registry names with the same weights and dtype share one loaded model: an embedding model and a
 * bi-encoder reranker over the same files share one pipeline; a cross-encoder is loaded as one.
 */
function keyOf(config: ModelConfig, params: TransformersParameters): string {
  return `${config.modelId}|${params.dtype}${params.architecture === 'cross-encoder' ? '|cross-encoder' : ''}`;
}

/** Where a transformers model's kind comes from, for the wrong-kind message. */
const KIND_FROM = ' (transformers, parameters.kind)';
