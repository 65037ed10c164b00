import { restDoor, type Door } from './door-parity/doors';
import { FIXTURE_MODELS, readBackModels, SMOLLM } from './door-parity/model-fixtures';
import { startParityApp, type ParityApp } from './door-parity/parity-app';
import { INTACT, readBackVectors, seedVectors } from './door-parity/vector-fixtures';
import { expectProblem, fieldsOf, startRestServer, type RestAnswer, type RestTestServer } from '../support/rest-test-server';
import { postForEvents, readSse } from '../support/sse-client';
import { useLanceStore } from '../support/stores';

const C = `/v1/collections/${INTACT}`;
const GREEDY = { temperature: 0, seed: 7 };
const LONG_PROMPT = 'Count from 1 to 500, writing every number in words, separated by commas.';
const SMOLLM_WIRE = { name: SMOLLM.name, provider: SMOLLM.provider, model_id: SMOLLM.modelId, parameters: SMOLLM.parameters, enabled: true };

/**
 * What only the REST door can be asked: HTTP's probes, headers, content types and bodies that are
 * not JSON at all, JSON types the schema refuses (no coercion), body sizes, and SSE as it arrives.
 * Everything both doors share is in door-parity/; each refusal here is read back as well.
 */
describe('REST door only', () => {
  let app: ParityApp;
  let door: Door;
  let rest: RestTestServer;

  beforeAll(async () => {
    app = await startParityApp({ realModels: true, models: FIXTURE_MODELS });
    await seedVectors(app.vectors);
    door = restDoor(() => app.rest);
    rest = app.rest;
  });
  afterAll(async () => {
    await app?.close();
  });

  async function expectRefused(answer: RestAnswer, status: number, field: string): Promise<void> {
    expectProblem(answer, status, 'INVALID_ARGUMENT');
    expect(fieldsOf(answer)).toContain(field);
    expect(answer.body.detail).toContain(field);
    await readBackVectors(door);
    await readBackModels(door);
  }

  it('answers the probes: /healthz alive, /readyz ready', async () => {
    expect(await rest.call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await rest.call('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('HEAD with an invalid name is 400 without a body', async () => {
    const head = await rest.call('HEAD', '/v1/collections/bad-name');
    expect({ status: head.status, text: head.text }).toEqual({ status: 400, text: '' });
  });

  it('compacts without a body, also with a JSON content-type', async () => {
    expect((await rest.call('POST', `${C}/compact`)).body).toEqual({ success: true, message: `collection '${INTACT}' compacted` });
    expect((await rest.call('POST', `${C}/compact`, { headers: { 'content-type': 'application/json' } })).status).toBe(200);
    await readBackVectors(door);
  });

  it('echoes a safe x-request-id, replaces an unsafe one, and sends it on errors too', async () => {
    expect((await rest.call('GET', '/v1/collections', { headers: { 'x-request-id': 'client-req-42' } })).headers.get('x-request-id')).toBe('client-req-42');
    expect((await rest.call('GET', '/v1/collections', { headers: { 'x-request-id': 'bad id\twith spaces' } })).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const onError = await rest.call('GET', '/v1/nothing-here', { headers: { 'x-request-id': 'err-7' } });
    expect(onError.headers.get('x-request-id')).toBe('err-7');
    expectProblem(onError, 404, 'NOT_FOUND');
  });

  it('NaN is not JSON: the body is refused as malformed', async () => {
    await expectRefused(await rest.call('POST', `${C}/vectors`, { raw: '{"vectors":[{"id":"x","vector":[1,NaN,0,0]}]}' }), 400, 'body');
  });

  it('a string inside a vector or for topk is refused, not coerced', async () => {
    await expectRefused(await rest.call('PUT', `${C}/vectors`, { json: { vectors: [{ id: 'a', vector: [1, '1.5', 0, 0] }] } }), 400, 'vectors[0].vector[1]');
    await expectRefused(await rest.call('POST', `${C}/search`, { json: { query_vector: ['1', 0, 0, 0] } }), 400, 'query_vector[0]');
    await expectRefused(await rest.call('POST', `${C}/search`, { json: { query_vector: [1, 0, 0, 0], options: { topk: '5' } } }), 400, 'options.topk');
  });

  it('malformed JSON, a bad percent-encoding and __proto__ keys are INVALID_ARGUMENT', async () => {
    await expectRefused(await rest.call('POST', `${C}/vectors`, { raw: '{"vectors": [' }), 400, 'body');
    await expectRefused(await rest.call('POST', `${C}/search`, { raw: "{'query_vector': [1,0,0,0]}" }), 400, 'body');
    await expectRefused(await rest.call('POST', `${C}/vectors`, { raw: '[1, 2]' }), 400, 'body');
    await expectRefused(await rest.call('POST', `${C}/vectors`, { raw: '' }), 400, 'body');
    await expectRefused(await rest.call('GET', `${C}/vectors/%E0%A4%A`), 400, 'url');
    await expectRefused(await rest.call('PUT', `${C}/vectors`, { raw: '{"vectors":[],"__proto__":{"polluted":true}}' }), 400, 'body');
  });

  it('JSON nested far deeper than any parser stack is a 400, not a crash', async () => {
    const abyss = `{"vectors":[{"id":"abyss","vector":[1,0,0,0],"metadata":${'{"k":'.repeat(100_000)}1${'}'.repeat(100_000)}}]}`;
    expect((await rest.call('POST', `${C}/vectors`, { raw: abyss })).status).toBe(400);
    await readBackVectors(door);
  });

  it('a body that is not application/json is 415 naming the type sent', async () => {
    const body = JSON.stringify({ vectors: [{ id: 'ct', vector: [1, 0, 0, 0] }] });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const answer = await rest.call('POST', `${C}/vectors`, { raw: body, headers: { 'content-type': type } });
      await expectRefused(answer, 415, 'content-type');
      expect(answer.body.detail).toContain(type);
    }
  });

  it('unknown fields are refused rather than ignored', async () => {
    await expectRefused(await rest.call('POST', `${C}/search`, { json: { query_vector: [1, 0, 0, 0], options: { top_k: 3 } } }), 400, 'options.top_k');
    await expectRefused(await rest.call('POST', `${C}/vectors`, { json: { vectors: [{ id: 'u', vector: [1, 0, 0, 0], meta: {} }] } }), 400, 'vectors[0].meta');
    await expectRefused(await rest.call('POST', `${C}/vectors`, { json: {} }), 400, 'vectors');
  });

  it('query strings: integers and booleans read as such, anything else refused naming the parameter', async () => {
    const listed = await rest.call('GET', `${C}/vectors?page_size=2&include_vector=true`);
    expect(listed.status).toBe(200);
    expect(listed.body.vectors.map((v: { id: string; vector: number[] }) => [v.id, v.vector.length])).toEqual([['a', 4], ['b', 4]]);
    const next = await rest.call('GET', `${C}/vectors?page_token=${encodeURIComponent(listed.body.next_page_token)}&include_vector=false`);
    expect(next.body).toEqual({ vectors: [{ id: 'c', metadata: { genre: 'scifi', year: 2010, tags: ['x', 'y'] } }], next_page_token: '' });
    await expectRefused(await rest.call('GET', `${C}/vectors?page_size=ten`), 400, 'page_size');
    await expectRefused(await rest.call('GET', `${C}/vectors?page_size=1.5`), 400, 'page_size');
    await expectRefused(await rest.call('GET', `${C}/vectors?include_vector=yes`), 400, 'include_vector');
    await expectRefused(await rest.call('GET', `${C}/vectors?filter=%7B%7D`), 400, 'filter');
    await expectRefused(await rest.call('GET', '/v1/aliases?collection_name=has-dash'), 400, 'collection_name');
    // Over Node's 16 KiB of request line and headers, before any route: still a problem document.
    const huge = await rest.call('GET', `${C}/vectors?page_token=${'A'.repeat(20_000)}`);
    expectProblem(huge, 431, 'RESOURCE_EXHAUSTED');
    expect(fieldsOf(huge)).toEqual(['headers']);
    await readBackVectors(door);
    // The query string never reaches a body: a POST listing keeps JSON's types.
    await expectRefused(await rest.call('POST', `${C}/vectors/list`, { json: { page_size: '2' } }), 400, 'page_size');
  });

  it('count and list sit beside GetByID without hiding ids named like them', async () => {
    await app.vectors.insert(INTACT, [{ id: 'count', vector: [0, 0, 1, 0] }, { id: 'list', vector: [0, 0, 0, 1] }]);
    try {
      expect((await rest.call('GET', `${C}/vectors/count`)).body).toEqual({ vector: { id: 'count', vector: [0, 0, 1, 0], metadata: {} } });
      expect((await rest.call('GET', `${C}/vectors/list`)).body).toEqual({ vector: { id: 'list', vector: [0, 0, 0, 1], metadata: {} } });
      expect((await rest.call('GET', `${C}/count`)).body).toEqual({ count: 5 });
      const put = await rest.call('PUT', `${C}/count`, { json: {} });
      expect({ status: put.status, allow: put.headers.get('allow') }).toEqual({ status: 405, allow: 'GET, POST' });
    } finally {
      await app.vectors.delete(INTACT, ['count', 'list']);
    }
    await readBackVectors(door);
  });

  it('model bodies: a missing prompt, a non-boolean enabled, a config not wrapped in {config}', async () => {
    await expectRefused(await rest.call('POST', '/v1/models/smollm/generate', { json: {} }), 400, 'prompt');
    await expectRefused(await rest.call('POST', '/v1/models', { json: { config: { ...SMOLLM_WIRE, name: 'x5', enabled: 'yes' } } }), 400, 'config.enabled');
    await expectRefused(await rest.call('PUT', '/v1/models/smollm', { json: { config: { ...SMOLLM_WIRE, enabled: 'yes' } } }), 400, 'config.enabled');
    // The config travels wrapped, as in RegisterModelRequest; a bare one is a 400, not a guess.
    await expectRefused(await rest.call('POST', '/v1/models', { json: SMOLLM_WIRE }), 400, 'config');
  });

  it('each SSE event arrives as soon as it is produced, not all at the end', async () => {
    const response = await postForEvents(`${rest.baseUrl}/v1/models/smollm/generate/stream`, { prompt: LONG_PROMPT, parameters: { max_tokens: 48, ...GREEDY } });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const arrivals: number[] = [];
    for await (const event of readSse(response.body!)) if (!event.data.finished) arrivals.push(Date.now());
    expect(arrivals.length).toBeGreaterThan(10);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(20);
  });

  describe('on servers of their own', () => {
    const lance = useLanceStore();

    it('a body over the size limit is 413 naming the body; nothing is created', async () => {
      const small = await startRestServer(lance.store, { bodyLimitBytes: 1024 });
      try {
        const answer = await small.call('POST', '/v1/collections', { json: { name: 'x', description: 'd'.repeat(2048), vector_dim: 4 } });
        expectProblem(answer, 413, 'RESOURCE_EXHAUSTED');
        expect(fieldsOf(answer)).toEqual(['body']);
        expect((await small.call('GET', '/v1/collections')).body.names).toEqual([]);
      } finally {
        await small.close();
      }
    });

    it('/readyz is 503 not_ready while the engine is not ready; /healthz stays 200', async () => {
      const notReady = await startRestServer(lance.store, { isReady: async () => false });
      try {
        expect(await notReady.call('GET', '/readyz')).toMatchObject({ status: 503, body: { status: 'not_ready' } });
        expect((await notReady.call('GET', '/healthz')).status).toBe(200);
      } finally {
        await notReady.close();
      }
    });
  });
});
