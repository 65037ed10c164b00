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
import { HostAllowlist, hostAndPort } from './host-allowlist';
import { requestEvents, requestJson, type UpstreamContext, type UpstreamRequest } from './openai-http';
import { authorizationOf, normalizeBaseUrl, OPENAI_DEFAULTS, settingsOf, settingViolations, type OpenAiSettings } from './openai-settings';
import { chatBody, chatResult, chunkParts, embeddingsBody, embeddingsResult, generationPath, rerankBody, rerankResult } from './remote-openai-wire';

export interface OpenAiProviderOptions {
  /** The environment snapshot the composition root read once; API keys are looked up here by name. */
  env: Record<string, string | undefined>;
  /** PROVIDER_HOSTS as configured: the hosts base URLs may point at; empty or absent = any. */
  allowedHosts?: readonly string[];
  /** Per-request timeout when a model sets no parameters.timeout_ms (default 60 s). */
  defaultTimeoutMs?: number;
  /** Replaceable for tests; defaults to Node's global fetch. */
  fetch?: typeof fetch;
}

/** How long a readiness answer is reused: /readyz is polled every few seconds. */
const READY_CACHE_MS = 5_000;
const READY_TIMEOUT_MS = 5_000;

/**
 * Any OpenAI-compatible server (OpenAI, vLLM, Ollama, LocalAI, llama.cpp server, another
 * taishang-ai): POST {base_url}/embeddings, /chat/completions and (raw continuations) /completions,
 * streaming by SSE, and for rerankers the Cohere/Jina-shaped POST {base_url}/rerank those servers add.
 *
 * Token counts come from the server's `usage` (streams ask for it with stream_options.include_usage).
 * A server that reports none gets 0 prompt tokens, and as completion tokens the number of streamed
 * text chunks (servers send about one token per chunk), or 0 for a non-streamed answer.
 */
export class OpenAiProvider implements ModelProvider {
  readonly name = 'openai' as const;
  private readonly env: Record<string, string | undefined>;
  private readonly defaultTimeoutMs: number;
  private readonly context: UpstreamContext;
  /** Per server: the model ids it lists, 'any' when its answer is no list, null when it failed. */
  private readonly readyCache = new Map<string, { served: string[] | 'any' | null; at: number }>();
  private readonly hosts: HostAllowlist;

  constructor(options: OpenAiProviderOptions) {
    this.env = options.env;
    this.hosts = new HostAllowlist(options.allowedHosts ?? []);
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? OPENAI_DEFAULTS.timeoutMs;
    this.context = { fetch: options.fetch ?? fetch, inFlight: new Set() };
  }

  /** parameters.kind decides; generation unless it says embedding or reranker. */
  kindOf(config: ModelConfig): ModelKind {
    const kind = config.parameters.kind;
    return kind === 'embedding' || kind === 'reranker' ? kind : 'generation';
  }

  /**
   * Parameter types, base_url present and on an allowed host, and the key's variable set. The
   * server is not contacted: it may come up later.
   */
  async validate(config: ModelConfig): Promise<void> {
    const violations = settingViolations(config.parameters);
    if (violations.length > 0) throw errors.invalidArguments(violations);
    const settings = settingsOf(config);
    const url = new URL(settings.baseUrl);
    if (!this.hosts.allows(url)) {
      throw errors.invalidArgument('config.parameters.base_url', `host ${hostAndPort(url)} is not one this service may call (PROVIDER_HOSTS: ${this.hosts.entries.join(', ')})`);
    }
    authorizationOf(settings, this.env);
  }

  concurrencyOf(config: ModelConfig): number {
    return settingsOf(config).concurrency;
  }

  contextSizeOf(config: ModelConfig): number {
    return settingsOf(config).contextSize;
  }

  maxBatchOf(config: ModelConfig): number {
    return settingsOf(config).maxBatch;
  }

  async embed(config: ModelConfig, texts: string[], options: ModelCallOptions = {}): Promise<EmbeddingResult> {
    this.mustBe('embedding', config);
    const settings = settingsOf(config);
    const request = this.request(config, settings, 'POST', '/embeddings', embeddingsBody(config.modelId, texts, settings), options);
    return embeddingsResult(await requestJson(request, this.context), texts.length, settings, request.where);
  }

  async rerank(config: ModelConfig, query: string, documents: string[], options: ModelCallOptions = {}): Promise<RerankScores> {
    this.mustBe('reranker', config);
    const settings = settingsOf(config);
    const request = this.request(config, settings, 'POST', '/rerank', rerankBody(config.modelId, query, documents), options);
    return rerankResult(await requestJson(request, this.context), documents.length, request.where);
  }

  async generate(config: ModelConfig, prompt: string, params: GenerationParams, options: ModelCallOptions = {}): Promise<GenerationResult> {
    this.mustBe('generation', config);
    const settings = settingsOf(config);
    const request = this.request(config, settings, 'POST', generationPath(params), chatBody(config.modelId, prompt, params, settings, false), options);
    return chatResult(await requestJson(request, this.context), request.where);
  }

  /** No chunk after the caller's signal fired, even one already received: the next pull throws. */
  async *stream(config: ModelConfig, prompt: string, params: GenerationParams, options: ModelCallOptions = {}): AsyncIterable<GenerationChunk> {
    this.mustBe('generation', config);
    const settings = settingsOf(config);
    const { signal } = options;
    const request = this.request(config, settings, 'POST', generationPath(params), chatBody(config.modelId, prompt, params, settings, true), options);
    let text = '';
    let textChunks = 0;
    let finishReason: FinishReason = 'stop';
    let usage: { promptTokens: number; completionTokens: number } | null = null;
    for await (const event of requestEvents(request, this.context)) {
      const part = chunkParts(event);
      if (part.finishReason !== null) finishReason = part.finishReason;
      if (part.usage !== null) usage = part.usage;
      if (part.text !== '') {
        text += part.text;
        textChunks += 1;
        if (signal?.aborted) throw errors.abortedBy(signal.reason);
        yield { done: false, text: part.text };
      }
    }
    if (signal?.aborted) throw errors.abortedBy(signal.reason);
    const promptTokens = usage?.promptTokens ?? 0;
    const completionTokens = usage?.completionTokens ?? textChunks;
    yield { done: true, result: { text, promptTokens, completionTokens, finishReason } };
  }

  /**
   * GET {base_url}/models answers 2xx and lists `model_id` (a server whose answer is not an
   * OpenAI model list is taken at its word that it serves it). The list is reused for a few seconds.
   */
  async isReady(config: ModelConfig): Promise<boolean> {
    let settings: OpenAiSettings;
    let authorization: string | null;
    try {
      settings = settingsOf(config);
      authorization = authorizationOf(settings, this.env);
    } catch {
      return false;
    }
    if (!this.hosts.allows(new URL(settings.baseUrl))) return false;
    const key = `${settings.baseUrl} ${settings.apiKeyEnv ?? ''}`;
    let cached = this.readyCache.get(key);
    if (!cached || Date.now() - cached.at >= READY_CACHE_MS) {
      const timeoutMs = Math.min(settings.timeoutMs ?? this.defaultTimeoutMs, READY_TIMEOUT_MS);
      const request: UpstreamRequest = { url: `${settings.baseUrl}/models`, method: 'GET', authorization, timeoutMs, where: settings.baseUrl };
      const served = await requestJson(request, this.context).then(modelIdsOf, () => null);
      cached = { served, at: Date.now() };
      this.readyCache.set(key, cached);
    }
    return cached.served === 'any' || (cached.served?.includes(config.modelId) ?? false);
  }

  /** Nothing is loaded; only the readiness answer for the model's server is forgotten. */
  async release(config: ModelConfig): Promise<void> {
    const baseUrl = config.parameters.base_url;
    if (typeof baseUrl !== 'string' || !URL.canParse(baseUrl)) return;
    const root = `${normalizeBaseUrl(baseUrl)} `;
    for (const key of this.readyCache.keys()) if (key.startsWith(root)) this.readyCache.delete(key);
  }

  /** Aborts the requests still in flight; their callers get UNAVAILABLE. */
  async close(): Promise<void> {
    for (const controller of this.context.inFlight) controller.abort();
    this.context.inFlight.clear();
    this.readyCache.clear();
  }

  /** The wrong call is refused here, before any request, as by the providers that run models. */
  private mustBe(kind: ModelKind, config: ModelConfig): void {
    const actual = this.kindOf(config);
    if (actual !== kind) throw wrongKind(config.name, actual, ' (openai, parameters.kind)');
  }

  private request(config: ModelConfig, settings: OpenAiSettings, method: 'GET' | 'POST', path: string, body: unknown, options: ModelCallOptions): UpstreamRequest {
    // A model stored before PROVIDER_HOSTS was set (or narrowed) is refused here, before any request.
    const url = new URL(settings.baseUrl);
    if (!this.hosts.allows(url)) {
      throw errors.failedPrecondition(`model '${config.name}': base_url host ${hostAndPort(url)} is not allowed by PROVIDER_HOSTS; point it at an allowed host with UpdateModelConfig`);
    }
    return {
      url: `${settings.baseUrl}${path}`,
      method,
      body,
      authorization: authorizationOf(settings, this.env),
      timeoutMs: settings.timeoutMs ?? this.defaultTimeoutMs,
      signal: options.signal,
      where: `model '${config.name}' (openai at ${settings.baseUrl})`,
    };
  }
}

/** The ids of an OpenAI model list (`{data: [{id}]}`); 'any' for an answer of another shape. */
function modelIdsOf(answer: unknown): string[] | 'any' {
  const data = (answer as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return 'any';
  return data.flatMap((m: { id?: unknown } | null) => (typeof m?.id === 'string' ? [m.id] : []));
}
