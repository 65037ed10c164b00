import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import {
  closedPort,
  cosine,
  createRealProviders,
  createRegistryDir,
  EMBEDDING_DIM,
  EMBEDDING_MODEL,
  expectGenerationStopped,
  nextGenerationEnd,
  TEXT_MODEL,
  type RealProviders,
  type RegistryDir,
} from '../support/real-models';
import { expectProblem, fieldsOf, startRestServer, type RestAnswer, type RestTestServer } from '../support/rest-test-server';
import { postForEvents, readSse, type SseEvent } from '../support/sse-client';

const GREEDY = { temperature: 0, seed: 7 };
const LONG_PROMPT = 'Count from 1 to 500, writing every number in words, separated by commas.';

/** Every model route over real HTTP (fetch over loopback), running all-MiniLM-L6-v2 and SmolLM2-135M for real. */
describe('REST model routes with real models', () => {
  let providers: RealProviders;
  let registry: RegistryDir;
  // These routes never touch vectors; the in-memory reference store stands for the engine.
  const store = new MemoryVectorStore();
  let server: RestTestServer;

  beforeAll(async () => {
    providers = createRealProviders();
    registry = await createRegistryDir(providers);
    server = await startRestServer(store, { models: await registry.open() });
    expect((await server.call('POST', '/v1/models', { json: { config: EMBEDDING_MODEL } })).status).toBe(201);
    expect((await server.call('POST', '/v1/models', { json: { config: TEXT_MODEL } })).status).toBe(201);
  });

  afterAll(async () => {
    await server.close();
    await providers.close();
    await registry.dispose();
  });

  /** Runs a rejected call, checks its problem, and checks the registry reads back exactly as before. */
  async function rejects(call: () => Promise<RestAnswer>, status: number, code: string, field?: string): Promise<string> {
    const before = await server.call('GET', '/v1/models');
    const problem = expectProblem(await call(), status, code);
    if (field !== undefined) expect(problem.errors?.map((e) => e.field)).toContain(field);
    expect((await server.call('GET', '/v1/models')).body).toEqual(before.body);
    return problem.detail;
  }

  const post = (path: string, json: unknown) => () => server.call('POST', path, { json });

  const openStream = (name: string, body: unknown, signal?: AbortSignal) => postForEvents(`${server.baseUrl}/v1/models/${name}/generate/stream`, body, signal);

  async function streamEvents(name: string, body: unknown): Promise<SseEvent[]> {
    const response = await openStream(name, body);
    expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({ status: 200, type: 'text/event-stream; charset=utf-8' });
    const events: SseEvent[] = [];
    for await (const event of readSse(response.body!)) events.push(event);
    return events;
  }

  it('POST, GET, GET one, PUT, DELETE /v1/models', async () => {
    const copy = { ...EMBEDDING_MODEL, name: 'minilm-copy', parameters: { max_batch: 8 } };
    const created = await server.call('POST', '/v1/models', { json: { config: copy } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v1/models/minilm-copy');
    expect(created.body).toEqual({ success: true, message: expect.stringContaining('minilm-copy') });
    expect((await server.call('GET', '/v1/models')).body.models.map((m: { name: string }) => m.name)).toEqual(['minilm', 'minilm-copy', 'smollm']);
    expect(await server.call('GET', '/v1/models/minilm-copy')).toMatchObject({ status: 200, body: { config: copy } });
    const updated = await server.call('PUT', '/v1/models/minilm-copy', { json: { config: { provider: 'transformers', model_id: copy.model_id, enabled: false } } });
    expect(updated).toMatchObject({ status: 200, body: { success: true } });
    expect((await server.call('GET', '/v1/models/minilm-copy')).body.config).toEqual({ ...copy, parameters: {}, enabled: false });
    const renamed = await server.call('PUT', '/v1/models/minilm-copy', { json: { config: { ...copy, name: 'minilm-renamed' } } });
    expect(renamed.body.message).toContain('minilm-renamed');
    expectProblem(await server.call('GET', '/v1/models/minilm-copy'), 404, 'NOT_FOUND');
    expect(await server.call('DELETE', '/v1/models/minilm-renamed')).toMatchObject({ status: 200, body: { success: true } });
    expect((await server.call('GET', '/v1/models')).body.models.map((m: { name: string }) => m.name)).toEqual(['minilm', 'smollm']);
  });

  it('POST /embed: 384 normalized floats; a paraphrase is closer than an unrelated sentence', async () => {
    const embed = async (text: string) => (await server.call('POST', '/v1/models/minilm/embed', { json: { text } })).body;
    const [cat, paraphrase, unrelated] = await Promise.all([embed('A cat sits on the mat.'), embed('A kitten is resting on the rug.'), embed('Stock markets fell sharply today.')]);
    expect(cat).toMatchObject({ dimension: EMBEDDING_DIM, metadata: { model: 'minilm', truncated: false, tokens_used: expect.any(Number) } });
    expect(cat.embedding).toHaveLength(EMBEDDING_DIM);
    expect(Math.hypot(...cat.embedding)).toBeCloseTo(1, 3);
    expect(cosine(cat.embedding, paraphrase.embedding)).toBeGreaterThan(cosine(cat.embedding, unrelated.embedding) + 0.2);
  });

  it('POST /embeddings: plain arrays in input order, equal to single calls; long texts truncated and flagged', async () => {
    const long = Array.from({ length: 700 }, (_, i) => `word${i}`).join(' ');
    const texts = ['first sentence', 'a second, different one', long];
    const batch = await server.call('POST', '/v1/models/minilm/embeddings', { json: { texts } });
    expect(batch.status).toBe(200);
    expect(batch.body).toMatchObject({ dimension: EMBEDDING_DIM, metadata: { model: 'minilm', truncated: [false, false, true] } });
    const singles = await Promise.all(texts.map((text) => server.call('POST', '/v1/models/minilm/embed', { json: { text } })));
    (batch.body.embeddings as number[][]).forEach((e, i) => expect(cosine(e, singles[i]!.body.embedding)).toBeGreaterThan(0.9999));
  });

  it('POST /generate: non-empty, within max_tokens, tokens_used = prompt + completion, stop honoured', async () => {
    const res = await server.call('POST', '/v1/models/smollm/generate', { json: { prompt: 'Write one sentence about the sea.', parameters: { max_tokens: 12, ...GREEDY } } });
    expect(res.status).toBe(200);
    expect(res.body.text.trim()).not.toBe('');
    expect(res.body.metadata).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), finish_reason: expect.stringMatching(/^(stop|length)$/), model: 'smollm' });
    expect(res.body.metadata.completion_tokens).toBeLessThanOrEqual(12);
    expect(res.body.tokens_used).toBe(res.body.metadata.prompt_tokens + res.body.metadata.completion_tokens);
    const stopped = await server.call('POST', '/v1/models/smollm/generate', { json: { prompt: 'List three fruits, one per line.', parameters: { max_tokens: 40, stop: '\n', ...GREEDY } } });
    expect(stopped.body.text).not.toContain('\n');
  });

  it('POST /generate/stream: SSE chunk events, then one finished event; at temperature 0 they concatenate to the unary text', async () => {
    const body = { prompt: 'Name a color of the sky.', parameters: { max_tokens: 16, ...GREEDY } };
    const unary = (await server.call('POST', '/v1/models/smollm/generate', { json: body })).body;
    const events = await streamEvents('smollm', body);
    expect(events.every((e) => e.event === 'message')).toBe(true);
    expect(events.length).toBeGreaterThan(2);
    expect(events.slice(0, -1).every((e) => e.data.finished === false && typeof e.data.text_chunk === 'string')).toBe(true);
    expect(events.at(-1)!.data).toEqual({ text_chunk: '', finished: true, metadata: { ...unary.metadata, tokens_used: unary.tokens_used } });
    expect(events.map((e) => e.data.text_chunk).join('')).toBe(unary.text);
  });

  it('each SSE event arrives as soon as it is produced, not all at the end', async () => {
    const response = await openStream('smollm', { prompt: LONG_PROMPT, parameters: { max_tokens: 48, ...GREEDY } });
    const arrivals: number[] = [];
    for await (const event of readSse(response.body!)) if (!event.data.finished) arrivals.push(Date.now());
    expect(arrivals.length).toBeGreaterThan(10);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(20);
  });

  it('a client disconnecting mid-stream stops the generation, not only the stream', async () => {
    const ended = nextGenerationEnd(providers.llamacpp);
    const controller = new AbortController();
    const response = await openStream('smollm', { prompt: LONG_PROMPT, parameters: { max_tokens: 600, ...GREEDY } }, controller.signal);
    let received = 0;
    const outcome = await (async () => {
      for await (const event of readSse(response.body!)) {
        received += event.data.finished ? 0 : 1;
        if (received === 3) controller.abort();
      }
    })().then(() => 'completed', (e: unknown) => (e as Error).name);
    const abortedAt = Date.now();
    expect(outcome).toBe('AbortError');
    await expectGenerationStopped(providers.llamacpp, ended, abortedAt, 600);
  });

  describe('bad input: the documented status and code, and the registry unchanged', () => {
    it('unknown model: 404 NOT_FOUND from every route that names one', async () => {
      await rejects(() => server.call('GET', '/v1/models/ghost'), 404, 'NOT_FOUND');
      await rejects(() => server.call('DELETE', '/v1/models/ghost'), 404, 'NOT_FOUND');
      await rejects(() => server.call('PUT', '/v1/models/ghost', { json: { config: EMBEDDING_MODEL } }), 404, 'NOT_FOUND');
      await rejects(post('/v1/models/ghost/generate', { prompt: 'hi' }), 404, 'NOT_FOUND');
      await rejects(post('/v1/models/ghost/generate/stream', { prompt: 'hi' }), 404, 'NOT_FOUND');
      await rejects(post('/v1/models/ghost/embed', { text: 'hi' }), 404, 'NOT_FOUND');
      await rejects(post('/v1/models/ghost/embeddings', { texts: ['hi'] }), 404, 'NOT_FOUND');
    });

    it('disabled model: 400 FAILED_PRECONDITION', async () => {
      await server.call('POST', '/v1/models', { json: { config: { ...TEXT_MODEL, name: 'smollm-off', enabled: false } } });
      await server.call('POST', '/v1/models', { json: { config: { ...EMBEDDING_MODEL, name: 'minilm-off', enabled: false } } });
      expect(await rejects(post('/v1/models/smollm-off/generate', { prompt: 'hi' }), 400, 'FAILED_PRECONDITION')).toContain('disabled');
      await rejects(post('/v1/models/smollm-off/generate/stream', { prompt: 'hi' }), 400, 'FAILED_PRECONDITION');
      await rejects(post('/v1/models/minilm-off/embed', { text: 'hi' }), 400, 'FAILED_PRECONDITION');
      await rejects(post('/v1/models/minilm-off/embeddings', { texts: ['hi'] }), 400, 'FAILED_PRECONDITION');
      await server.call('DELETE', '/v1/models/smollm-off');
      await server.call('DELETE', '/v1/models/minilm-off');
    });

    it('wrong kind: an embedding model asked to generate, and the reverse, 400 FAILED_PRECONDITION', async () => {
      await rejects(post('/v1/models/minilm/generate', { prompt: 'hi' }), 400, 'FAILED_PRECONDITION');
      await rejects(post('/v1/models/minilm/generate/stream', { prompt: 'hi' }), 400, 'FAILED_PRECONDITION');
      await rejects(post('/v1/models/smollm/embed', { text: 'hi' }), 400, 'FAILED_PRECONDITION');
      await rejects(post('/v1/models/smollm/embeddings', { texts: ['hi'] }), 400, 'FAILED_PRECONDITION');
    });

    it('empty prompt or text: 400 INVALID_ARGUMENT naming the field', async () => {
      await rejects(post('/v1/models/smollm/generate', { prompt: '' }), 400, 'INVALID_ARGUMENT', 'prompt');
      await rejects(post('/v1/models/smollm/generate/stream', { prompt: ' ' }), 400, 'INVALID_ARGUMENT', 'prompt');
      await rejects(post('/v1/models/minilm/embed', { text: '' }), 400, 'INVALID_ARGUMENT', 'text');
      await rejects(post('/v1/models/minilm/embeddings', { texts: [] }), 400, 'INVALID_ARGUMENT', 'texts');
      await rejects(post('/v1/models/minilm/embeddings', { texts: ['ok', ''] }), 400, 'INVALID_ARGUMENT', 'texts[1]');
      await rejects(post('/v1/models/smollm/generate', {}), 400, 'INVALID_ARGUMENT', 'prompt');
    });

    it.each([
      ['max_tokens 0', { max_tokens: 0 }, 'parameters.max_tokens'],
      ['max_tokens -5', { max_tokens: -5 }, 'parameters.max_tokens'],
      ['max_tokens above the context', { max_tokens: 1025 }, 'parameters.max_tokens'],
      ['temperature < 0', { temperature: -0.5 }, 'parameters.temperature'],
      ['temperature of the wrong type', { temperature: 'hot' }, 'parameters.temperature'],
      ['an unknown parameter', { max_token: 5 }, 'parameters.max_token'],
    ])('%s: 400 INVALID_ARGUMENT on /generate and /generate/stream', async (_label, parameters, field) => {
      await rejects(post('/v1/models/smollm/generate', { prompt: 'hi', parameters }), 400, 'INVALID_ARGUMENT', field);
      await rejects(post('/v1/models/smollm/generate/stream', { prompt: 'hi', parameters }), 400, 'INVALID_ARGUMENT', field);
    });

    it('unknown provider, parameters of the wrong type, a secret: 400 INVALID_ARGUMENT on POST and PUT', async () => {
      const bad: [Record<string, unknown>, string][] = [
        [{ ...TEXT_MODEL, name: 'x1', provider: 'huggingface' }, 'config.provider'],
        [{ ...TEXT_MODEL, name: 'x2', parameters: { context_size: 'large' } }, 'config.parameters.context_size'],
        [{ ...EMBEDDING_MODEL, name: 'x3', parameters: { max_batch: true } }, 'config.parameters.max_batch'],
        [{ ...TEXT_MODEL, name: 'x4', parameters: { api_key: 'sk-secret' } }, 'config.parameters.api_key'],
        [{ ...TEXT_MODEL, name: 'x5', enabled: 'yes' }, 'config.enabled'],
      ];
      for (const [config, field] of bad) {
        await rejects(post('/v1/models', { config }), 400, 'INVALID_ARGUMENT', field);
        await rejects(() => server.call('PUT', '/v1/models/smollm', { json: { config: { ...config, name: undefined } } }), 400, 'INVALID_ARGUMENT', field);
      }
      // The config travels wrapped, as in RegisterModelRequest; a bare config is a 400, not a guess.
      const flat = await server.call('POST', '/v1/models', { json: EMBEDDING_MODEL });
      expectProblem(flat, 400, 'INVALID_ARGUMENT');
      expect(fieldsOf(flat).length).toBeGreaterThan(0);
      await rejects(post('/v1/models', { config: TEXT_MODEL }), 409, 'ALREADY_EXISTS');
    });

    it('local model files missing: 400 FAILED_PRECONDITION naming the path', async () => {
      expect(await rejects(post('/v1/models', { config: { ...TEXT_MODEL, name: 'nofile', model_id: 'absent/none.gguf' } }), 400, 'FAILED_PRECONDITION')).toContain('absent/none.gguf');
      expect(await rejects(post('/v1/models', { config: { ...EMBEDDING_MODEL, name: 'nofile', model_id: 'Xenova/absent-model' } }), 400, 'FAILED_PRECONDITION')).toContain('Xenova/absent-model');
    });

    it('a base_url that refuses connections: 503 UNAVAILABLE from the call, registry intact', async () => {
      const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
      await server.call('POST', '/v1/models', { json: { config: { name: 'remote-chat', provider: 'openai', model_id: 'gpt-4o-mini', parameters: { base_url: baseUrl } } } });
      await server.call('POST', '/v1/models', { json: { config: { name: 'remote-emb', provider: 'openai', model_id: 'text-embedding-3-small', parameters: { base_url: baseUrl, kind: 'embedding' } } } });
      await rejects(post('/v1/models/remote-chat/generate', { prompt: 'hi' }), 503, 'UNAVAILABLE');
      await rejects(post('/v1/models/remote-chat/generate/stream', { prompt: 'hi' }), 503, 'UNAVAILABLE');
      await rejects(post('/v1/models/remote-emb/embed', { text: 'hi' }), 503, 'UNAVAILABLE');
      await server.call('DELETE', '/v1/models/remote-chat');
      await server.call('DELETE', '/v1/models/remote-emb');
    });
  });

  it('the registry survives a restart, and the models answer after it', async () => {
    await server.call('PUT', '/v1/models/smollm', { json: { config: { ...TEXT_MODEL, parameters: { ...TEXT_MODEL.parameters, max_tokens: 8 } } } });
    const before = (await server.call('GET', '/v1/models')).body;
    await server.close();
    server = await startRestServer(store, { models: await registry.open() });
    expect((await server.call('GET', '/v1/models')).body).toEqual(before);
    expect((await server.call('POST', '/v1/models/minilm/embed', { json: { text: 'still here' } })).body.dimension).toBe(EMBEDDING_DIM);
    expect((await server.call('POST', '/v1/models/smollm/generate', { json: { prompt: 'Say hi.', parameters: GREEDY } })).body.text.trim()).not.toBe('');
  });
});
