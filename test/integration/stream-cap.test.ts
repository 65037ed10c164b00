import { Status } from 'nice-grpc';
import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import type { ModelService } from '../../src/domain';
import { openModelService } from '../support/model-services';
import { createRealProviders, eventually, TEXT_MODEL, type RealProviders } from '../support/real-models';
import { expectProblem, startRestServer, type RestTestServer } from '../support/rest-test-server';
import { postForEvents, readSse } from '../support/sse-client';
import { expectStatus, startGrpc, type GrpcHarness } from './grpc-harness';

const LONG = { prompt: 'Count from 1 to 500, writing every number in words, separated by commas.', parameters: { max_tokens: 900, temperature: 0, seed: 7 } };

/** MAX_CONCURRENT_STREAMS=2 with SmolLM2 generating for real, over both doors of one ModelService. */
describe('the stream cap with a real model', () => {
  let providers: RealProviders;
  let models: ModelService;
  let rest: RestTestServer;
  let grpc: GrpcHarness;

  beforeAll(async () => {
    providers = createRealProviders();
    models = await openModelService(providers.map, { maxConcurrentStreams: 2 });
    await models.register({ name: TEXT_MODEL.name, provider: TEXT_MODEL.provider, modelId: TEXT_MODEL.model_id, parameters: TEXT_MODEL.parameters, enabled: true });
    rest = await startRestServer(new MemoryVectorStore(), { models });
    grpc = await startGrpc({ models });
  }, 120_000);

  afterAll(async () => {
    await rest.close();
    await grpc.close();
    await providers.close();
  });

  it('two long streams open (gRPC + SSE): a third is refused on both doors; cancelling one lets the next in', async () => {
    const grpcCancel = new AbortController();
    const first = grpc.models.streamGenerateText({ modelName: 'smollm', prompt: LONG.prompt, parameters: LONG.parameters }, { signal: grpcCancel.signal })[Symbol.asyncIterator]();
    expect((await first.next()).done).toBe(false);
    // The model decodes one sequence at a time, so this one waits in the model's queue: it still holds a slot.
    const sseCancel = new AbortController();
    const second = postForEvents(`${rest.baseUrl}/v1/models/smollm/generate/stream`, LONG, sseCancel.signal).catch((e: unknown) => e);
    expect(await eventually(() => models.openStreams === 2, 10_000)).toBe(true);

    const refused = await expectStatus(
      (async () => {
        for await (const _ of grpc.models.streamGenerateText({ modelName: 'smollm', prompt: 'Hi', parameters: { max_tokens: 4 } })) void _;
      })(),
      Status.RESOURCE_EXHAUSTED,
    );
    expect(refused.details).toContain('all 2 are open');
    const refusedSse = await rest.call('POST', '/v1/models/smollm/generate/stream', { json: { prompt: 'Hi', parameters: { max_tokens: 4 } } });
    expectProblem(refusedSse, 429, 'RESOURCE_EXHAUSTED');
    expect(refusedSse.headers.get('retry-after')).toBe('1');

    grpcCancel.abort();
    expect(await eventually(() => models.openStreams <= 1, 10_000)).toBe(true);
    sseCancel.abort();
    await second;
    expect(await eventually(() => models.openStreams === 0, 10_000)).toBe(true);
    const next = await postForEvents(`${rest.baseUrl}/v1/models/smollm/generate/stream`, { prompt: 'Name a color.', parameters: { max_tokens: 8 } });
    expect(next.status).toBe(200);
    const events = [];
    for await (const e of readSse(next.body!)) events.push(e);
    expect(events.at(-1)?.data.finished).toBe(true);
    expect(models.openStreams).toBe(0);
  }, 120_000);
});
