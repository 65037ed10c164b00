import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { MemoryVectorStore } from '../../../src/adapters/vector/memory';
import { MilvusVectorStore } from '../../../src/adapters/vector/milvus';
import type { CollectionSpec, IndexSpec, MetricType, SearchHit, VectorRecord, VectorStore } from '../../../src/domain';
import { startMilvusTestServer, type MilvusTestServer } from '../../support/milvus-test-server';
import { openLanceStore } from '../../support/stores';

/** The reference first: every other store is compared with it. */
export const ENGINES = ['memory', 'lance', 'milvus'] as const;
export type Engine = (typeof ENGINES)[number];
export type PerEngine<T> = Record<Engine, T>;

/**
 * One store of each kind for a test file: the in-memory reference, LanceDB in a temp dir, and
 * Milvus on a real server (scripts/milvus-server.sh, started here; or MILVUS_TEST_ADDRESS to run the
 * suite against another Milvus, e.g. the compose file's). No mocks anywhere.
 */
export function useStores(): PerEngine<VectorStore> {
  const stores = {} as PerEngine<VectorStore>;
  let server: MilvusTestServer | undefined;
  const database = `contract_${process.pid}_${Date.now()}`;
  beforeAll(async () => {
    const external = process.env.MILVUS_TEST_ADDRESS;
    if (external === undefined || external === '') server = await startMilvusTestServer();
    stores.memory = new MemoryVectorStore();
    stores.lance = await openLanceStore();
    // A database of its own (created by the store on connect), so a shared Milvus is left as found.
    stores.milvus = new MilvusVectorStore({ address: external || server!.address, database, timeoutMs: 20_000 });
  }, 600_000);
  afterAll(async () => {
    if (stores.milvus !== undefined && server === undefined) {
      for (const name of await stores.milvus.listCollections()) await stores.milvus.dropCollection(name);
      await dropDatabase(process.env.MILVUS_TEST_ADDRESS!, database);
    }
    await Promise.all(Object.values(stores).map((s) => s?.close()));
    await server?.dispose();
  }, 120_000);
  return stores;
}

async function dropDatabase(address: string, database: string): Promise<void> {
  const client = new MilvusClient({ address, telemetry: { enabled: false } });
  try {
    await client.dropDatabase({ db_name: database });
  } finally {
    await client.closeConnection();
  }
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
