import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LanceVectorStore } from '../../src/adapters/vector/lance';
import type { VectorStore } from '../../src/domain';
import { expectProblem, fieldsOf, startRestServer, type RestAnswer, type RestTestServer } from '../support/rest-test-server';

/** The real LanceDB store (the default engine) in a fresh temp dir. */
async function openTestStore(): Promise<{ store: VectorStore; dispose(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'taishang-http-'));
  const store = await LanceVectorStore.open({ dataDir });
  return {
    store,
    dispose: async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

// Filter values that break naive query building; each must match its own row literally.
const tricky = [`O'Brien said "hi"`, 'back\\slash\\', `' OR 1=1 --`, `") or ("`, 'line1\nline2\r\n', '%_*?'];
const seeds = [
  { id: 'seed-0', vector: [1, 0, 0, 0], metadata: { note: 'plain', year: 2000 } },
  ...tricky.map((note, i) => ({ id: `seed-${i + 1}`, vector: [0, 1, i, 0], metadata: { note, year: 2001 + i } })),
];
const C = '/v1/collections/intact';

describe('REST door: bad input is refused with its documented code, stored data stays intact', () => {
  let server: RestTestServer;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const opened = await openTestStore();
    dispose = opened.dispose;
    server = await startRestServer(opened.store);
    expect((await server.call('POST', '/v1/collections', { json: { name: 'intact', vector_dim: 4 } })).status).toBe(201);
    expect((await server.call('POST', `${C}/vectors`, { json: { vectors: seeds } })).status).toBe(200);
  });

  afterAll(async () => {
    await server.close();
    await dispose();
  });

  /** Every seed reads back unchanged and nothing else was written. */
  async function expectIntact(): Promise<void> {
    expect((await server.call('GET', `${C}/stats`)).body.vector_count).toBe(seeds.length);
    for (const seed of seeds) {
      expect((await server.call('GET', `${C}/vectors/${seed.id}`)).body).toEqual({ vector: seed });
    }
    expect((await server.call('GET', '/v1/collections')).body.names).toEqual(['intact']);
  }

  async function expectRefused(answer: RestAnswer, status: number, code: string, field: string): Promise<void> {
    expectProblem(answer, status, code);
    expect(fieldsOf(answer)).toContain(field);
    expect(answer.body.detail).toContain(field);
    await expectIntact();
  }

  const insert = (vectors: unknown) => server.call('POST', `${C}/vectors`, { json: { vectors } });
  const upsert = (vectors: unknown) => server.call('PUT', `${C}/vectors`, { json: { vectors } });
  const search = (body: unknown) => server.call('POST', `${C}/search`, { json: body });

  it('wrong dimension', async () => {
    await expectRefused(await insert([{ id: 'x', vector: [1, 2, 3] }]), 400, 'INVALID_ARGUMENT', 'vectors[0].vector');
    await expectRefused(await upsert([{ id: 'seed-0', vector: [1, 2, 3, 4, 5] }]), 400, 'INVALID_ARGUMENT', 'vectors[0].vector');
    await expectRefused(await search({ query_vector: [1, 2] }), 400, 'INVALID_ARGUMENT', 'query_vector');
  });

  it('NaN and Infinity in a vector', async () => {
    // NaN is not JSON at all; 1e999 is JSON that JSON.parse turns into Infinity.
    const nan = await server.call('POST', `${C}/vectors`, { raw: '{"vectors":[{"id":"x","vector":[1,NaN,0,0]}]}' });
    await expectRefused(nan, 400, 'INVALID_ARGUMENT', 'body');
    const inf = await server.call('PUT', `${C}/vectors`, { raw: '{"vectors":[{"id":"seed-0","vector":[1,1e999,0,0]}]}' });
    await expectRefused(inf, 400, 'INVALID_ARGUMENT', 'vectors[0].vector[1]');
    expect(inf.body.errors[0].message).toBe('must be a finite number');
    const negInf = await server.call('POST', `${C}/search`, { raw: '{"query_vector":[-1e999,0,0,0]}' });
    await expectRefused(negInf, 400, 'INVALID_ARGUMENT', 'query_vector[0]');
  });

  it('a string inside a vector is not coerced', async () => {
    await expectRefused(await upsert([{ id: 'seed-0', vector: [1, '1.5', 0, 0] }]), 400, 'INVALID_ARGUMENT', 'vectors[0].vector[1]');
    await expectRefused(await search({ query_vector: ['1', 0, 0, 0] }), 400, 'INVALID_ARGUMENT', 'query_vector[0]');
    await expectRefused(await search({ query_vector: [1, 0, 0, 0], options: { topk: '5' } }), 400, 'INVALID_ARGUMENT', 'options.topk');
  });

  it('empty ids: refused by Upsert and Delete (Insert generates one, covered by the route tests)', async () => {
    await expectRefused(await upsert([{ id: '', vector: [1, 0, 0, 0] }]), 400, 'INVALID_ARGUMENT', 'vectors[0].id');
    await expectRefused(await upsert([{ vector: [1, 0, 0, 0] }]), 400, 'INVALID_ARGUMENT', 'vectors[0].id');
    await expectRefused(await server.call('POST', `${C}/vectors/delete`, { json: { ids: ['seed-0', ''] } }), 400, 'INVALID_ARGUMENT', 'ids[1]');
  });

  it('513-byte ids', async () => {
    const long = 'x'.repeat(513);
    await expectRefused(await insert([{ id: long, vector: [1, 0, 0, 0] }]), 400, 'INVALID_ARGUMENT', 'vectors[0].id');
    await expectRefused(await upsert([{ id: long, vector: [1, 0, 0, 0] }]), 400, 'INVALID_ARGUMENT', 'vectors[0].id');
    await expectRefused(await server.call('POST', `${C}/vectors/delete`, { json: { ids: [long] } }), 400, 'INVALID_ARGUMENT', 'ids[0]');
    await expectRefused(await server.call('GET', `${C}/vectors/${long}`), 400, 'INVALID_ARGUMENT', 'id');
    // 257 two-byte characters: 514 bytes though only 257 characters.
    await expectRefused(await server.call('GET', `${C}/vectors/${encodeURIComponent('é'.repeat(257))}`), 400, 'INVALID_ARGUMENT', 'id');
  });

  it('duplicate ids inside one Insert', async () => {
    const answer = await insert([{ id: 'dup', vector: [1, 0, 0, 0] }, { id: 'dup', vector: [0, 1, 0, 0] }]);
    await expectRefused(answer, 400, 'INVALID_ARGUMENT', 'vectors[1].id');
  });

  it('Insert of an existing id writes nothing of its batch', async () => {
    const answer = await insert([{ id: 'fresh', vector: [0, 0, 0, 1] }, { id: 'seed-1', vector: [0, 0, 0, 1] }]);
    await expectRefused(answer, 409, 'ALREADY_EXISTS', 'vectors');
    expect(answer.body.detail).toContain('seed-1');
    expectProblem(await server.call('GET', `${C}/vectors/fresh`), 404, 'NOT_FOUND');
  });

  it('unknown collection', async () => {
    for (const answer of [
      await server.call('GET', '/v1/collections/missing'),
      await server.call('POST', '/v1/collections/missing/vectors', { json: { vectors: [{ vector: [1] }] } }),
      await server.call('POST', '/v1/collections/missing/search', { json: { query_vector: [1] } }),
    ]) {
      expect(expectProblem(answer, 404, 'NOT_FOUND').detail).toContain("'missing'");
    }
    await expectIntact();
  });

  it('invalid collection name', async () => {
    await expectRefused(await server.call('POST', '/v1/collections', { json: { name: '9lives', vector_dim: 4 } }), 400, 'INVALID_ARGUMENT', 'name');
    await expectRefused(await server.call('POST', '/v1/collections', { json: { name: "x'; DROP", vector_dim: 4 } }), 400, 'INVALID_ARGUMENT', 'name');
    await expectRefused(await server.call('GET', '/v1/collections/bad-name'), 400, 'INVALID_ARGUMENT', 'name');
    const head = await server.call('HEAD', '/v1/collections/bad-name');
    expect({ status: head.status, text: head.text }).toEqual({ status: 400, text: '' });
    await expectRefused(await server.call('POST', '/v1/collections/bad-name/search', { json: { query_vector: [1] } }), 400, 'INVALID_ARGUMENT', 'collection_name');
  });

  it('creating an existing collection', async () => {
    const answer = await server.call('POST', '/v1/collections', { json: { name: 'intact', vector_dim: 8 } });
    expectProblem(answer, 409, 'ALREADY_EXISTS');
    expect(answer.body.detail).toContain("'intact'");
    expect((await server.call('GET', C)).body.vector_dim).toBe(4);
    await expectIntact();
  });

  it('topk 0 and 100000', async () => {
    for (const topk of [0, 100000]) {
      await expectRefused(await search({ query_vector: [1, 0, 0, 0], options: { topk } }), 400, 'INVALID_ARGUMENT', 'options.topk');
    }
  });

  it('unknown filter operator and a filter on an object value', async () => {
    const unknownOp = await search({ query_vector: [1, 0, 0, 0], options: { filter: { note: { $regex: '.*' } } } });
    await expectRefused(unknownOp, 400, 'INVALID_ARGUMENT', 'options.filter.note.$regex');
    const objectValue = await search({ query_vector: [1, 0, 0, 0], options: { filter: { meta: { nested: 'x' } } } });
    await expectRefused(objectValue, 400, 'INVALID_ARGUMENT', 'options.filter.meta.nested');
  });

  it('filter values with quotes, backslashes, SQL fragments and newlines match literally', async () => {
    for (const [i, note] of tricky.entries()) {
      const answer = await search({ query_vector: [0, 1, 0, 0], options: { topk: 100, filter: { note } } });
      expect({ note, status: answer.status, ids: answer.body.results.map((r: { id: string }) => r.id) }).toEqual({ note, status: 200, ids: [`seed-${i + 1}`] });
    }
    const viaIn = await search({ query_vector: [0, 1, 0, 0], options: { topk: 100, filter: { note: { $in: [tricky[2], tricky[3]] } } } });
    expect(viaIn.body.results.map((r: { id: string }) => r.id).sort()).toEqual(['seed-3', 'seed-4']);
    const noMatch = await search({ query_vector: [0, 1, 0, 0], options: { filter: { note: `plain' OR '1'='1` } } });
    expect(noMatch.body.results).toEqual([]);
    await expectIntact();
  });

  it('an oversized batch: 10 001 vectors', async () => {
    const vectors = Array.from({ length: 10_001 }, (_, i) => ({ id: `big-${i}`, vector: [0, 0, 1, 0] }));
    await expectRefused(await insert(vectors), 413, 'RESOURCE_EXHAUSTED', 'vectors');
    await expectRefused(await upsert(vectors), 413, 'RESOURCE_EXHAUSTED', 'vectors');
    const ids = vectors.map((v) => v.id);
    await expectRefused(await server.call('POST', `${C}/vectors/delete`, { json: { ids } }), 413, 'RESOURCE_EXHAUSTED', 'ids');
  });

  it('a body over the size limit', async () => {
    const { store, dispose: disposeSmall } = await openTestStore();
    const small = await startRestServer(store, { bodyLimitBytes: 1024 });
    try {
      const answer = await small.call('POST', '/v1/collections', { json: { name: 'x', description: 'd'.repeat(2048), vector_dim: 4 } });
      expectProblem(answer, 413, 'RESOURCE_EXHAUSTED');
      expect(fieldsOf(answer)).toEqual(['body']);
      expect((await small.call('GET', '/v1/collections')).body.names).toEqual([]);
    } finally {
      await small.close();
      await disposeSmall();
    }
  });

  it('malformed JSON', async () => {
    await expectRefused(await server.call('POST', `${C}/vectors`, { raw: '{"vectors": [' }), 400, 'INVALID_ARGUMENT', 'body');
    await expectRefused(await server.call('POST', `${C}/search`, { raw: "{'query_vector': [1,0,0,0]}" }), 400, 'INVALID_ARGUMENT', 'body');
    await expectRefused(await server.call('POST', `${C}/vectors`, { raw: '[1, 2]' }), 400, 'INVALID_ARGUMENT', 'body');
    await expectRefused(await server.call('POST', `${C}/vectors`, { raw: '' }), 400, 'INVALID_ARGUMENT', 'body');
    await expectRefused(await server.call('GET', `${C}/vectors/%E0%A4%A`), 400, 'INVALID_ARGUMENT', 'url');
    const poisoned = await server.call('PUT', `${C}/vectors`, { raw: '{"vectors":[],"__proto__":{"polluted":true}}' });
    await expectRefused(poisoned, 400, 'INVALID_ARGUMENT', 'body');
  });

  it('metadata nested past 20 levels, and JSON nested far deeper than any parser stack', async () => {
    const nest = (levels: number): unknown => {
      let value: unknown = 'leaf';
      for (let i = 1; i < levels; i++) value = { k: value };
      return { k: value };
    };
    // 20 levels (the top object included) is the documented bound: accepted, then removed again.
    expect((await insert([{ id: 'deep-ok', vector: [1, 0, 0, 0], metadata: nest(20) as Record<string, unknown> }])).status).toBe(200);
    expect((await server.call('POST', `${C}/vectors/delete`, { json: { ids: ['deep-ok'] } })).status).toBe(200);
    await expectRefused(await insert([{ id: 'deep', vector: [1, 0, 0, 0], metadata: nest(21) as Record<string, unknown> }]), 400, 'INVALID_ARGUMENT', 'vectors[0].metadata');
    const abyss = `{"vectors":[{"id":"abyss","vector":[1,0,0,0],"metadata":${'{"k":'.repeat(100_000)}1${'}'.repeat(100_000)}}]}`;
    const answer = await server.call('POST', `${C}/vectors`, { raw: abyss });
    expect(answer.status).toBe(400);
    await expectIntact();
  });

  it('wrong content-type', async () => {
    const body = JSON.stringify({ vectors: [{ id: 'ct', vector: [1, 0, 0, 0] }] });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const answer = await server.call('POST', `${C}/vectors`, { raw: body, headers: { 'content-type': type } });
      await expectRefused(answer, 415, 'INVALID_ARGUMENT', 'content-type');
      expect(answer.body.detail).toContain(type);
    }
  });

  it('unknown fields are refused rather than ignored', async () => {
    await expectRefused(await search({ query_vector: [1, 0, 0, 0], options: { top_k: 3 } }), 400, 'INVALID_ARGUMENT', 'options.top_k');
    await expectRefused(await insert([{ id: 'u', vector: [1, 0, 0, 0], meta: {} }]), 400, 'INVALID_ARGUMENT', 'vectors[0].meta');
    await expectRefused(await server.call('POST', `${C}/vectors`, { json: {} }), 400, 'INVALID_ARGUMENT', 'vectors');
  });
});
