import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { LanceVectorStore } from '../../src/adapters/vector/lance';
import { MilvusVectorStore } from '../../src/adapters/vector/milvus';
import { STAGING_PREFIX, type CollectionSpec, type VectorRecord, type VectorStore } from '../../src/domain';
import { milvusDatabase, type MilvusDatabase } from '../support/milvus-test-server';
import { tempDir } from '../support/temp-dirs';

/**
 * Issue 13's acceptance for `npm run migrate`: two collections with metadata (and one with texts
 * and an alias) in a real LanceDB directory move to a real Milvus; the command, a separate process, is killed
 * (SIGKILL) halfway through the second collection's import, then run again: it drops the staging
 * leftover, skips the first collection and finishes the second, and Milvus holds every record
 * exactly once, equal bit for bit. A third run writes nothing; the way back (Milvus → LanceDB) too.
 */
const ROOT = join(__dirname, '..', '..');
const binding = { model: 'all-MiniLM-L6-v2', provider: 'transformers', modelId: 'Xenova/all-MiniLM-L6-v2', weights: 'dtype=q8', dimension: 64 };
const COLLECTIONS: { spec: CollectionSpec; count: number }[] = [
  {
    spec: { name: 'articles', description: 'bound, with texts', dimension: 64, metricType: 'COSINE', index: { indexType: 'FLAT', metricType: 'COSINE', params: {} }, embedding: binding },
    count: 3000,
  },
  {
    spec: { name: 'images', description: 'vectors and metadata', dimension: 128, metricType: 'L2', index: { indexType: 'HNSW', metricType: 'L2', params: { m: 16, ef_construction: 64 } }, embedding: null },
    count: 6000,
  },
];

let milvus: MilvusDatabase | undefined;
let address: string;
let database: string;
let store: MilvusVectorStore;
let dataDir: string;

/** Deterministic float32 vectors (a 32-bit LCG), no two records alike. */
function recordOf(spec: CollectionSpec, i: number): VectorRecord {
  let s = (i * 2654435761 + spec.dimension) >>> 0;
  const vector = Array.from({ length: spec.dimension }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(s / 2 ** 32 - 0.5);
  });
  return {
    id: `${spec.name}-${String(i).padStart(6, '0')}`,
    vector,
    metadata: { i, group: `g${i % 13}`, tags: ['m', i % 2 === 0 ? 'even' : 'odd'], nested: { ratio: i / 7, ok: i % 3 === 0 } },
    ...(spec.embedding !== null && i % 4 !== 0 ? { text: `Passage ${i} — naïve café ${'🙂'.repeat(i % 3)}` } : {}),
  };
}

beforeAll(async () => {
  milvus = await milvusDatabase('migrate');
  ({ address, database } = milvus);
  store = new MilvusVectorStore({ address, database, timeoutMs: 60_000 });
  dataDir = await tempDir('migrate-lance');
  const lance = await LanceVectorStore.open({ dataDir: join(dataDir, 'vectors') });
  try {
    for (const { spec, count } of COLLECTIONS) {
      await lance.createCollection(spec);
      for (let at = 0; at < count; at += 1000) {
        const page = Array.from({ length: Math.min(1000, count - at) }, (_, j) => recordOf(spec, at + j));
        await lance.insert(spec.name, () => page);
      }
    }
    await lance.createAlias('library', 'articles');
  } finally {
    await lance.close();
  }
}, 600_000);

afterAll(async () => {
  await store?.close();
  await milvus?.release();
}, 120_000);

/** The name of a staging collection at `at` holding at least `records`, else undefined (still filling). */
async function stagingHolding(at: MilvusVectorStore, records: number): Promise<string | undefined> {
  const name = (await at.listCollections()).find((n) => n.startsWith(STAGING_PREFIX));
  return name !== undefined && (await at.count(name, null).catch(() => 0)) >= records ? name : undefined;
}

interface Run {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

/** `npm run migrate -- ARGS` as a process (dist/migrate.js, as `npm run migrate` runs it and the service's tests run main.js). */
function migrate(args: string[], env: Record<string, string> = {}): Run {
  const [host, port] = address.split(':');
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'migrate.js'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, MILVUS_HOST: host!, MILVUS_PORT: port!, MILVUS_DATABASE: database, MILVUS_TIMEOUT_MS: '60000', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  const errors: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => errors.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      if (code !== 0 && errors.length > 0) process.stderr.write(`migrate stderr:\n${errors.join('')}\n`);
      resolve(code);
    }),
  );
  return { child, lines, exited };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, run: Run, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (run.child.exitCode !== null) throw new Error(`migrate exited (${run.child.exitCode}) before ${what}:\n${run.lines.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every record of a Milvus collection, read page by page, checked against the generator. */
async function check(target: VectorStore, { spec, count }: (typeof COLLECTIONS)[number]) {
  let afterId: string | null = null;
  let seen = 0;
  let mismatches = 0;
  let outOfOrder = 0;
  for (;;) {
    const page = await target.scan(spec.name, () => ({ filter: null, afterId, limit: 1000, includeVector: true }));
    for (const got of page) {
      const want = recordOf(spec, seen);
      if (afterId !== null && got.id <= afterId) outOfOrder++;
      const vectorEqual = got.vector !== undefined && got.vector.length === spec.dimension && got.vector.every((v, k) => Object.is(v, want.vector[k]));
      if (got.id !== want.id || got.text !== want.text || !isDeepStrictEqual(got.metadata, want.metadata) || !vectorEqual) mismatches++;
      afterId = got.id;
      seen++;
    }
    if (page.length < 1000) break;
  }
  const { createdAt, updatedAt, ...declared } = await target.getCollection(spec.name);
  return { declared, counted: await target.count(spec.name, null), seen, mismatches, outOfOrder };
}

const expected = ({ spec, count }: (typeof COLLECTIONS)[number]) => ({ declared: spec, counted: count, seen: count, mismatches: 0, outOfOrder: 0 });

describe('npm run migrate -- --from lance --to milvus (a real LanceDB directory, a real Milvus)', () => {
  it('killed halfway and rerun, finishes with every record once, equal bit for bit; a third run writes nothing', async () => {
    // 1. Killed (SIGKILL: no cleanup) while the second collection's staging collection fills.
    const first = migrate(['--from', 'lance', '--to', 'milvus', '--sample', '50']);
    await until('the first collection is done', () => first.lines.find((l) => l.startsWith('articles: migrated 3000 records')), first);
    // Halfway: 3,000 of its 6,000 records staged (12 chunks of 500). The whole collection takes
    // about 4 s, so the process is held (SIGSTOP) while each count is read and let run 100 ms at a
    // time between counts: it cannot finish the collection while the test looks.
    first.child.kill('SIGSTOP');
    const staging = await until(
      "half the second collection's records in its staging collection",
      async () => {
        const found = await stagingHolding(store, 3000);
        if (found !== undefined) return found;
        first.child.kill('SIGCONT');
        await new Promise((r) => setTimeout(r, 100));
        first.child.kill('SIGSTOP');
        return undefined;
      },
      first,
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const afterKill = await store.listCollections();
    expect(afterKill).toContain('articles');
    expect(afterKill).not.toContain('images');
    expect(afterKill).toContain(staging);
    const stagedAtKill = await store.count(staging, null);
    expect(stagedAtKill).toBeGreaterThanOrEqual(3000);
    expect(stagedAtKill).toBeLessThan(6000);

    // 2. The rerun drops the leftover, recognises the first collection and moves the second.
    const second = migrate(['--from', 'lance', '--to', 'milvus', '--sample', '50']);
    expect(await second.exited).toBe(0);
    expect(second.lines).toEqual([
      `migrating 2 collections from lance (${join(dataDir, 'vectors')}) to milvus (${address}, database ${database}): articles, images`,
      `dropped ${staging} at the destination: the staging collection of an interrupted import`,
      'articles: already at the destination (count 3000 = 3000, 50 sampled records equal); skipped',
      expect.stringMatching(/^images: migrated 6000 records in [\d.]+ s; verified: count 6000 = 6000, 50 sampled records equal$/),
      'alias library → articles: created at the destination',
      expect.stringMatching(/^done: 1 migrated, 1 already at the destination, 0 failed, of 2 collections; 1 alias in place, 0 failed in [\d.]+ s$/),
    ]);
    expect(await store.listCollections()).toEqual(['articles', 'images']);
    expect(await store.listAliases(null)).toEqual([{ alias: 'library', collection: 'articles' }]);
    for (const c of COLLECTIONS) expect(await check(store, c)).toEqual(expected(c));
    process.stdout.write(`migrate: killed with ${stagedAtKill} of 6000 records staged; rerun:\n${second.lines.join('\n')}\n`);

    // 3. Nothing left to do: nothing is written (each collection keeps its creation time).
    const created = await Promise.all(COLLECTIONS.map(({ spec }) => store.getCollection(spec.name).then((i) => i.createdAt)));
    const third = migrate(['--from', 'lance', '--to', 'milvus', '--collections', 'images,articles']);
    expect(await third.exited).toBe(0);
    expect(third.lines.slice(1)).toEqual([
      'articles: already at the destination (count 3000 = 3000, 100 sampled records equal); skipped',
      'images: already at the destination (count 6000 = 6000, 100 sampled records equal); skipped',
      'alias library → articles: already at the destination',
      expect.stringMatching(/^done: 0 migrated, 2 already at the destination, 0 failed, of 2 collections; 1 alias in place, 0 failed in/),
    ]);
    expect(await Promise.all(COLLECTIONS.map(({ spec }) => store.getCollection(spec.name).then((i) => i.createdAt)))).toEqual(created);
  }, 1_800_000);

  it('interrupted (SIGINT) mid-import: exits 130 and leaves nothing at the destination', async () => {
    const other = `${database}_int`;
    const target = new MilvusVectorStore({ address, database: other, timeoutMs: 60_000 });
    try {
      const run = migrate(['--from', 'lance', '--to', 'milvus', '--collections', 'images'], { MILVUS_DATABASE: other });
      await until(
        'records in the staging collection',
        () => stagingHolding(target, 1000),
        run,
      );
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(130);
      expect(run.lines.slice(1)).toEqual(['images: interrupted before it was verified; rerun to finish (an import cut short stores nothing)']);
      expect(await target.listCollections()).toEqual([]);
    } finally {
      await target.close();
      const client = new MilvusClient({ address, telemetry: { enabled: false } });
      await client.dropDatabase({ db_name: other }).finally(() => client.closeConnection());
    }
  }, 600_000);

  it('moves them back from Milvus into another LanceDB directory, and refuses unknown names', async () => {
    const back = await tempDir('migrate-back');
    const run = migrate(['--from', 'milvus', '--to', 'lance', '--to-dir', back]);
    expect(await run.exited).toBe(0);
    expect(run.lines.at(-1)).toMatch(/^done: 2 migrated, 0 already at the destination, 0 failed, of 2 collections; 1 alias in place, 0 failed/);
    const lance = await LanceVectorStore.open({ dataDir: join(back, 'vectors') });
    try {
      for (const c of COLLECTIONS) expect(await check(lance, c)).toEqual(expected(c));
      expect(await lance.listAliases(null)).toEqual([{ alias: 'library', collection: 'articles' }]);
    } finally {
      await lance.close();
    }

    const unknown = migrate(['--from', 'lance', '--to', 'milvus', '--collections', 'articles,nope']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.lines).toEqual(["migrate: collections: 'nope': not a collection of the source (it has 'articles', 'images') [INVALID_ARGUMENT]"]);
  }, 900_000);
});
