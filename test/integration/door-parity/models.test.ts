import { EMBEDDING_DIM, expectGenerationStopped, nextGenerationEnd } from '../../support/real-models';
import { MODEL_OPS } from './calls';
import { grpcDoor, restDoor, type Door } from './doors';
import { modelCases } from './model-cases';
import { FIXTURE_MODELS, listedModels, readBackModels, resetModels, SMOLLM } from './model-fixtures';
import { startParityApp, type ParityApp } from './parity-app';
import { parityTable, reached } from './parity-runner';

const GREEDY = { temperature: 0, seed: 7 };
const LONG_PROMPT = 'Count from 1 to 500, writing every number in words, separated by commas.';

/** ModelService through both doors of one app, running all-MiniLM-L6-v2 (also as a reranker) and SmolLM2-135M for real: one table (model-cases.ts). */
describe('door parity: ModelService with real models', () => {
  let app: ParityApp;
  let doors: Door[];

  beforeAll(async () => {
    app = await startParityApp({ realModels: true, models: FIXTURE_MODELS });
    doors = [grpcDoor(() => app.grpc), restDoor(() => app.rest)];
  });
  afterAll(async () => {
    await app?.close();
  });

  parityTable(modelCases, { doors: () => doors, readBack: readBackModels, snapshot: listedModels, reset: () => resetModels(app.models) });

  it.each(['grpc', 'rest'])('a caller leaving a stream through the %s door stops the generation, not only the stream', async (name) => {
    const door = doors.find((d) => d.name === name)!;
    const ended = nextGenerationEnd(app.providers!.llamacpp);
    const outcome = await door.abandonStream({ op: 'streamText', model: 'smollm', prompt: LONG_PROMPT, parameters: { max_tokens: 600, ...GREEDY } }, 3);
    expect(outcome).toBe('AbortError');
    await expectGenerationStopped(app.providers!.llamacpp, ended, 600);
  });

  it('reached every one of the 10 operations successfully through each door', () => {
    expect(MODEL_OPS).toHaveLength(10);
    for (const door of ['grpc', 'rest'] as const) expect({ door, missing: MODEL_OPS.filter((op) => !reached[door].has(op)) }).toEqual({ door, missing: [] });
  });

  it('the registry survives a restart: both doors read what was saved, and the models answer', async () => {
    const changed = { ...SMOLLM, parameters: { ...SMOLLM.parameters, max_tokens: 8 } };
    expect((await doors[0]!.run({ op: 'updateModel', name: 'smollm', config: changed })).ok).toBe(true);
    const before = await doors[1]!.run({ op: 'listModels' });
    await app.restart();
    for (const door of doors) {
      expect(await door.run({ op: 'listModels' })).toEqual(before);
      expect(await door.run({ op: 'embed', model: 'minilm', text: 'still here' })).toMatchObject({ ok: true, result: { dimension: EMBEDDING_DIM } });
      const said = await door.run({ op: 'generateText', model: 'smollm', prompt: 'Say hi.', parameters: GREEDY });
      expect(said).toMatchObject({ ok: true, result: { text: expect.stringMatching(/\S/), metadata: { completion_tokens: expect.any(Number) } } });
      // The saved default (max_tokens 8) applies after the restart.
      expect(said.ok && said.result.metadata.completion_tokens).toBeLessThanOrEqual(8);
    }
    await resetModels(app.models);
  });
});
