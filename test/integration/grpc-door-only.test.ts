import { status as grpcStatus } from '@grpc/grpc-js';
import { Status } from 'nice-grpc';
import { ModelServiceDefinition, StreamGenerateTextRequest, StreamGenerateTextResponse } from '../../src/gen/taishang/ai/v1/model_service';
import { expectGenerationStopped, nextGenerationEnd } from '../support/real-models';
import { grpcDoor, type Door } from './door-parity/doors';
import { FIXTURE_MODELS, MINILM, readBackModels, resetModels } from './door-parity/model-fixtures';
import { startParityApp, type ParityApp } from './door-parity/parity-app';
import { INTACT, readBackVectors, seedVectors } from './door-parity/vector-fixtures';
import { expectStatus, streamWithDeadline, violatedFields } from './grpc-harness';

const GREEDY = { temperature: 0, seed: 7 };
const LONG_PROMPT = 'Count from 1 to 500, writing every number in words, separated by commas.';

/**
 * What only the gRPC door can be asked: values JSON cannot carry (NaN), proto3's defaults (an
 * empty name, a topk of 0 inside set options, an unset `enabled`), and deadlines. Everything both
 * doors share is in door-parity/; frames and wire types are in grpc-malformed-input.test.ts.
 */
describe('gRPC door only', () => {
  let app: ParityApp;
  let door: Door;

  beforeAll(async () => {
    app = await startParityApp({ realModels: true, models: FIXTURE_MODELS });
    await seedVectors(app.vectors);
    door = grpcDoor(() => app.grpc);
  });
  afterAll(async () => {
    await app?.close();
  });
  afterEach(async () => {
    await resetModels(app.models);
    await readBackVectors(door);
    await readBackModels(door);
  });

  async function rejects(call: Promise<unknown>, code: Status, field: string): Promise<void> {
    const error = await expectStatus(call, code);
    expect(violatedFields(error)).toContain(field);
    expect(error.details).toContain(field);
  }

  it('NaN in a vector is INVALID_ARGUMENT naming the element, and writes nothing', async () => {
    const v = app.grpc.vectors;
    await rejects(v.insert({ collectionName: INTACT, vectors: [{ id: 'ok', vector: [0, 0, 1, 0] }, { id: 'x', vector: [0, NaN, 0, 0] }] }), Status.INVALID_ARGUMENT, 'vectors[1].vector[1]');
    await expectStatus(v.getByID({ collectionName: INTACT, id: 'ok' }), Status.NOT_FOUND);
    await rejects(v.upsert({ collectionName: INTACT, vectors: [{ id: 'a', vector: [NaN, 0, 0, 0] }] }), Status.INVALID_ARGUMENT, 'vectors[0].vector[0]');
    await rejects(v.search({ collectionName: INTACT, queryVector: [1, 0, 0, NaN] }), Status.INVALID_ARGUMENT, 'query_vector[3]');
  });

  it('an empty collection name (proto3\'s default) is INVALID_ARGUMENT wherever a name is read', async () => {
    const v = app.grpc.vectors;
    await rejects(v.getCollectionInfo({ name: '' }), Status.INVALID_ARGUMENT, 'name');
    await rejects(v.dropCollection({ name: '' }), Status.INVALID_ARGUMENT, 'name');
    await rejects(v.insert({ collectionName: '', vectors: [{ id: 'x', vector: [1, 0, 0, 0] }] }), Status.INVALID_ARGUMENT, 'collection_name');
    await rejects(v.search({ collectionName: '', queryVector: [1, 0, 0, 0] }), Status.INVALID_ARGUMENT, 'collection_name');
  });

  it('set options without a topk carry 0, which is out of range (absent options take 10)', async () => {
    await rejects(app.grpc.vectors.search({ collectionName: INTACT, queryVector: [1, 0, 0, 0], options: { includeVector: true } }), Status.INVALID_ARGUMENT, 'options.topk');
    expect((await app.grpc.vectors.search({ collectionName: INTACT, queryVector: [1, 0, 0, 0] })).results).toHaveLength(3);
  });

  it('a config without enabled registers a disabled model (proto3 false, the seed\'s contract)', async () => {
    const m = app.grpc.models;
    expect(await m.registerModel({ config: { name: 'minilm-off', provider: MINILM.provider, modelId: MINILM.modelId } })).toEqual({ success: true, message: "model 'minilm-off' registered" });
    expect((await m.getModelInfo({ name: 'minilm-off' })).config?.enabled).toBe(false);
    const error = await expectStatus(m.generateEmbedding({ modelName: 'minilm-off', text: 'hi' }), Status.FAILED_PRECONDITION);
    expect(error.details).toContain('disabled');
  });

  it('a deadline passing mid-stream ends the call DEADLINE_EXCEEDED and stops the generation', async () => {
    // Loaded first, so the deadline falls mid-stream rather than while the weights load.
    await app.models.generateText('smollm', 'Hi', { max_tokens: 1 });
    const request = StreamGenerateTextRequest.fromPartial({ modelName: 'smollm', prompt: LONG_PROMPT, parameters: { max_tokens: 600, ...GREEDY } });
    const path = `/${ModelServiceDefinition.fullName}/StreamGenerateText`;
    const ended = nextGenerationEnd(app.providers!.llamacpp);
    const outcome = await streamWithDeadline(app.grpc.address, path, StreamGenerateTextRequest, StreamGenerateTextResponse, request, new Date(Date.now() + 1500));
    expect(outcome.code).toBe(grpcStatus.DEADLINE_EXCEEDED);
    expect(outcome.messages.length).toBeGreaterThan(0);
    await expectGenerationStopped(app.providers!.llamacpp, ended, 600);
  });
});
