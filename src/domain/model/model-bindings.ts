import { errors } from '../../errors';
import type { EmbeddingBinding } from '../vector/vector-types';
import type { ModelConfig } from './model-types';

/**
 * What pins an embedding model's output for a collection bound to it: provider, model id, the
 * weights' precision and a Matryoshka cut. Other parameters (batch size, a remote's timeout) may
 * change under a bound collection; these may not, because the stored vectors would stop matching
 * new ones. The dimension is learned by embedding a probe, so it is not read from parameters.
 */
export function weightsOf(config: ModelConfig): string {
  const dtype = config.parameters['dtype'];
  const cut = config.parameters['dimensions'];
  return [`dtype=${typeof dtype === 'string' ? dtype : 'default'}`, ...(cut === undefined ? [] : [`dimensions=${String(cut)}`])].join(';');
}

export function bindingOf(config: ModelConfig, dimension: number): EmbeddingBinding {
  return { model: config.name, provider: config.provider, modelId: config.modelId, weights: weightsOf(config), dimension };
}

/** Whether `config` still produces the vectors `binding` was made with (its dimension is checked on the vectors). */
export function stillBound(binding: EmbeddingBinding, config: ModelConfig): boolean {
  return binding.model === config.name && binding.provider === config.provider && binding.modelId === config.modelId && binding.weights === weightsOf(config);
}

/**
 * A registry change refused because collections are bound to the model: unregistering or renaming
 * it, or changing what pins its vectors (provider, model id, dtype, dimensions).
 */
export function boundModelChange(name: string, collections: readonly string[], what: string): Error {
  const list = collections.slice(0, 10).map((c) => `'${c}'`).join(', ');
  const more = collections.length > 10 ? ` and ${collections.length - 10} more` : '';
  return errors.failedPrecondition(`cannot ${what} model '${name}': collection${collections.length === 1 ? '' : 's'} ${list}${more} ${collections.length === 1 ? 'is' : 'are'} bound to it; drop ${collections.length === 1 ? 'it' : 'them'} first`);
}
