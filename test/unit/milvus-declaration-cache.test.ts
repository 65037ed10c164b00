import milvusBase from '@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.base';
import protobuf from 'protobufjs';
import { MilvusVectorStore } from '../../src/adapters/vector/milvus';
import { MilvusConnection } from '../../src/adapters/vector/milvus/milvus-connection';
import { DeclarationCache } from '../../src/adapters/vector/milvus/milvus-declarations';
import { toDomainError } from '../../src/adapters/vector/milvus/milvus-errors';
import { creationProperties } from '../../src/adapters/vector/milvus/milvus-catalog';
import { VectorService, type CollectionInfo, type CollectionSpec } from '../../src/domain';

/**
 * The Milvus adapter's declaration cache over a fake Milvus client that counts its calls (a unit
 * test's fake: MilvusConnection.call hands it to the adapter instead of a real client; the real
 * server's side is test/external/milvus-round-trips.test.ts). One RPC per search once a
 * declaration is cached; this process's DDL clears it; another replica's changes (made here
 * directly on the fake) never show as a wrong answer or a wrong code.
 */
const OK = { error_code: 'Success', code: 0, reason: '' };

/** The SDK's protobuf root: the adapter sends Search itself (milvus-search-rpc.ts), so the fake answers it on the wire's terms. */
const ROOT = protobuf.Root.fromJSON(milvusBase as protobuf.INamespace);
const SearchRequest = ROOT.lookupType('milvus.proto.milvus.SearchRequest');
const SearchResults = ROOT.lookupType('milvus.proto.milvus.SearchResults');
const PlaceholderGroup = ROOT.lookupType('milvus.proto.common.PlaceholderGroup');
const ErrorCode = ROOT.lookupEnum('milvus.proto.common.ErrorCode');

interface FakeCollection {
  spec: CollectionSpec;
  createdAt: number;
  rows: Map<string, number[]>;
}

class FakeMilvus {
  readonly calls: string[] = [];
  readonly collections = new Map<string, FakeCollection>();
  readonly aliases = new Map<string, string>();
  private clock = 1_000;
  /** Failures to answer the next search with, as grpc-js would throw them. */
  failNextSearch: Error | null = null;

  // What milvus-search-rpc.ts reads off a MilvusClient: its protobuf root, metadata and pool of grpc-js clients.
  readonly milvusProto = ROOT;
  readonly metadata = new Map<string, string>();
  readonly channelPool = { acquire: async () => this.wire, release: async () => undefined };
  private readonly wire = {
    makeUnaryRequest: (_method: string, _serialize: unknown, deserialize: (b: Buffer) => unknown, argument: Uint8Array, _options: unknown, callback: (err: Error | null, value?: unknown) => void) => {
      const request = SearchRequest.decode(argument) as unknown as { collectionName: string; placeholderGroup: Uint8Array; searchParams: { key: string; value: string }[] };
      const param = (key: string): string => request.searchParams.find((p) => p.key === key)?.value ?? '';
      const bytes = (PlaceholderGroup.decode(request.placeholderGroup) as unknown as { placeholders: { values: Uint8Array[] }[] }).placeholders[0]!.values[0]!;
      const vector = Array.from(new Float32Array(Uint8Array.from(bytes).buffer));
      this.search({ collection_name: request.collectionName, data: [vector], limit: Number(param('topk')), metric_type: param('metric_type') }).then(
        ({ status, results }) => {
          const answer = SearchResults.encode({
            status: { errorCode: ErrorCode.values[status.error_code] ?? 1, code: status.code, reason: status.reason },
            results: {
              scores: results.map((r) => r.score),
              ids: { strId: { data: results.map((r) => r.id) } },
              fieldsData: [
                { fieldName: 'id', scalars: { stringData: { data: results.map((r) => r.id) } } },
                { fieldName: 'metadata', scalars: { jsonData: { data: results.map((r) => Buffer.from(JSON.stringify(r.metadata))) } } },
              ],
            },
          }).finish();
          callback(null, deserialize(Buffer.from(answer)));
        },
        (err: Error) => callback(err),
      );
      return { cancel: () => undefined };
    },
  };

  /** What another replica does: create (or re-create) a collection, bypassing the store under test. */
  put(spec: Partial<CollectionSpec> & { name: string; dimension: number }, rows: Record<string, number[]> = {}): void {
    const full: CollectionSpec = { description: '', metricType: 'COSINE', index: null, embedding: null, ...spec };
    this.collections.set(spec.name, { spec: full, createdAt: (this.clock += 1), rows: new Map(Object.entries(rows)) });
  }

  count(method: string): number {
    return this.calls.filter((m) => m === method).length;
  }

  private resolve(name: string): FakeCollection | undefined {
    return this.collections.get(this.aliases.get(name) ?? name);
  }

  private notFound(name: string) {
    return { error_code: 'CollectionNotExists', code: 100, reason: `can't find collection: ${name}` };
  }

  // The MilvusClient methods the adapter calls in these tests.
  async describeCollection({ collection_name }: { collection_name: string }) {
    this.calls.push('describeCollection');
    const c = this.resolve(collection_name);
    if (c === undefined) return { status: this.notFound(collection_name) };
    const { spec } = c;
    return {
      status: OK,
      aliases: [...this.aliases].filter(([, target]) => target === (this.aliases.get(collection_name) ?? collection_name)).map(([alias]) => alias),
      created_utc_timestamp: String(c.createdAt),
      properties: Object.entries(creationProperties(spec)).map(([key, value]) => ({ key, value })),
      schema: {
        description: spec.description,
        fields: [
          { name: 'id', is_primary_key: true, data_type: 'VarChar' },
          { name: 'vector', data_type: 'FloatVector', dim: String(spec.dimension) },
          { name: 'metadata', data_type: 'JSON' },
        ],
      },
    };
  }

  async describeAlias({ alias }: { alias: string }) {
    this.calls.push('describeAlias');
    const target = this.aliases.get(alias);
    return target === undefined ? { status: { error_code: 'UnexpectedError', code: 1600, reason: 'alias not found' } } : { status: OK, collection: target };
  }

  async createAlias({ alias, collection_name }: { alias: string; collection_name: string }) {
    this.calls.push('createAlias');
    this.aliases.set(alias, collection_name);
    return OK;
  }

  async search(request: { collection_name: string; data: number[][]; limit: number; metric_type: string }) {
    this.calls.push('search');
    if (this.failNextSearch !== null) {
      const failure = this.failNextSearch;
      this.failNextSearch = null;
      throw failure;
    }
    const c = this.collections.get(request.collection_name);
    if (c === undefined) return { status: this.notFound(request.collection_name), results: [] };
    // Milvus 2.3 checks neither on an empty collection.
    if (c.rows.size === 0) return { status: OK, results: [] };
    if (request.metric_type !== c.spec.metricType) return { status: { error_code: 'UnexpectedError', code: 65535, reason: 'metric type not match' }, results: [] };
    const query = request.data[0]!;
    if (query.length !== c.spec.dimension) return { status: { error_code: 'IllegalArgument', code: 1100, reason: 'the dim of vector field is not match' }, results: [] };
    const results = [...c.rows]
      .map(([id, v]) => ({ id, score: v.reduce((sum, x, i) => sum + x * query[i]!, 0), metadata: {} }))
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
      .slice(0, request.limit);
    return { status: OK, results };
  }

  async query(request: { collection_name: string; output_fields: string[] }) {
    this.calls.push('query');
    const c = this.collections.get(request.collection_name);
    if (c === undefined) return { status: this.notFound(request.collection_name), data: [] };
    if (request.output_fields.includes('count(*)')) return { status: OK, data: [{ 'count(*)': c.rows.size }] };
    return { status: OK, data: [] };
  }

  async upsert(request: { collection_name: string; data: { id: string; vector: number[] }[] }) {
    this.calls.push('upsert');
    const c = this.collections.get(request.collection_name);
    if (c === undefined) return { status: this.notFound(request.collection_name), err_index: [] };
    for (const row of request.data) c.rows.set(row.id, row.vector);
    return { status: OK, err_index: [] };
  }

  async alterCollectionProperties() {
    this.calls.push('alterCollectionProperties');
    return OK;
  }

  async hasCollection({ collection_name }: { collection_name: string }) {
    this.calls.push('hasCollection');
    return { status: OK, value: this.collections.has(collection_name) };
  }

  async describeIndex() {
    this.calls.push('describeIndex');
    return { status: OK, index_descriptions: [{ field_name: 'vector', state: 'Finished', indexed_rows: '0', total_rows: '0', pending_index_rows: '0' }] };
  }

  async getPersistentSegmentInfo() {
    this.calls.push('getPersistentSegmentInfo');
    return { status: OK, infos: [] };
  }

  async releaseCollection() {
    this.calls.push('releaseCollection');
    return OK;
  }

  async dropIndex() {
    this.calls.push('dropIndex');
    return OK;
  }

  async createIndex() {
    this.calls.push('createIndex');
    return OK;
  }

  async loadCollectionAsync() {
    this.calls.push('loadCollectionAsync');
    return OK;
  }

  async getLoadState() {
    this.calls.push('getLoadState');
    return { status: OK, state: 'LoadStateLoaded' };
  }
}

let fake: FakeMilvus;

beforeEach(() => {
  fake = new FakeMilvus();
  jest.spyOn(MilvusConnection.prototype, 'call').mockImplementation(async (context, signal, run) => {
    try {
      return await run(fake as never, 1_000);
    } catch (cause) {
      throw toDomainError(cause, context);
    }
  });
});

afterEach(() => {
  jest.restoreAllMocks();
});

function service(declarationTtlMs = 60_000): { store: MilvusVectorStore; vectors: VectorService } {
  const store = new MilvusVectorStore({ address: '127.0.0.1:1', declarationTtlMs });
  return { store, vectors: new VectorService(store) };
}

const near = (v: number[]) => ({ queryVector: v, options: { topK: 1 } });

describe('searches on a cached declaration', () => {
  it('cost one Search each once the first has described the collection', async () => {
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0], b: [0, 1] });
    const { vectors } = service();
    for (let i = 0; i < 5; i += 1) expect((await vectors.search('docs', near([1, 0.1]))).map((h) => h.id)).toEqual(['a']);
    expect(fake.count('describeCollection')).toBe(1);
    expect(fake.count('search')).toBe(5);
  });

  it('share one describe when they miss together', async () => {
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0] });
    const { vectors } = service();
    await Promise.all(Array.from({ length: 8 }, () => vectors.search('docs', near([1, 0]))));
    expect(fake.count('describeCollection')).toBe(1);
    expect(fake.count('search')).toBe(8);
  });

  it('describe on every call with a TTL of 0', async () => {
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0] });
    const { vectors } = service(0);
    for (let i = 0; i < 3; i += 1) await vectors.search('docs', near([1, 0]));
    expect(fake.count('describeCollection')).toBe(3);
  });

  it('count, listing pages and upserts use it too', async () => {
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0] });
    const { vectors } = service();
    await vectors.search('docs', near([1, 0]));
    expect(await vectors.countVectors('docs', undefined)).toBe(1);
    await vectors.listVectors('docs', { pageSize: 10 });
    await vectors.upsert('docs', [{ id: 'b', vector: [0, 1] }]);
    expect(fake.count('describeCollection')).toBe(1);
  });
});

describe("this process's own changes clear it", () => {
  it('CreateIndex: the next search describes again and names the new metric', async () => {
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0] });
    const { vectors } = service();
    await vectors.search('docs', near([1, 0]));
    const before = fake.count('describeCollection');
    // The fake applies the new declaration as Milvus would store the properties the adapter sends.
    jest.spyOn(fake, 'alterCollectionProperties').mockImplementation(async () => {
      fake.collections.get('docs')!.spec.metricType = 'IP';
      fake.collections.get('docs')!.spec.index = { indexType: 'HNSW', metricType: 'IP', params: {} };
      return OK;
    });
    await vectors.createIndex('docs', { indexType: 'HNSW', metricType: 'IP' });
    const afterIndex = fake.count('describeCollection');
    expect(afterIndex).toBe(before + 1);
    fake.calls.length = 0;
    await vectors.search('docs', near([1, 0]));
    expect(fake.calls).toEqual(['describeCollection', 'search']);
  });

  it('CreateAlias: the next search describes again', async () => {
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0] });
    const { vectors } = service();
    await vectors.search('docs', near([1, 0]));
    await vectors.createAlias('live', 'docs');
    fake.calls.length = 0;
    await vectors.search('docs', near([1, 0]));
    expect(fake.calls).toEqual(['describeCollection', 'search']);
    expect((await vectors.search('live', near([1, 0]))).map((h) => h.id)).toEqual(['a']);
  });
});

describe("another replica's changes never show as a wrong answer or a wrong code", () => {
  it('re-created with another dimension: the new dimension is searched after one fresh describe', async () => {
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0] });
    const { vectors } = service();
    await vectors.search('docs', near([1, 0]));
    fake.put({ name: 'docs', dimension: 3 }, { x: [0, 0, 1] });
    fake.calls.length = 0;
    expect((await vectors.search('docs', near([0, 0, 1]))).map((h) => h.id)).toEqual(['x']);
    // The cached plan refused the 3-d vector; the fresh declaration took it.
    expect(fake.calls).toEqual(['describeCollection', 'search']);
  });

  it('re-created with another dimension, old-dimension query: Milvus refuses, the refusal is the domain INVALID_ARGUMENT naming the new dimension', async () => {
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0] });
    const { vectors } = service();
    await vectors.search('docs', near([1, 0]));
    fake.put({ name: 'docs', dimension: 3 }, { x: [0, 0, 1] });
    fake.calls.length = 0;
    await expect(vectors.search('docs', near([1, 0]))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('3') });
    expect(fake.calls).toEqual(['search', 'describeCollection']);
  });

  it('re-created empty: no hits on a stale declaration are checked, and the fresh plan refuses', async () => {
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0] });
    const { vectors } = service();
    await vectors.search('docs', near([1, 0]));
    fake.put({ name: 'docs', dimension: 3 });
    await expect(vectors.search('docs', near([1, 0]))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('no hits on an unchanged declaration stand after one describe', async () => {
    fake.put({ name: 'docs', dimension: 2 });
    const { vectors } = service();
    await vectors.search('docs', near([1, 0]));
    fake.calls.length = 0;
    expect(await vectors.search('docs', near([1, 0]))).toEqual([]);
    expect(fake.calls).toEqual(['search', 'describeCollection']);
  });

  it('dropped: NOT_FOUND naming the collection, for searches, counts and writes', async () => {
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0] });
    const { vectors } = service();
    await vectors.search('docs', near([1, 0]));
    fake.collections.delete('docs');
    await expect(vectors.search('docs', near([1, 0]))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('docs') });
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0] });
    await vectors.search('docs', near([1, 0]));
    fake.collections.delete('docs');
    await expect(vectors.countVectors('docs', undefined)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0] });
    await vectors.search('docs', near([1, 0]));
    fake.collections.delete('docs');
    await expect(vectors.upsert('docs', [{ id: 'b', vector: [0, 1] }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a new metric: Milvus refuses the old one, the search runs again with the new', async () => {
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0] });
    const { vectors } = service();
    await vectors.search('docs', near([1, 0]));
    fake.collections.get('docs')!.spec.metricType = 'IP';
    fake.calls.length = 0;
    expect((await vectors.search('docs', near([1, 0]))).map((h) => h.id)).toEqual(['a']);
    expect(fake.calls).toEqual(['search', 'describeCollection', 'search']);
  });

  it('an engine failure is not taken for staleness: UNAVAILABLE, not searched again', async () => {
    fake.put({ name: 'docs', dimension: 2 }, { a: [1, 0] });
    const { vectors } = service();
    await vectors.search('docs', near([1, 0]));
    fake.failNextSearch = Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14, details: 'connection refused' });
    fake.calls.length = 0;
    await expect(vectors.search('docs', near([1, 0]))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(fake.calls).toEqual(['search']);
  });
});

describe('DeclarationCache', () => {
  const info = (name: string): CollectionInfo => ({ name, description: '', dimension: 2, metricType: 'COSINE', index: null, embedding: null, createdAt: 1, updatedAt: 1 });

  it('keeps an entry for its TTL from when the describe answered, then describes again', async () => {
    let now = 0;
    const cache = new DeclarationCache(1_000, () => now);
    const describe = jest.fn(async () => info('a'));
    await cache.get('a', describe).info;
    now = 999;
    expect(cache.get('a', describe).cached).toBe(true);
    now = 1_000;
    expect(cache.get('a', describe).cached).toBe(false);
    expect(describe).toHaveBeenCalledTimes(2);
  });

  it('keeps no failed describe', async () => {
    const cache = new DeclarationCache(1_000, () => 0);
    await expect(cache.get('a', async () => Promise.reject(new Error('down'))).info).rejects.toThrow('down');
    expect(cache.get('a', async () => info('a')).cached).toBe(false);
  });

  it('a describe in flight when the cache is cleared is not kept', async () => {
    const cache = new DeclarationCache(1_000, () => 0);
    let answer: (i: CollectionInfo) => void = () => undefined;
    const pending = cache.get('a', () => new Promise<CollectionInfo>((resolve) => (answer = resolve)));
    cache.clear();
    answer(info('a'));
    await pending.info;
    expect(cache.get('a', async () => info('a')).cached).toBe(false);
  });
});
