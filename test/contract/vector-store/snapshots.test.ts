import { ArrowRecordChunkCodec } from '../../../src/adapters/snapshot';
import { SnapshotService, type CollectionSpec, type ListedRecord, type SearchQuery, type VectorStore } from '../../../src/domain';
import { ENGINES, codeOf, expectSameHits, onEach, randomRecords, useStores, type Engine } from './contract-harness';

/**
 * Snapshots across engines: a collection exported from any store imports into any other with its
 * declaration and every record bit for bit, and FLAT searches answer alike; a truncated or damaged
 * file stores nothing on any engine; renameCollection (the import's commit) refuses alike.
 */
const stores = useStores();
const DIM = 8;
const binding = { model: 'minilm', provider: 'transformers', modelId: 'Xenova/all-MiniLM-L6-v2', weights: 'dtype=q8', dimension: DIM };
const source: CollectionSpec = {
  name: 'snap_src',
  description: 'exported with metadata and texts',
  dimension: DIM,
  metricType: 'L2',
  index: { indexType: 'FLAT', metricType: 'L2', params: {} },
  embedding: binding,
};
// float32 values from the start, as Lance and Milvus store them, so `toEqual` on numbers is a bit-for-bit check.
const records = randomRecords(240, DIM, 7, (i) => ({ i, group: `g${i % 5}`, deep: { flag: i % 2 === 0, list: [i, 'x'] } })).map((r, i) => ({
  ...r,
  vector: r.vector.map(Math.fround),
  ...(i % 4 === 0 ? {} : { text: `passage ${i} — ünïcode ${'🙂'.repeat(i % 3)}` }),
}));
// Small chunks, so a file has many frames and a cut lands in every kind of place.
const settings = { chunkVectorBytes: 64 * 4 * DIM, maxChunkRows: 64, maxFrameBytes: 1 << 24, maxFileBytes: 1 << 26 };
const codec = new ArrowRecordChunkCodec();
const query: SearchQuery = { vector: Array.from({ length: DIM }, (_, i) => (i % 2 === 0 ? 0.1 : -0.2)), topK: 20, includeVector: true, filter: null };

async function exported(store: VectorStore, name: string): Promise<Buffer> {
  const pieces: Uint8Array[] = [];
  for await (const piece of await new SnapshotService(store, codec, settings).exportCollection(name)) pieces.push(piece);
  return Buffer.concat(pieces);
}

async function* pieces(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += 4096) yield bytes.subarray(at, at + 4096);
}

async function everything(store: VectorStore, name: string): Promise<ListedRecord[]> {
  const out: ListedRecord[] = [];
  let afterId: string | null = null;
  for (;;) {
    const page = await store.scan(name, () => ({ filter: null, afterId, limit: 100, includeVector: true }));
    out.push(...page);
    if (page.length < 100) return out;
    afterId = page[page.length - 1]!.id;
  }
}

describe('the VectorStore contract: snapshots', () => {
  const files = {} as Record<Engine, Buffer>;

  beforeAll(async () => {
    await onEach(stores, async (store, engine) => {
      await store.createCollection(source);
      for (let at = 0; at < records.length; at += 100) await store.insert('snap_src', () => records.slice(at, at + 100));
      files[engine] = await exported(store, 'snap_src');
    });
  }, 300_000);

  it('every engine writes a file of the same size (same chunking, same records; contents are compared through imports below)', () => {
    expect(files.lance.length).toBe(files.memory.length);
    expect(files.milvus.length).toBe(files.memory.length);
  });

  it.each(ENGINES.flatMap((from) => ENGINES.filter((to) => to !== from).map((to) => [from, to] as const)))(
    'a file from %s imports into %s: declaration, records bit for bit, same FLAT answers',
    async (from, to) => {
      const store = stores[to];
      const name = `from_${from}`;
      const done = await new SnapshotService(store, codec, settings).importSnapshot({ collectionName: name }, pieces(files[from]));
      expect(done.records).toBe(records.length);
      const { createdAt, updatedAt, ...declared } = await store.getCollection(name);
      expect(declared).toEqual({ ...source, name });
      const back = await everything(store, name);
      expect(back).toEqual(await everything(stores.memory, 'snap_src'));
      expectSameHits(await store.search(name, () => query), await stores.memory.search('snap_src', () => query));
      expect((await store.listCollections()).filter((n) => n.startsWith('_snapshot_import_'))).toEqual([]);
    },
    120_000,
  );

  it('a truncated or damaged file stores nothing on any engine', async () => {
    const file = files.memory;
    const firstChunk = 8 + 5 + file.readUInt32BE(9) + 32;
    const damaged = Buffer.from(file);
    damaged[firstChunk + 100] = damaged[firstChunk + 100]! ^ 0xff;
    const cases = { truncated: file.subarray(0, Math.floor(file.length * 0.7)), lastByteCut: file.subarray(0, file.length - 1), damaged };
    const seen = await onEach(stores, async (store) => {
      const before = await store.listCollections();
      const codes: Record<string, string> = {};
      for (const [what, bytes] of Object.entries(cases)) {
        codes[what] = await codeOf(new SnapshotService(store, codec, settings).importSnapshot({ collectionName: 'broken' }, pieces(bytes)));
      }
      return { codes, unchanged: (await store.listCollections()).join() === before.join() };
    });
    for (const engine of ENGINES) expect(seen[engine]).toEqual({ codes: { truncated: 'DATA_LOSS', lastByteCut: 'DATA_LOSS', damaged: 'DATA_LOSS' }, unchanged: true });
  }, 120_000);

  it('renameCollection keeps the records and refuses a taken name, an alias and an aliased collection alike', async () => {
    const seen = await onEach(stores, async (store) => {
      await store.createCollection({ ...source, name: 'ren_a', embedding: null });
      await store.insert('ren_a', () => [{ id: 'x', vector: records[0]!.vector, metadata: { k: 1 } }]);
      await store.createCollection({ ...source, name: 'ren_b', embedding: null });
      const taken = await codeOf(store.renameCollection('ren_a', 'ren_b'));
      await store.createAlias('ren_alias', 'ren_b');
      const toAlias = await codeOf(store.renameCollection('ren_a', 'ren_alias'));
      const throughAlias = await codeOf(store.renameCollection('ren_alias', 'ren_c'));
      const aliased = await codeOf(store.renameCollection('ren_b', 'ren_c'));
      const missing = await codeOf(store.renameCollection('ren_none', 'ren_c'));
      await store.renameCollection('ren_a', 'ren_c');
      const result = {
        taken,
        toAlias,
        throughAlias,
        aliased,
        missing,
        names: (await store.listCollections()).filter((n) => n.startsWith('ren_')),
        got: await store.get('ren_c', ['x']),
        renamedInfo: (await store.getCollection('ren_c')).name,
        oldGone: await store.hasCollection('ren_a'),
      };
      await store.dropAlias('ren_alias');
      return result;
    });
    expect(seen.memory).toEqual({
      taken: 'ALREADY_EXISTS',
      toAlias: 'ALREADY_EXISTS',
      throughAlias: 'FAILED_PRECONDITION',
      aliased: 'FAILED_PRECONDITION',
      missing: 'NOT_FOUND',
      names: ['ren_b', 'ren_c'],
      got: [{ id: 'x', vector: records[0]!.vector, metadata: { k: 1 } }],
      renamedInfo: 'ren_c',
      oldGone: false,
    });
    expect(seen.lance).toEqual(seen.memory);
    expect(seen.milvus).toEqual(seen.memory);
  }, 120_000);
});
