import type { ModelConfig, ModelService } from '../../../src/domain';
import { EMBEDDING_MODEL, TEXT_MODEL } from '../../support/real-models';
import type { ModelConfigIn } from './calls';
import type { Door } from './doors';

/**
 * The real models every model case starts from: all-MiniLM-L6-v2, SmolLM2-135M, and the service's
 * default reranker (a bi-encoder over all-MiniLM-L6-v2's weights; docs/MODELS.md).
 */
export const MINILM = { name: EMBEDDING_MODEL.name, provider: EMBEDDING_MODEL.provider, modelId: EMBEDDING_MODEL.model_id, parameters: {}, enabled: true } satisfies ModelConfigIn;
export const SMOLLM = { name: TEXT_MODEL.name, provider: TEXT_MODEL.provider, modelId: TEXT_MODEL.model_id, parameters: { ...TEXT_MODEL.parameters }, enabled: true } satisfies ModelConfigIn;
export const RERANKER = { name: 'minilm-rerank', provider: 'transformers', modelId: EMBEDDING_MODEL.model_id, parameters: { kind: 'reranker', architecture: 'bi-encoder' }, enabled: true } satisfies ModelConfigIn;
export const FIXTURE_MODELS = [MINILM, SMOLLM, RERANKER] as ModelConfig[];

/** Unregisters what a case registered and puts the fixtures' configs back, through the domain. */
export async function resetModels(models: ModelService): Promise<void> {
  for (const m of models.list()) if (!FIXTURE_MODELS.some((f) => f.name === m.name)) await models.unregister(m.name);
  for (const f of FIXTURE_MODELS) if (JSON.stringify(models.get(f.name)) !== JSON.stringify(f)) await models.update(f.name, f);
}

/** The registry as a door lists it. */
export async function listedModels(door: Door): Promise<unknown> {
  const outcome = await door.run({ op: 'listModels' });
  if (!outcome.ok) throw new Error(`ListModels was refused: ${outcome.code} ${outcome.detail}`);
  return outcome.result;
}

/** The registry as it was: exactly the fixtures, by name. */
export async function readBackModels(door: Door): Promise<void> {
  expect(await listedModels(door)).toEqual({ models: [MINILM, RERANKER, SMOLLM] });
}
