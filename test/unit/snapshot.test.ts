import { ArrowRecordChunkCodec } from '../../src/adapters/snapshot';
import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import { SnapshotService, VectorService, type CollectionSpec, type ListedRecord, type VectorStore } from '../../src/domain';
import { encodeFrame, MAGIC } from '../../src/domain/snapshot/snapshot-frames';

/** Export and import over the reference store with the real Arrow codec: layout, checks, all-or-nothing. */
describe('snapshots in the domain', () => {
  const binding = { model: 'minilm', provider: 'transformers', modelId: 'Xenova/all-MiniLM-L6-v2', weights: 'dtype=q8', dimension: 3 };
  const spec: CollectionSpec = {
    name: 'docs',
    description: 'some docs',
    dimension: 3,
    metricType: 'IP',
    index: { indexType: 'HNSW', metricType: 'IP', params: { m: 16 } },
    embedding: binding,
  };
  const settings = { chunkVectorBytes: 1024, maxChunkRows: 4, maxFrameBytes: 1 << 20, maxFileBytes: 1 << 22 };
  let store: MemoryVectorStore;
  let snapshots: SnapshotService;

  beforeEach(async () => {
    store = new MemoryVectorStore();
    snapshots = new SnapshotService(store, new ArrowRecordChunkCodec(), settings);
    await store.createCollection(spec);
    const vectors = new VectorService(store);
    await vectors.insert(
      'docs',
      Array.from({ length: 10 }, (_, i) => ({
        id: `d${i}`,
        // float32 values that are not exact in decimal: the round trip must keep every bit.
        vector: [Math.fround(0.1 * (i + 1)), Math.fround(1 / 3), Math.fround(-Math.PI * i)],
        metadata: { i, tags: ['a', String(i)], nested: { odd: i % 2 === 1 } },
        ...(i % 3 === 0 ? {} : { text: `text number ${i} ü 🙂` }),
      })),
    );
  });

  async function bytesOf(name: string, svc = snapshots): Promise<Buffer> {
    const pieces: Uint8Array[] = [];
    for await (const piece of await svc.exportCollection(name)) pieces.push(piece);
    return Buffer.concat(pieces);
  }

  async function* piecesOf(bytes: Uint8Array, size = 7): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  }

  async function all(s: VectorStore, name: string): Promise<ListedRecord[]> {
    return s.scan(name, () => ({ filter: null, afterId: null, limit: 1000, includeVector: true }));
  }

  async function refusal(call: Promise<unknown>): Promise<{ code: string; field?: string }> {
    const error = (await call.then(() => undefined, (e: unknown) => e)) as { code: string; violations: { field: string }[] } | undefined;
    if (error === undefined) throw new Error('expected a refusal');
    return { code: error.code, field: error.violations[0]?.field };
  }

  it('round trips the declaration and every record bit for bit under a new name', async () => {
    const bytes = await bytesOf('docs');
    const done = await snapshots.importSnapshot({ collectionName: 'copy' }, piecesOf(bytes));
    expect(done).toEqual({ collection: 'copy', records: 10, message: "imported 10 vectors into collection 'copy'" });
    const { createdAt, updatedAt, ...declared } = await store.getCollection('copy');
    expect(declared).toEqual({ ...spec, name: 'copy' });
    expect(await all(store, 'copy')).toEqual(await all(store, 'docs'));
    expect(await store.listCollections()).toEqual(['copy', 'docs']);
  });

  it('lays the file out as magic, header, chunks of at most the chunk size, trailer', async () => {
    const bytes = await bytesOf('docs');
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from(MAGIC));
    const kinds: string[] = [];
    for (let at = 8; at < bytes.length; ) {
      const length = bytes.readUInt32BE(at + 1);
      kinds.push(String.fromCharCode(bytes[at]!));
      if (kinds.at(-1) === 'H') expect(JSON.parse(bytes.subarray(at + 5, at + 5 + length).toString())).toMatchObject({ format: 'taishang-snapshot', version: 1, collection: { name: 'docs', vector_dim: 3 } });
      if (kinds.at(-1) === 'T') expect(JSON.parse(bytes.subarray(at + 5, at + 5 + length).toString())).toMatchObject({ records: 10, chunks: 3 });
      at += 5 + length + 32;
    }
    expect(kinds).toEqual(['H', 'C', 'C', 'C', 'T']);
  });

  it('exports lazily: a reader that stops after the header has caused no scan', async () => {
    let scans = 0;
    const counting = Object.assign(Object.create(store) as MemoryVectorStore, {
      scan: (...args: Parameters<VectorStore['scan']>) => ((scans += 1), store.scan(...args)),
    });
    const it = (await new SnapshotService(counting, new ArrowRecordChunkCodec(), settings).exportCollection('docs'))[Symbol.asyncIterator]();
    await it.next();
    await it.next();
    expect(scans).toBe(0);
    await it.next();
    expect(scans).toBe(1);
  });

  it('stores nothing from a file cut anywhere: DATA_LOSS past the magic, INVALID_ARGUMENT inside it', async () => {
    const bytes = await bytesOf('docs');
    for (let cut = 0; cut < bytes.length; cut += 29) {
      const answer = await refusal(snapshots.importSnapshot({ collectionName: 'copy' }, piecesOf(bytes.subarray(0, cut))));
      expect(answer.code).toBe(cut < 8 ? 'INVALID_ARGUMENT' : 'DATA_LOSS');
      expect(await store.listCollections()).toEqual(['docs']);
    }
  });

  it('stores nothing from a damaged byte: DATA_LOSS naming the frame', async () => {
    const bytes = await bytesOf('docs');
    const firstChunk = 8 + 5 + bytes.readUInt32BE(9) + 32;
    for (const at of [20, firstChunk + 40, bytes.length - 40]) {
      const damaged = Buffer.from(bytes);
      damaged[at] = damaged[at]! ^ 0x01;
      const answer = await refusal(snapshots.importSnapshot({ collectionName: 'copy' }, piecesOf(damaged)));
      expect(answer.code).toBe('DATA_LOSS');
      expect(answer.field).toMatch(/^snapshot\.frames\[\d\]$/);
      expect(await store.listCollections()).toEqual(['docs']);
    }
  });

  it('checks the trailer: a frame dropped whole (checksums intact) is DATA_LOSS on the trailer', async () => {
    const bytes = await bytesOf('docs');
    const header = 8 + 5 + bytes.readUInt32BE(9) + 32;
    const chunk = 5 + bytes.readUInt32BE(header + 1) + 32;
    const withoutChunk = Buffer.concat([bytes.subarray(0, header), bytes.subarray(header + chunk)]);
    expect(await refusal(snapshots.importSnapshot({ collectionName: 'copy' }, piecesOf(withoutChunk)))).toEqual({ code: 'DATA_LOSS', field: 'snapshot.trailer' });
    expect(await store.listCollections()).toEqual(['docs']);
  });

  it('refuses what is not a snapshot, and bytes after the trailer, storing nothing', async () => {
    expect(await refusal(snapshots.importSnapshot({}, piecesOf(Buffer.from('{"hello": "json"}'))))).toEqual({ code: 'INVALID_ARGUMENT', field: 'snapshot' });
    const bytes = await bytesOf('docs');
    const extra = Buffer.concat([bytes, encodeFrame('chunk', new Uint8Array(3)).bytes]);
    expect(await refusal(snapshots.importSnapshot({ collectionName: 'copy' }, piecesOf(extra)))).toEqual({ code: 'INVALID_ARGUMENT', field: 'snapshot.frames[5]' });
    expect(await store.listCollections()).toEqual(['docs']);
  });

  it('names a bad chunk and a bad record where they are in the file', async () => {
    const header = encodeFrame('header', Buffer.from(JSON.stringify({
      format: 'taishang-snapshot', version: 1, chunk_format: new ArrowRecordChunkCodec().format, exported_at: 0,
      collection: { name: 'x', description: '', vector_dim: 2, metric_type: 'L2', index_params: null, embedding_model: null, created_at: 0 },
    })));
    const codec = new ArrowRecordChunkCodec();
    const file = (...frames: Uint8Array[]) => piecesOf(Buffer.concat([MAGIC, header.bytes, ...frames]));
    expect(await refusal(snapshots.importSnapshot({}, file(encodeFrame('chunk', Buffer.from('not arrow')).bytes)))).toEqual({ code: 'INVALID_ARGUMENT', field: 'snapshot.chunks[0]' });
    const good = encodeFrame('chunk', codec.encode([{ id: 'a', vector: [1, 2], metadata: {} }], 2)).bytes;
    const nan = encodeFrame('chunk', codec.encode([{ id: 'b', vector: [1, 2], metadata: {} }, { id: 'c', vector: [Number.NaN, 2], metadata: {} }], 2)).bytes;
    expect(await refusal(snapshots.importSnapshot({}, file(good, nan)))).toEqual({ code: 'INVALID_ARGUMENT', field: 'snapshot.chunks[1].vectors[1].vector[0]' });
    expect(await refusal(snapshots.importSnapshot({}, file(good, good)))).toEqual({ code: 'INVALID_ARGUMENT', field: 'snapshot.chunks[1]' });
    expect(await store.listCollections()).toEqual(['docs']);
  });

  it('never replaces a collection unless asked; asked, it does', async () => {
    const bytes = await bytesOf('docs');
    await store.createCollection({ ...spec, name: 'copy', dimension: 5, embedding: null, index: null });
    expect(await refusal(snapshots.importSnapshot({ collectionName: 'copy' }, piecesOf(bytes)))).toEqual({ code: 'ALREADY_EXISTS', field: undefined });
    expect((await store.getCollection('copy')).dimension).toBe(5);
    await snapshots.importSnapshot({ collectionName: 'copy', replace: true }, piecesOf(bytes));
    expect((await store.getCollection('copy')).dimension).toBe(3);
    expect(await all(store, 'copy')).toEqual(await all(store, 'docs'));
  });

  it('imports under the header name by default, and checks the names it is given', async () => {
    const bytes = await bytesOf('docs');
    await store.dropCollection('docs');
    expect((await snapshots.importSnapshot({}, piecesOf(bytes))).collection).toBe('docs');
    expect(await refusal(snapshots.importSnapshot({ collectionName: '1bad' }, piecesOf(bytes)))).toEqual({ code: 'INVALID_ARGUMENT', field: 'collection_name' });
    expect(await refusal(snapshots.exportCollection('nope'))).toEqual({ code: 'NOT_FOUND', field: undefined });
  });
});
