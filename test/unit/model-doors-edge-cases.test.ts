import { ClientError, Status } from 'nice-grpc';
import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import { startGrpc, type GrpcHarness } from '../integration/grpc-harness';
import { FAIL_MID_STREAM, FakeModelProvider } from '../support/fake-model-provider';
import { openModelService } from '../support/model-services';
import { expectProblem, startRestServer, type RestTestServer } from '../support/rest-test-server';
import { postForEvents, readSse, type SseEvent } from '../support/sse-client';

/**
 * What the doors do with a provider failing after streaming began, which real local models cannot
 * be made to do on cue: REST sends `event: error` with a problem, gRPC ends with the status.
 */
describe('model doors: a stream that fails after its first chunk', () => {
  let rest: RestTestServer;
  let grpc: GrpcHarness;

  beforeAll(async () => {
    const defaults = [{ name: 'gen', provider: 'transformers' as const, modelId: 'writer', parameters: { kind: 'generation' }, enabled: true }];
    const models = await openModelService({ transformers: new FakeModelProvider() }, { defaults });
    rest = await startRestServer(new MemoryVectorStore(), { models });
    grpc = await startGrpc({ models, store: new MemoryVectorStore() });
  });

  afterAll(async () => {
    await rest.close();
    await grpc.close();
  });

  async function sse(prompt: string): Promise<{ response: Response; events: SseEvent[] }> {
    const response = await postForEvents(`${rest.baseUrl}/v1/models/gen/generate/stream`, { prompt });
    const events: SseEvent[] = [];
    for await (const event of readSse(response.body!)) events.push(event);
    return { response, events };
  }

  it('REST: a full stream is chunk events then one finished event, with the request id header', async () => {
    const { response, events } = await sse('hi');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('x-request-id')).toEqual(expect.any(String));
    expect(events.map((e) => e.data.text_chunk).join('')).toBe('echo: hi');
    expect(events.at(-1)).toEqual({
      event: 'message',
      data: { text_chunk: '', finished: true, metadata: { tokens_used: 6, prompt_tokens: 3, completion_tokens: 3, finish_reason: 'stop', model: 'gen' } },
    });
  });

  it('REST: a failure after the first chunk is an error event carrying the problem, then the end', async () => {
    const { response, events } = await sse(FAIL_MID_STREAM);
    expect(response.status).toBe(200);
    expect(events).toEqual([
      { event: 'message', data: { text_chunk: 'echo', finished: false } },
      {
        event: 'error',
        data: expect.objectContaining({ status: 503, code: 'UNAVAILABLE', detail: 'the model runtime went away', instance: '/v1/models/gen/generate/stream' }),
      },
    ]);
  });

  it('REST: a failure before the first chunk is an ordinary problem+json answer', async () => {
    expectProblem(await rest.call('POST', '/v1/models/nope/generate/stream', { json: { prompt: 'hi' } }), 404, 'NOT_FOUND');
    const bad = await rest.call('POST', '/v1/models/gen/generate/stream', { json: { prompt: 'hi', parameters: { max_tokens: 0 } } });
    expect(expectProblem(bad, 400, 'INVALID_ARGUMENT').errors).toEqual([{ field: 'parameters.max_tokens', message: expect.any(String) }]);
  });

  it('gRPC: the chunks sent stay received, then the call ends with the status', async () => {
    const received: string[] = [];
    const error = await (async () => {
      for await (const m of grpc.models.streamGenerateText({ modelName: 'gen', prompt: FAIL_MID_STREAM })) received.push(m.textChunk);
    })().then(() => undefined, (e: unknown) => e);
    expect(received).toEqual(['echo']);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe(Status.UNAVAILABLE);
  });
});
