import { errors } from '../../src/errors';
import type {
  EmbeddingResult,
  GenerationChunk,
  GenerationParams,
  GenerationResult,
  ModelCallOptions,
  ModelConfig,
  ModelKind,
  ModelProvider,
  RerankScores,
} from '../../src/domain';

/**
 * A scripted ModelProvider for the domain's unit tests: embeddings are a function of the text (so
 * each caller can recognise its own vector), generation echoes the prompt, and either can be held
 * until the test releases it, to pile up queues on purpose.
 */
export class FakeModelProvider implements ModelProvider {
  readonly name = 'transformers' as const;
  /** Texts of every embed call, one array per model call. */
  readonly embedCalls: string[][] = [];
  /** (query, documents) of every rerank call. */
  readonly rerankCalls: { query: string; documents: string[] }[] = [];
  /** Prompts in the order generation started. */
  readonly started: string[] = [];
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;

  constructor(private readonly options: { maxBatch?: number; concurrency?: number; embedDelayMs?: number } = {}) {}

  /** Holds every model call until `letGo()`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  letGo(): void {
    this.openGate?.();
    this.gate = null;
  }

  kindOf(config: ModelConfig): ModelKind {
    const kind = config.parameters.kind;
    return kind === 'generation' || kind === 'reranker' ? kind : 'embedding';
  }

  async validate(config: ModelConfig): Promise<void> {
    if (config.modelId.startsWith('missing/')) throw errors.failedPrecondition(`model files not found at /models/${config.modelId}`);
    if (config.parameters.context_size !== undefined && typeof config.parameters.context_size !== 'number') {
      throw errors.invalidArgument('config.parameters.context_size', 'must be a positive integer');
    }
  }

  concurrencyOf(): number {
    return this.options.concurrency ?? 1;
  }

  contextSizeOf(config: ModelConfig): number {
    return typeof config.parameters.context_size === 'number' ? config.parameters.context_size : 512;
  }

  maxBatchOf(): number {
    return this.options.maxBatch ?? 32;
  }

  async embed(_config: ModelConfig, texts: string[]): Promise<EmbeddingResult> {
    this.embedCalls.push([...texts]);
    if (this.gate) await this.gate;
    if (this.options.embedDelayMs) await new Promise((r) => setTimeout(r, this.options.embedDelayMs));
    return { vectors: texts.map(vectorOf), dimension: 3, truncated: texts.map((t) => t.length > 100) };
  }

  /** Scores a document by how many of the query's words it contains (ties are common on purpose). */
  async rerank(_config: ModelConfig, query: string, documents: string[]): Promise<RerankScores> {
    this.rerankCalls.push({ query, documents: [...documents] });
    if (this.gate) await this.gate;
    const words = query.toLowerCase().split(/\s+/);
    const scores = documents.map((d) => words.filter((w) => d.toLowerCase().split(/\s+/).includes(w)).length);
    return { scores, truncated: documents.map((d) => d.length > 100), tokens: documents.length * 10 };
  }

  async generate(_config: ModelConfig, prompt: string, params: GenerationParams): Promise<GenerationResult> {
    this.started.push(prompt);
    if (this.gate) await this.gate;
    return { text: `echo: ${prompt}`, promptTokens: 3, completionTokens: Math.min(params.maxTokens ?? 2, 2), finishReason: 'stop' };
  }

  async *stream(_config: ModelConfig, prompt: string, _params: GenerationParams, options?: ModelCallOptions): AsyncIterable<GenerationChunk> {
    this.started.push(prompt);
    for (const text of ['echo', ': ', prompt]) {
      if (options?.signal?.aborted) return;
      yield { done: false, text };
      // Lets a test see what a door does with a provider failing after the first chunk.
      if (prompt === FAIL_MID_STREAM) throw errors.unavailable('the model runtime went away');
    }
    yield { done: true, result: { text: `echo: ${prompt}`, promptTokens: 3, completionTokens: 3, finishReason: 'stop' } };
  }

  async isReady(): Promise<boolean> {
    return true;
  }

  async release(): Promise<void> {}

  async close(): Promise<void> {}
}

/** A prompt whose stream fails with UNAVAILABLE after its first chunk. */
export const FAIL_MID_STREAM = 'fail mid-stream';

/** A vector only this text gets: its length, its first char code, and a constant. */
export function vectorOf(text: string): number[] {
  return [text.length, text.charCodeAt(0), 1];
}
