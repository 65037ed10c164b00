import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { ModelProvider, ModelService, ProviderName } from '../../src/domain';
import { LlamaCppProvider, type GenerationEnd } from '../../src/providers/llamacpp';
import { OpenAiProvider } from '../../src/providers/remote-openai';
import { TransformersProvider } from '../../src/providers/transformers';
import { openModelService } from './model-services';
import { tempDir } from './temp-dirs';

/** Where scripts/fetch-models.sh puts the weights (the integration tier's setup runs it). */
export const MODEL_CACHE_DIR = resolve(__dirname, '..', '..', 'models');

/** The two real models the integration tests register, in the proto's (and REST's) field names. */
export const EMBEDDING_MODEL = { name: 'minilm', provider: 'transformers', model_id: 'Xenova/all-MiniLM-L6-v2', parameters: {}, enabled: true };
export const TEXT_MODEL = {
  name: 'smollm',
  provider: 'llamacpp',
  model_id: 'SmolLM2-135M-Instruct.Q4_1.gguf',
  parameters: { context_size: 1024 },
  enabled: true,
};
/** all-MiniLM-L6-v2's output width. */
export const EMBEDDING_DIM = 384;

/** The real providers, loaded once per test file and shared by every service built over them. */
export interface RealProviders {
  transformers: TransformersProvider;
  llamacpp: LlamaCppProvider;
  openai: OpenAiProvider;
  map: ReadonlyMap<ProviderName, ModelProvider>;
  close(): Promise<void>;
}

/** `embeddingThreads`: the transformers provider's threads per embedding model (its default when absent). */
export function createRealProviders(options: { embeddingThreads?: number } = {}): RealProviders {
  const transformers = new TransformersProvider({ modelCacheDir: MODEL_CACHE_DIR, allowRemoteModels: false, embeddingThreads: options.embeddingThreads });
  const llamacpp = new LlamaCppProvider({ modelCacheDir: MODEL_CACHE_DIR });
  const openai = new OpenAiProvider({ env: {} });
  const map = new Map<ProviderName, ModelProvider>([
    ['transformers', transformers],
    ['llamacpp', llamacpp],
    ['openai', openai],
  ]);
  return {
    transformers,
    llamacpp,
    openai,
    map,
    close: async () => {
      await Promise.all([transformers.close(), llamacpp.close(), openai.close()]);
    },
  };
}

/** A registry directory that outlives one service, so a "restart" can reopen it. */
export interface RegistryDir {
  dir: string;
  /** A fresh ModelService over the saved registry, as after a process restart. */
  open(): Promise<ModelService>;
}

export async function createRegistryDir(providers: RealProviders): Promise<RegistryDir> {
  const dir = await tempDir('models');
  return {
    dir,
    open: () => openModelService(providers.map, { dir }),
  };
}

/** A loopback port nothing listens on: connecting to it is refused at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  });
  return dot / Math.sqrt(na * nb);
}

/** Polls `check` until it holds or `ms` pass; returns whether it held. */
export async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return check();
}

/**
 * Resolves with the next generation the llamacpp provider really finishes (node-llama-cpp's call
 * returned), which is what "cancelling stops generation" must be judged by, not the stream closing.
 */
export function nextGenerationEnd(llamacpp: LlamaCppProvider): Promise<GenerationEnd> {
  return new Promise((resolve) => {
    const off = llamacpp.activity.onEnd((end) => {
      off();
      resolve(end);
    });
  });
}

/**
 * Asserts a generation the caller abandoned stopped short of its `maxTokens`, and
 * that no token is produced afterwards (counted by the provider, never timed: tests assert no
 * wall-clock durations).
 */
export async function expectGenerationStopped(llamacpp: LlamaCppProvider, ended: Promise<GenerationEnd>, maxTokens: number): Promise<void> {
  const end = await ended;
  expect(end.finishReason).toBe('cancelled');
  expect(end.completionTokens).toBeLessThan(maxTokens);
  expect(llamacpp.activity.active).toBe(0);
  const produced = llamacpp.activity.tokensProduced;
  await new Promise((r) => setTimeout(r, 300));
  expect(llamacpp.activity.tokensProduced).toBe(produced);
}
