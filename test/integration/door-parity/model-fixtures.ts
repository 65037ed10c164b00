import type { ModelConfig, ModelService } from '../../../src/domain';
import { EMBEDDING_MODEL, TEXT_MODEL } from '../../support/real-models';
import type { ModelConfigIn } from './calls';
import type { Door } from './doors';

/** The two real models every model case starts from: all-MiniLM-L6-v2 and SmolLM2-135M. */
export const MINILM = { name: EMBEDDING_MODEL.name, provider: EMBEDDING_MODEL.provider, modelId: EMBEDDING_MODEL.model_id, parameters: {}, enabled: true } satisfies ModelConfigIn;
export const SMOLLM = { name: TEXT_MODEL.name, provider: TEXT_MODEL.provider, modelId: TEXT_MODEL.model_id, parameters: { ...TEXT_MODEL.parameters }, enabled: true } satisfies ModelConfigIn;
export const FIXTURE_MODELS = [MINILM, SMOLLM] as ModelConfig[];

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

/** The registry as it was: exactly the two fixtures. */
export async function readBackModels(door: Door): Promise<void> {
  expect(await listedModels(door)).toEqual({ models: [MINILM, SMOLLM] });
}
