import { MemoryVectorStore } from '../../../src/adapters/vector/memory';
import { MilvusVectorStore } from '../../../src/adapters/vector/milvus';
import type { CollectionSpec, IndexSpec, MetricType, SearchHit, VectorRecord, VectorStore } from '../../../src/domain';
import { milvusDatabase, type MilvusDatabase } from '../../support/milvus-test-server';
import { openLanceStore } from '../../support/stores';

/** The reference first: every other store is compared with it. */
export const ENGINES = ['memory', 'lance', 'milvus'] as const;
export type Engine = (typeof ENGINES)[number];
export type PerEngine<T> = Record<Engine, T>;

/**
 * One store of each kind for a test file: the in-memory reference, LanceDB in a temp dir, and
 * Milvus on a real server (a database of the file's own on the one MILVUS_TEST_ADDRESS names, e.g.
 * the external tier's or the compose file's, else on one started here: milvusDatabase). No mocks anywhere.
 */
export function useStores(): PerEngine<VectorStore> {
  const stores = {} as PerEngine<VectorStore>;
  let milvus: MilvusDatabase | undefined;
  beforeAll(async () => {
    milvus = await milvusDatabase('contract');
    stores.memory = new MemoryVectorStore();
    stores.lance = await openLanceStore();
    // The store creates its database on connect.
    stores.milvus = new MilvusVectorStore({ address: milvus.address, database: milvus.database, timeoutMs: 20_000 });
  }, 600_000);
  afterAll(async () => {
    await Promise.all(Object.values(stores).map((s) => s?.close()));
    await milvus?.release();
  }, 120_000);
  return stores;
}

/** Runs the same steps on every store, one store at a time, and returns each result (or the error it threw). */
export async function onEach<T>(stores: PerEngine<VectorStore>, run: (store: VectorStore, engine: Engine) => Promise<T>): Promise<PerEngine<T>> {
  const out = {} as PerEngine<T>;
  for (const engine of ENGINES) out[engine] = await run(stores[engine], engine);
  return out;
}

/** The error code a call fails with, or 'OK'. */
export async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (e) {
    return (e as { code?: string }).code ?? `not a DomainError: ${String(e)}`;
  }
}

/** Same ids in the same order, scores within 1e-4, same metadata (and vectors when asked for). */
export function expectSameHits(actual: SearchHit[], expected: SearchHit[]): void {
  expect(actual.map((h) => h.id)).toEqual(expected.map((h) => h.id));
  actual.forEach((hit, i) => {
    const want = expected[i]!;
    expect(Math.abs(hit.score - want.score)).toBeLessThanOrEqual(1e-4);
    expect(hit.metadata).toEqual(want.metadata);
    // Every engine stores float32, so the returned vectors are identical.
    expect(hit.vector).toEqual(want.vector);
  });
}

export function spec(name: string, dimension: number, metricType: MetricType = 'COSINE', index: IndexSpec | null = null, description = `about ${name}`): CollectionSpec {
  return { name, description, dimension, metricType, index, embedding: null };
}

/** Deterministic pseudo-random floats in [-0.5, 0.5). */
export function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
}

/** Random vectors: no two rows tie on any metric, so every engine must agree on the order. */
export function randomRecords(count: number, dimension: number, seed: number, metadata: (i: number) => Record<string, unknown> = (i) => ({ i })): VectorRecord[] {
  const next = rng(seed);
  return Array.from({ length: count }, (_, i) => ({ id: `v${i}`, vector: Array.from({ length: dimension }, () => next() * 2), metadata: metadata(i) }));
}

export function byId<T extends { id: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
