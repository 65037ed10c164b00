import { ArrowRecordChunkCodec } from '../../src/adapters/snapshot';
import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import { parseMigrateArgs } from '../../src/cli/migrate-args';
import { runMigration } from '../../src/cli/run-migration';
import { CollectionMigrator, STAGING_PREFIX, type CollectionSpec, type ListedRecord, type VectorRecord, type VectorStore } from '../../src/domain';

/**
 * The migrate command over two reference stores: what it moves, what a rerun recognises and
 * skips, what it drops, what it refuses to overwrite, and how it reports. The same runs against
 * LanceDB and a real Milvus, killed halfway, are test/external/migrate.test.ts.
 */
const DIM = 4;
const binding = { model: 'minilm', provider: 'transformers', modelId: 'Xenova/all-MiniLM-L6-v2', weights: 'dtype=q8', dimension: DIM };
const specOf = (name: string, extra: Partial<CollectionSpec> = {}): CollectionSpec => ({
  name,
  description: `the ${name} collection`,
  dimension: DIM,
  metricType: 'COSINE',
  index: { indexType: 'HNSW', metricType: 'COSINE', params: { m: 16 } },
  embedding: null,
  ...extra,
});

/** Texts only in `books`, the collection bound to a model (others refuse them). */
function recordOf(collection: string, i: number): VectorRecord {
  return {
    id: `${collection}-${String(i).padStart(3, '0')}`,
    vector: Array.from({ length: DIM }, (_, k) => Math.fround(Math.sin(i * 7 + k) + 0.01)),
    metadata: { i, tag: i % 2 === 0 ? 'even' : 'odd', nested: { third: i / 3 } },
    ...(i % 3 === 0 || collection !== 'books' ? {} : { text: `passage ${i} of ${collection} — ü 🙂` }),
  };
}

async function fill(store: VectorStore, spec: CollectionSpec, count: number): Promise<void> {
  await store.createCollection(spec);
  const records = Array.from({ length: count }, (_, i) => recordOf(spec.name, i));
  await store.insert(spec.name, () => records);
}

async function everything(store: VectorStore, name: string): Promise<ListedRecord[]> {
  return store.scan(name, () => ({ filter: null, afterId: null, limit: 10_000, includeVector: true }));
}

describe('migrate between engines (reference stores)', () => {
  let source: MemoryVectorStore;
  let destination: MemoryVectorStore;
  const lines: string[] = [];

  beforeEach(async () => {
    source = new MemoryVectorStore();
    destination = new MemoryVectorStore();
    lines.length = 0;
    await fill(source, specOf('books', { embedding: binding }), 30);
    await fill(source, specOf('movies', { metricType: 'L2', index: { indexType: 'FLAT', metricType: 'L2', params: {} } }), 45);
  });

  /** The command as `npm run migrate -- ARGS` runs it, over the two reference stores. */
  async function migrate(argv: string[] = [], options: { dest?: VectorStore; src?: VectorStore; signal?: AbortSignal } = {}): Promise<number> {
    const args = parseMigrateArgs(['--from', 'lance', '--to', 'milvus', ...argv]);
    // Small snapshot chunks, so an import takes several inserts.
    const chunks = { chunkVectorBytes: 64, maxChunkRows: 8, maxFrameBytes: 1 << 20, maxFileBytes: 1 << 24 };
    const migrator = new CollectionMigrator(options.src ?? source, options.dest ?? destination, new ArrowRecordChunkCodec(), args, chunks);
    return runMigration(migrator, args, { from: 'SRC', to: 'DST' }, (line) => lines.push(line), options.signal);
  }

  async function expectCopied(name: string): Promise<void> {
    const { createdAt: _a, updatedAt: _b, ...want } = await source.getCollection(name);
    const { createdAt: _c, updatedAt: _d, ...got } = await destination.getCollection(name);
    expect(got).toEqual(want);
    expect(await everything(destination, name)).toEqual(await everything(source, name));
  }

  const staging = async (store: VectorStore): Promise<string[]> => (await store.listCollections()).filter((n) => n.startsWith(STAGING_PREFIX));

  it('moves every collection with its declaration and records, verified, and says so', async () => {
    expect(await migrate()).toBe(0);
    await expectCopied('books');
    await expectCopied('movies');
    expect(lines).toEqual([
      'migrating 2 collections from SRC to DST: books, movies',
      expect.stringMatching(/^books: migrated 30 records in \d+\.\d s; verified: count 30 = 30, 30 sampled records equal$/),
      expect.stringMatching(/^movies: migrated 45 records in \d+\.\d s; verified: count 45 = 45, 45 sampled records equal$/),
      expect.stringMatching(/^done: 2 migrated, 0 already at the destination, 0 failed, of 2 collections in \d+\.\d s$/),
    ]);
    expect(await staging(destination)).toEqual([]);
  });

  it('moves only the collections named, and refuses unknown names before doing anything', async () => {
    expect(await migrate(['--collections', 'movies'])).toBe(0);
    expect(await destination.listCollections()).toEqual(['movies']);
    lines.length = 0;
    expect(await migrate(['--collections', 'books,nope,_x'])).toBe(2);
    expect(lines).toEqual(["migrate: collections: 'nope', '_x': not a collection of the source (it has 'books', 'movies') [INVALID_ARGUMENT]"]);
    expect(await destination.listCollections()).toEqual(['movies']);
  });

  it('a rerun recognises what arrived and writes nothing', async () => {
    expect(await migrate()).toBe(0);
    const before = await Promise.all(['books', 'movies'].map((n) => destination.getCollection(n)));
    lines.length = 0;
    expect(await migrate(['--sample', '5'])).toBe(0);
    expect(lines.slice(1, 3)).toEqual([
      'books: already at the destination (count 30 = 30, 5 sampled records equal); skipped',
      'movies: already at the destination (count 45 = 45, 5 sampled records equal); skipped',
    ]);
    expect(lines[3]).toMatch(/^done: 0 migrated, 2 already at the destination, 0 failed, of 2 collections/);
    expect(await Promise.all(['books', 'movies'].map((n) => destination.getCollection(n)))).toEqual(before);
  });

  it('after a run killed halfway: drops the staging leftover, skips what arrived, moves the rest', async () => {
    // What a kill during the second import leaves: the first collection committed, the second's
    // staging collection half filled, nothing under its name.
    expect(await migrate(['--collections', 'books'])).toBe(0);
    await fill(destination, specOf(`${STAGING_PREFIX}0123456789abcdef`), 12);
    lines.length = 0;
    expect(await migrate()).toBe(0);
    expect(lines.slice(0, 4)).toEqual([
      'migrating 2 collections from SRC to DST: books, movies',
      `dropped ${STAGING_PREFIX}0123456789abcdef at the destination: the staging collection of an interrupted import`,
      'books: already at the destination (count 30 = 30, 30 sampled records equal); skipped',
      expect.stringMatching(/^movies: migrated 45 records/),
    ]);
    expect(await destination.listCollections()).toEqual(['books', 'movies']);
    await expectCopied('books');
    await expectCopied('movies');
  });

  it("never moves the source's own staging collections", async () => {
    await fill(source, specOf(`${STAGING_PREFIX}feedfacefeedface`), 3);
    expect(await migrate()).toBe(0);
    expect(await destination.listCollections()).toEqual(['books', 'movies']);
  });

  describe('a destination collection that differs is left alone unless --replace', () => {
    it.each([
      ['one record changed', async (d: VectorStore) => d.upsert('books', () => [{ ...recordOf('books', 7), metadata: { i: -1 } }]), "record 'books-007': metadata differs"],
      ['one record missing', async (d: VectorStore) => d.delete('books', ['books-003']), 'count: 30 at the source, 29 at the destination'],
      ['one record more', async (d: VectorStore) => d.insert('books', () => [recordOf('x', 1)]), 'count: 30 at the source, 31 at the destination'],
      ['a vector one bit off', async (d: VectorStore) => {
        const r = recordOf('books', 4);
        const bits = new Float32Array(r.vector);
        new Uint32Array(bits.buffer)[2]! ^= 1;
        await d.upsert('books', () => [{ ...r, vector: [...bits] }]);
      }, "record 'books-004': vector differs"],
      ['a text gone', async (d: VectorStore) => d.upsert('books', () => [{ ...recordOf('books', 1), text: undefined }]), "record 'books-001': text differs"],
    ])('%s', async (_, change, difference) => {
      expect(await migrate(['--collections', 'books'])).toBe(0);
      await change(destination);
      const changed = await everything(destination, 'books');
      lines.length = 0;
      expect(await migrate(['--collections', 'books'])).toBe(1);
      expect(lines[1]).toContain(`books: FAILED: the destination has a different collection 'books' (${difference}`);
      expect(lines[1]).toMatch(/; left as it is\. Rerun with --replace to overwrite it$/);
      expect(lines[2]).toMatch(/^FAILED: 0 migrated, 0 already at the destination, 1 failed, of 1 collection in/);
      expect(await everything(destination, 'books')).toEqual(changed);

      lines.length = 0;
      expect(await migrate(['--collections', 'books', '--replace'])).toBe(0);
      expect(lines[1]).toMatch(/^books: replaced the differing copy at the destination with 30 records in .*; verified: count 30 = 30, 30 sampled records equal$/);
      await expectCopied('books');
      expect(await staging(destination)).toEqual([]);
    });

    it('a different declaration', async () => {
      await destination.createCollection(specOf('movies', { dimension: 3 }));
      expect(await migrate(['--collections', 'movies'])).toBe(1);
      expect(lines[1]).toContain('dimension: 4 at the source, 3 at the destination; metricType: "L2" at the source, "COSINE" at the destination');
      expect(await migrate(['--collections', 'movies', '--replace'])).toBe(0);
      await expectCopied('movies');
    });
  });

  it('with --sample 0 compares counts only', async () => {
    expect(await migrate(['--sample', '0', '--collections', 'books'])).toBe(0);
    expect(lines[1]).toMatch(/verified: count 30 = 30, no records sampled$/);
  });

  it('reports a copy that differs after the import (the source written meanwhile) and fails', async () => {
    // The source gains a record right after the import commits, before the verification reads it.
    const dest = new Proxy(destination, {
      get(target, key, receiver) {
        if (key !== 'renameCollection') return Reflect.get(target, key, receiver);
        return async (from: string, to: string) => {
          await target.renameCollection(from, to);
          await source.insert(to, () => [recordOf(to, 999)]);
        };
      },
    });
    expect(await migrate(['--collections', 'movies'], { dest })).toBe(1);
    expect(lines[1]).toMatch(/^movies: FAILED: imported 45 records, but the copy differs from the source \(count: 46 at the source, 45 at the destination.*\); was the source written meanwhile\? Stop writes to it and rerun with --replace$/);
  });

  it('a failure of one collection does not stop the others', async () => {
    const dest = new Proxy(destination, {
      get(target, key, receiver) {
        if (key !== 'createCollection') return Reflect.get(target, key, receiver);
        return async (spec: CollectionSpec) => {
          if (spec.metricType === 'COSINE') throw new Error('disk full');
          return target.createCollection(spec);
        };
      },
    });
    expect(await migrate([], { dest })).toBe(1);
    expect(lines.slice(1)).toEqual([
      'books: FAILED: disk full',
      expect.stringMatching(/^movies: migrated 45 records/),
      expect.stringMatching(/^FAILED: 1 migrated, 0 already at the destination, 1 failed, of 2 collections/),
    ]);
  });

  it('interrupted (SIGINT): stops, leaves no staging collection, exits 130', async () => {
    const controller = new AbortController();
    let inserts = 0;
    const dest = new Proxy(destination, {
      get(target, key, receiver) {
        if (key !== 'insert') return Reflect.get(target, key, receiver);
        return async (...args: Parameters<VectorStore['insert']>) => {
          if (++inserts === 2) controller.abort();
          return target.insert(...args);
        };
      },
    });
    expect(await migrate([], { dest, signal: controller.signal })).toBe(130);
    expect(lines.slice(1)).toEqual(['books: interrupted before it was verified; rerun to finish (an import cut short stores nothing)']);
    expect(await destination.listCollections()).toEqual([]);
    lines.length = 0;
    expect(await migrate()).toBe(0);
    await expectCopied('books');
  });

  describe('aliases of the collections moved', () => {
    beforeEach(async () => {
      await source.createAlias('library', 'books');
      await source.createAlias('cinema', 'movies');
    });

    it('are created at the destination once their collections are there, and found there by a rerun', async () => {
      expect(await migrate()).toBe(0);
      expect(lines.slice(3)).toEqual([
        'alias cinema → movies: created at the destination',
        'alias library → books: created at the destination',
        expect.stringMatching(/^done: 2 migrated, 0 already at the destination, 0 failed, of 2 collections; 2 aliases in place, 0 failed in/),
      ]);
      expect(await destination.listAliases(null)).toEqual(await source.listAliases(null));
      lines.length = 0;
      expect(await migrate()).toBe(0);
      expect(lines.slice(3, 5)).toEqual(['alias cinema → movies: already at the destination', 'alias library → books: already at the destination']);
    });

    it('only those of the collections named', async () => {
      expect(await migrate(['--collections', 'books'])).toBe(0);
      expect(await destination.listAliases(null)).toEqual([{ alias: 'library', collection: 'books' }]);
    });

    it('an alias naming another collection at the destination is left alone unless --replace', async () => {
      await fill(destination, specOf('old_books'), 2);
      await destination.createAlias('library', 'old_books');
      expect(await migrate()).toBe(1);
      expect(lines).toContain("alias library: FAILED: at the destination it names 'old_books', not 'books'; left as it is. Rerun with --replace to switch it");
      expect(lines.at(-1)).toMatch(/^FAILED: 2 migrated, 0 already at the destination, 0 failed, of 2 collections; 1 alias in place, 1 failed in/);
      expect(await destination.listAliases('old_books')).toEqual([{ alias: 'library', collection: 'old_books' }]);
      lines.length = 0;
      expect(await migrate(['--replace'])).toBe(0);
      expect(lines).toContain("alias library → books: switched at the destination (it named 'old_books')");
      expect(await destination.listAliases(null)).toEqual([
        { alias: 'cinema', collection: 'movies' },
        { alias: 'library', collection: 'books' },
      ]);
    });

    it('a name taken by a collection at the destination fails that alias only', async () => {
      await fill(destination, specOf('cinema'), 1);
      expect(await migrate()).toBe(1);
      expect(lines).toContain("alias cinema: FAILED: 'cinema' is already the name of a collection; aliases and collections share one namespace [ALREADY_EXISTS]");
      expect(lines).toContain('alias library → books: created at the destination');
    });

    it('none for a collection that did not arrive', async () => {
      await fill(destination, specOf('movies'), 1);
      expect(await migrate()).toBe(1);
      expect(lines.filter((l) => l.startsWith('alias '))).toEqual(['alias library → books: created at the destination']);
    });
  });

  it('an empty source is a successful no-op', async () => {
    expect(await migrate([], { src: new MemoryVectorStore() })).toBe(0);
    expect(lines).toEqual(['migrating 0 collections from SRC to DST', expect.stringMatching(/^done: 0 migrated, 0 already at the destination, 0 failed, of 0 collections/)]);
  });
});
