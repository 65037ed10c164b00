import { compareIds, matchesFilter, parseFilter, VectorService, type ListedRecord, type ScanRequest, type VectorRecord, type VectorStore } from '../../../src/domain';
import { ENGINES, codeOf, onEach, randomRecords, rng, spec, useStores } from './contract-harness';

/**
 * Scan and count on every store, held to the reference: keyset pages in byte order of the ids,
 * filters, vectors, empty collections, page sizes 1 and the maximum, a page token reused after the
 * collection changed, concurrent writers, and more rows than Milvus lets one query reach by offset.
 */
const stores = useStores();

/** Ids whose byte order differs from UTF-16 order or that need escaping in both dialects. */
const IDS = ['a', 'B', 'b', 'é', 'ｚ', '𝔸', 'a"b', "it's", 'back\\slash', '', 'tab\there', 'aa', 'a b', '~', '0', '10', '9'].filter((id) => id !== '');
const records: VectorRecord[] = IDS.map((id, i) => {
  const next = rng(900 + i);
  return { id, vector: Array.from({ length: 4 }, () => next() * 2), metadata: { n: i, genre: i % 3 === 0 ? 'scifi' : 'poetry', ...(i % 4 === 0 ? { year: 1990 + i } : {}) } };
});
const byteOrder = (ids: string[]): string[] => [...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

/** Every page of a scan from the start, `limit` rows a page. */
async function scanAll(store: VectorStore, name: string, limit: number, rest: Partial<ScanRequest> = {}): Promise<ListedRecord[]> {
  const out: ListedRecord[] = [];
  for (let afterId: string | null = null; ; ) {
    const page = await store.scan(name, () => ({ filter: null, includeVector: false, ...rest, afterId, limit }));
    out.push(...page);
    if (page.length < limit) return out;
    afterId = page[page.length - 1]!.id;
  }
}

describe('the VectorStore contract: scan and count', () => {
  beforeAll(async () => {
    await onEach(stores, async (store) => {
      await store.createCollection(spec('scanned', 4, 'L2'));
      await store.insert('scanned', () => records);
      await store.createCollection(spec('hollow', 4));
    });
  });

  it('scans in byte order of the ids, a page at a time, with and without vectors', async () => {
    const seen = await onEach(stores, async (store) => ({
      ones: await scanAll(store, 'scanned', 1),
      sevens: await scanAll(store, 'scanned', 7, { includeVector: true }),
      whole: await store.scan('scanned', () => ({ filter: null, afterId: null, limit: 1001, includeVector: false })),
      after: await store.scan('scanned', () => ({ filter: null, afterId: 'b', limit: 3, includeVector: false })),
      afterMissing: await store.scan('scanned', () => ({ filter: null, afterId: 'c', limit: 100, includeVector: false })),
      afterLast: await store.scan('scanned', () => ({ filter: null, afterId: '𝔸', limit: 5, includeVector: false })),
    }));
    const ordered = byteOrder(IDS);
    const expected = ordered.map((id) => records.find((r) => r.id === id)!);
    for (const engine of ENGINES) {
      const s = seen[engine];
      expect({ engine, ids: s.ones.map((r) => r.id) }).toEqual({ engine, ids: ordered });
      expect(s.ones).toEqual(expected.map(({ id, metadata }) => ({ id, metadata })));
      expect(s.whole).toEqual(s.ones);
      // Every engine stores float32: the vectors come back as the reference holds them.
      expect(s.sevens).toEqual(seen.memory.sevens);
      expect(s.sevens.every((r) => r.vector?.length === 4)).toBe(true);
      expect(s.after.map((r) => r.id)).toEqual(ordered.slice(ordered.indexOf('b') + 1, ordered.indexOf('b') + 4));
      expect(s.afterMissing.map((r) => r.id)).toEqual(ordered.filter((id) => Buffer.compare(Buffer.from(id), Buffer.from('c')) > 0));
      expect(s.afterLast).toEqual([]);
    }
  });

  it('filters scans and counts like the reference evaluator', async () => {
    const filters = [{ genre: 'scifi' }, { year: { $gte: 1995 } }, { year: { $exists: false } }, { n: { $in: [1, 3, 5, 100] } }, { genre: 'none' }, { $not: { genre: 'scifi' } }];
    const seen = await onEach(stores, async (store) => {
      const out = [];
      for (const raw of filters) {
        const filter = parseFilter(raw);
        out.push({ rows: await scanAll(store, 'scanned', 2, { filter }), count: await store.count('scanned', filter) });
      }
      return { out, all: await store.count('scanned', null) };
    });
    filters.forEach((raw, i) => {
      const filter = parseFilter(raw)!;
      const want = byteOrder(records.filter((r) => matchesFilter(filter, r.metadata)).map((r) => r.id));
      for (const engine of ENGINES) {
        expect({ engine, raw, ids: seen[engine].out[i]!.rows.map((r) => r.id) }).toEqual({ engine, raw, ids: want });
        expect({ engine, raw, count: seen[engine].out[i]!.count }).toEqual({ engine, raw, count: want.length });
      }
    });
    for (const engine of ENGINES) expect(seen[engine].all).toBe(IDS.length);
  });

  it('an empty collection scans to nothing and counts 0; an unknown one is NOT_FOUND', async () => {
    const seen = await onEach(stores, async (store) => ({
      page: await store.scan('hollow', () => ({ filter: null, afterId: null, limit: 10, includeVector: true })),
      filtered: await store.scan('hollow', () => ({ filter: parseFilter({ a: 1 }), afterId: 'x', limit: 1, includeVector: false })),
      count: await store.count('hollow', null),
      countFiltered: await store.count('hollow', parseFilter({ a: 1 })),
      missing: [await codeOf(store.scan('nope', () => ({ filter: null, afterId: null, limit: 1, includeVector: false }))), await codeOf(store.count('nope', null))],
    }));
    for (const engine of ENGINES) expect(seen[engine]).toEqual({ page: [], filtered: [], count: 0, countFiltered: 0, missing: ['NOT_FOUND', 'NOT_FOUND'] });
  });

  it('the plan sees the declaration and its refusal stops the scan', async () => {
    const seen = await onEach(stores, async (store) => {
      let declared: unknown;
      await store.scan('scanned', (d) => {
        declared = { name: d.name, dimension: d.dimension, metricType: d.metricType };
        return { filter: null, afterId: null, limit: 1, includeVector: false };
      });
      const refused = await codeOf(
        store.scan('scanned', () => {
          throw new Error('refused by the plan');
        }),
      );
      return { declared, refused };
    });
    for (const engine of ENGINES) expect(seen[engine]).toEqual({ declared: { name: 'scanned', dimension: 4, metricType: 'L2' }, refused: 'not a DomainError: Error: refused by the plan' });
  });
});

describe('ListVectors over every store: page sizes, tokens and a collection that changes', () => {
  const services = {} as Record<(typeof ENGINES)[number], VectorService>;
  beforeAll(async () => {
    for (const engine of ENGINES) services[engine] = new VectorService(stores[engine]);
    await onEach(stores, async (store) => {
      await store.createCollection(spec('paged', 3));
      await store.insert('paged', () => randomRecords(25, 3, 77, (i) => ({ i, even: i % 2 === 0 })).map((r) => ({ ...r, id: `k${String(r.metadata.i).padStart(2, '0')}` })));
    });
  });

  /** Every page through ListVectors; the pages' sizes and the records. */
  async function listAll(svc: VectorService, pageSize: number, filter?: Record<string, unknown>) {
    const sizes: number[] = [];
    const ids: string[] = [];
    for (let token = ''; ; ) {
      const page = await svc.listVectors('paged', { pageSize, pageToken: token, filter });
      sizes.push(page.vectors.length);
      ids.push(...page.vectors.map((v) => v.id));
      if (page.nextPageToken === '') return { sizes, ids };
      token = page.nextPageToken;
    }
  }

  it('pages of 1, of the maximum and of the default give the same records, the last page without a token', async () => {
    const seen = await onEach(stores, async (_store, engine) => ({
      ones: await listAll(services[engine], 1),
      max: await listAll(services[engine], 1000),
      sevens: await listAll(services[engine], 7, { even: true }),
      byDefault: await services[engine].listVectors('paged', {}),
    }));
    const all = Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    for (const engine of ENGINES) {
      const s = seen[engine];
      expect(s.ones).toEqual({ sizes: Array(25).fill(1), ids: all });
      expect(s.max).toEqual({ sizes: [25], ids: all });
      expect(s.sevens).toEqual({ sizes: [7, 6], ids: all.filter((_, i) => i % 2 === 0) });
      expect(s.byDefault.vectors.map((v) => v.id)).toEqual(all);
      expect(s.byDefault.nextPageToken).toBe('');
    }
  });

  it('a token reused after the collection changed goes on after its last id, in the collection as it is now', async () => {
    const seen = await onEach(stores, async (store, engine) => {
      const svc = services[engine];
      await store.createCollection(spec('changing', 3));
      await store.insert('changing', () => randomRecords(10, 3, 5).map((r, i) => ({ ...r, id: `c${i}` })));
      const first = await svc.listVectors('changing', { pageSize: 4 });
      // Before the token's last id (c3): never seen by this listing. After it: seen, or not if deleted.
      await store.insert('changing', () => [{ id: 'c0b', vector: [1, 2, 3], metadata: {} }, { id: 'c3a', vector: [1, 2, 3], metadata: {} }]);
      await store.delete('changing', ['c5', 'c1']);
      await store.upsert('changing', () => [{ id: 'c7', vector: [3, 2, 1], metadata: { changed: true } }]);
      const again = await svc.listVectors('changing', { pageSize: 4, pageToken: first.nextPageToken });
      const third = await svc.listVectors('changing', { pageSize: 4, pageToken: again.nextPageToken });
      const reused = await svc.listVectors('changing', { pageSize: 100, pageToken: first.nextPageToken });
      await store.dropCollection('changing');
      return { first: first.vectors.map((v) => v.id), again: again.vectors, third: third.vectors.map((v) => v.id), thirdToken: third.nextPageToken, reused: reused.vectors.map((v) => v.id) };
    });
    for (const engine of ENGINES) {
      expect(seen[engine]).toEqual({
        first: ['c0', 'c1', 'c2', 'c3'],
        again: [
          { id: 'c3a', metadata: {} },
          { id: 'c4', metadata: { i: 4 } },
          { id: 'c6', metadata: { i: 6 } },
          { id: 'c7', metadata: { changed: true } },
        ],
        third: ['c8', 'c9'],
        thirdToken: '',
        reused: ['c3a', 'c4', 'c6', 'c7', 'c8', 'c9'],
      });
    }
  });

  it('a token of another collection, another filter or an earlier collection of the same name is INVALID_ARGUMENT naming page_token', async () => {
    const seen = await onEach(stores, async (store, engine) => {
      const svc = services[engine];
      const token = (await svc.listVectors('paged', { pageSize: 2, filter: { even: true, i: { $gte: 0 } } })).nextPageToken;
      await store.createCollection(spec('other', 3));
      await store.insert('other', () => randomRecords(3, 3, 1));
      const refusals = [];
      for (const call of [
        () => svc.listVectors('other', { pageSize: 2, filter: { even: true, i: { $gte: 0 } }, pageToken: token }),
        () => svc.listVectors('paged', { pageSize: 2, pageToken: token }),
        () => svc.listVectors('paged', { pageSize: 2, filter: { even: false }, pageToken: token }),
        () => svc.listVectors('paged', { pageToken: token.slice(0, -2) }),
        () => svc.listVectors('paged', { pageToken: 'not-a-token' }),
      ]) {
        const error = await call().then(() => undefined, (e: unknown) => e as { code: string; violations?: { field: string }[] });
        refusals.push({ code: error?.code, field: error?.violations?.[0]?.field });
      }
      // The same filter written in another key order is the same listing.
      const sameFilter = await svc.listVectors('paged', { pageSize: 2, filter: { i: { $gte: 0 }, even: true }, pageToken: token });
      const otherToken = (await svc.listVectors('other', { pageSize: 1 })).nextPageToken;
      await store.dropCollection('other');
      await store.createCollection(spec('other', 3));
      await store.insert('other', () => randomRecords(3, 3, 1));
      const recreated = await codeOf(svc.listVectors('other', { pageSize: 1, pageToken: otherToken }));
      await store.dropCollection('other');
      return { refusals, sameFilter: sameFilter.vectors.map((v) => v.id), recreated };
    });
    for (const engine of ENGINES) {
      expect(seen[engine].refusals).toEqual(Array(5).fill({ code: 'INVALID_ARGUMENT', field: 'page_token' }));
      expect(seen[engine].sameFilter).toEqual(['k04', 'k06']);
      expect(seen[engine].recreated).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('scans under concurrent writes and past 16,384 rows', () => {
  it('a record stored for the whole scan comes exactly once, in order, while others are written and deleted', async () => {
    const seen = await onEach(stores, async (store) => {
      await store.createCollection(spec('busy', 2, 'L2'));
      const stable = Array.from({ length: 60 }, (_, i) => `s${String(i).padStart(3, '0')}`);
      await store.insert('busy', () => stable.map((id, i) => ({ id, vector: [i, 1], metadata: { stable: true } })));
      let writing = true;
      let round = 0;
      const writer = (async () => {
        while (writing) {
          round += 1;
          const ids = [`s${String(round % 60).padStart(3, '0')}x${round}`, `a${round}`, `t${round}`];
          await store.insert('busy', () => ids.map((id) => ({ id, vector: [round, 2], metadata: { stable: false } })));
          if (round > 2) await store.delete('busy', [`a${round - 2}`, `t${round - 2}`]);
          await store.upsert('busy', () => [{ id: stable[round % 60]!, vector: [round, 3], metadata: { stable: true } }]);
        }
      })();
      const seenIds: string[] = [];
      try {
        for (let afterId: string | null = null; ; ) {
          const page = await store.scan('busy', () => ({ filter: null, afterId, limit: 5, includeVector: false }));
          seenIds.push(...page.map((r) => r.id));
          if (page.length < 5) break;
          afterId = page[page.length - 1]!.id;
        }
      } finally {
        writing = false;
        await writer;
      }
      await store.dropCollection('busy');
      return { stableSeen: seenIds.filter((id) => stable.includes(id)), ordered: seenIds.every((id, i) => i === 0 || compareIds(seenIds[i - 1]!, id) < 0), rounds: round };
    });
    for (const engine of ENGINES) {
      expect({ engine, ...seen[engine], rounds: undefined }).toEqual({ engine, stableSeen: Array.from({ length: 60 }, (_, i) => `s${String(i).padStart(3, '0')}`), ordered: true, rounds: undefined });
      expect(seen[engine].rounds).toBeGreaterThan(0);
    }
  });

  it('20,000 rows in shuffled batches: every page in order, the whole collection once, at any depth', async () => {
    const total = 20_000;
    const ids = Array.from({ length: total }, (_, i) => `r${((i * 7919) % total).toString(36)}-${i % 5}`);
    const seen = await onEach(stores, async (store) => {
      await store.createCollection(spec('deep', 2, 'L2'));
      for (let i = 0; i < total; i += 5000) {
        await store.insert('deep', () => ids.slice(i, i + 5000).map((id, k) => ({ id, vector: [i + k, 1], metadata: { k: (i + k) % 10 } })));
        // Half the rows in compacted (Milvus: sealed) segments, half in new (growing) ones.
        if (i === 5000) await store.compact('deep');
      }
      await store.delete('deep', [ids[17]!, ids[19_999]!]);
      const all = await scanAll(store, 'deep', 1001);
      const tail = await store.scan('deep', () => ({ filter: parseFilter({ k: 3 }), afterId: all[18_000]!.id, limit: 1001, includeVector: false }));
      const counts = [await store.count('deep', null), await store.count('deep', parseFilter({ k: { $lt: 5 } }))];
      await store.dropCollection('deep');
      return { all: all.map((r) => r.id), tail: tail.map((r) => r.id), counts };
    });
    const kept = byteOrder(ids.filter((id) => id !== ids[17] && id !== ids[19_999]));
    for (const engine of ENGINES) {
      expect(seen[engine].all.length).toBe(total - 2);
      expect(seen[engine].all).toEqual(kept);
      expect(seen[engine].tail).toEqual(seen.memory.tail);
      expect(seen[engine].counts).toEqual(seen.memory.counts);
    }
    expect(seen.memory.counts[0]).toBe(total - 2);
  });
});
