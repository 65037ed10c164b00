import { OpenAiProvider, normalizeBaseUrl } from '../../src/providers/remote-openai';
import { collect, failure, remoteConfig, sse, waitFor } from '../support/openai-provider-kit';
import { json, ScriptedHttpServer } from '../support/scripted-http-server';

/** The openai provider against a scripted loopback server: configuration, request bodies, SSE parsing. Its failures: openai-provider-failures.test.ts. */

let server: ScriptedHttpServer;

beforeAll(async () => {
  server = await ScriptedHttpServer.start();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.seen.length = 0;
  server.aborted = 0;
});

const config = (parameters: Record<string, unknown> = {}) => remoteConfig(server, parameters);
const provider = new OpenAiProvider({ env: { GOOD_KEY: 'sk-test' }, defaultTimeoutMs: 2_000 });

describe('openai provider: configuration', () => {
  it('uses base_url as the API root, adding /v1 only to a bare origin', () => {
    expect(normalizeBaseUrl('http://h:8000')).toBe('http://h:8000/v1');
    expect(normalizeBaseUrl('http://h:8000/')).toBe('http://h:8000/v1');
    expect(normalizeBaseUrl('http://h:8000/v1/')).toBe('http://h:8000/v1');
    expect(normalizeBaseUrl('https://h/openai/v1')).toBe('https://h/openai/v1');
    expect(normalizeBaseUrl('https://h/v1beta/openai/')).toBe('https://h/v1beta/openai');
  });

  it('rejects a missing base_url and parameters of the wrong type, naming each', async () => {
    const missing = await failure(provider.validate({ ...config(), parameters: {} }));
    expect(missing.code).toBe('INVALID_ARGUMENT');
    expect(missing.violations.map((v) => v.field)).toEqual(['config.parameters.base_url']);

    const wrong = await failure(provider.validate(config({ dimensions: '384', concurrency: 0, kind: 'chat', timeout_ms: 1e9, stop: [1], nonsense: true })));
    expect(wrong.violations.map((v) => v.field).sort()).toEqual(
      ['concurrency', 'dimensions', 'kind', 'nonsense', 'stop', 'timeout_ms'].map((k) => `config.parameters.${k}`),
    );
  });

  it('needs the variable named by api_key_env to be set, and never asks for it otherwise', async () => {
    await expect(provider.validate(config({ api_key_env: 'GOOD_KEY' }))).resolves.toBeUndefined();
    await expect(provider.validate(config())).resolves.toBeUndefined();
    const missing = await failure(provider.validate(config({ api_key_env: 'NOT_SET_ANYWHERE' })));
    expect(missing.code).toBe('FAILED_PRECONDITION');
    expect(missing.message).toContain('NOT_SET_ANYWHERE');
    expect((await failure(provider.embed(config({ api_key_env: 'NOT_SET_ANYWHERE', kind: 'embedding' }), ['x']))).code).toBe('FAILED_PRECONDITION');
  });

  it('reports kind, context, concurrency and batch from parameters, with defaults', () => {
    expect(provider.kindOf(config())).toBe('generation');
    expect(provider.kindOf(config({ kind: 'embedding' }))).toBe('embedding');
    expect([provider.contextSizeOf(config()), provider.concurrencyOf(config()), provider.maxBatchOf(config())]).toEqual([8192, 4, 64]);
    expect([provider.contextSizeOf(config({ context_size: 2048 })), provider.concurrencyOf(config({ concurrency: 2 })), provider.maxBatchOf(config({ max_batch: 8 }))]).toEqual([2048, 2, 8]);
  });
});

describe('openai provider: calls', () => {
  it('embeds in input order, sending the key, float encoding and dimensions', async () => {
    server.script = (req, res) =>
      json(res, 200, { object: 'list', data: [{ index: 1, embedding: [0, 1] }, { index: 0, embedding: [1, 0] }], usage: { prompt_tokens: 5, total_tokens: 5 } });
    const result = await provider.embed(config({ kind: 'embedding', api_key_env: 'GOOD_KEY', dimensions: 2 }), ['a', 'b']);
    expect(result).toEqual({ vectors: [[1, 0], [0, 1]], dimension: 2, truncated: [false, false], tokens: 5 });
    expect(server.seen[0]).toMatchObject({
      method: 'POST',
      url: '/v1/embeddings',
      headers: { authorization: 'Bearer sk-test' },
      body: { model: 'upstream-model', input: ['a', 'b'], encoding_format: 'float', dimensions: 2 },
    });
  });

  it('fails a server that ignores `dimensions` rather than store vectors of the wrong size', async () => {
    server.script = (_req, res) => json(res, 200, { data: [{ index: 0, embedding: [1, 0, 0] }] });
    const e = await failure(provider.embed(config({ kind: 'embedding', dimensions: 2 }), ['a']));
    expect(e.code).toBe('FAILED_PRECONDITION');
    expect(e.message).toContain('3 dimensions');
  });

  it('generates through chat/completions, merging the model defaults under the call parameters', async () => {
    server.script = (_req, res) =>
      json(res, 200, { choices: [{ message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'length' }], usage: { prompt_tokens: 9, completion_tokens: 2 } });
    const result = await provider.generate(config({ temperature: 0.5, max_tokens: 10 }), 'Capital of France?', { maxTokens: 4, seed: 7, stop: ['\n'] });
    expect(result).toEqual({ text: 'Paris.', promptTokens: 9, completionTokens: 2, finishReason: 'length' });
    expect(server.seen[0]!.body).toEqual({
      model: 'upstream-model',
      messages: [{ role: 'user', content: 'Capital of France?' }],
      stream: false,
      max_tokens: 4,
      temperature: 0.5,
      seed: 7,
      stop: ['\n'],
    });
  });

  it('streams SSE deltas split across network packets, then one done chunk with the server usage', async () => {
    server.script = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const body = ': keep-alive comment\n\n' + sse([
        { choices: [{ delta: { role: 'assistant', content: '' }, finish_reason: null }] },
        { choices: [{ delta: { content: 'Hel' }, finish_reason: null }] },
        { choices: [{ delta: { content: 'lo' }, finish_reason: null }] },
        { choices: [{ delta: {}, finish_reason: 'stop' }] },
        { choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
      ]).replace(/\n\n/g, '\r\n\r\n');
      for (let i = 0; i < body.length; i += 7) {
        res.write(body.slice(i, i + 7));
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    };
    const chunks = await collect(provider.stream(config(), 'Hi', {}));
    expect(chunks).toEqual([
      { done: false, text: 'Hel' },
      { done: false, text: 'lo' },
      { done: true, result: { text: 'Hello', promptTokens: 3, completionTokens: 2, finishReason: 'stop' } },
    ]);
    expect(server.seen[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('counts streamed chunks as completion tokens when the server reports no usage', async () => {
    server.script = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sse([{ choices: [{ delta: { content: 'a' } }] }, { choices: [{ delta: { content: 'b' }, finish_reason: 'length' }] }], ''));
    };
    const chunks = await collect(provider.stream(config(), 'Hi', {}));
    expect(chunks.at(-1)).toEqual({ done: true, result: { text: 'ab', promptTokens: 0, completionTokens: 2, finishReason: 'length' } });
  });

  it('ends the upstream request when the consumer stops reading early', async () => {
    server.script = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse([{ choices: [{ delta: { content: 'a' } }] }], ''));
    };
    for await (const chunk of provider.stream(config(), 'hi', {})) if (!chunk.done) break;
    await waitFor(() => server.aborted === 1);
  });

  it('answers readiness from GET /models: listed there, and false when the server fails', async () => {
    server.script = (req, res) => {
      if (req.url === '/ok/models') json(res, 200, { object: 'list', data: [{ id: 'other-model', object: 'model' }, { id: 'upstream-model', object: 'model' }] });
      else if (req.url === '/unlisted/models') json(res, 200, { models: 'whatever this server lists' });
      else json(res, 500, {});
    };
    expect(await provider.isReady(config({ base_url: `${server.url}/ok` }))).toBe(true);
    expect(await provider.isReady(config({ base_url: `${server.url}/broken` }))).toBe(false);
    const calls = server.seen.length;
    expect(await provider.isReady(config({ base_url: `${server.url}/ok` }))).toBe(true);
    // A model the server does not list cannot answer; the list is reused, not asked for again.
    expect(await provider.isReady({ ...config({ base_url: `${server.url}/ok` }), modelId: 'not-served-there' })).toBe(false);
    expect(server.seen.length).toBe(calls);
    // A server whose answer is not an OpenAI list is taken at its word.
    expect(await provider.isReady(config({ base_url: `${server.url}/unlisted` }))).toBe(true);
  });

  it('refuses the wrong kind of call before sending anything', async () => {
    const embedding = config({ kind: 'embedding' });
    expect((await failure(provider.generate(embedding, 'hi', {}))).code).toBe('FAILED_PRECONDITION');
    expect((await failure(collect(provider.stream(embedding, 'hi', {})))).code).toBe('FAILED_PRECONDITION');
    expect((await failure(provider.embed(config(), ['a']))).code).toBe('FAILED_PRECONDITION');
    expect(server.seen).toEqual([]);
  });

  it('reports no token count when the server says 0 (it does not count), and its count otherwise', async () => {
    server.script = (_req, res) => json(res, 200, { data: [{ index: 0, embedding: [1, 0] }], usage: { prompt_tokens: 0, total_tokens: 0 } });
    expect(await provider.embed(config({ kind: 'embedding' }), ['a'])).toEqual({ vectors: [[1, 0]], dimension: 2, truncated: [false] });
  });
});
