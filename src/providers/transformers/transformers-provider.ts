import { join, resolve } from 'node:path';
import type { EmbeddingResult, GenerationChunk, GenerationResult, ModelCallOptions, ModelConfig, ModelKind, ModelProvider } from '../../domain';
import { DomainError, errors } from '../../errors';
import { embedTexts, FALLBACK_WINDOW, windowOf } from './embed-texts';
import { EmbeddingActivity } from './embedding-activity';
import { declaredDimension, declaredWindow, missingFiles } from './model-folder';
import { SharedPipelines } from './shared-pipelines';
import { toDomainError } from './transformers-errors';
import { loadSdk, type FeatureExtractionPipeline } from './transformers-sdk';
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
}

const silent: TransformersLogger = { info: () => undefined, warn: () => undefined };

/**
 * Embedding models run in-process by transformers.js (ONNX Runtime on CPU): feature extraction with
 * mean pooling and L2 normalization. Each model is loaded once, on first use, and shared. A call
 * runs in chunks (embed-texts.ts) and stops between them when its signal fires (an ONNX run that
 * has begun cannot be interrupted); `activity` shows what is being computed.
 */
export class TransformersProvider implements ModelProvider {
  readonly name = 'transformers' as const;
  private readonly cacheDir: string;
  private readonly allowRemote: boolean;
  private readonly logger: TransformersLogger;
  private readonly pipelines = new SharedPipelines<FeatureExtractionPipeline>();
  /** Token windows of loaded models, by pipeline key. */
  private readonly windows = new Map<string, number>();
  readonly activity = new EmbeddingActivity();

  constructor(options: TransformersProviderOptions) {
    this.cacheDir = resolve(options.modelCacheDir);
    this.allowRemote = options.allowRemoteModels;
    this.logger = options.logger ?? silent;
  }

  kindOf(_config: ModelConfig): ModelKind {
    return 'embedding';
  }

  async validate(config: ModelConfig): Promise<void> {
    const params = parseTransformersParameters(config);
    const modelDir = this.modelDir(config);
    if (!this.allowRemote) {
      const missing = await missingFiles(modelDir, params.dtype);
      if (missing.length > 0) {
        throw errors.failedPrecondition(
          `model '${config.modelId}': files missing: ${missing.join(', ')} (run npm run fetch-models, or set ALLOW_REMOTE_MODELS=true with internet access)`,
        );
      }
    }
    const dimension = await declaredDimension(modelDir);
    if (params.dimensions !== undefined && dimension !== undefined && params.dimensions !== dimension) {
      throw errors.invalidArgument('config.parameters.dimensions', `must equal the model's dimension ${dimension} (transformers models cannot shorten their output)`);
    }
  }

  /** One call at a time per model: a single ONNX run already uses every core. */
  concurrencyOf(_config: ModelConfig): number {
    return 1;
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
    if (signal?.aborted) throw errors.abortedBy(signal.reason);
    const params = parseTransformersParameters(config);
    const key = keyOf(config, params);
    const tracker = this.activity.begin(config.name);
    try {
      const result = await this.pipelines.use(key, config.name, () => this.load(config, params), async (pipe) => {
        if (signal?.aborted) throw errors.abortedBy(signal.reason);
        const window = this.windows.get(key) ?? windowOf(pipe);
        const result = await embedTexts(pipe, texts, window, {
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
      throw this.mapped(cause, config);
    } finally {
      tracker.end();
    }
  }

  generate(config: ModelConfig, _prompt: string, _params: unknown, _options?: ModelCallOptions): Promise<GenerationResult> {
    return Promise.reject(notGeneration(config));
  }

  /** Throws on the first `next()`: the domain calls it inside its own generator. */
  stream(config: ModelConfig, _prompt: string, _params: unknown, _options?: ModelCallOptions): AsyncIterable<GenerationChunk> {
    return {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(notGeneration(config)) }),
    };
  }

  /** Loads the model if needed: readiness means the weights are in memory and answer. */
  async isReady(config: ModelConfig): Promise<boolean> {
    try {
      const params = parseTransformersParameters(config);
      await this.pipelines.use(keyOf(config, params), config.name, () => this.load(config, params), async () => undefined);
      return true;
    } catch (cause) {
      this.logger.warn({ model: config.name, err: this.mapped(cause, config) }, 'embedding model not ready');
      return false;
    }
  }

  async release(config: ModelConfig): Promise<void> {
    await this.pipelines.release(config.name);
  }

  async close(): Promise<void> {
    await this.pipelines.close();
  }

  private async load(config: ModelConfig, params: TransformersParameters): Promise<FeatureExtractionPipeline> {
    const started = Date.now();
    const { env, pipeline } = await loadSdk();
    // transformers.js reads these from its global env; one process has one MODEL_CACHE_DIR, and
    // using it as both the local folder and the download cache means a hub download lands in the
    // same layout scripts/fetch-models produces.
    env.localModelPath = this.cacheDir;
    env.cacheDir = this.cacheDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = this.allowRemote;
    const pipe = await pipeline('feature-extraction', config.modelId, {
      dtype: params.dtype,
      cache_dir: this.cacheDir,
      local_files_only: !this.allowRemote,
    });
    this.windows.set(keyOf(config, params), windowOf(pipe));
    this.logger.info({ model: config.name, modelId: config.modelId, dtype: params.dtype, ms: Date.now() - started }, 'embedding model loaded');
    return pipe;
  }

  private mapped(cause: unknown, config: ModelConfig): DomainError {
    return toDomainError(cause, { modelId: config.modelId, modelDir: this.modelDir(config) });
  }

  private modelDir(config: ModelConfig): string {
    return join(this.cacheDir, config.modelId);
  }
}

/** Registry names with the same weights and dtype share one pipeline. */
function keyOf(config: ModelConfig, params: TransformersParameters): string {
  return `${config.modelId}|${params.dtype}`;
}

function notGeneration(config: ModelConfig): DomainError {
  return errors.failedPrecondition(`model '${config.name}' is an embedding model; use GenerateEmbedding`);
}
