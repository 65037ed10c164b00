import { JsonFileRegistryStore } from '../../src/adapters/registry';
import { ModelRegistry, ModelService, type ModelConfig, type ModelProvider, type ModelServiceOptions, type ProviderName } from '../../src/domain';
import { tempDir } from './temp-dirs';

export type Providers = ReadonlyMap<ProviderName, ModelProvider> | Partial<Record<ProviderName, ModelProvider>>;

export interface ModelServiceFixtureOptions extends ModelServiceOptions {
  /** The registry file's directory: pass the same one again to reopen it, as after a restart (default: a fresh temp dir). */
  dir?: string;
  /** What the registry starts with when its file does not exist yet. */
  defaults?: readonly ModelConfig[];
}

/**
 * A ModelService as the service builds it: the real registry over its JSON file, with the given
 * providers (fakes in unit tests, real ones in integration tests; none for tests that never call a
 * model).
 */
export async function openModelService(providers: Providers = {}, options: ModelServiceFixtureOptions = {}): Promise<ModelService> {
  const { dir, defaults = [], ...serviceOptions } = options;
  const registry = new ModelRegistry(new JsonFileRegistryStore(dir ?? (await tempDir('registry'))));
  await registry.open(defaults);
  const map = providers instanceof Map ? providers : new Map(Object.entries(providers) as [ProviderName, ModelProvider][]);
  return new ModelService(registry, map, serviceOptions);
}
