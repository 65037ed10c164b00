import { startGrpc, type GrpcHarness } from './grpc-harness';

/**
 * The gRPC door decodes each Insert's and Upsert's vectors into a slab it reuses for the next
 * request once the call has settled (vector-request-decoding.ts). Whatever the interleaving —
 * writes at once, one after another, callers leaving while their group still writes — every
 * stored vector must be the one its own request sent (real LanceDB in a temp dir, real gRPC).
 * A slab given back before its write settled fails this test; the rule for callers who leave
 * (their slab is never given back) depends on timing here, and float-slabs.test.ts holds it.
 */
const DIM = 16;
const BATCH = 200;
const ROUNDS = 8;

/** Distinct floats per request and record: a vector read from another request's slab shows. */
function vectorFor(request: number, record: number): number[] {
  return Array.from({ length: DIM }, (_, d) => request * 1_000 + record + d / 100);
}

function batch(request: number, prefix: string): { id: string; vector: number[] }[] {
  return Array.from({ length: BATCH }, (_, r) => ({ id: `${prefix}-${r}`, vector: vectorFor(request, r) }));
}

describe('the gRPC door reuses its decoding slabs without mixing requests (real LanceDB)', () => {
  let h: GrpcHarness;
  /** id → the vector the last request that wrote it and was answered sent. */
  const expected = new Map<string, number[]>();
  /** Ids a cancelled request may or may not have written, with the vector it sent. */
  const maybe = new Map<string, number[]>();

  beforeAll(async () => {
    h = await startGrpc();
    await h.vectors.createCollection({ name: 'slabs', vectorDim: DIM });
  });
  afterAll(() => h.close());

  it('stores each request its own vectors: concurrent inserts, upserts over them, and callers leaving mid-write', async () => {
    let request = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 3; i += 1) {
        const n = (request += 1);
        const vectors = batch(n, `r${round}i${i}`);
        calls.push(h.vectors.insert({ collectionName: 'slabs', vectors }).then(() => vectors.forEach((v) => expected.set(v.id, v.vector))));
      }
      // A caller that leaves right away: its group may go on writing from its slab.
      const left = (request += 1);
      const leaving = batch(left, `r${round}left`);
      leaving.forEach((v) => maybe.set(v.id, v.vector));
      const controller = new AbortController();
      calls.push(h.vectors.insert({ collectionName: 'slabs', vectors: leaving }, { signal: controller.signal }).catch(() => undefined));
      setImmediate(() => controller.abort());
      // Upserts of the previous round's ids, in flight with this round's inserts.
      if (round > 0) {
        const n = (request += 1);
        const vectors = batch(n, `r${round - 1}i0`);
        calls.push(h.vectors.upsert({ collectionName: 'slabs', vectors }).then(() => vectors.forEach((v) => expected.set(v.id, v.vector))));
      }
      await Promise.all(calls);
    }

    const stored = new Map<string, number[]>();
    let pageToken = '';
    do {
      const page = await h.service.listVectors('slabs', { pageSize: 1_000, pageToken, includeVector: true });
      page.vectors.forEach((v) => stored.set(v.id, Array.from(v.vector ?? [])));
      pageToken = page.nextPageToken;
    } while (pageToken !== '');
    for (const [id, vector] of expected) expect([id, stored.get(id)]).toEqual([id, vector.map(Math.fround)]);
    for (const [id, vector] of maybe) if (stored.has(id)) expect([id, stored.get(id)]).toEqual([id, vector.map(Math.fround)]);
    expect(expected.size).toBe(ROUNDS * 3 * BATCH);
  });
});
