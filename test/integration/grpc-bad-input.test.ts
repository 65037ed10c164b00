import { Status } from 'nice-grpc';
import { expectStatus, startGrpc, violatedFields, type GrpcHarness } from './grpc-harness';

/**
 * The bad-input list of issue 2 over gRPC: each answer has the CONVENTIONS.md code and names the
 * field, and each is followed by a read-back proving the stored data intact.
 */
describe('gRPC bad input', () => {
  let h: GrpcHarness;
  const C = 'bad';
  const rows = [
    { id: 'a', vector: [1, 0, 0, 0], metadata: { genre: 'scifi', author: { name: 'Le Guin' } } },
    { id: 'b', vector: [0, 1, 0, 0], metadata: { genre: 'fantasy' } },
    { id: 'c', vector: [0.5, 0.5, 0, 0], metadata: { genre: 'scifi' } },
  ];

  beforeAll(async () => {
    h = await startGrpc();
    await h.vectors.createCollection({ name: C, description: 'original', vectorDim: 4 });
    await h.vectors.insert({ collectionName: C, vectors: rows });
  });
  afterAll(async () => {
    await h.close();
  });

  /** The read-back: same definition, same rows, same search answer as before the bad call. */
  afterEach(async () => {
    const info = await h.vectors.getCollectionInfo({ name: C });
    expect([info.vectorDim, info.description]).toEqual([4, 'original']);
    expect((await h.vectors.getCollectionStats({ name: C })).vectorCount).toBe(3);
    for (const row of rows) expect((await h.vectors.getByID({ collectionName: C, id: row.id })).vector).toEqual(row);
    const { results } = await h.vectors.search({ collectionName: C, queryVector: [1, 0, 0, 0], options: { topk: 3 } });
    expect(results.map((r) => r.id)).toEqual(['a', 'c', 'b']);
  });

  async function rejects(call: Promise<unknown>, code: Status, field?: string): Promise<void> {
    const error = await expectStatus(call, code);
    if (field !== undefined) {
      expect(violatedFields(error)).toContain(field);
      expect(error.details).toContain(field);
    }
  }

  it('wrong dimension', async () => {
    await rejects(h.vectors.insert({ collectionName: C, vectors: [{ id: 'x', vector: [1, 2, 3] }] }), Status.INVALID_ARGUMENT, 'vectors[0].vector');
    await rejects(h.vectors.upsert({ collectionName: C, vectors: [{ id: 'a', vector: [1, 2, 3, 4, 5] }] }), Status.INVALID_ARGUMENT, 'vectors[0].vector');
    await rejects(h.vectors.search({ collectionName: C, queryVector: [1, 0] }), Status.INVALID_ARGUMENT, 'query_vector');
  });

  it.each([NaN, Infinity, -Infinity])('%s in a vector', async (bad) => {
    const vectors = [{ id: 'ok', vector: [0, 0, 1, 0] }, { id: 'x', vector: [0, bad, 0, 0] }];
    await rejects(h.vectors.insert({ collectionName: C, vectors }), Status.INVALID_ARGUMENT, 'vectors[1].vector[1]');
    await rejects(h.vectors.upsert({ collectionName: C, vectors: [{ id: 'a', vector: [bad, 0, 0, 0] }] }), Status.INVALID_ARGUMENT, 'vectors[0].vector[0]');
    await rejects(h.vectors.search({ collectionName: C, queryVector: [1, 0, 0, bad] }), Status.INVALID_ARGUMENT, 'query_vector[3]');
    await expectStatus(h.vectors.getByID({ collectionName: C, id: 'ok' }), Status.NOT_FOUND);
  });

  it('empty id: generated on Insert, rejected by Upsert, GetByID and Delete', async () => {
    await h.vectors.createCollection({ name: 'gen_ids', vectorDim: 4 });
    const { ids } = await h.vectors.insert({ collectionName: 'gen_ids', vectors: [{ id: '', vector: [0, 0, 0, 1] }] });
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect((await h.vectors.getByID({ collectionName: 'gen_ids', id: ids[0]! })).vector?.vector).toEqual([0, 0, 0, 1]);
    await rejects(h.vectors.upsert({ collectionName: C, vectors: [{ id: '', vector: [0, 0, 0, 1] }] }), Status.INVALID_ARGUMENT, 'vectors[0].id');
    await rejects(h.vectors.getByID({ collectionName: C, id: '' }), Status.INVALID_ARGUMENT, 'id');
    await rejects(h.vectors.delete({ collectionName: C, ids: ['a', ''] }), Status.INVALID_ARGUMENT, 'ids[1]');
  });

  it('513-byte ids are rejected everywhere; 512 bytes are fine', async () => {
    for (const long of ['x'.repeat(513), '€'.repeat(171)]) {
      await rejects(h.vectors.insert({ collectionName: C, vectors: [{ id: long, vector: [0, 0, 0, 1] }] }), Status.INVALID_ARGUMENT, 'vectors[0].id');
      await rejects(h.vectors.upsert({ collectionName: C, vectors: [{ id: long, vector: [0, 0, 0, 1] }] }), Status.INVALID_ARGUMENT, 'vectors[0].id');
      await rejects(h.vectors.getByID({ collectionName: C, id: long }), Status.INVALID_ARGUMENT, 'id');
      await rejects(h.vectors.delete({ collectionName: C, ids: [long] }), Status.INVALID_ARGUMENT, 'ids[0]');
    }
    await h.vectors.createCollection({ name: 'long_ids', vectorDim: 4 });
    const longest = 'y'.repeat(512);
    await h.vectors.insert({ collectionName: 'long_ids', vectors: [{ id: longest, vector: [0, 0, 0, 1] }] });
    expect((await h.vectors.getByID({ collectionName: 'long_ids', id: longest })).vector?.id).toBe(longest);
  });

  it('duplicate ids inside one Insert write nothing', async () => {
    const vectors = [{ id: 'n1', vector: [0, 0, 1, 0] }, { id: 'n1', vector: [0, 0, 0, 1] }];
    await rejects(h.vectors.insert({ collectionName: C, vectors }), Status.INVALID_ARGUMENT, 'vectors[1].id');
    await expectStatus(h.vectors.getByID({ collectionName: C, id: 'n1' }), Status.NOT_FOUND);
  });

  it('Insert of an existing id fails ALREADY_EXISTS and writes nothing of the batch', async () => {
    const vectors = [{ id: 'fresh', vector: [0, 0, 1, 0] }, { id: 'a', vector: [0, 0, 0, 1] }];
    const error = await expectStatus(h.vectors.insert({ collectionName: C, vectors }), Status.ALREADY_EXISTS);
    expect(error.details).toContain("'a'");
    await expectStatus(h.vectors.getByID({ collectionName: C, id: 'fresh' }), Status.NOT_FOUND);
  });

  it('unknown collection', async () => {
    const n = 'no_such_collection';
    expect(await h.vectors.hasCollection({ name: n })).toEqual({ exists: false });
    await rejects(h.vectors.insert({ collectionName: n, vectors: [{ id: 'x', vector: [1, 0, 0, 0] }] }), Status.NOT_FOUND);
    await rejects(h.vectors.upsert({ collectionName: n, vectors: [{ id: 'x', vector: [1, 0, 0, 0] }] }), Status.NOT_FOUND);
    await rejects(h.vectors.search({ collectionName: n, queryVector: [1, 0, 0, 0] }), Status.NOT_FOUND);
    await rejects(h.vectors.getByID({ collectionName: n, id: 'a' }), Status.NOT_FOUND);
    await rejects(h.vectors.delete({ collectionName: n, ids: ['a'] }), Status.NOT_FOUND);
    await rejects(h.vectors.getCollectionInfo({ name: n }), Status.NOT_FOUND);
    await rejects(h.vectors.getCollectionStats({ name: n }), Status.NOT_FOUND);
    await rejects(h.vectors.dropCollection({ name: n }), Status.NOT_FOUND);
    await rejects(h.vectors.createIndex({ collectionName: n, indexParams: { indexType: 'FLAT' } }), Status.NOT_FOUND);
    await rejects(h.vectors.hasIndex({ collectionName: n }), Status.NOT_FOUND);
  });

  it.each([
    ['starting with a digit', '1abc'],
    ['with a dash', 'has-dash'],
    ['empty', ''],
    ['of 256 characters', 'a'.repeat(256)],
    ['carrying SQL', "x'; DROP TABLE bad; --"],
    ['shaped like a path', '../bad'],
    ['with non-ASCII letters', 'ünï'],
  ])(
    'invalid collection name: %s',
    async (_label, name) => {
      await rejects(h.vectors.createCollection({ name, vectorDim: 4 }), Status.INVALID_ARGUMENT, 'name');
      await rejects(h.vectors.getCollectionInfo({ name }), Status.INVALID_ARGUMENT, 'name');
      await rejects(h.vectors.dropCollection({ name }), Status.INVALID_ARGUMENT, 'name');
      await rejects(h.vectors.insert({ collectionName: name, vectors: [{ id: 'x', vector: [1, 0, 0, 0] }] }), Status.INVALID_ARGUMENT, 'collection_name');
      await rejects(h.vectors.search({ collectionName: name, queryVector: [1, 0, 0, 0] }), Status.INVALID_ARGUMENT, 'collection_name');
    },
  );

  it('creating an existing collection leaves the original alone', async () => {
    await rejects(h.vectors.createCollection({ name: C, description: 'impostor', vectorDim: 8 }), Status.ALREADY_EXISTS);
  });

  it.each([0, 1025, 100000, -1])('topk %d', async (topk) => {
    await rejects(h.vectors.search({ collectionName: C, queryVector: [1, 0, 0, 0], options: { topk } }), Status.INVALID_ARGUMENT, 'options.topk');
  });

  it.each([
    [{ genre: { $regex: 'sci.*' } }, 'options.filter.genre.$regex'],
    [{ $where: 'true' }, 'options.filter.$where'],
    [{ $or: [{ genre: { $like: '%' } }] }, 'options.filter.$or[0].genre.$like'],
  ])('unknown filter operator %j', async (filter, field) => {
    await rejects(h.vectors.search({ collectionName: C, queryVector: [1, 0, 0, 0], options: { topk: 3, filter } }), Status.INVALID_ARGUMENT, field);
  });

  it.each([
    [{ author: { name: 'Le Guin' } }, 'options.filter.author.name'],
    [{ genre: { $eq: { nested: true } } }, 'options.filter.genre.$eq'],
    [{ genre: { $in: [{ a: 1 }] } }, 'options.filter.genre.$in'],
  ])('filter on an object value %j', async (filter, field) => {
    const error = await expectStatus(
      h.vectors.search({ collectionName: C, queryVector: [1, 0, 0, 0], options: { topk: 3, filter } }),
      Status.INVALID_ARGUMENT,
    );
    expect(violatedFields(error).some((f) => f.startsWith(field))).toBe(true);
  });

  it('filter values with quotes, backslashes, SQL and newlines match literally', async () => {
    const nasty = ["it's", 'say "hi"', 'back\\slash', "' OR 1=1 --", '") or ("', 'line1\nline2', "\\'; DROP TABLE bad; --", '%_*'];
    await h.vectors.createCollection({ name: 'literal', vectorDim: 4 });
    const vectors = nasty.map((text, i) => ({ id: `n${i}`, vector: [1, i, 0, 0], metadata: { text } }));
    await h.vectors.insert({ collectionName: 'literal', vectors: [...vectors, { id: 'plain', vector: [1, 0, 0, 0], metadata: { text: 'plain' } }] });
    for (const [i, text] of nasty.entries()) {
      const search = (filter: Record<string, unknown>) =>
        h.vectors.search({ collectionName: 'literal', queryVector: [1, 0, 0, 0], options: { topk: 20, filter } });
      expect((await search({ text })).results.map((r) => r.id)).toEqual([`n${i}`]);
      expect((await search({ text: { $in: [text, 'absent'] } })).results.map((r) => r.id)).toEqual([`n${i}`]);
      expect((await search({ text: { $ne: text } })).results).toHaveLength(nasty.length);
    }
    expect((await h.vectors.getCollectionStats({ name: 'literal' })).vectorCount).toBe(nasty.length + 1);
  });

  it('an oversized batch (10001 vectors) is RESOURCE_EXHAUSTED', async () => {
    const vectors = Array.from({ length: 10_001 }, (_, i) => ({ id: `big${i}`, vector: [1, 0, 0, i] }));
    await rejects(h.vectors.insert({ collectionName: C, vectors }), Status.RESOURCE_EXHAUSTED, 'vectors');
    await rejects(h.vectors.upsert({ collectionName: C, vectors }), Status.RESOURCE_EXHAUSTED, 'vectors');
    await rejects(h.vectors.delete({ collectionName: C, ids: vectors.map((v) => v.id) }), Status.RESOURCE_EXHAUSTED, 'ids');
  });
});
