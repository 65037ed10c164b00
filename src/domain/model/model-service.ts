import { errors } from '../../errors';
import { noTelemetry, type Telemetry } from '../ports/telemetry';
import type { ModelProvider } from '../ports/model-provider';
import { ModelRegistry } from './model-registry';
import { StreamSlots } from './stream-slots';
import { checkSampling, CHAT_PROMPT_FIELD, type ChatRequest, type CompletionRequest } from './chat-prompt';
import { chatShape, COMPLETION_SHAPE, renamedPrompt, shapedChunks, type GenerationShape } from './generation-shape';
import { truncateEmbeddings } from './matryoshka';
import { modelLimits } from './model-limits';
import { ModelQueues } from './model-queues';
import { wrongKind } from './model-kinds';
import { checkRerankInput } from './rerank-input';
import { bindingOf, boundModelChange, stillBound } from './model-bindings';
import type { TextModels } from '../vector/text-models';
import type { CallOptions, EmbeddingBinding } from '../vector/vector-types';
import {
  modelMessages,
  reranking,
  textGeneration,
  tokensUsed,
  type Embedding,
  type Embeddings,
  type ModelDone,
  type Reranking,
  type TextChunk,
  type TextGeneration,
} from './model-results';
import type { GenerationParams, ModelCallOptions, ModelConfig, ModelKind, ProviderName } from './model-types';
import { checkModelName, checkText, parseGenerationParams, parseModelConfig, type ModelConfigInput } from './model-validation';

export interface ModelServiceOptions {
  /** Generation streams open at once (gRPC, SSE and OpenAI streaming together); one more is refused. */
  maxConcurrentStreams?: number;
  /** Where batch sizes and model call times are reported; nowhere by default. */
  telemetry?: Telemetry;
}

/** What a caller may ask of embeddings besides the texts. */
export interface EmbedSettings {
  /**
   * The size the caller expects: the model's own, or one of the sizes its config declares it can
   * be cut to (`parameters.matryoshka_dimensions`, matryoshka.ts).
   */
  dimensions?: number;
}

/** What a caller may ask of Rerank besides query and documents. */
export interface RerankOptions extends ModelCallOptions {
  /** How many results, best first; 0 or absent: every document. */
  topN?: number;
}

/**
 * The ModelService operations, once for both doors: registry rules, parameter checks, queues and
 * micro-batching live here; providers only run models.
 */
export class ModelService {
  private readonly lanes: ModelQueues;
  private readonly streams: StreamSlots;
  private readonly telemetry: Telemetry;
  /** The collections bound to a model (set by the composition root; none by default). */
  private boundCollections: (model: string) => Promise<string[]> = () => Promise.resolve([]);

  constructor(
    private readonly registry: ModelRegistry,
    private readonly providers: ReadonlyMap<ProviderName, ModelProvider>,
    options: ModelServiceOptions = {},
  ) {
    this.streams = new StreamSlots(options.maxConcurrentStreams ?? modelLimits.defaultMaxConcurrentStreams);
    this.telemetry = options.telemetry ?? noTelemetry;
    this.lanes = new ModelQueues(this.telemetry);
  }

  async register(input: ModelConfigInput | undefined): Promise<ModelDone> {
    const config = parseModelConfig(input);
    await this.provider(config).validate(config);
    await this.registry.add(config);
    return { config, message: modelMessages.registered(config.name) };
  }

  /** Tells the registry which collections are bound to a model, so it refuses to pull one from under them. */
  guardBindings(boundCollections: (model: string) => Promise<string[]>): void {
    this.boundCollections = boundCollections;
  }

  async unregister(name: string): Promise<{ message: string }> {
    checkModelName(name, 'name');
    this.registry.get(name);
    const bound = await this.boundCollections(name);
    if (bound.length > 0) throw boundModelChange(name, bound, 'unregister');
    const old = await this.registry.remove(name);
    await this.forget(old);
    return { message: modelMessages.unregistered(name) };
  }

  list(): ModelConfig[] {
    return this.registry.list();
  }

  /** The models a caller can use, by name: disabled ones are left out. */
  listEnabled(): ModelConfig[] {
    return this.registry.list().filter((m) => m.enabled);
  }

  get(name: string): ModelConfig {
    checkModelName(name, 'name');
    return this.registry.get(name);
  }

  /** One model of listEnabled(); a disabled one is NOT_FOUND, as it is absent from that list. */
  getEnabled(name: string): ModelConfig {
    const config = this.get(name);
    if (!config.enabled) throw errors.modelNotFound(name);
    return config;
  }

  /** Replaces the config; an empty `config.name` keeps the name, another one renames. */
  async update(name: string, input: ModelConfigInput | undefined): Promise<ModelDone> {
    checkModelName(name, 'name');
    this.registry.get(name);
    const config = parseModelConfig({ ...input, name: input?.name || name });
    await this.provider(config).validate(config);
    const bound = await this.boundCollections(name);
    if (bound.length > 0 && config.name !== name) throw boundModelChange(name, bound, 'rename');
    const current = this.registry.get(name);
    if (bound.length > 0 && !stillBound(bindingOf(current, 0), config)) throw boundModelChange(name, bound, 'change the provider, model_id, dtype or dimensions of');
    const old = await this.registry.replace(name, config);
    await this.forget(old);
    return { config, message: modelMessages.updated(name, config.name) };
  }

  kindOf(config: ModelConfig): ModelKind {
    return this.provider(config).kindOf(config);
  }

  async generateText(name: string, prompt: string, parameters: Record<string, unknown> | null | undefined, options: ModelCallOptions = {}): Promise<TextGeneration> {
    return this.generate(name, prompt, 'prompt', parameters, options);
  }

  /**
   * A conversation, rendered into one prompt (chat-prompt.ts), then as generateText; a response
   * format or tools constrain the answer's form (structured-output.ts).
   */
  async chat(name: string, request: ChatRequest, options: ModelCallOptions = {}): Promise<TextGeneration> {
    const { prompt, shape } = chatShape(request);
    return this.generate(name, prompt, CHAT_PROMPT_FIELD, request.parameters, options, shape);
  }

  /** A completion: the prompt continued as plain text, without the model's chat template. */
  async complete(name: string, request: CompletionRequest, options: ModelCallOptions = {}): Promise<TextGeneration> {
    checkSampling(request);
    return this.generate(name, request.prompt, 'prompt', request.parameters, options, COMPLETION_SHAPE);
  }

  /**
   * Validates before the first chunk, so bad input fails the call rather than the stream. The
   * stream slot is taken on the first pull (a stream never pulled never holds one) and before any
   * model work; it is given back when the stream ends, fails or is closed by a cancelled caller.
   */
  streamGenerateText(name: string, prompt: string, parameters: Record<string, unknown> | null | undefined, options: ModelCallOptions = {}): AsyncIterable<TextChunk> {
    return this.stream(name, prompt, 'prompt', parameters, options);
  }

  /**
   * A conversation as streamGenerateText; bad input fails the call, before the first chunk. An
   * answer read as tool calls is held until it is whole (a half-generated call cannot be parsed),
   * then sent as one chunk carrying the calls.
   */
  streamChat(name: string, request: ChatRequest, options: ModelCallOptions = {}): AsyncIterable<TextChunk> {
    const { prompt, shape } = chatShape(request);
    return this.stream(name, prompt, CHAT_PROMPT_FIELD, request.parameters, options, shape);
  }

  /** A completion as a stream of text pieces. */
  streamComplete(name: string, request: CompletionRequest, options: ModelCallOptions = {}): AsyncIterable<TextChunk> {
    checkSampling(request);
    return this.stream(name, request.prompt, 'prompt', request.parameters, options, COMPLETION_SHAPE);
  }

  /** Generation streams open now (for metrics and tests). */
  get openStreams(): number {
    return this.streams.inUse;
  }

  /**
   * GenerateEmbedding: one text, reported as `text`. Two methods rather than one taking the field
   * name to report: one text and a list are two operations with two request shapes, and each names
   * its own fields (the proto's, which REST shares). A door naming them otherwise (OpenAI's `input`)
   * renames them in its one error table (http/openai-api/openai-errors.ts); no door hands the domain a name.
   */
  async embedOne(name: string, text: string, options: ModelCallOptions = {}, settings: EmbedSettings = {}): Promise<Embedding> {
    const many = await this.embedTexts(name, [text], 'text', options, settings);
    const metadata = { model: name, truncated: many.truncated[0]!, ...tokensUsed(many.tokens) };
    const tokens = many.tokens === undefined ? {} : { tokens: many.tokens };
    return { vector: many.vectors[0]!, dimension: many.dimension, truncated: many.truncated[0]!, ...tokens, metadata };
  }

  /** GenerateEmbeddings: up to 2048 texts, reported as `texts` and `texts[i]`. */
  async embed(name: string, texts: string[], options: ModelCallOptions = {}, settings: EmbedSettings = {}): Promise<Embeddings> {
    return this.embedTexts(name, texts, 'texts', options, settings);
  }

  /**
   * Rerank: every document scored against `query` by a reranker model, answered best first (equal
   * scores by index) and cut to `topN`. One provider call on the model's limiter, like a
   * generation: the provider runs the pairs in as few model runs as it can and stops between them
   * when the caller leaves.
   */
  async rerank(name: string, query: string, documents: string[], options: RerankOptions = {}): Promise<Reranking> {
    const config = this.usable(name, 'reranker');
    const count = checkRerankInput(query, documents, options.topN);
    const provider = this.provider(config);
    const release = await this.lanes.limiter(config, provider).acquire(options.signal);
    try {
      const scored = await this.lanes.timed(config, 'rerank', () => provider.rerank(config, query, documents, { signal: options.signal }));
      return reranking(name, scored, documents.length, count);
    } finally {
      release();
    }
  }

  private stream(
    name: string,
    prompt: string,
    promptField: string,
    parameters: Record<string, unknown> | null | undefined,
    options: ModelCallOptions,
    shape: GenerationShape = {},
  ): AsyncIterable<TextChunk> {
    const { config, provider, params } = this.prepareGeneration(name, prompt, promptField, parameters, shape);
    const limiter = this.lanes.limiter(config, provider);
    const streams = this.streams;
    const telemetry = this.telemetry;
    return (async function* stream() {
      const releaseSlot = streams.take();
      try {
        const release = await limiter.acquire(options.signal);
        // Timed from the provider call on, like unary calls: queue wait is not model time.
        const started = performance.now();
        try {
          yield* shapedChunks(name, provider.stream(config, prompt, params, options), shape, promptField);
        } finally {
          release();
          telemetry.modelCall(config.provider, 'stream', (performance.now() - started) / 1000);
        }
      } finally {
        releaseSlot();
      }
    })();
  }

  private async generate(
    name: string,
    prompt: string,
    promptField: string,
    parameters: Record<string, unknown> | null | undefined,
    options: ModelCallOptions,
    shape: GenerationShape = {},
  ): Promise<TextGeneration> {
    const { config, provider, params } = this.prepareGeneration(name, prompt, promptField, parameters, shape);
    const release = await this.lanes.limiter(config, provider).acquire(options.signal);
    try {
      const result = await this.lanes
        .timed(config, 'generate', () => provider.generate(config, prompt, params, options))
        .catch((error: unknown) => {
          throw renamedPrompt(error, promptField);
        });
      return textGeneration(name, shape.read === undefined ? result : shape.read(result));
    } finally {
      release();
    }
  }

  /**
   * Violations name `field` (the one text of GenerateEmbedding) or `field[i]`: the domain's own
   * names for its two operations, never a door's. `dimensions` is checked against the model's output.
   */
  private async embedTexts(name: string, texts: string[], field: 'text' | 'texts', options: ModelCallOptions, settings: EmbedSettings): Promise<Embeddings> {
    const config = this.usable(name, 'embedding');
    if (texts.length === 0) throw errors.invalidArgument(field, 'must not be empty');
    if (texts.length > modelLimits.maxTextsPerCall) throw errors.tooLarge(field, `at most ${modelLimits.maxTextsPerCall} texts per call`);
    texts.forEach((t, i) => checkText(t, field === 'text' ? field : `${field}[${i}]`, modelLimits.maxEmbedTextBytes));
    const provider = this.provider(config);
    const results = truncateEmbeddings(config, await this.lanes.batcher(config, provider).embed(texts, options.signal), settings.dimensions);
    const dimension = results[0]!.vector.length;
    const counted = results.every((r) => r.tokens !== undefined);
    const tokens = counted ? results.reduce((n, r) => n + r.tokens!, 0) : undefined;
    const truncated = results.map((r) => r.truncated);
    return {
      vectors: results.map((r) => r.vector),
      dimension,
      truncated,
      ...(tokens === undefined ? {} : { tokens }),
      metadata: { model: name, truncated, ...tokensUsed(tokens) },
    };
  }

  /**
   * The vector half's view of the models (vector/text-models.ts): binding a collection, embedding
   * its texts through the model's micro-batcher, reranking its hits.
   */
  textModels(): TextModels {
    return {
      bind: async (model, field, options) => {
        checkModelName(model, field);
        const config = this.usable(model, 'embedding');
        const probe = await this.embedTexts(model, ['dimension probe'], 'texts', options ?? {}, {});
        return bindingOf(config, probe.dimension);
      },
      embed: (binding, texts, options) => this.embedBound(binding, texts, options ?? {}),
      rerank: async (model, query, documents, field, options) => {
        checkModelName(model, field);
        const ranked = await this.rerank(model, query, documents, { signal: options?.signal });
        const scores = new Array<number>(documents.length);
        for (const r of ranked.results) scores[r.index] = r.score;
        return scores;
      },
    };
  }

  /**
   * A bound collection's texts: the registered model must still be the bound one; at most
   * maxTextsPerCall texts go to the batcher at a time (its queue holds 4096), in order. A text
   * repeated within one write is embedded once (the model is deterministic): boilerplate passages
   * and generated batches repeat, and each repeat would cost a model run.
   */
  private async embedBound(binding: EmbeddingBinding, texts: string[], options: CallOptions): Promise<number[][]> {
    const config = this.registry.get(binding.model);
    if (!stillBound(binding, config)) {
      throw errors.failedPrecondition(`embedding model '${binding.model}' is no longer the model the collection was bound to (${binding.modelId}, ${binding.weights})`);
    }
    const distinct = [...new Set(texts)];
    const vectorOf = new Map<string, number[]>();
    for (let start = 0; start < distinct.length; start += modelLimits.maxTextsPerCall) {
      const slice = distinct.slice(start, start + modelLimits.maxTextsPerCall);
      const chunk = await this.embedTexts(binding.model, slice, 'texts', options, {});
      if (chunk.dimension !== binding.dimension) {
        throw errors.failedPrecondition(`embedding model '${binding.model}' now answers ${chunk.dimension} dimensions; the collection holds ${binding.dimension}`);
      }
      slice.forEach((text, i) => vectorOf.set(text, chunk.vectors[i]!));
    }
    return texts.map((text) => vectorOf.get(text)!);
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
    return this.lanes.depths();
  }

  /** Embedding batch sizes and queue depths, for metrics and tests. */
  queues(): ReturnType<ModelQueues['perModel']> {
    return this.lanes.perModel();
  }

  async close(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.close()));
  }

  private prepareGeneration(name: string, prompt: string, promptField: string, parameters: Record<string, unknown> | null | undefined, shape: GenerationShape) {
    const config = this.usable(name, 'generation');
    checkText(prompt, promptField, modelLimits.maxPromptBytes);
    const provider = this.provider(config);
    const params: GenerationParams = { ...parseGenerationParams(parameters, provider.contextSizeOf(config)), ...shape.form };
    return { config, provider, params };
  }

  /** Known, enabled and of the right kind, in that order. */
  private usable(name: string, kind: ModelKind): ModelConfig {
    checkModelName(name, 'model_name');
    const config = this.registry.get(name);
    if (!config.enabled) throw errors.failedPrecondition(`model '${name}' is disabled; enable it with UpdateModelConfig`);
    const actual = this.provider(config).kindOf(config);
    if (actual !== kind) throw wrongKind(name, actual);
    return config;
  }

  private provider(config: ModelConfig): ModelProvider {
    const p = this.providers.get(config.provider);
    if (!p) throw errors.failedPrecondition(`provider '${config.provider}' is not available in this deployment`);
    return p;
  }

  private async forget(config: ModelConfig): Promise<void> {
    this.lanes.forget(config.name);
    await this.provider(config).release(config);
  }
}
