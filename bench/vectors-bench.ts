/**
 * `npm run bench:vectors` (issue 2): the real service as a child process, driven over gRPC and
 * REST, compared in the same run with LanceDB used directly on the service's own table. Prints a
 * markdown table and writes bench/results/vectors-<timestamp>.json and vectors-latest.json.
 * Defaults are the numbers; BENCH_* variables (lib/bench-config.ts) shrink trial runs.
 */
import type { Table } from '@lancedb/lancedb';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { indexFamily, searchTuning } from '../src/adapters/vector/lance/lance-index-mapping';
import type { IndexSpec } from '../src/domain';
import { benchConfig, type BenchConfig } from './lib/bench-config';
import { bruteForceCosine } from './lib/brute-force';
import { clusteredDataset, type Dataset } from './lib/dataset';
import { directSearcher, ingestDirect, openServiceTable, vectorIndexStatus, type VectorIndexStatus } from './lib/direct-lance';
import { idOf, ingestOverGrpc, openGrpcDoor, type GrpcDoor } from './lib/grpc-door';
import { recallAtK } from './lib/measure';
import { evaluateTargets, machineInfo, saveReport, summary, type BenchReport, type IngestResult } from './lib/report';
import { openRestDoor, type RestDoor } from './lib/rest-door';
import { DOORS, collectIds, measureMatrix, type Searcher } from './lib/search-matrix';
import { startService, type ServiceProcess } from './lib/service-process';

const REPO_ROOT = resolve(__dirname, '..');
const COLLECTION = 'bench_vectors';
const FLAT: IndexSpec = { indexType: 'FLAT', metricType: 'COSINE', params: {} };
const HNSW: IndexSpec = { indexType: 'HNSW', metricType: 'COSINE', params: {} };
const RECALL_CONCURRENCY = 8;

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;

interface Run {
  config: BenchConfig;
  data: Dataset;
  queries: number[][];
  service: ServiceProcess;
  grpc: GrpcDoor;
  rest: RestDoor;
  workDir: string;
}

async function main(): Promise<void> {
  const config = benchConfig();
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  const t0 = process.hrtime.bigint();
  log(`bench:vectors ${JSON.stringify(config)}`);

  let t = process.hrtime.bigint();
  const data = clusteredDataset({ count: config.count, dim: config.dim, clusters: config.clusters, queries: config.queries, seed: config.seed });
  const queries = data.queries.map((q) => Array.from(q));
  log(`dataset: ${config.count} x ${config.dim}, ${config.clusters} clusters, seed ${config.seed} (${seconds(t).toFixed(1)} s)`);
  t = process.hrtime.bigint();
  const bruteForce = bruteForceCosine(data.vectors, data.queries.slice(0, config.recallQueries), config.topK, idOf);
  log(`brute-force ground truth for ${config.recallQueries} queries (${seconds(t).toFixed(1)} s)`);

  const workDir = await mkdtemp(join(tmpdir(), 'taishang-bench-'));
  let service: ServiceProcess | undefined;
  let grpc: GrpcDoor | undefined;
  let rest: RestDoor | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping the service`);
    void (service?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    service = await startService({ repoRoot: REPO_ROOT, dataDir: join(workDir, 'service'), nodeArgs: config.serviceNodeArgs });
    log(`service pid ${service.pid}: gRPC ${service.grpcAddress}, REST 127.0.0.1:${service.httpPort}`);
    grpc = openGrpcDoor(service.grpcAddress, COLLECTION, config.topK);
    rest = openRestDoor('127.0.0.1', service.httpPort, COLLECTION, queries, config.topK);
    const run: Run = { config, data, queries, service, grpc, rest, workDir };

    const ingest = await ingestPhase(run);
    const flat = await flatPhase(run);
    const flatVsBruteForce = recallAtK(bruteForce, flat.exact);
    const hnsw = await hnswPhase(run, flat.exact);

    const search = [...flat.rows, ...hnsw.rows];
    const recall = { queries: config.recallQueries, k: config.topK, flatVsBruteForce, ...hnsw.recall };
    const report: BenchReport = {
      startedAt: startedAt.toISOString(),
      durationSeconds: seconds(t0),
      machine: machineInfo(REPO_ROOT, loadAtStart),
      dataset: { count: config.count, dim: config.dim, clusters: config.clusters, queries: config.queries, seed: config.seed, generator: 'bench/lib/dataset.ts clusteredDataset (mulberry32, spread 0.15)' },
      settings: config,
      ingest,
      index: hnsw.index,
      recall,
      search,
      targets: evaluateTargets(recall, search),
    };
    const file = await saveReport(join(REPO_ROOT, 'bench', 'results'), report);
    process.stdout.write(`\n${summary(report)}\n\nSaved ${file} and vectors-latest.json (${report.durationSeconds.toFixed(0)} s in all)\n`);
  } finally {
    grpc?.close();
    rest?.close();
    await service?.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** gRPC Insert in batches, then the same batches straight into a separate Lance table. */
async function ingestPhase(run: Run): Promise<IngestResult> {
  const { config, data, grpc } = run;
  await grpc.client.createCollection({
    name: COLLECTION,
    description: 'bench:vectors',
    vectorDim: config.dim,
    indexParams: { indexType: 'FLAT', metricType: 'COSINE', params: {} },
  });
  const grpcSeconds = await ingestOverGrpc(grpc, COLLECTION, data.vectors, config.batch);
  log(`ingest over gRPC: ${(config.count / grpcSeconds).toFixed(0)} vectors/s`);
  let t = process.hrtime.bigint();
  // Also waits for background compactions the ingest queued, so none runs during the baseline or the searches.
  await grpc.client.compact({ collectionName: COLLECTION });
  const compactSeconds = seconds(t);
  const { vectorCount } = await grpc.client.getCollectionStats({ name: COLLECTION });
  if (vectorCount !== config.count) throw new Error(`the service holds ${vectorCount} vectors, expected ${config.count}`);

  const directDir = join(run.workDir, 'direct-ingest');
  t = process.hrtime.bigint();
  const directSeconds = await ingestDirect(directDir, data.vectors, config.batch);
  log(`ingest direct: ${(config.count / directSeconds).toFixed(0)} vectors/s (${seconds(t).toFixed(1)} s with table setup)`);
  await rm(directDir, { recursive: true, force: true });
  const grpcVectorsPerSecond = config.count / grpcSeconds;
  const directVectorsPerSecond = config.count / directSeconds;
  return {
    vectors: config.count,
    batch: config.batch,
    grpcSeconds,
    grpcVectorsPerSecond,
    directSeconds,
    directVectorsPerSecond,
    ratio: grpcVectorsPerSecond / directVectorsPerSecond,
    compactSeconds,
  };
}

function searchers(run: Run, direct: (q: number[]) => Promise<string[]>): Record<'direct' | 'grpc' | 'rest', Searcher> {
  const query = (i: number): number[] => run.queries[i % run.queries.length]!;
  return { direct: (i) => direct(query(i)), grpc: (i) => run.grpc.search(query(i)), rest: (i) => run.rest.search(i) };
}

/** Exact search (no engine index): the recall ground truth, then the measurements. */
async function flatPhase(run: Run) {
  const { config } = run;
  const { db, table } = await openServiceTable(run.service.dataDir, COLLECTION);
  try {
    const status = await vectorIndexStatus(table);
    if (status.built) throw new Error('FLAT collection unexpectedly has an engine index');
    const doors = searchers(run, directSearcher(table, FLAT, config.count, config.topK));
    const exact = await collectIds(doors.grpc, config.recallQueries, RECALL_CONCURRENCY, config.topK);
    log(`FLAT (exact) searches, ${config.flatCalls} calls per row:`);
    const rows = await measureMatrix({
      index: 'FLAT',
      searchers: doors,
      calls: config.flatCalls,
      warmupCalls: 10,
      concurrencies: config.concurrencies,
      topK: config.topK,
      rounds: config.rounds,
      servicePid: run.service.pid,
      log,
    });
    return { exact, rows };
  } finally {
    table.close();
    db.close();
  }
}

/** CreateIndex HNSW (built at once: the table is past the adapter's minimum rows), proven built, then measured. */
async function hnswPhase(run: Run, exact: string[][]) {
  const { config, grpc } = run;
  const t = process.hrtime.bigint();
  await grpc.client.createIndex({ collectionName: COLLECTION, indexParams: { indexType: HNSW.indexType, metricType: HNSW.metricType, params: {} } });
  const buildSeconds = seconds(t);
  let opened = await openServiceTable(run.service.dataDir, COLLECTION);
  let status = await vectorIndexStatus(opened.table);
  if (!status.built || status.unindexedRows > 0) {
    // The adapter defers a build below its row threshold and builds at Compact (lance-index-mapping.ts).
    await grpc.client.compact({ collectionName: COLLECTION });
    opened.table.close();
    opened.db.close();
    opened = await openServiceTable(run.service.dataDir, COLLECTION);
    status = await vectorIndexStatus(opened.table);
  }
  const { db, table } = opened;
  try {
    assertIndexed(status, config.count);
    log(`HNSW built in ${buildSeconds.toFixed(1)} s: ${JSON.stringify(status)}`);
    const doors = searchers(run, directSearcher(table, HNSW, config.count, config.topK));
    const recallOf = async (door: (typeof DOORS)[number]): Promise<number> =>
      recallAtK(exact, await collectIds(doors[door], config.recallQueries, RECALL_CONCURRENCY, config.topK));
    const recall = { hnswGrpc: await recallOf('grpc'), hnswRest: await recallOf('rest'), hnswDirect: await recallOf('direct') };
    log(`HNSW recall@${config.topK}: ${JSON.stringify(recall)}`);
    log(`HNSW searches, ${config.hnswCalls} calls per row:`);
    const rows = await measureMatrix({
      index: 'HNSW',
      searchers: doors,
      calls: config.hnswCalls,
      warmupCalls: 200,
      concurrencies: config.concurrencies,
      topK: config.topK,
      rounds: config.rounds,
      servicePid: run.service.pid,
      log,
    });
    const searchParams = { ...searchTuning(HNSW, indexFamily(HNSW)!, config.topK, config.count), limit: config.topK, distanceType: 'cosine' };
    const index = { type: 'HNSW', metric: 'COSINE', buildSeconds, engine: { ...status }, searchParams };
    return { rows, recall, index };
  } finally {
    table.close();
    db.close();
  }
}

function assertIndexed(status: VectorIndexStatus, rows: number): void {
  if (!status.built || status.unindexedRows > 0 || status.indexedRows !== rows) {
    throw new Error(`the HNSW engine index is not fully built: ${JSON.stringify(status)}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:vectors failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
