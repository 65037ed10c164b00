import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import { FAIL_MID_STREAM, FakeModelProvider, vectorOf } from '../support/fake-model-provider';
import { openModelService } from '../support/model-services';
import { startRestServer, type RestAnswer, type RestTestServer } from '../support/rest-test-server';

/**
 * The /openai/v1 wire format over a scripted provider: error bodies, input shapes, base64, the SSE
 * framing and a failure mid-stream, which real models cannot be made to produce on cue. The same
 * routes with real models and the official client are in test/integration/openai-compat.test.ts.
 */
describe('OpenAI-compatible routes: wire format', () => {
  let rest: RestTestServer;

  beforeAll(async () => {
    const models = await openModelService(
      { transformers: new FakeModelProvider() },
      {
        defaults: [
          { name: 'emb', provider: 'transformers', modelId: 'e', parameters: {}, enabled: true },
          { name: 'gen', provider: 'transformers', modelId: 'g', parameters: { kind: 'generation' }, enabled: true },
          { name: 'off', provider: 'transformers', modelId: 'o', parameters: {}, enabled: false },
        ],
      },
    );
    rest = await startRestServer(new MemoryVectorStore(), { models });
  });

  afterAll(async () => {
    await rest.close();
  });

  function expectOpenAiError(answer: RestAnswer, status: number, code: string, param: string | null): string {
    expect({ status: answer.status, type: answer.headers.get('content-type') }).toEqual({ status, type: 'application/json; charset=utf-8' });
    expect(answer.body).toEqual({ error: { message: expect.any(String), type: expect.any(String), param, code } });
    return answer.body.error.message;
  }

  async function streamText(body: unknown): Promise<{ status: number; type: string | null; events: string[] }> {
    const response = await fetch(`${rest.baseUrl}/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), events: text.split('\n\n').filter((e) => e !== '') };
  }

  it('embeds a string and an array, as floats or base64 float32', async () => {
    const one = await rest.call('POST', '/openai/v1/embeddings', { json: { model: 'emb', input: 'hello' } });
    expect(one.body).toEqual({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: vectorOf('hello') }], model: 'emb', usage: { prompt_tokens: 0, total_tokens: 0 } });

    const many = await rest.call('POST', '/openai/v1/embeddings', { json: { model: 'emb', input: ['a', 'bb'], encoding_format: 'base64', user: 'u1' } });
    const decoded = many.body.data.map((d: { embedding: string }) => Array.from(new Float32Array(new Uint8Array(Buffer.from(d.embedding, 'base64')).buffer)));
    expect(decoded).toEqual([vectorOf('a'), vectorOf('bb')]);
  });

  it('accepts `dimensions` only when it is the model\'s own', async () => {
    expect((await rest.call('POST', '/openai/v1/embeddings', { json: { model: 'emb', input: 'x', dimensions: 3 } })).status).toBe(200);
    const other = await rest.call('POST', '/openai/v1/embeddings', { json: { model: 'emb', input: 'x', dimensions: 2 } });
    expect(expectOpenAiError(other, 400, 'invalid_argument', 'dimensions')).toContain('3-dimensional');
  });

  it('rejects token arrays, empty texts and unknown fields with OpenAI error bodies naming the field', async () => {
    expect(expectOpenAiError(await rest.call('POST', '/openai/v1/embeddings', { json: { model: 'emb', input: [[1, 2]] } }), 400, 'invalid_argument', 'input')).toContain('token arrays');
    expectOpenAiError(await rest.call('POST', '/openai/v1/embeddings', { json: { model: 'emb', input: [] } }), 400, 'invalid_argument', 'input');
    // The domain names GenerateEmbeddings' texts; this door's one field table says `input`, message included.
    expect(expectOpenAiError(await rest.call('POST', '/openai/v1/embeddings', { json: { model: 'emb', input: ['ok', ' '] } }), 400, 'invalid_argument', 'input[1]')).toBe('input[1]: must not be empty');
    expect(expectOpenAiError(await rest.call('POST', '/openai/v1/embeddings', { json: { model: 'emb', input: ' ' } }), 400, 'invalid_argument', 'input')).toBe('input: must not be empty');
    expectOpenAiError(await rest.call('POST', '/openai/v1/embeddings', { json: { model: 'emb', input: 'x', tools: [] } }), 400, 'invalid_argument', 'tools');
    expectOpenAiError(await rest.call('POST', '/openai/v1/embeddings', { json: { input: 'x' } }), 400, 'invalid_argument', 'model');
    expectOpenAiError(await rest.call('POST', '/openai/v1/embeddings', { raw: '{"model":' }), 400, 'invalid_argument', 'body');
  });

  it('answers an unknown or disabled model with 404 model_not_found, the wrong kind with 400', async () => {
    expectOpenAiError(await rest.call('POST', '/openai/v1/embeddings', { json: { model: 'nope', input: 'x' } }), 404, 'model_not_found', 'model');
    expectOpenAiError(await rest.call('GET', '/openai/v1/models/off'), 404, 'model_not_found', 'model');
    const wrongKind = await rest.call('POST', '/openai/v1/chat/completions', { json: { model: 'emb', messages: [{ role: 'user', content: 'hi' }] } });
    expectOpenAiError(wrongKind, 400, 'failed_precondition', null);
  });

  it('keeps problem+json outside the prefix and answers unknown paths inside it the OpenAI way', async () => {
    expect((await rest.call('GET', '/v1/models/nope')).headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expectOpenAiError(await rest.call('POST', '/openai/v1/edits', { json: {} }), 404, 'unknown_url', null);
  });

  it('lists the enabled models', async () => {
    const list = await rest.call('GET', '/openai/v1/models');
    expect(list.body).toEqual({ object: 'list', data: ['emb', 'gen'].map((id) => ({ id, object: 'model', created: expect.any(Number), owned_by: 'taishang-ai' })) });
    expect((await rest.call('GET', '/openai/v1/models/gen')).body).toMatchObject({ id: 'gen', object: 'model' });
  });

  it('sends one user message as the prompt itself, and a conversation as a labelled transcript', async () => {
    const single = await rest.call('POST', '/openai/v1/chat/completions', { json: { model: 'gen', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2, stop: null } });
    expect(single.body).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gen',
      choices: [{ index: 0, message: { role: 'assistant', content: 'echo: hi' }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'Bye' },
    ];
    const chat = await rest.call('POST', '/openai/v1/chat/completions', { json: { model: 'gen', messages } });
    expect(chat.body.choices[0].message.content).toBe('echo: System: Be brief.\n\nUser: Hi\n\nAssistant: Hello.\n\nUser: Bye');
  });

  it('rejects what it cannot honour, naming the OpenAI field', async () => {
    const call = (extra: object) => rest.call('POST', '/openai/v1/chat/completions', { json: { model: 'gen', messages: [{ role: 'user', content: 'hi' }], ...extra } });
    expect(expectOpenAiError(await call({ n: 2 }), 400, 'invalid_argument', 'n')).toBe('n: only 1 choice is supported');
    expectOpenAiError(await call({ presence_penalty: 0.5 }), 400, 'invalid_argument', 'presence_penalty');
    // OpenAI clients send null for settings they leave to the server: absent, not refused.
    expect((await call({ n: null, presence_penalty: null, frequency_penalty: 0, max_completion_tokens: null })).status).toBe(200);
    expectOpenAiError(await call({ max_tokens: 0 }), 400, 'invalid_argument', 'max_tokens');
    expectOpenAiError(await call({ temperature: -1 }), 400, 'invalid_argument', 'temperature');
    expectOpenAiError(await call({ messages: [{ role: 'function', content: 'x' }] }), 400, 'invalid_argument', 'messages[0].role');
    expectOpenAiError(await call({ messages: [{ role: 'user', content: '  ' }] }), 400, 'invalid_argument', 'messages');
    expectOpenAiError(await call({ stream: true, max_tokens: 0 }), 400, 'invalid_argument', 'max_tokens');
  });

  it('streams role, content and finish chunks, the usage chunk when asked, then [DONE]', async () => {
    const { status, type, events } = await streamText({ model: 'gen', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    expect([status, type]).toEqual([200, 'text/event-stream; charset=utf-8']);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')));
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('echo: hi');
    expect(chunks.at(-2).choices[0]).toEqual({ index: 0, delta: {}, finish_reason: 'stop', logprobs: null });
    expect(chunks.at(-1)).toMatchObject({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 } });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('ends a stream that fails midway with an error event and no [DONE]', async () => {
    const { status, events } = await streamText({ model: 'gen', messages: [{ role: 'user', content: FAIL_MID_STREAM }], stream: true });
    expect(status).toBe(200);
    expect(events.at(-1)).not.toBe('data: [DONE]');
    expect(JSON.parse(events.at(-1)!.replace(/^data: /, ''))).toEqual({ error: { message: expect.stringContaining('went away'), type: 'server_error', param: null, code: 'unavailable' } });
  });

  it('documents the routes under the openai tag', async () => {
    const doc = (await rest.call('GET', '/openapi.json')).body;
    for (const path of ['/openai/v1/embeddings', '/openai/v1/chat/completions', '/openai/v1/models', '/openai/v1/models/{model}']) {
      const operations = Object.values(doc.paths[path] ?? {}) as { tags: string[]; summary: string }[];
      expect(operations.length).toBeGreaterThan(0);
      for (const op of operations) expect(op).toMatchObject({ tags: ['openai'], summary: expect.any(String) });
    }
  });
});
