/**
 * `npm run bench:ann-choice`: which LanceDB index and query tuning the adapter should use, by
 * measurement (issue 12, item 1). For each vector set (lib/ann-sets.ts) it builds every candidate
 * index on one table in the bench process, runs the held-out queries at concurrency 1 and reports
 * per index and tuning: the share of SHORT answers (fewer than k rows with at least k stored),
 * recall@k against exact answers computed in JS (ties count), p50/p99 latency and build time,
 * next to an exact search (bypassVectorIndex), which is what a fallback costs. Prints a table and
 * writes bench/results/ann-choice-<time>.json and ann-choice-latest.json.
 *
 * Settings: ANN_COUNT (20000), ANN_QUERIES (200), ANN_SETS (clustered,uniform,real,dup),
 * ANN_ONLY (comma list of index names below), ANN_SKIP_EXACT=1 (no exact-search row: minutes at a
 * million rows), BENCH_SEED, BENCH_CACHE_DIR (real-text embeddings and exact answers).
 */
import { connect, Index, type Table, type VectorQuery } from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, RecordBatch, Schema, Struct, Table as ArrowTable, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSet, parseSets, tieAwareRecall, type NamedSet } from './lib/ann-sets';
import { exactAnswers, shareVectors } from './lib/exact-answers';
import { percentile, table as mdTable } from './lib/measure';
import { machineInfo, saveNamedReport } from './lib/report';

const REPO_ROOT = resolve(__dirname, '..');
const K = 10;
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) throw new Error(`${name}=${raw}: a positive integer expected`);
  return Number(raw);
};

interface Tuning {
  label: string;
  apply: (q: VectorQuery) => VectorQuery;
  /** Rows asked of the engine (then cut to k). */
  limit?: number;
}

interface Candidate {
  name: string;
  index: (n: number) => Index;
  tunings: Tuning[];
}

const hnswTuning = (ef: number, refine: number, extra?: (q: VectorQuery) => VectorQuery, label = ''): Tuning => ({
  label: `ef ${ef}, refine ${refine}${label}`,
  apply: (q) => (extra ? extra(q) : q).ef(ef).refineFactor(refine),
});

const CANDIDATES: Candidate[] = [
  {
    name: 'hnsw-sq-p1',
    index: () => Index.hnswSq({ distanceType: 'cosine', numPartitions: 1 }),
    // ef 150–300: where recall goes at 1,000,000 rows (ANN_COUNT=1000000), ef 100 having 0.89 there.
    tunings: [
      hnswTuning(100, 2),
      hnswTuning(150, 2),
      hnswTuning(200, 2),
      hnswTuning(300, 2),
      hnswTuning(200, 5),
      hnswTuning(400, 2),
      { ...hnswTuning(100, 2, undefined, ', limit 40 cut to 10'), limit: 40 },
    ],
  },
  {
    name: 'hnsw-sq-p4',
    index: () => Index.hnswSq({ distanceType: 'cosine', numPartitions: 4 }),
    tunings: [hnswTuning(100, 2, (q) => q.nprobes(1), ', nprobes 1'), hnswTuning(100, 2, (q) => q.nprobes(2), ', nprobes 2'), hnswTuning(100, 2, (q) => q.nprobes(4), ', nprobes 4')],
  },
  {
    name: 'hnsw-sq-p16',
    index: () => Index.hnswSq({ distanceType: 'cosine', numPartitions: 16 }),
    tunings: [hnswTuning(100, 2, (q) => q.nprobes(2), ', nprobes 2'), hnswTuning(100, 2, (q) => q.nprobes(4), ', nprobes 4'), hnswTuning(100, 2, (q) => q.nprobes(8), ', nprobes 8')],
  },
  {
    name: 'hnsw-pq-p1',
    index: () => Index.hnswPq({ distanceType: 'cosine', numPartitions: 1 }),
    tunings: [hnswTuning(100, 10)],
  },
  {
    name: 'ivf-pq',
    index: (n) => Index.ivfPq({ distanceType: 'cosine', numPartitions: Math.max(1, Math.round(Math.sqrt(n))), numSubVectors: 48 }),
    tunings: [
      { label: 'nprobes 20, refine 10', apply: (q) => q.nprobes(20).refineFactor(10) },
      { label: 'nprobes 40, refine 20', apply: (q) => q.nprobes(40).refineFactor(20) },
    ],
  },
  {
    name: 'ivf-flat',
    index: (n) => Index.ivfFlat({ distanceType: 'cosine', numPartitions: Math.max(1, Math.round(Math.sqrt(n))) }),
    tunings: [{ label: 'nprobes 20', apply: (q) => q.nprobes(20) }],
  },
];

interface Row {
  set: string;
  index: string;
  tuning: string;
  buildSeconds: number;
  shortShare: number;
  shortestAnswer: number;
  recall: number;
  p50Ms: number;
  p99Ms: number;
}

async function main(): Promise<void> {
  const count = int('ANN_COUNT', 20_000);
  const queries = int('ANN_QUERIES', 200);
  const seed = int('BENCH_SEED', 20240602);
  const sets = parseSets(process.env.ANN_SETS, ['clustered', 'uniform', 'real', 'dup']);
  const only = (process.env.ANN_ONLY ?? '').split(',').filter((s) => s !== '');
  const candidates = only.length === 0 ? CANDIDATES : CANDIDATES.filter((c) => only.includes(c.name));
  const cacheDir = process.env.BENCH_CACHE_DIR ?? join(REPO_ROOT, 'bench', '.cache');
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  const workDir = await mkdtemp(join(tmpdir(), 'taishang-ann-'));
  const rows: Row[] = [];
  const realInfo: unknown[] = [];
  try {
    for (const name of sets) {
      const set = await loadSet(name, { count, dim: 384, queries, seed, repoRoot: REPO_ROOT, cacheDir, log });
      if (set.real) realInfo.push(set.real);
      log(`${name}: ${count} vectors, ${queries} queries; exact answers in JS…`);
      // Worker threads over one shared buffer, cached in cacheDir: at 1,000,000 rows the
      // single-threaded exactCosine took over 20 minutes.
      const exact = await exactAnswers(set.data, shareVectors(set.data), K, { cacheDir, threads: cpus().length, log });
      const db = await connect(join(workDir, name));
      const table = await loadTable(db, set);
      if (process.env.ANN_SKIP_EXACT !== '1') rows.push(await measure(set, table, 'none (exact)', 'bypassVectorIndex', 0, exact.kth, (q) => q.bypassVectorIndex(), K));
      for (const c of candidates) {
        const t = process.hrtime.bigint();
        await table.createIndex('vector', { config: c.index(count), name: 'vector_idx', replace: true });
        const buildSeconds = Number(process.hrtime.bigint() - t) / 1e9;
        for (const tuning of c.tunings) {
          const row = await measure(set, table, c.name, tuning.label, buildSeconds, exact.kth, tuning.apply, tuning.limit ?? K);
          rows.push(row);
          log(`  ${name} ${c.name} [${tuning.label}] build ${buildSeconds.toFixed(1)} s  short ${(row.shortShare * 100).toFixed(1)} %  recall ${row.recall.toFixed(4)}  p50 ${row.p50Ms.toFixed(2)}  p99 ${row.p99Ms.toFixed(2)} ms`);
        }
      }
      table.close();
      db.close();
      await rm(join(workDir, name), { recursive: true, force: true });
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const report = {
    startedAt: startedAt.toISOString(),
    machine: machineInfo(REPO_ROOT, loadAtStart),
    settings: { count, queries, k: K, seed, sets, indexes: candidates.map((c) => ({ name: c.name, tunings: c.tunings.map((t) => t.label) })) },
    realText: realInfo,
    rows,
  };
  const file = await saveNamedReport(join(REPO_ROOT, 'bench', 'results'), 'ann-choice', startedAt, report);
  const lines = rows.map((r) => ({
    set: r.set,
    index: r.index,
    tuning: r.tuning,
    'build s': r.buildSeconds,
    'short %': r.shortShare * 100,
    'min rows': r.shortestAnswer,
    [`recall@${K}`]: r.recall.toFixed(4),
    'p50 ms': r.p50Ms,
    'p99 ms': r.p99Ms,
  }));
  process.stdout.write(`\n${mdTable(lines)}\n\nSaved ${file}\n`);
}

async function loadTable(db: Awaited<ReturnType<typeof connect>>, set: NamedSet): Promise<Table> {
  const dim = set.data.dim;
  const schema = new Schema([new Field('id', new Utf8(), false), new Field('vector', new FixedSizeList(dim, new Field('item', new Float32(), true)), false)]);
  const table = await db.createEmptyTable('t', schema);
  const type = schema.fields[1]!.type as FixedSizeList;
  for (let from = 0; from < set.data.vectors.length; from += 10_000) {
    const part = set.data.vectors.slice(from, from + 10_000);
    const flat = new Float32Array(part.length * dim);
    part.forEach((v, i) => flat.set(v, i * dim));
    const data = makeData({
      type: new Struct(schema.fields),
      length: part.length,
      nullCount: 0,
      children: [
        vectorFromArray(part.map((_, i) => String(from + i)), new Utf8()).data[0]!,
        makeData({ type, length: part.length, nullCount: 0, child: makeData({ type: new Float32(), length: flat.length, nullCount: 0, data: flat }) }),
      ],
    });
    await table.add(new ArrowTable(schema, new RecordBatch(schema, data)));
  }
  await table.optimize();
  return table;
}

async function measure(set: NamedSet, table: Table, index: string, tuning: string, buildSeconds: number, kth: number[], apply: (q: VectorQuery) => VectorQuery, limit: number): Promise<Row> {
  const answers: number[][] = [];
  const latencies: number[] = [];
  let short = 0;
  let shortest = K;
  for (let i = 0; i < set.data.queries.length; i += 1) {
    const q = apply(table.vectorSearch(Array.from(set.data.queries[i]!)).column('vector').distanceType('cosine').limit(limit).select(['id', '_distance']));
    const t = process.hrtime.bigint();
    const got = (await q.toArray()) as { id: string }[];
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    const ids = got.slice(0, K).map((r) => Number(r.id));
    if (ids.length < K) short += 1;
    shortest = Math.min(shortest, ids.length);
    answers.push(ids);
  }
  latencies.sort((a, b) => a - b);
  return {
    set: set.name,
    index,
    tuning,
    buildSeconds,
    shortShare: short / set.data.queries.length,
    shortestAnswer: shortest,
    recall: tieAwareRecall(set.data, kth, answers, K),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:ann-choice failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
