import type {
  EmbeddingResult,
  GenerationChunk,
  GenerationParams,
  GenerationResult,
  ModelCallOptions,
  ModelConfig,
  ModelKind,
  ProviderName,
  RerankScores,
} from '../model/model-types';

/**
 * The port every model provider implements (src/providers/*). The domain has already checked
 * the registry rules (name, enabled, kind) and the generation parameters' shapes.
 */
export interface ModelProvider {
  readonly name: ProviderName;

  /** What a config of this provider does (e.g. transformers → embedding, or reranker by parameters.kind). */
  kindOf(config: ModelConfig): ModelKind;

  /**
   * Checks a config before it enters the registry: parameter types (INVALID_ARGUMENT naming
   * `config.parameters.x`), local files (FAILED_PRECONDITION naming the missing path).
   */
  validate(config: ModelConfig): Promise<void>;

  /** Generation contexts a model may run at once; further calls queue in arrival order. */
  concurrencyOf(config: ModelConfig): number;

  /** Tokens the model can attend to (prompt + completion); max_tokens above it is rejected. */
  contextSizeOf(config: ModelConfig): number;

  /** Largest batch `embed` should receive in one call. */
  maxBatchOf(config: ModelConfig): number;

  /**
   * `embed` calls the domain may have running at once for one model (default 1). A provider whose
   * model computes off the event loop says 2: the next batch is handed over while one runs.
   */
  batchesInFlightOf?(config: ModelConfig): number;

  embed(config: ModelConfig, texts: string[], options?: ModelCallOptions): Promise<EmbeddingResult>;

  generate(config: ModelConfig, prompt: string, params: GenerationParams, options?: ModelCallOptions): Promise<GenerationResult>;

  /**
   * One score per document for `query` (reranker models), in input order: the domain has checked
   * the sizes and orders them. The provider runs the pairs in as few model runs as its runtime
   * allows and stops between runs when the signal fires.
   */
  rerank(config: ModelConfig, query: string, documents: string[], options?: ModelCallOptions): Promise<RerankScores>;

  /** Chunks as tokens are produced, then one `done` chunk. Stops producing when the signal aborts. */
  stream(config: ModelConfig, prompt: string, params: GenerationParams, options?: ModelCallOptions): AsyncIterable<GenerationChunk>;

  /** Whether the model is loaded (or reachable) and can answer now. */
  isReady(config: ModelConfig): Promise<boolean>;

  /** Drops anything loaded for this model name (after unregister or update). */
  release(config: ModelConfig): Promise<void>;

  close(): Promise<void>;
}
