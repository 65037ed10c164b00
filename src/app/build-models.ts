import { join } from 'node:path';
import type { Logger } from 'pino';
import { JsonFileRegistryStore } from '../adapters/registry';
import type { Config } from '../config/config';
import { ModelRegistry, ModelService, type ModelConfig, type ModelProvider, type ProviderName, type Telemetry } from '../domain';
import { LlamaCppProvider } from '../providers/llamacpp';
import { OpenAiProvider } from '../providers/remote-openai';
import { TransformersProvider } from '../providers/transformers';

/** The models registered on first start (an empty registry), from config. */
export function defaultModels(config: Config): ModelConfig[] {
  return [
    { name: config.embeddingModelName, provider: 'transformers', modelId: config.embeddingModelId, parameters: {}, enabled: true },
    { name: config.textModelName, provider: 'llamacpp', modelId: config.textModelId, parameters: { context_size: 2048 }, enabled: config.textModelEnabled },
    {
      name: config.rerankModelName,
      provider: 'transformers',
      modelId: config.rerankModelId,
      parameters: { kind: 'reranker', architecture: config.rerankModelArchitecture },
      enabled: true,
    },
  ];
}

/** Providers and the registry; the only place that knows which model runtimes exist. */
export async function buildModels(config: Config, logger: Logger, env: Record<string, string | undefined>, telemetry?: Telemetry): Promise<ModelService> {
  const modelCacheDir = config.modelCacheDir;
  const providers = new Map<ProviderName, ModelProvider>([
    ['transformers', new TransformersProvider({ modelCacheDir, allowRemoteModels: config.allowRemoteModels, embeddingThreads: config.embeddingThreads, logger: logger.child({ component: 'transformers' }) })],
    ['llamacpp', new LlamaCppProvider({ modelCacheDir, logger: logger.child({ component: 'llamacpp' }) })],
    ['openai', new OpenAiProvider({ env, allowedHosts: config.providerHosts })],
  ]);
  const registry = new ModelRegistry(new JsonFileRegistryStore(join(config.dataDir)));
  await registry.open(defaultModels(config));
  return new ModelService(registry, providers, { maxConcurrentStreams: config.maxConcurrentStreams, telemetry });
}
