import { Client } from '@grpc/grpc-js';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { MilvusVectorStore } from '../../src/adapters/vector/milvus';
import { VectorService } from '../../src/domain';
import { milvusDatabase, type MilvusDatabase } from '../support/milvus-test-server';

/**
 * One trip per call, counted where it costs: the Milvus RPCs each VectorService operation makes
 * against a real Milvus (scripts/milvus-server.sh). The store keeps declarations for a minute here
 * (1 s by default), so what is counted does not depend on how fast the test runs: the first call
 * on a name after a change describes it, the next ones do not. The SDK's methods are observed, not replaced:
 * every call still reaches the server. The SDK's own search and insert describe the collection
 * too, from its cache (`cache: true`), which the adapter's describe has just filled; those are
 * not RPCs and are not counted, by the same test the SDK makes. The adapter's Search goes out
 * without the SDK's search() (milvus-search-rpc.ts), so it is observed where it leaves, on the
 * grpc-js clients of the SDK's pool, and counted as 'search'.
 */
const SDK_METHODS = [
  'alterAlias',
  'alterCollectionProperties',
  'createAlias',
  'createCollection',
  'createIndex',
  'delete',
  'deleteEntities',
  'describeAlias',
  'describeCollection',
  'describeIndex',
  'dropAlias',
  'dropCollection',
  'dropIndex',
  'getLoadState',
  'getVersion',
  'hasCollection',
  'insert',
  'listAliases',
  'loadCollectionAsync',
  'query',
  'releaseCollection',
  'showCollections',
  'upsert',
] as const;

let milvus: MilvusDatabase;
let store: MilvusVectorStore;
let vectors: VectorService;
const rpcs: string[] = [];
/** The gRPC status code each Search RPC ended with (0 OK, 1 CANCELLED), in call order. */
const searchEnds: (number | null)[] = [];

beforeAll(async () => {
  milvus = await milvusDatabase('round_trips');
  store = new MilvusVectorStore({ address: milvus.address, database: milvus.database, timeoutMs: 20_000, declarationTtlMs: 60_000 });
  vectors = new VectorService(store);
  for (const method of SDK_METHODS) {
    const original = MilvusClient.prototype[method] as (...args: unknown[]) => unknown;
    jest.spyOn(MilvusClient.prototype, method).mockImplementation(function (this: MilvusClient, ...args: unknown[]) {
      if (method !== 'describeCollection' || !servedFromCache(this, args[0])) rpcs.push(method);
      return original.apply(this, args) as never;
    });
  }
  const unary = Client.prototype.makeUnaryRequest as (...args: unknown[]) => unknown;
  jest.spyOn(Client.prototype, 'makeUnaryRequest').mockImplementation(function (this: Client, ...args: unknown[]) {
    if (args[0] === '/milvus.proto.milvus.MilvusService/Search') {
      rpcs.push('search');
      const at = searchEnds.push(null) - 1;
      const last = args.length - 1;
      const callback = args[last] as (err: { code?: number } | null, value?: unknown) => void;
      args[last] = (err: { code?: number } | null, value?: unknown) => {
        searchEnds[at] = err === null ? 0 : (err.code ?? -1);
        callback(err, value);
      };
    }
    return unary.apply(this, args) as never;
  });
  await vectors.createCollection({ name: 'trips', vectorDim: 4 });
  await vectors.insert('trips', [
    { id: 'a', vector: [1, 0, 0, 0] },
    { id: 'b', vector: [0, 1, 0, 0] },
    { id: 'c', vector: [0, 0, 1, 0] },
  ]);
}, 600_000);

afterAll(async () => {
  jest.restoreAllMocks();
  await store?.close();
  await milvus?.release();
}, 120_000);

/** What MilvusClient.describeCollection itself checks before it sends the RPC. */
function servedFromCache(client: MilvusClient, request: unknown): boolean {
  const sdk = client as unknown as { collectionInfoCache: Map<string, unknown>; getCollectionInfoCacheKey(r: unknown): string };
  return (request as { cache?: boolean }).cache === true && sdk.collectionInfoCache.has(sdk.getCollectionInfoCacheKey(request));
}

/**
 * The RPCs `call` made. Property writes are left out: the updated_at write after data writes
 * (milvus-updated-at.ts) runs on its own timer, at most once a second per collection, and lands in
 * whichever call is running then.
 */
async function rpcsOf(call: () => Promise<unknown>): Promise<string[]> {
  rpcs.length = 0;
  await call().catch(() => undefined);
  return rpcs.filter((m) => m !== 'alterCollectionProperties');
}

describe('Milvus RPCs per VectorService call', () => {
  it('a search is one Search once the declaration is cached', async () => {
    expect(await rpcsOf(() => vectors.search('trips', { queryVector: [1, 0.5, 0.2, 0], options: { topK: 2 } }))).toEqual(['search']);
    // No hits could be a stale declaration's (Milvus searches an empty collection without checking the dimension): checked afresh.
    expect(await rpcsOf(() => vectors.search('trips', { queryVector: [1, 0.5, 0.2, 0], options: { topK: 2, filter: { lang: 'en' } } }))).toEqual(['search', 'describeCollection']);
  });

  it('a search whose k-th score is tied past k searches again for the rest of the tie group, not describing again', async () => {
    // b and c both score 0 against this query: the cut at k=2 falls inside their tie.
    expect(await rpcsOf(() => vectors.search('trips', { queryVector: [1, 0, 0, 0], options: { topK: 2 } }))).toEqual(['search', 'search']);
  });

  it('a search whose caller leaves ends CANCELLED and cancels its Search RPC, not only the wait for it', async () => {
    searchEnds.length = 0;
    const controller = new AbortController();
    const pending = vectors.search('trips', { queryVector: [1, 0.5, 0.2, 0], options: { topK: 2 } }, { signal: controller.signal });
    // A Strong search waits for Milvus's next time tick (~20 ms here): leave as soon as the RPC is out.
    while (searchEnds.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    while (searchEnds[0] === null) await new Promise((r) => setImmediate(r));
    expect(searchEnds).toEqual([1]);
  });

  it('a search with the wrong dimension is refused after a fresh DescribeCollection (the cached one could be stale), searching nothing', async () => {
    expect(await rpcsOf(() => vectors.search('trips', { queryVector: [1, 0], options: { topK: 2 } }))).toEqual(['describeCollection']);
    await expect(vectors.search('trips', { queryVector: [1, 0], options: { topK: 2 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('writes on a cached declaration go straight to the write', async () => {
    expect(await rpcsOf(() => vectors.insert('trips', [{ id: 'd', vector: [0, 0, 0, 1] }]))).toEqual(['query', 'insert']);
    expect(await rpcsOf(() => vectors.upsert('trips', [{ id: 'd', vector: [1, 1, 0, 0] }]))).toEqual(['upsert']);
    expect(await rpcsOf(() => vectors.delete('trips', ['d']))).toEqual(['deleteEntities']);
    expect(await rpcsOf(() => vectors.getById('trips', 'a'))).toEqual(['query']);
  });

  it('a page of a listing and a count are one Query, at any depth', async () => {
    const first = await vectors.listVectors('trips', { pageSize: 1 });
    expect(await rpcsOf(() => vectors.listVectors('trips', { pageSize: 1, pageToken: first.nextPageToken }))).toEqual(['query']);
    expect(await rpcsOf(() => vectors.listVectors('trips', { filter: { lang: 'en' } }))).toEqual(['query']);
    expect(await rpcsOf(() => vectors.countVectors('trips', { lang: 'en' }))).toEqual(['query']);
  });

  it('a call through an alias resolves it once (describe, DescribeAlias, describe the collection), then the cached target is used', async () => {
    expect(await rpcsOf(() => vectors.createAlias('trips_live', 'trips'))).toEqual(['describeCollection', 'createAlias']);
    expect(await rpcsOf(() => vectors.search('trips_live', { queryVector: [1, 0.5, 0.2, 0], options: { topK: 2 } }))).toEqual([
      'describeCollection',
      'describeAlias',
      'describeCollection',
      'search',
    ]);
    expect(await rpcsOf(() => vectors.search('trips_live', { queryVector: [1, 0.5, 0.2, 0], options: { topK: 2 } }))).toEqual(['search']);
    expect(await rpcsOf(() => vectors.alterAlias('trips_live', 'trips'))).toEqual(['describeCollection', 'describeAlias', 'alterAlias']);
    expect(await rpcsOf(() => vectors.listAliases('trips'))).toEqual(['describeCollection', 'listAliases']);
    // Dropping an aliased collection is refused after the one describe that shows the alias.
    expect(await rpcsOf(() => vectors.dropCollection('trips'))).toEqual(['describeCollection']);
    expect(await rpcsOf(() => vectors.dropAlias('trips_live'))).toEqual(['describeAlias', 'dropAlias']);
  });

  it('a collection bound to a model costs what a plain one does; a text search is one describe, then refused', async () => {
    const embedding = { model: 'm', provider: 'transformers', modelId: 'x/y', weights: 'dtype=fp32', dimension: 4 };
    await store.createCollection({ name: 'bound', description: '', dimension: 4, metricType: 'COSINE', index: null, embedding });
    expect(await rpcsOf(() => vectors.insert('bound', [{ id: 'a', vector: [1, 0, 0, 0], text: 'a river' }]))).toEqual(['describeCollection', 'query', 'insert']);
    expect(await rpcsOf(() => vectors.upsert('bound', [{ id: 'a', vector: [1, 0, 0, 0] }]))).toEqual(['upsert']);
    expect(await rpcsOf(() => vectors.getById('bound', 'a'))).toEqual(['query']);
    expect(await rpcsOf(() => vectors.search('bound', { queryVector: [1, 0.5, 0.2, 0], options: { topK: 1 } }))).toEqual(['search']);
    // The server's version, for the refusal's message, is read once per connection.
    const text = () => vectors.search('bound', { queryVector: [], queryText: 'river', options: { topK: 1, mode: 'text' } });
    expect(await rpcsOf(text)).toEqual(['getVersion']);
    expect(await rpcsOf(text)).toEqual([]);
    await expect(text()).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
  });

  it('every call describes the collection at most once (index changes and the admin reads describe afresh)', async () => {
    const calls: (() => Promise<unknown>)[] = [
      () => vectors.getCollectionInfo('trips'),
      () => vectors.hasIndex('trips'),
      () => vectors.getCollectionStats('trips'),
      () => vectors.createIndex('trips', { indexType: 'HNSW', params: { m: 8 } }),
      () => vectors.dropIndex('trips'),
      () => vectors.search('trips', { queryVector: [0, 1, 0.3, 0], options: { topK: 1 } }),
    ];
    for (const call of calls) expect((await rpcsOf(call)).filter((m) => m === 'describeCollection')).toHaveLength(1);
  });
});

/**
 * Another replica (a second store on the same Milvus) changes what this one has cached: the
 * cached declaration must never show as a wrong answer or a wrong code.
 */
describe('a declaration cached by one replica, changed by another', () => {
  let other: MilvusVectorStore;
  let otherVectors: VectorService;

  beforeAll(() => {
    other = new MilvusVectorStore({ address: milvus.address, database: milvus.database, timeoutMs: 20_000, declarationTtlMs: 60_000 });
    otherVectors = new VectorService(other);
  });

  afterAll(async () => {
    await other?.close();
  });

  it('a drop and re-create with another dimension: the new dimension is searched, the old one refused naming the new', async () => {
    await vectors.createCollection({ name: 'moving', vectorDim: 4 });
    await vectors.insert('moving', [{ id: 'four', vector: [1, 0, 0, 0] }]);
    expect((await otherVectors.search('moving', { queryVector: [1, 0, 0, 0], options: { topK: 1 } })).map((h) => h.id)).toEqual(['four']);
    await vectors.dropCollection('moving');
    await vectors.createCollection({ name: 'moving', vectorDim: 8 });
    await vectors.insert('moving', [{ id: 'eight', vector: [0, 1, 0, 0, 0, 0, 0, 0] }]);
    expect((await otherVectors.search('moving', { queryVector: [0, 1, 0, 0, 0, 0, 0, 0], options: { topK: 1 } })).map((h) => h.id)).toEqual(['eight']);
    // Re-created with data: Milvus refuses the 8-d query vector, and the refusal is the domain's, naming 4.
    await vectors.dropCollection('moving');
    await vectors.createCollection({ name: 'moving', vectorDim: 4 });
    await vectors.insert('moving', [{ id: 'four', vector: [1, 0, 0, 0] }]);
    await expect(otherVectors.search('moving', { queryVector: [0, 1, 0, 0, 0, 0, 0, 0], options: { topK: 1 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('4') });
    // Re-created empty: Milvus answers no hits without checking the dimension; the empty answer is checked.
    await vectors.dropCollection('moving');
    await vectors.createCollection({ name: 'moving', vectorDim: 8 });
    await expect(otherVectors.search('moving', { queryVector: [0, 1, 0, 0], options: { topK: 1 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('8') });
  });

  it('a drop: NOT_FOUND for reads and writes, naming the collection', async () => {
    await vectors.createCollection({ name: 'gone', vectorDim: 4 });
    await vectors.insert('gone', [{ id: 'a', vector: [1, 0, 0, 0] }]);
    expect(await otherVectors.countVectors('gone', undefined)).toBe(1);
    await vectors.dropCollection('gone');
    await expect(otherVectors.search('gone', { queryVector: [1, 0, 0, 0], options: { topK: 1 } })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('gone') });
    await expect(otherVectors.countVectors('gone', undefined)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(otherVectors.insert('gone', [{ id: 'b', vector: [1, 0, 0, 0] }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(otherVectors.upsert('gone', [{ id: 'b', vector: [1, 0, 0, 0] }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(otherVectors.delete('gone', ['a'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a new metric (CreateIndex on the other replica): searched with the new one, scores in its terms', async () => {
    await vectors.createCollection({ name: 'remetric', vectorDim: 4 });
    await vectors.insert('remetric', [{ id: 'a', vector: [3, 0, 0, 0] }]);
    expect((await otherVectors.search('remetric', { queryVector: [1, 0, 0, 0], options: { topK: 1 } }))[0]?.score).toBeCloseTo(1, 5);
    await vectors.createIndex('remetric', { indexType: 'FLAT', metricType: 'L2' });
    // L2 is reported as the squared distance: (3 - 1)² = 4.
    expect((await otherVectors.search('remetric', { queryVector: [1, 0, 0, 0], options: { topK: 1 } }))[0]?.score).toBeCloseTo(4, 5);
  });

  it('an alias moved by the other replica, its old target dropped: the new target is read', async () => {
    await vectors.createCollection({ name: 'blue', vectorDim: 4 });
    await vectors.insert('blue', [{ id: 'blue', vector: [1, 0, 0, 0] }]);
    await vectors.createCollection({ name: 'green', vectorDim: 4 });
    await vectors.insert('green', [{ id: 'green', vector: [1, 0, 0, 0] }]);
    await vectors.createAlias('colour', 'blue');
    expect((await otherVectors.search('colour', { queryVector: [1, 0, 0, 0], options: { topK: 1 } })).map((h) => h.id)).toEqual(['blue']);
    await vectors.alterAlias('colour', 'green');
    await vectors.dropCollection('blue');
    expect((await otherVectors.search('colour', { queryVector: [1, 0, 0, 0], options: { topK: 1 } })).map((h) => h.id)).toEqual(['green']);
  });
});
