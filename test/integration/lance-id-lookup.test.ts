import type { Table } from '@lancedb/lancedb';
import { LanceVectorStore } from '../../src/adapters/vector/lance';
import type { CollectionState } from '../../src/adapters/vector/lance/lance-collection-state';
import type { CollectionSpec, VectorRecord } from '../../src/domain';
import { tempDir } from '../support/temp-dirs';

/**
 * Lookups by id without scans (issue 12), on real LanceDB in a temp dir. The collection's table
 * handle is wrapped in a recorder that passes every call through to LanceDB and notes which
 * engine calls a write or a read made: an `id IN (...)` read is a scan of every row the id BTREE
 * does not cover unless it runs with fastSearch, so the recorder tells "scan" from "index only".
 */
type EngineCall = 'add' | 'mergeInsert' | 'delete' | 'takeOffsets' | 'scan' | 'index-only' | 'load';

const stores: LanceVectorStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

const DIM = 4;
const spec = (name: string): CollectionSpec => ({ name, description: '', dimension: DIM, metricType: 'L2', index: null, embedding: null });
const rec = (id: string, x = 1): VectorRecord => ({ id, vector: [x, 0, 0, 1], metadata: { id } });
const recs = (prefix: string, n: number): VectorRecord[] => Array.from({ length: n }, (_, i) => rec(`${prefix}${i}`, i));

async function openStore(dataDir?: string): Promise<LanceVectorStore> {
  // No background optimize during a case unless it asks for one (Compact).
  const store = await LanceVectorStore.open({ dataDir: dataDir ?? (await tempDir('lance-ids')), compactEveryCommits: 1_000_000 });
  stores.push(store);
  return store;
}

/** Wraps the collection's table so every engine call is noted; returns the log. */
function record(store: LanceVectorStore, name: string): EngineCall[] {
  // The namespace is private on purpose; this white-box test reaches the collection's state through it.
  const state = (store as unknown as { names: { resolve(name: string): { state: CollectionState } } }).names.resolve(name).state;
  const calls: EngineCall[] = [];
  const table = state.table;
  const wrapQuery = (query: object, fast: { on: boolean }): object =>
    new Proxy(query, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (prop === 'fastSearch') fast.on = true;
          if (prop === 'toArray') calls.push(fast.on ? 'index-only' : 'scan');
          if (prop === Symbol.asyncIterator) calls.push('load');
          const out = (value as (...a: unknown[]) => unknown).apply(target, args);
          return out === target ? wrapQuery(target, fast) : out;
        };
      },
    });
  // Appends reach the native table behind LanceDB's wrapper (lance-append.ts): noted there too.
  const wrapNative = (native: object): object =>
    new Proxy(native, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (prop !== 'add' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push('add');
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const wrapped = new Proxy(table, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (prop === 'inner' && typeof value === 'object' && value !== null) return wrapNative(value);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'add' || prop === 'mergeInsert' || prop === 'delete' || prop === 'takeOffsets') calls.push(prop);
        const out = (value as (...a: unknown[]) => unknown).apply(target, args);
        return prop === 'query' ? wrapQuery(out as object, { on: false }) : out;
      };
    },
  });
  (state as { table: Table }).table = wrapped;
  return calls;
}

const sortedIds = (rows: VectorRecord[]): string[] => rows.map((r) => r.id).sort();

describe('the in-memory id lookup of the embedded store', () => {
  it('Insert of new ids makes only the add; a stored id is found without a scan and the batch is rejected whole', async () => {
    const store = await openStore();
    await store.createCollection(spec('c'));
    const calls = record(store, 'c');
    await store.insert('c', () => recs('a', 500));
    await store.insert('c', () => recs('b', 500));
    // The ids are read once, at the first write, then every batch is one add.
    expect(calls).toEqual(['load', 'add', 'add']);
    calls.length = 0;
    await expect(store.insert('c', () => [rec('new1'), rec('b7'), rec('new2')])).rejects.toMatchObject({ code: 'ALREADY_EXISTS', message: expect.stringContaining('b7') });
    expect(calls).toEqual(['takeOffsets']);
    expect(await store.get('c', ['new1', 'new2'])).toEqual([]);
    expect((await store.stats('c')).vectorCount).toBe(1000);
  });

  it('GetByID reads recent rows by position and older ones from the BTREE alone; ids never stored cost no engine call', async () => {
    const store = await openStore();
    await store.createCollection(spec('c'));
    await store.insert('c', () => recs('old', 300));
    await store.compact('c');
    await store.insert('c', () => recs('new', 300));
    const calls = record(store, 'c');
    const recent = await store.get('c', ['new5', 'new299']);
    expect(recent.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual([rec('new299', 299), rec('new5', 5)]);
    expect(calls).toEqual(['takeOffsets']);
    calls.length = 0;
    expect(sortedIds(await store.get('c', ['old3', 'old250']))).toEqual(['old250', 'old3']);
    expect(calls).toEqual(['index-only']);
    calls.length = 0;
    expect(sortedIds(await store.get('c', ['old3', 'new7', 'nope', 'neither']))).toEqual(['new7', 'old3']);
    expect(calls.sort()).toEqual(['index-only', 'takeOffsets']);
    calls.length = 0;
    expect(await store.get('c', ['nope', 'neither'])).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('Upsert of new ids is an add, of stored ids one mergeInsert; Delete of ids never stored makes no engine call; a deleted id can be inserted again', async () => {
    const store = await openStore();
    await store.createCollection(spec('c'));
    await store.insert('c', () => recs('r', 100));
    const calls = record(store, 'c');
    await store.upsert('c', () => recs('fresh', 10));
    expect(calls).toEqual(['add']);
    calls.length = 0;
    await store.upsert('c', () => [rec('r1', 42), rec('fresh3', 43), rec('brand-new', 44)]);
    expect(calls).toEqual(['mergeInsert']);
    calls.length = 0;
    await store.delete('c', ['never', 'stored']);
    expect(calls).toEqual([]);
    await store.delete('c', ['r2', 'never', 'fresh4']);
    expect(calls).toEqual(['delete']);
    expect(sortedIds(await store.get('c', ['r1', 'r2', 'fresh3', 'fresh4', 'brand-new']))).toEqual(['brand-new', 'fresh3', 'r1']);
    expect((await store.get('c', ['r1']))[0]).toEqual(rec('r1', 42));
    calls.length = 0;
    await store.insert('c', () => [rec('r2', 7), rec('fresh4', 8)]);
    expect(calls).toEqual(['add']);
    expect(sortedIds(await store.get('c', ['r2', 'fresh4']))).toEqual(['fresh4', 'r2']);
    expect((await store.stats('c')).vectorCount).toBe(111);
  });

  it('after a restart the ids are read again, and rows the BTREE does not cover are still found and still block a second insert', async () => {
    const dataDir = await tempDir('lance-ids-restart');
    const first = await openStore(dataDir);
    await first.createCollection(spec('c'));
    await first.insert('c', () => recs('a', 200));
    await first.compact('c');
    await first.insert('c', () => recs('b', 200));
    await first.delete('c', ['b0']);
    await first.insert('c', () => recs('c', 50));
    await first.close();
    const second = await openStore(dataDir);
    const calls = record(second, 'c');
    // Before any write the lookup is not in memory yet: the read takes the engine's own path.
    expect(sortedIds(await second.get('c', ['a1', 'b1', 'c1', 'b0']))).toEqual(['a1', 'b1', 'c1']);
    await expect(second.insert('c', () => [rec('c49')])).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(second.insert('c', () => [rec('b199')])).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await second.insert('c', () => [rec('b0')]);
    expect(calls).toContain('load');
    expect(sortedIds(await second.get('c', ['b0', 'b199', 'c49', 'a199']))).toEqual(['a199', 'b0', 'b199', 'c49']);
    expect((await second.stats('c')).vectorCount).toBe(450);
  });
});
