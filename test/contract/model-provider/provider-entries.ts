import { MemoryVectorStore } from '../../../src/adapters/vector/memory';
import type { ModelConfig, ModelKind, ModelProvider, ProviderName, Telemetry } from '../../../src/domain';
import { LlamaCppProvider } from '../../../src/providers/llamacpp';
import { OpenAiProvider } from '../../../src/providers/remote-openai';
import { TransformersProvider } from '../../../src/providers/transformers';
import { closedPort, EMBEDDING_MODEL, MODEL_CACHE_DIR, TEXT_MODEL } from '../../support/real-models';
import { openModelService } from '../../support/model-services';
import { startRestServer } from '../../support/rest-test-server';

/** Where a provider's generations really run: they end (with why) and produce tokens. */
export interface GenerationWatch {
  readonly active: number;
  readonly tokensProduced: number;
  onEnd(listener: (end: { finishReason: string; completionTokens: number }) => void): () => void;
}

/** One provider as the contract suite drives it, built once per test file. */
export interface Subject {
  provider: ModelProvider;
  /** A working model of each kind the entry serves. */
  models: Partial<Record<ModelKind, ModelConfig>>;
  /** The same models naming weights (or an upstream model) that do not exist. */
  missing: Partial<Record<ModelKind, ModelConfig>>;
  /** For providers that call out: models whose server refuses connections. */
  unreachable?: Partial<Record<ModelKind, ModelConfig>>;
  /** Per kind, the entry serving the same weights: its answers must be this one's. */
  sameAs?: Partial<Record<ModelKind, string>>;
  /** Whether embed can tell which texts were cut to the window (a remote server does not say). */
  knowsTruncation?: boolean;
  /** Work done so far where the model runs (model loads, model calls, tokens); it only grows. */
  work(): number;
  /** Where its generations run, so a cancelled one can be seen to stop (generation entries). */
  generations?: GenerationWatch;
  close(): Promise<void>;
}

export interface ProviderEntry {
  /** Names the entry in test titles. */
  label: string;
  provider: ProviderName;
  kinds: readonly ModelKind[];
  /** Generation repeats itself at temperature 0 or with a seed (checked only where promised). */
  deterministic?: boolean;
  open(): Promise<Subject>;
}

const LLAMA_FILE = TEXT_MODEL.model_id;
/** Both llama.cpp instances (local and behind the remote) get this context, so their answers can be equal. */
const LLAMA_PARAMETERS = TEXT_MODEL.parameters;
/** The reranker weights this machine has: the bi-encoder over all-MiniLM-L6-v2 (the service's default reranker). */
const RERANKER_PARAMETERS = { kind: 'reranker', architecture: 'bi-encoder' };

/** A counter of model loads, fed by the provider's own log lines. */
function loadCounter(message: string) {
  let loads = 0;
  const logger = { info: (_: object, m: string) => void (m === message && (loads += 1)), warn: () => undefined, error: () => undefined };
  return { logger, loads: () => loads };
}

function openTransformers() {
  const counter = loadCounter('embedding model loaded');
  const provider = new TransformersProvider({ modelCacheDir: MODEL_CACHE_DIR, allowRemoteModels: false, logger: counter.logger });
  // Loads, and model runs begun (a batch runs in chunks; an aborted one stops between them).
  return { provider, work: () => counter.loads() + provider.activity.chunksStarted };
}

function openLlamacpp() {
  const counter = loadCounter('model loaded');
  const provider = new LlamaCppProvider({ modelCacheDir: MODEL_CACHE_DIR, logger: counter.logger });
  let ended = 0;
  provider.activity.onEnd(() => (ended += 1));
  return { provider, work: () => counter.loads() + ended + provider.activity.tokensProduced };
}

/**
 * One transformers and one llama.cpp provider per test file (jest gives each file its own module
 * registry), served both directly by the local entries and behind the remote entry's upstream: the
 * weights load once per file instead of twice (about 2.5 CPU-s a file). The suite calls one entry
 * at a time, so each entry's work() still moves only with its own calls; the local entries close them.
 */
let local: { transformers: ReturnType<typeof openTransformers>; llamacpp: ReturnType<typeof openLlamacpp> } | undefined;
function localProviders() {
  local ??= { transformers: openTransformers(), llamacpp: openLlamacpp() };
  return local;
}
const transformers = () => localProviders().transformers;
const llamacpp = () => localProviders().llamacpp;

function config(name: string, provider: ProviderName, modelId: string, parameters: Record<string, unknown>): ModelConfig {
  return { name, provider, modelId, parameters, enabled: true };
}

/**
 * The providers under contract. Adding a provider is adding an entry here; every test of the
 * suite then runs on it for each kind it lists.
 */
export const ENTRIES: readonly ProviderEntry[] = [
  {
    label: 'transformers',
    provider: 'transformers',
    kinds: ['embedding', 'reranker'],
    async open() {
      const { provider, work } = transformers();
      return {
        provider,
        models: { embedding: config('minilm', 'transformers', EMBEDDING_MODEL.model_id, {}), reranker: config('minilm-rerank', 'transformers', EMBEDDING_MODEL.model_id, RERANKER_PARAMETERS) },
        missing: { embedding: config('ghost', 'transformers', 'Xenova/no-such-model', {}), reranker: config('ghost-rerank', 'transformers', 'Xenova/no-such-model', RERANKER_PARAMETERS) },
        knowsTruncation: true,
        work,
        close: () => provider.close(),
      };
    },
  },
  {
    label: 'llamacpp',
    provider: 'llamacpp',
    kinds: ['generation'],
    // A fresh sequence per call and a fixed seed (llamacpp-generation.ts).
    deterministic: true,
    async open() {
      const { provider, work } = llamacpp();
      return {
        provider,
        models: { generation: config('smollm', 'llamacpp', LLAMA_FILE, LLAMA_PARAMETERS) },
        missing: { generation: config('ghost', 'llamacpp', 'no-such-model.gguf', LLAMA_PARAMETERS) },
        work,
        generations: provider.activity,
        close: () => provider.close(),
      };
    },
  },
  {
    label: 'remote-openai',
    provider: 'openai',
    kinds: ['embedding', 'generation', 'reranker'],
    // Because what answers behind it is this service's llama.cpp: it must answer as that does.
    deterministic: true,
    open: openRemote,
  },
];

/**
 * The openai provider against a real instance of this service on loopback (REST door, its
 * /openai/v1, a ModelService over its own transformers and llama.cpp), so embeddings and reranks
 * are served by transformers and generations by llama.cpp behind it: the same weights as the
 * local entries.
 */
async function openRemote(): Promise<Subject> {
  const embedder = transformers();
  const generator = llamacpp();
  let calls = 0;
  const telemetry: Telemetry = { embeddingBatch: () => undefined, modelCall: () => void (calls += 1) };
  const upstream = await openModelService({ transformers: embedder.provider, llamacpp: generator.provider }, { telemetry });
  await upstream.register({ name: EMBEDDING_MODEL.name, provider: 'transformers', modelId: EMBEDDING_MODEL.model_id, parameters: {} });
  await upstream.register({ name: TEXT_MODEL.name, provider: 'llamacpp', modelId: LLAMA_FILE, parameters: LLAMA_PARAMETERS });
  await upstream.register({ name: 'minilm-rerank', provider: 'transformers', modelId: EMBEDDING_MODEL.model_id, parameters: RERANKER_PARAMETERS });
  const rest = await startRestServer(new MemoryVectorStore(), { models: upstream });
  const baseUrl = `${rest.baseUrl}/openai/v1`;
  // Every request that reaches the upstream, even one it refuses before any model runs.
  let requests = 0;
  rest.app.server.on('request', () => (requests += 1));
  const refused = `http://127.0.0.1:${await closedPort()}/v1`;
  const provider = new OpenAiProvider({ env: {} });
  const embedding = (name: string, modelId: string, base: string) => config(name, 'openai', modelId, { base_url: base, kind: 'embedding' });
  const generation = (name: string, modelId: string, base: string) => config(name, 'openai', modelId, { base_url: base, kind: 'generation', ...LLAMA_PARAMETERS });
  const reranker = (name: string, modelId: string, base: string) => config(name, 'openai', modelId, { base_url: base, kind: 'reranker' });
  return {
    provider,
    models: {
      embedding: embedding('remote-minilm', EMBEDDING_MODEL.name, baseUrl),
      generation: generation('remote-smollm', TEXT_MODEL.name, baseUrl),
      reranker: reranker('remote-rerank', 'minilm-rerank', baseUrl),
    },
    missing: {
      embedding: embedding('remote-ghost-e', 'no-such-model', baseUrl),
      generation: generation('remote-ghost-g', 'no-such-model', baseUrl),
      reranker: reranker('remote-ghost-r', 'no-such-model', baseUrl),
    },
    unreachable: {
      embedding: embedding('refused-e', EMBEDDING_MODEL.name, refused),
      generation: generation('refused-g', TEXT_MODEL.name, refused),
      reranker: reranker('refused-r', 'minilm-rerank', refused),
    },
    sameAs: { embedding: 'transformers', generation: 'llamacpp', reranker: 'transformers' },
    knowsTruncation: false,
    work: () => requests + calls + embedder.work() + generator.work(),
    generations: generator.provider.activity,
    // Not upstream.close(): it would close the providers a second time (the local entries close them).
    async close() {
      await provider.close();
      await rest.close();
    },
  };
}
