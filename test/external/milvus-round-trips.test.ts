import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { MilvusVectorStore } from '../../src/adapters/vector/milvus';
import { VectorService } from '../../src/domain';
import { startMilvusTestServer, type MilvusTestServer } from '../support/milvus-test-server';

/**
 * One trip per call, counted where it costs: the Milvus RPCs each VectorService operation makes
 * against a real Milvus (scripts/milvus-server.sh). The SDK's methods are observed, not replaced:
 * every call still reaches the server. The SDK's own search and insert describe the collection
 * too, from its cache (`cache: true`), which the adapter's describe has just filled; those are
 * not RPCs and are not counted, by the same test the SDK makes.
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
  'search',
  'showCollections',
  'upsert',
] as const;

let milvus: MilvusTestServer;
let store: MilvusVectorStore;
let vectors: VectorService;
const rpcs: string[] = [];

beforeAll(async () => {
  milvus = await startMilvusTestServer();
  store = new MilvusVectorStore({ address: milvus.address, database: 'round_trips', timeoutMs: 20_000 });
  vectors = new VectorService(store);
  for (const method of SDK_METHODS) {
    const original = MilvusClient.prototype[method] as (...args: unknown[]) => unknown;
    jest.spyOn(MilvusClient.prototype, method).mockImplementation(function (this: MilvusClient, ...args: unknown[]) {
      if (method !== 'describeCollection' || !servedFromCache(this, args[0])) rpcs.push(method);
      return original.apply(this, args) as never;
    });
  }
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
  await milvus?.dispose();
}, 120_000);

/** What MilvusClient.describeCollection itself checks before it sends the RPC. */
function servedFromCache(client: MilvusClient, request: unknown): boolean {
  const sdk = client as unknown as { collectionInfoCache: Map<string, unknown>; getCollectionInfoCacheKey(r: unknown): string };
  return (request as { cache?: boolean }).cache === true && sdk.collectionInfoCache.has(sdk.getCollectionInfoCacheKey(request));
}

/** The RPCs `call` made. */
async function rpcsOf(call: () => Promise<unknown>): Promise<string[]> {
  rpcs.length = 0;
  await call().catch(() => undefined);
  return [...rpcs];
}

describe('Milvus RPCs per VectorService call', () => {
  it('a search is one DescribeCollection and one Search', async () => {
    expect(await rpcsOf(() => vectors.search('trips', { queryVector: [1, 0.5, 0.2, 0], options: { topK: 2 } }))).toEqual(['describeCollection', 'search']);
    expect(await rpcsOf(() => vectors.search('trips', { queryVector: [1, 0.5, 0.2, 0], options: { topK: 2, filter: { lang: 'en' } } }))).toEqual(['describeCollection', 'search']);
  });

  it('a search whose k-th score is tied past k searches again for the rest of the tie group, not describing again', async () => {
    // b and c both score 0 against this query: the cut at k=2 falls inside their tie.
    expect(await rpcsOf(() => vectors.search('trips', { queryVector: [1, 0, 0, 0], options: { topK: 2 } }))).toEqual(['describeCollection', 'search', 'search']);
  });

  it('a search with the wrong dimension stops after the DescribeCollection', async () => {
    expect(await rpcsOf(() => vectors.search('trips', { queryVector: [1, 0], options: { topK: 2 } }))).toEqual(['describeCollection']);
  });

  it('writes describe once, then write', async () => {
    expect(await rpcsOf(() => vectors.insert('trips', [{ id: 'd', vector: [0, 0, 0, 1] }]))).toEqual(['describeCollection', 'query', 'insert']);
    expect(await rpcsOf(() => vectors.upsert('trips', [{ id: 'd', vector: [1, 1, 0, 0] }]))).toEqual(['describeCollection', 'upsert']);
    expect(await rpcsOf(() => vectors.delete('trips', ['d']))).toEqual(['describeCollection', 'deleteEntities']);
    expect(await rpcsOf(() => vectors.getById('trips', 'a'))).toEqual(['query']);
  });

  it('a page of a listing and a count are one DescribeCollection and one Query, at any depth', async () => {
    const first = await vectors.listVectors('trips', { pageSize: 1 });
    expect(await rpcsOf(() => vectors.listVectors('trips', { pageSize: 1, pageToken: first.nextPageToken }))).toEqual(['describeCollection', 'query']);
    expect(await rpcsOf(() => vectors.listVectors('trips', { filter: { lang: 'en' } }))).toEqual(['describeCollection', 'query']);
    expect(await rpcsOf(() => vectors.countVectors('trips', { lang: 'en' }))).toEqual(['describeCollection', 'query']);
  });

  it('a call through an alias resolves it once: describe, DescribeAlias, describe the collection, then the call', async () => {
    expect(await rpcsOf(() => vectors.createAlias('trips_live', 'trips'))).toEqual(['describeCollection', 'createAlias']);
    expect(await rpcsOf(() => vectors.search('trips_live', { queryVector: [1, 0.5, 0.2, 0], options: { topK: 2 } }))).toEqual([
      'describeCollection',
      'describeAlias',
      'describeCollection',
      'search',
    ]);
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
    expect(await rpcsOf(() => vectors.upsert('bound', [{ id: 'a', vector: [1, 0, 0, 0] }]))).toEqual(['describeCollection', 'upsert']);
    expect(await rpcsOf(() => vectors.getById('bound', 'a'))).toEqual(['query']);
    expect(await rpcsOf(() => vectors.search('bound', { queryVector: [1, 0.5, 0.2, 0], options: { topK: 1 } }))).toEqual(['describeCollection', 'search']);
    // The server's version, for the refusal's message, is read once per connection.
    const text = () => vectors.search('bound', { queryVector: [], queryText: 'river', options: { topK: 1, mode: 'text' } });
    expect(await rpcsOf(text)).toEqual(['describeCollection', 'getVersion']);
    expect(await rpcsOf(text)).toEqual(['describeCollection']);
    await expect(text()).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
  });

  it('every call describes the collection at most once', async () => {
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
