import type { ModelConfig } from '../model/model-types';

/** Where the registry persists. `save` is atomic: after a crash either the old or the new list is read. */
export interface RegistryStore {
  /** null when nothing was ever saved (first start: defaults get registered). */
  load(): Promise<ModelConfig[] | null>;
  save(models: readonly ModelConfig[]): Promise<void>;
}
