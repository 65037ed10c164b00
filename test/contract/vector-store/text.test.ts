import { parseFilter, type CollectionSpec, type SearchHit, type TextQuery, type VectorRecord, type VectorStore } from '../../../src/domain';
import { ENGINES, byId, codeOf, onEach, spec, useStores, type Engine } from './contract-harness';

/**
 * Bound collections: the embedding binding is kept with the collection, texts are stored with
 * records and come back on every read path, and searchText ranks them by the engine's own BM25.
 * Milvus answers searchText FAILED_PRECONDITION (it has no full-text index here); its cases say so.
 */
const stores = useStores();

const BINDING = { model: 'm', provider: 'transformers', modelId: 'x', weights: 'dtype=fp32', dimension: 4 };
const bound = (name: string): CollectionSpec => ({ ...spec(name, 4), embedding: BINDING });
const TEXT_ENGINES: readonly Engine[] = ['memory', 'lance'];

const rec = (id: string, text: string | undefined, metadata: Record<string, unknown> = {}, x = 1): VectorRecord => ({
  id,
  vector: [x, 0.5, 0.25, 0.125],
  metadata,
  ...(text === undefined ? {} : { text }),
});

const DOCS: VectorRecord[] = [
  rec('a', 'the striped zebra grazes on the savanna', { kind: 'animal' }, 1),
  rec('b', 'order part XK-42 before friday', { kind: 'part' }, 2),
  rec('c', 'a lion sleeps in the shade of a tree', { kind: 'animal' }, 3),
  rec('d', 'replacement gasket for pump model 7', { kind: 'part' }, 4),
  rec('e', 'zebra crossing near the school', { kind: 'road' }, 5),
  rec('f', undefined, { kind: 'none' }, 6),
];

function textQuery(text: string, topK = 10, filter: Record<string, unknown> | null = null): () => TextQuery {
  return () => ({ text, topK, includeVector: false, filter: filter === null ? null : parseFilter(filter) });
}

/** searchText on the engines that can; Milvus must refuse it with FAILED_PRECONDITION. */
async function onTextEngines(run: (store: VectorStore) => Promise<SearchHit[]>): Promise<Partial<Record<Engine, SearchHit[]>>> {
  const out: Partial<Record<Engine, SearchHit[]>> = {};
  await onEach(stores, async (store, engine) => {
    if (TEXT_ENGINES.includes(engine)) out[engine] = await run(store);
    else expect(await codeOf(run(store))).toBe('FAILED_PRECONDITION');
  });
  return out;
}

const ids = (hits: SearchHit[] | undefined): string[] => (hits ?? []).map((h) => h.id);

describe('the VectorStore contract: bound collections and texts', () => {
  beforeAll(async () => {
    await onEach(stores, async (store) => {
      await store.createCollection(bound('texts'));
      await store.insert('texts', () => DOCS);
    });
  });

  it('keeps the embedding binding with the collection; unbound collections have none', async () => {
    const seen = await onEach(stores, async (store) => {
      await store.createCollection(spec('plain', 4));
      return { bound: (await store.getCollection('texts')).embedding, plain: (await store.getCollection('plain')).embedding };
    });
    for (const engine of ENGINES) expect(seen[engine]).toEqual({ bound: BINDING, plain: null });
  });

  it('hands the binding to plans in the declaration', async () => {
    const seen = await onEach(stores, async (store) => {
      let declared: unknown;
      await store.get('texts', ['a']);
      await store.upsert('texts', (d) => {
        declared = d.embedding;
        return [];
      });
      return declared;
    });
    for (const engine of ENGINES) expect(seen[engine]).toEqual(BINDING);
  });

  it('returns texts from get, search and scan, and no text for a record without one', async () => {
    const seen = await onEach(stores, async (store) => ({
      got: byId(await store.get('texts', ['a', 'f'])),
      hits: byId(await store.search('texts', () => ({ vector: [1, 0.5, 0.25, 0.125], topK: 6, includeVector: false, filter: null }))),
      filtered: await store.search('texts', () => ({ vector: [1, 0.5, 0.25, 0.125], topK: 6, includeVector: false, filter: parseFilter({ kind: 'road' }) })),
      scanned: await store.scan('texts', () => ({ filter: null, afterId: null, limit: 10, includeVector: false })),
    }));
    for (const engine of ENGINES) {
      const { got, hits, filtered, scanned } = seen[engine];
      expect(got.map((r) => r.text)).toEqual([DOCS[0]!.text, undefined]);
      expect('text' in got[1]!).toBe(false);
      expect(hits.map((h) => [h.id, h.text])).toEqual(DOCS.map((r) => [r.id, r.text]));
      expect(filtered.map((h) => h.text)).toEqual([DOCS[4]!.text]);
      expect(scanned.map((r) => [r.id, r.text])).toEqual(DOCS.map((r) => [r.id, r.text]));
      expect('text' in scanned[5]!).toBe(false);
    }
  });

  it('Upsert replaces a text, and clears it when the new record has none', async () => {
    const seen = await onEach(stores, async (store) => {
      await store.createCollection(bound('upserts'));
      await store.insert('upserts', () => [rec('p', 'first words'), rec('q', 'kept words'), rec('r', 'to be cleared')]);
      // A read first, so the id-lookup fast paths are warm and cover the rows about to change.
      await store.get('upserts', ['p', 'q', 'r']);
      await store.upsert('upserts', () => [rec('p', 'second words'), rec('r', undefined), rec('s', 'brand new')]);
      return byId(await store.get('upserts', ['p', 'q', 'r', 's'])).map((r) => [r.id, r.text ?? null]);
    });
    for (const engine of ENGINES) {
      expect(seen[engine]).toEqual([
        ['p', 'second words'],
        ['q', 'kept words'],
        ['r', null],
        ['s', 'brand new'],
      ]);
    }
    const found = await onTextEngines(async (store) => [...(await store.searchText('upserts', textQuery('first cleared second'))), ...(await store.searchText('upserts', textQuery('new')))]);
    for (const engine of TEXT_ENGINES) expect(ids(found[engine])).toEqual(['p', 's']);
  });

  it('searchText ranks exact keyword matches first, with texts and BM25 scores, best first', async () => {
    const found = await onTextEngines(async (store) => [...(await store.searchText('texts', textQuery('XK-42', 3))), ...(await store.searchText('texts', textQuery('zebra', 3)))]);
    for (const engine of TEXT_ENGINES) {
      const hits = found[engine]!;
      // The order among the zebra hits is each engine's BM25 (LanceDB stems and drops stop words; the reference does not): the set is the contract.
      expect(hits).toHaveLength(3);
      expect(hits[0]).toMatchObject({ id: 'b', text: DOCS[1]!.text, metadata: { kind: 'part' } });
      expect(hits[0]!.vector).toBeUndefined();
      const zebra = hits.slice(1);
      expect(new Set(ids(zebra))).toEqual(new Set(['a', 'e']));
      expect(zebra[0]!.score).toBeGreaterThanOrEqual(zebra[1]!.score);
      for (const hit of hits) expect(hit.score).toBeGreaterThan(0);
    }
  });

  it('searchText returns vectors when asked, and nothing for words no text holds', async () => {
    const found = await onTextEngines(async (store) => [
      ...(await store.searchText('texts', () => ({ text: 'gasket', topK: 5, includeVector: true, filter: null }))),
      ...(await store.searchText('texts', textQuery('unicorn'))),
    ]);
    for (const engine of TEXT_ENGINES) expect(found[engine]).toEqual([expect.objectContaining({ id: 'd', vector: DOCS[3]!.vector, text: DOCS[3]!.text })]);
  });

  it('searchText applies the filter before ranking: a filter excluding the best match still returns k of the others', async () => {
    const found = await onTextEngines(async (store) => {
      await store.createCollection(bound('filtered'));
      // Ten strong matches filtered out, three weak ones kept: a postfilter of the top 3 would return none.
      const strong = Array.from({ length: 10 }, (_, i) => rec(`s${i}`, 'zebra zebra zebra', { keep: false }));
      const weak = Array.from({ length: 5 }, (_, i) => rec(`w${i}`, `zebra among ${'many other words '.repeat(i + 1)}`, { keep: true }));
      await store.insert('filtered', () => [...strong, ...weak]);
      return store.searchText('filtered', textQuery('zebra', 3, { keep: true }));
    });
    for (const engine of TEXT_ENGINES) expect(ids(found[engine])).toEqual(['w0', 'w1', 'w2']);
  });

  it('searchText orders equal scores by id and never returns deleted rows', async () => {
    const found = await onTextEngines(async (store) => {
      await store.createCollection(bound('ties'));
      // Identical texts score the same: the smallest ids win, whatever order the engine found them in.
      await store.insert('ties', () => ['t9', 't3', 't7', 't1', 't5', 't0'].map((id) => rec(id, 'same words here')));
      const before = await store.searchText('ties', textQuery('words', 3));
      await store.delete('ties', ['t0', 't3']);
      return [...before, ...(await store.searchText('ties', textQuery('words', 10)))];
    });
    for (const engine of TEXT_ENGINES) expect(ids(found[engine])).toEqual(['t0', 't1', 't3', 't1', 't5', 't7', 't9']);
  });

  it('searchText finds rows written right after earlier searches', async () => {
    const found = await onTextEngines(async (store) => {
      await store.createCollection(bound('fresh'));
      const out: SearchHit[] = [];
      for (let round = 0; round < 3; round += 1) {
        await store.insert('fresh', () => [rec(`n${round}`, `quokka number ${round}`), rec(`o${round}`, `otter ${round}`)]);
        out.push(...(await store.searchText('fresh', textQuery('quokka', 10))));
      }
      await store.upsert('fresh', () => [rec('o0', 'quokka now')]);
      out.push(...(await store.searchText('fresh', textQuery('quokka now', 1))));
      return out;
    });
    for (const engine of TEXT_ENGINES) {
      expect(found[engine]!.map((h) => h.id).sort()).toEqual(['n0', 'n0', 'n0', 'n1', 'n1', 'n2', 'o0'].sort());
      expect(found[engine]!.at(-1)).toMatchObject({ id: 'o0', text: 'quokka now' });
    }
  });

  it('searchText of an unknown collection is NOT_FOUND (Milvus: FAILED_PRECONDITION may come first), before the plan runs', async () => {
    const seen = await onEach(stores, async (store) => {
      let planned = false;
      const code = await codeOf(
        store.searchText('no_such_collection', () => {
          planned = true;
          return textQuery('zebra')();
        }),
      );
      return { code, planned };
    });
    for (const engine of ENGINES) {
      expect(seen[engine].planned).toBe(false);
      expect(TEXT_ENGINES.includes(engine) ? [seen[engine].code] : ['NOT_FOUND', 'FAILED_PRECONDITION']).toContain(seen[engine].code);
    }
  });

  it('searchText of an unbound collection finds nothing (it holds no texts)', async () => {
    const found = await onTextEngines((store) => store.searchText('plain', textQuery('zebra')));
    for (const engine of TEXT_ENGINES) expect(found[engine]).toEqual([]);
  });
});
