import { Status } from 'nice-grpc';
import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import { StreamSlots, type GenerationChunk, type GenerationParams, type ModelCallOptions, type ModelConfig, type ModelService } from '../../src/domain';
import { DomainError } from '../../src/errors';
import { expectStatus, startGrpc, type GrpcHarness } from '../integration/grpc-harness';
import { FakeModelProvider } from '../support/fake-model-provider';
import { openModelService } from '../support/model-services';
import { expectProblem, startRestServer, type RestTestServer } from '../support/rest-test-server';
import { postForEvents, readSse } from '../support/sse-client';

/** Streams one chunk, then stays open until the test lets it finish or the caller cancels. */
class HeldStreamProvider extends FakeModelProvider {
  private finish: (() => void)[] = [];

  /** Streams waiting to be let finish. */
  get held(): number {
    return this.finish.length;
  }

  finishAll(): void {
    for (const f of this.finish.splice(0)) f();
  }

  override async *stream(_c: ModelConfig, prompt: string, _p: GenerationParams, options?: ModelCallOptions): AsyncIterable<GenerationChunk> {
    this.started.push(prompt);
    yield { done: false, text: prompt };
    await new Promise<void>((resolve) => {
      this.finish.push(resolve);
      options?.signal?.addEventListener('abort', () => {
        this.finish.splice(this.finish.indexOf(resolve), 1);
        resolve();
      }, { once: true });
    });
    if (options?.signal?.aborted) return;
    yield { done: true, result: { text: prompt, promptTokens: 1, completionTokens: 1, finishReason: 'stop' } };
  }
}

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

const GEN = { name: 'gen', provider: 'transformers' as const, modelId: 'writer', parameters: { kind: 'generation' }, enabled: true };

function openService(provider: FakeModelProvider, maxConcurrentStreams: number): Promise<ModelService> {
  return openModelService({ transformers: provider }, { defaults: [GEN], maxConcurrentStreams });
}

describe('StreamSlots', () => {
  it('hands out at most max slots; a release (once, however often called) frees one', () => {
    const slots = new StreamSlots(2);
    const a = slots.take();
    slots.take();
    expect(() => slots.take()).toThrow(DomainError);
    a();
    a();
    expect(slots.inUse).toBe(1);
    slots.take();
    expect(slots.inUse).toBe(2);
  });

  it('refuses with RESOURCE_EXHAUSTED and a retry hint', () => {
    const slots = new StreamSlots(1);
    slots.take();
    const error = (() => {
      try {
        slots.take();
      } catch (e) {
        return e as DomainError;
      }
      throw new Error('not refused');
    })();
    expect({ code: error.code, retry: error.retryAfterSeconds }).toEqual({ code: 'RESOURCE_EXHAUSTED', retry: 1 });
    expect(error.message).toContain('all 1 are open');
  });
});

describe('ModelService: the cap on open generation streams', () => {
  let provider: HeldStreamProvider;
  let models: ModelService;

  beforeEach(async () => {
    provider = new HeldStreamProvider({ concurrency: 4 });
    models = await openService(provider, 2);
  });
  afterEach(() => {
    provider.finishAll();
  });

  it('refuses the third stream before any model work, and takes it once one ends', async () => {
    const first = models.streamGenerateText('gen', 'one', null)[Symbol.asyncIterator]();
    const second = models.streamGenerateText('gen', 'two', null)[Symbol.asyncIterator]();
    await first.next();
    await second.next();
    const third = models.streamGenerateText('gen', 'three', null)[Symbol.asyncIterator]();
    await expect(third.next()).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    expect(provider.started).toEqual(['one', 'two']);
    await first.return!(undefined);
    expect(models.openStreams).toBe(1);
    const again = models.streamGenerateText('gen', 'again', null)[Symbol.asyncIterator]();
    expect(await again.next()).toEqual({ done: false, value: { done: false, text: 'again' } });
    expect(models.openStreams).toBe(2);
  });

  it('bad input and streams never pulled hold no slot; a finished stream gives its slot back', async () => {
    expect(() => models.streamGenerateText('gen', '', null)).toThrow(DomainError);
    models.streamGenerateText('gen', 'never pulled', null);
    expect(models.openStreams).toBe(0);
    const stream = models.streamGenerateText('gen', 'whole', null);
    const reading = (async () => {
      const chunks: GenerationChunk[] = [];
      for await (const c of stream) chunks.push(c);
      return chunks;
    })();
    await eventually(() => provider.held === 1);
    expect(models.openStreams).toBe(1);
    provider.finishAll();
    expect((await reading).at(-1)?.done).toBe(true);
    expect(models.openStreams).toBe(0);
  });
});

/** Both doors over one ModelService whose cap is 2: the slots are shared, whichever door opened them. */
describe('both doors share the stream cap', () => {
  let provider: HeldStreamProvider;
  let models: ModelService;
  let rest: RestTestServer;
  let grpc: GrpcHarness;

  beforeAll(async () => {
    provider = new HeldStreamProvider({ concurrency: 4 });
    models = await openService(provider, 2);
    rest = await startRestServer(new MemoryVectorStore(), { models });
    grpc = await startGrpc({ models, store: new MemoryVectorStore() });
  });
  afterAll(async () => {
    provider.finishAll();
    await rest.close();
    await grpc.close();
  });

  it('a third stream is refused on every door until one of the two open ones is cancelled', async () => {
    // One gRPC stream and one SSE stream, each read up to its first chunk.
    const grpcCancel = new AbortController();
    const grpcStream = grpc.models.streamGenerateText({ modelName: 'gen', prompt: 'grpc' }, { signal: grpcCancel.signal })[Symbol.asyncIterator]();
    expect((await grpcStream.next()).value?.textChunk).toBe('grpc');
    const sseCancel = new AbortController();
    const sse = await postForEvents(`${rest.baseUrl}/v1/models/gen/generate/stream`, { prompt: 'sse' }, sseCancel.signal);
    expect(sse.status).toBe(200);
    const sseEvents = readSse(sse.body!);
    expect((await sseEvents.next()).value?.data.text_chunk).toBe('sse');
    expect(models.openStreams).toBe(2);

    const refusedGrpc = await expectStatus(
      (async () => {
        for await (const _ of grpc.models.streamGenerateText({ modelName: 'gen', prompt: 'third' })) void _;
      })(),
      Status.RESOURCE_EXHAUSTED,
    );
    expect(refusedGrpc.details).toContain('generation streams');
    const refusedSse = await rest.call('POST', '/v1/models/gen/generate/stream', { json: { prompt: 'third' } });
    expectProblem(refusedSse, 429, 'RESOURCE_EXHAUSTED');
    expect(refusedSse.headers.get('retry-after')).toBe('1');
    const refusedChat = await rest.call('POST', '/openai/v1/chat/completions', { json: { model: 'gen', stream: true, messages: [{ role: 'user', content: 'third' }] } });
    expect(refusedChat.status).toBe(429);
    expect(refusedChat.headers.get('retry-after')).toBe('1');
    expect(refusedChat.body.error).toMatchObject({ type: 'rate_limit_error', code: 'resource_exhausted' });
    // Unary generation is not a stream and still answers.
    expect((await rest.call('POST', '/v1/models/gen/generate', { json: { prompt: 'unary' } })).status).toBe(200);
    expect(provider.started.filter((p) => p === 'third')).toEqual([]);

    // Cancelling the gRPC stream frees its slot: the next stream (OpenAI, streaming) is served.
    grpcCancel.abort();
    await eventually(() => models.openStreams === 1);
    const chat = await postForEvents(`${rest.baseUrl}/openai/v1/chat/completions`, { model: 'gen', stream: true, messages: [{ role: 'user', content: 'fourth' }] });
    expect(chat.status).toBe(200);
    const chatBody = chat.body!.getReader();
    await chatBody.read();
    await eventually(() => models.openStreams === 2);

    // A client closing its SSE connection frees its slot too.
    sseCancel.abort();
    await eventually(() => models.openStreams === 1 && provider.held === 1);
    provider.finishAll();
    let text = '';
    for (let r = await chatBody.read(); !r.done; r = await chatBody.read()) text += new TextDecoder().decode(r.value);
    expect(text).toContain('data: [DONE]');
    await eventually(() => models.openStreams === 0);
  });
});
