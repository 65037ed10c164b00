/**
 * `npm run bench:filter-choice`: when a FILTERED search on an indexed collection should be exact
 * (issue 12, item 1). On one table with an IVF_HNSW_SQ index (the adapter's HNSW) and an integer
 * column `bucket` = row % 1000, filters `bucket < b` match a chosen share of rows; for each share it
 * measures the indexed search with the filter as a prefilter (recall@k against exact answers, short
 * answers, latency), LanceDB's exact search with the filter (bypassVectorIndex: it reads the whole
 * vector column whatever the filter), the exact search the adapter makes for few matches (a
 * filtered read of the matching rows, then distances in JS), and countRows with the filter (what
 * the adapter pays to decide). Prints a table, writes
 * bench/results/filter-choice-<time>.json and filter-choice-latest.json.
 *
 * Settings: ANN_COUNT (50000), ANN_QUERIES (100), ANN_SETS (clustered; one set), BENCH_SEED.
 */
import { connect, Index, type Table } from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Int32, RecordBatch, Schema, Struct, Table as ArrowTable, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cosineDistance, loadSet, parseSets, type NamedSet } from './lib/ann-sets';
import { percentile, table as mdTable } from './lib/measure';
import { machineInfo, saveNamedReport } from './lib/report';

const REPO_ROOT = resolve(__dirname, '..');
const K = 10;
const BUCKETS = 1000;
/** Matching rows per 1000: 1 in 1000 up to half of the table. */
const SHARES = [1, 5, 10, 20, 50, 100, 200, 500];
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : Number(raw);
};

interface Row {
  set: string;
  matches: number;
  sharePercent: number;
  countP50Ms: number;
  exactP50Ms: number;
  exactP99Ms: number;
  readExactP50Ms: number;
  readExactP99Ms: number;
  indexP50Ms: number;
  indexP99Ms: number;
  indexRecall: number;
  indexShortShare: number;
}

async function main(): Promise<void> {
  const count = int('ANN_COUNT', 50_000);
  const queries = int('ANN_QUERIES', 100);
  const seed = int('BENCH_SEED', 20240602);
  const [setName] = parseSets(process.env.ANN_SETS, ['clustered']);
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  const workDir = await mkdtemp(join(tmpdir(), 'taishang-filter-'));
  const rows: Row[] = [];
  try {
    const set = await loadSet(setName!, { count, dim: 384, queries, seed, repoRoot: REPO_ROOT, cacheDir: process.env.BENCH_CACHE_DIR ?? join(REPO_ROOT, 'bench', '.cache'), log });
    const db = await connect(workDir);
    const table = await loadTable(db, set);
    const t = process.hrtime.bigint();
    await table.createIndex('vector', { config: Index.hnswSq({ distanceType: 'cosine', numPartitions: 1 }), name: 'vector_idx' });
    log(`${set.name}: ${count} rows, HNSW built in ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(1)} s`);
    for (const per1000 of SHARES) {
      const where = `bucket < ${per1000}`;
      const matching = set.data.vectors.map((_, i) => i).filter((i) => i % BUCKETS < per1000);
      const kth = set.data.queries.map((q) => {
        const d = matching.map((i) => cosineDistance(set.data.vectors[i]!, q)).sort((a, b) => a - b);
        return d[Math.min(K, d.length) - 1] ?? Number.POSITIVE_INFINITY;
      });
      const countLat: number[] = [];
      const exactLat: number[] = [];
      const indexLat: number[] = [];
      const readLat: number[] = [];
      let right = 0;
      let short = 0;
      for (let qi = 0; qi < set.data.queries.length; qi += 1) {
        const q = Array.from(set.data.queries[qi]!);
        countLat.push(await timed(() => table.countRows(where)));
        const base = () => table.vectorSearch(q).column('vector').distanceType('cosine').limit(K).where(where).select(['id', '_distance']);
        exactLat.push(await timed(() => base().bypassVectorIndex().toArray()));
        readLat.push(
          await timed(async () => {
            const rows = (await table.query().where(where).select(['id', 'vector']).toArray()) as { id: string; vector: { toArray(): Float32Array } }[];
            const qv = set.data.queries[qi]!;
            rows.map((r) => ({ id: r.id, d: cosineDistance(r.vector.toArray(), qv) })).sort((a, b) => a.d - b.d).slice(0, K);
          }),
        );
        let got: { id: string }[] = [];
        indexLat.push(await timed(async () => (got = (await base().ef(100).refineFactor(2).toArray()) as { id: string }[])));
        if (got.length < Math.min(K, matching.length)) short += 1;
        for (const r of got) if (cosineDistance(set.data.vectors[Number(r.id)]!, set.data.queries[qi]!) <= kth[qi]! + 1e-5) right += 1;
      }
      [countLat, exactLat, indexLat, readLat].forEach((l) => l.sort((a, b) => a - b));
      const row: Row = {
        set: set.name,
        matches: matching.length,
        sharePercent: per1000 / 10,
        countP50Ms: percentile(countLat, 50),
        exactP50Ms: percentile(exactLat, 50),
        exactP99Ms: percentile(exactLat, 99),
        readExactP50Ms: percentile(readLat, 50),
        readExactP99Ms: percentile(readLat, 99),
        indexP50Ms: percentile(indexLat, 50),
        indexP99Ms: percentile(indexLat, 99),
        indexRecall: right / (set.data.queries.length * Math.min(K, matching.length)),
        indexShortShare: short / set.data.queries.length,
      };
      rows.push(row);
      log(`  ${where}: ${JSON.stringify(row)}`);
    }
    table.close();
    db.close();
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const report = { startedAt: startedAt.toISOString(), machine: machineInfo(REPO_ROOT, loadAtStart), settings: { count, queries, k: K, seed, set: setName, shares: SHARES }, rows };
  const file = await saveNamedReport(join(REPO_ROOT, 'bench', 'results'), 'filter-choice', startedAt, report);
  const lines = rows.map((r) => ({
    matches: r.matches,
    'share %': r.sharePercent,
    'count p50 ms': r.countP50Ms,
    'exact p50 ms': r.exactP50Ms,
    'exact p99 ms': r.exactP99Ms,
    'read+JS exact p50 ms': r.readExactP50Ms,
    'read+JS exact p99 ms': r.readExactP99Ms,
    'index p50 ms': r.indexP50Ms,
    'index p99 ms': r.indexP99Ms,
    [`index recall@${K}`]: r.indexRecall.toFixed(4),
    'index short %': r.indexShortShare * 100,
  }));
  process.stdout.write(`\n${mdTable(lines)}\n\nSaved ${file}\n`);
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function loadTable(db: Awaited<ReturnType<typeof connect>>, set: NamedSet): Promise<Table> {
  const dim = set.data.dim;
  const fields = [new Field('id', new Utf8(), false), new Field('vector', new FixedSizeList(dim, new Field('item', new Float32(), true)), false), new Field('bucket', new Int32(), false)];
  const schema = new Schema(fields);
  const table = await db.createEmptyTable('t', schema);
  const type = fields[1]!.type as FixedSizeList;
  for (let from = 0; from < set.data.vectors.length; from += 10_000) {
    const part = set.data.vectors.slice(from, from + 10_000);
    const flat = new Float32Array(part.length * dim);
    part.forEach((v, i) => flat.set(v, i * dim));
    const data = makeData({
      type: new Struct(fields),
      length: part.length,
      nullCount: 0,
      children: [
        vectorFromArray(part.map((_, i) => String(from + i)), new Utf8()).data[0]!,
        makeData({ type, length: part.length, nullCount: 0, child: makeData({ type: new Float32(), length: flat.length, nullCount: 0, data: flat }) }),
        makeData({ type: new Int32(), length: part.length, nullCount: 0, data: Int32Array.from(part, (_, i) => (from + i) % BUCKETS) }),
      ],
    });
    await table.add(new ArrowTable(schema, new RecordBatch(schema, data)));
  }
  await table.optimize();
  return table;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:filter-choice failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
