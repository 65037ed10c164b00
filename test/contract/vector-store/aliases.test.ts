import { parseFilter, type SearchQuery, type VectorStore } from '../../../src/domain';
import { ENGINES, onEach, spec, useStores } from './contract-harness';

/**
 * Aliases on every store, held to the reference: one namespace with collections, every read and
 * write through an alias, the atomic switch, and the refusals (same code and same words everywhere).
 */
const stores = useStores();
const query: SearchQuery = { vector: [1, 0], topK: 5, includeVector: false, filter: null };

/** Code and message of a refusal ('OK' when the call succeeds), so engines are compared word for word. */
async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (e) {
    const error = e as { code?: string; message?: string };
    return `${error.code}: ${error.message}`;
  }
}

describe('the VectorStore contract: aliases', () => {
  beforeAll(async () => {
    await onEach(stores, async (store) => {
      for (const [name, tag] of [['blue', 'b'], ['green', 'g']] as const) {
        await store.createCollection(spec(name, 2, 'L2'));
        await store.insert(name, () => [1, 2, 3].map((i) => ({ id: `${tag}${i}`, vector: [i, 0], metadata: { from: name, i } })));
      }
    });
  });

  it('every read and write goes through an alias to its collection, under the collection\'s name', async () => {
    const seen = await onEach(stores, async (store: VectorStore) => {
      await store.createAlias('live', 'blue');
      await store.insert('live', () => [{ id: 'b4', vector: [4, 0], metadata: { from: 'blue', i: 4 } }]);
      await store.upsert('live', () => [{ id: 'b1', vector: [1, 0], metadata: { from: 'blue', i: 1, upserted: true } }]);
      await store.delete('live', ['b2']);
      await store.createIndex('live', (declared) => ({ indexType: 'FLAT', metricType: declared.metricType, params: {} }));
      const indexed = (await store.getCollection('blue')).index;
      await store.dropIndex('live');
      await store.compact('live');
      const result = {
        indexed,
        has: await store.hasCollection('live'),
        info: await store.getCollection('live'),
        stats: (await store.stats('live')).name,
        got: await store.get('live', ['b1', 'b4']),
        hits: (await store.search('live', () => query)).map((h) => h.id),
        scanned: (await store.scan('live', () => ({ filter: parseFilter({ i: { $gte: 3 } }), afterId: null, limit: 10, includeVector: false }))).map((r) => r.id),
        counted: await store.count('live', null),
        collections: await store.listCollections(),
        aliases: await store.listAliases(null),
        ofBlue: await store.listAliases('blue'),
        throughAlias: await store.listAliases('live'),
        ofGreen: await store.listAliases('green'),
      };
      await store.dropAlias('live');
      return result;
    });
    for (const engine of ENGINES) {
      const s = seen[engine];
      expect(s).toMatchObject({
        indexed: { indexType: 'FLAT', metricType: 'L2', params: {} },
        has: true,
        stats: 'blue',
        hits: ['b1', 'b3', 'b4'],
        scanned: ['b3', 'b4'],
        counted: 3,
        collections: ['blue', 'green'],
        aliases: [{ alias: 'live', collection: 'blue' }],
        ofBlue: [{ alias: 'live', collection: 'blue' }],
        throughAlias: [{ alias: 'live', collection: 'blue' }],
        ofGreen: [],
      });
      expect(s.info).toMatchObject({ name: 'blue', description: 'about blue', dimension: 2, metricType: 'L2', index: null });
      expect(s.got.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual([
        { id: 'b1', vector: [1, 0], metadata: { from: 'blue', i: 1, upserted: true } },
        { id: 'b4', vector: [4, 0], metadata: { from: 'blue', i: 4 } },
      ]);
    }
  });

  it('AlterAlias switches every later call to the other collection; DropAlias leaves both collections', async () => {
    const seen = await onEach(stores, async (store) => {
      await store.createAlias('current', 'blue');
      const before = (await store.scan('current', () => ({ filter: null, afterId: null, limit: 10, includeVector: false }))).map((r) => r.id);
      await store.alterAlias('current', 'green');
      const after = (await store.scan('current', () => ({ filter: null, afterId: null, limit: 10, includeVector: false }))).map((r) => r.id);
      const listed = await store.listAliases(null);
      // Moving an alias to where it already points changes nothing and is no error.
      await store.alterAlias('current', 'green');
      await store.dropAlias('current');
      return { before, after, listed, gone: await store.hasCollection('current'), left: await store.listCollections(), none: await store.listAliases(null) };
    });
    for (const engine of ENGINES) {
      expect(seen[engine]).toEqual({
        before: ['b1', 'b3', 'b4'],
        after: ['g1', 'g2', 'g3'],
        listed: [{ alias: 'current', collection: 'green' }],
        gone: false,
        left: ['blue', 'green'],
        none: [],
      });
    }
  });

  it('refuses what would break the namespace, with the same code and words on every engine, and changes nothing', async () => {
    const seen = await onEach(stores, async (store) => {
      await store.createAlias('prod', 'green');
      const refusals = {
        toMissing: await refusal(store.createAlias('nowhere', 'missing')),
        aliasTaken: await refusal(store.createAlias('prod', 'blue')),
        collectionName: await refusal(store.createAlias('blue', 'green')),
        aliasOfAlias: await refusal(store.createAlias('second', 'prod')),
        alterMissing: await refusal(store.alterAlias('nope', 'blue')),
        alterCollectionName: await refusal(store.alterAlias('blue', 'green')),
        alterToMissing: await refusal(store.alterAlias('prod', 'missing')),
        alterToAlias: await refusal(store.alterAlias('prod', 'prod')),
        dropMissing: await refusal(store.dropAlias('nope')),
        dropCollectionName: await refusal(store.dropAlias('blue')),
        createOverAlias: await refusal(store.createCollection(spec('prod', 2))),
        dropThroughAlias: await refusal(store.dropCollection('prod')),
        dropAliased: await refusal(store.dropCollection('green')),
        listOfMissing: await refusal(store.listAliases('missing')),
        throughMissing: await refusal(store.search('nowhere', () => query)),
      };
      const after = { aliases: await store.listAliases(null), collections: await store.listCollections(), green: await store.count('prod', null) };
      await store.dropAlias('prod');
      const droppable = await refusal(store.dropCollection('green'));
      return { refusals, after, droppable };
    });
    const want = {
      toMissing: "NOT_FOUND: collection 'missing' not found",
      aliasTaken: "ALREADY_EXISTS: alias 'prod' already exists; AlterAlias points it at another collection",
      collectionName: "ALREADY_EXISTS: 'blue' is already the name of a collection; aliases and collections share one namespace",
      aliasOfAlias: "INVALID_ARGUMENT: collection_name: 'prod' is an alias; an alias must name a collection",
      alterMissing: "NOT_FOUND: alias 'nope' not found",
      alterCollectionName: "NOT_FOUND: alias 'blue' not found",
      alterToMissing: "NOT_FOUND: collection 'missing' not found",
      alterToAlias: "INVALID_ARGUMENT: collection_name: 'prod' is an alias; an alias must name a collection",
      dropMissing: "NOT_FOUND: alias 'nope' not found",
      dropCollectionName: "NOT_FOUND: alias 'blue' not found",
      createOverAlias: "ALREADY_EXISTS: 'prod' is already the name of an alias; aliases and collections share one namespace",
      dropThroughAlias: "FAILED_PRECONDITION: 'prod' is an alias, not a collection; DropAlias removes it, DropCollection takes the collection's own name",
      dropAliased: "FAILED_PRECONDITION: collection 'green' is named by alias 'prod'; drop the alias or point it elsewhere (DropAlias, AlterAlias) first",
      listOfMissing: "NOT_FOUND: collection 'missing' not found",
      throughMissing: "NOT_FOUND: collection 'nowhere' not found",
    };
    for (const engine of ENGINES) {
      expect({ engine, ...seen[engine].refusals }).toEqual({ engine, ...want });
      expect(seen[engine].after).toEqual({ aliases: [{ alias: 'prod', collection: 'green' }], collections: ['blue', 'green'], green: 3 });
      expect(seen[engine].droppable).toBe('OK');
    }
  });
});
