import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { MemoryVectorStore } from '../../../src/adapters/vector/memory';
import { MilvusVectorStore } from '../../../src/adapters/vector/milvus';
import type { CollectionSpec, Declaration, EmbeddingBinding, TextQuery, VectorRecord, VectorStore } from '../../../src/domain';
import { errors } from '../../../src/errors';
import { milvusDatabase, type MilvusDatabase } from '../../support/milvus-test-server';
import { byId, codeOf } from './contract-harness';

/**
 * What texts and bindings are on Milvus 2.3.5 (docs/MILVUS.md, "Text and search modes"): a bound
 * collection's binding persisted with the collection and read by any replica, texts stored and
 * returned by every read, and full-text search refused as FAILED_PRECONDITION naming what the
 * engine lacks, after the collection is resolved as for a search. A real server (or
 * MILVUS_TEST_ADDRESS), a database of its own, two store instances on it as two replicas; the
 * reference store answers the same calls where the engines agree.
 */
let server: MilvusDatabase | undefined;
let milvus: MilvusVectorStore;
let replica: MilvusVectorStore;

beforeAll(async () => {
  server = await milvusDatabase('milvus_text');
  const { address, database } = server;
  milvus = new MilvusVectorStore({ address, database, timeoutMs: 20_000 });
  replica = new MilvusVectorStore({ address, database, timeoutMs: 20_000 });
}, 600_000);

afterAll(async () => {
  await milvus?.close();
  await replica?.close();
  await server?.release();
}, 120_000);

async function withClient<T>(run: (client: MilvusClient) => Promise<T>): Promise<T> {
  const client = new MilvusClient({ address: server!.address, database: server!.database, telemetry: { enabled: false } });
  try {
    return await run(client);
  } finally {
    await client.closeConnection();
  }
}

const binding: EmbeddingBinding = { model: 'minilm', provider: 'transformers', modelId: 'Xenova/all-MiniLM-L6-v2', weights: 'dtype=fp32', dimension: 3 };

function boundSpec(name: string): CollectionSpec {
  return { name, description: `texts of ${name}`, dimension: 3, metricType: 'COSINE', index: null, embedding: binding };
}

/** What the domain's plan for a text search checks: an unbound collection is the caller's mistake. */
function textPlan(seen: Declaration[] = []): (declared: Declaration) => TextQuery {
  return (declared) => {
    seen.push(declared);
    if (declared.embedding === null) throw errors.invalidArgument('query_text', `collection '${declared.name}' is not bound`);
    return { text: 'river', topK: 5, includeVector: false, filter: null };
  };
}

const all = { filter: null, afterId: null, limit: 100, includeVector: false };

/** 32 KiB of UTF-8 exactly (limits.maxTextBytes): 3-byte and 4-byte characters, an NUL-free mix of scripts. */
const LONG_TEXT = '€'.repeat(8190) + '𝄞'.repeat(2048) + 'é' + 'ü' + 'ab';

describe('Milvus: bound collections and texts', () => {
  beforeAll(async () => {
    await milvus.createCollection(boundSpec('books'));
    await milvus.createCollection({ ...boundSpec('plain'), embedding: null });
  });

  it('a bound collection keeps its binding: getCollection on this replica and on another', async () => {
    expect(Buffer.byteLength(LONG_TEXT)).toBe(32 * 1024);
    expect((await milvus.getCollection('books')).embedding).toEqual(binding);
    expect((await replica.getCollection('books')).embedding).toEqual(binding);
    expect((await replica.getCollection('plain')).embedding).toBeNull();
  });

  it('texts round-trip through insert, get, search and scan; a record without text has none', async () => {
    const records: VectorRecord[] = [
      { id: 'a', vector: [1, 0, 0], metadata: { n: 1 }, text: 'the river flows' },
      { id: 'b', vector: [0, 1, 0], metadata: { n: 2 } },
      { id: 'c', vector: [0, 0, 1], metadata: { n: 3 }, text: LONG_TEXT },
    ];
    await milvus.insert('books', () => records);

    expect(byId(await replica.get('books', ['a', 'b', 'c']))).toEqual(records);
    const hits = await replica.search('books', () => ({ vector: [1, 0.1, 0.2], topK: 3, includeVector: false, filter: null }));
    expect(hits.map((h) => [h.id, h.text])).toEqual([
      ['a', 'the river flows'],
      ['c', LONG_TEXT],
      ['b', undefined],
    ]);
    expect(hits.find((h) => h.id === 'b')).not.toHaveProperty('text');
    const listed = await replica.scan('books', () => all);
    expect(listed).toEqual(records.map(({ vector: _, ...rest }) => rest));
  });

  it('upsert replaces a text, and an upsert without text clears it', async () => {
    await milvus.upsert('books', () => [
      { id: 'a', vector: [1, 0, 0], metadata: { n: 1 }, text: 'a new text' },
      { id: 'c', vector: [0, 0, 1], metadata: { n: 3 } },
      { id: 'b', vector: [0, 1, 0], metadata: { n: 2 }, text: 'now with text' },
    ]);
    const got = byId(await replica.get('books', ['a', 'b', 'c']));
    expect(got.map((r) => r.text)).toEqual(['a new text', 'now with text', undefined]);
    expect(got[2]).not.toHaveProperty('text');
    expect((await replica.scan('books', () => all)).map((r) => r.text)).toEqual(['a new text', 'now with text', undefined]);
  });

  it('an unbound collection stores no text field; its records read as before', async () => {
    await milvus.insert('plain', () => [{ id: 'p', vector: [1, 1, 0], metadata: {} }]);
    expect(await replica.get('plain', ['p'])).toEqual([{ id: 'p', vector: [1, 1, 0], metadata: {} }]);
    const fields = await withClient(async (c) => (await c.describeCollection({ collection_name: 'plain' })).schema.fields.map((f) => f.name));
    expect(fields.sort()).toEqual(['id', 'metadata', 'vector']);
  });

  it('a collection created before bindings (no taishang.embedding property) reads as unbound and serves', async () => {
    // What this service's earlier releases created: three fields and the properties of format 1, no index yet.
    await withClient(async (c) => {
      const res = await c.createCollection({
        collection_name: 'older',
        description: 'made before texts',
        consistency_level: 'Strong',
        fields: [
          { name: 'id', data_type: DataType.VarChar, is_primary_key: true, autoID: false, max_length: 512 },
          { name: 'vector', data_type: DataType.FloatVector, dim: 2 },
          { name: 'metadata', data_type: DataType.JSON },
        ],
        properties: { 'taishang.format': '1', 'taishang.metric': 'L2', 'taishang.index': 'null', 'taishang.creation': 'older' },
      } as Parameters<MilvusClient['createCollection']>[0]);
      expect(res.error_code).toBe('Success');
    });
    const info = await replica.getCollection('older');
    expect([info.embedding, info.metricType, info.dimension]).toEqual([null, 'L2', 2]);
    // The first read finds it unindexed and unloaded and repairs it (milvus-loader.ts).
    await replica.insert('older', () => [{ id: 'o', vector: [1, 2], metadata: {} }]);
    expect(await milvus.get('older', ['o'])).toEqual([{ id: 'o', vector: [1, 2], metadata: {} }]);
    expect(await codeOf(milvus.searchText('older', textPlan()))).toBe('INVALID_ARGUMENT');
  });
});

describe('Milvus: full-text search on 2.3.5', () => {
  const reference = new MemoryVectorStore();

  beforeAll(async () => {
    for (const store of [milvus, reference] as VectorStore[]) {
      await store.createCollection(boundSpec('poems'));
      await store.insert('poems', () => [{ id: 'p1', vector: [1, 0, 0], metadata: {}, text: 'by the river' }]);
      await store.createAlias('poems_live', 'poems');
    }
  });

  it('on a bound collection: FAILED_PRECONDITION naming the missing BM25 capability and the server version', async () => {
    const seen: Declaration[] = [];
    const refused = await milvus.searchText('poems', textPlan(seen)).then(
      () => null,
      (e: { code?: string; message?: string }) => e,
    );
    expect(refused?.code).toBe('FAILED_PRECONDITION');
    expect(refused?.message).toMatch(/full-text \(BM25\) search needs Milvus 2\.5\+ BM25 functions; this server is v?2\.3\.5/);
    expect(refused?.message).toMatch(/use mode vector/);
    // The plan ran once, on the declaration the store read (the binding included).
    expect(seen.map((d) => [d.name, d.embedding])).toEqual([['poems', binding]]);
    // The reference store answers it, so the refusal is the engine's, not the request's.
    expect((await reference.searchText('poems', textPlan())).map((h) => h.id)).toEqual(['p1']);
  });

  it('on an unknown collection: NOT_FOUND, as a search answers', async () => {
    const search = () => ({ vector: [1, 0, 0], topK: 1, includeVector: false, filter: null });
    expect(await codeOf(milvus.searchText('nowhere', textPlan()))).toBe('NOT_FOUND');
    expect(await codeOf(milvus.search('nowhere', search))).toBe('NOT_FOUND');
    expect(await codeOf(reference.searchText('nowhere', textPlan()))).toBe('NOT_FOUND');
  });

  it("through an alias: resolved to the collection (its declaration, under its own name), then refused", async () => {
    const seen: Declaration[] = [];
    expect(await codeOf(replica.searchText('poems_live', textPlan(seen)))).toBe('FAILED_PRECONDITION');
    expect(seen.map((d) => d.name)).toEqual(['poems']);
  });

  it('on an unbound collection: the plan refuses first (INVALID_ARGUMENT), as on the reference store', async () => {
    await reference.createCollection({ ...boundSpec('plain'), embedding: null });
    expect(await codeOf(milvus.searchText('plain', textPlan()))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(reference.searchText('plain', textPlan()))).toBe('INVALID_ARGUMENT');
  });
});
