/**
 * `npm run bench:milvus` (issue 4): the service with VECTOR_BACKEND=milvus against a real Milvus
 * (scripts/milvus-server.sh), driven over gRPC and REST, compared in the same run with the same
 * Milvus collection searched directly through @zilliz/milvus2-sdk-node (same metric, search
 * parameters and Strong consistency as the adapter). Same data set and BENCH_* settings as
 * bench:vectors. Prints a markdown table and writes bench/results/milvus-<timestamp>.json and
 * milvus-latest.json.
 */
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { IndexSpec } from '../src/domain';
import { benchConfig, type BenchConfig } from './lib/bench-config';
import { clusteredDataset } from './lib/dataset';
import { directMilvusSearcher } from './lib/direct-milvus';
import { ingestOverGrpc, openGrpcDoor, type GrpcDoor } from './lib/grpc-door';
import { table } from './lib/measure';
import { machineInfo } from './lib/report';
import { openRestDoor, type RestDoor } from './lib/rest-door';
import { measureMatrix, type IndexMode, type SearchRow, type Searcher } from './lib/search-matrix';
import { freePort, startService, type ServiceProcess } from './lib/service-process';

const run = promisify(execFile);
const REPO_ROOT = resolve(__dirname, '..');
const SCRIPT = join(REPO_ROOT, 'scripts', 'milvus-server.sh');
const COLLECTION = 'bench_vectors';
const DATABASE = 'bench';
const INDEXES: Record<IndexMode, IndexSpec> = {
  FLAT: { indexType: 'FLAT', metricType: 'COSINE', params: {} },
  HNSW: { indexType: 'HNSW', metricType: 'COSINE', params: {} },
};

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;

async function main(): Promise<void> {
  const config = benchConfig();
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  const t0 = process.hrtime.bigint();
  log(`bench:milvus ${JSON.stringify(config)}`);
  const data = clusteredDataset({ count: config.count, dim: config.dim, clusters: config.clusters, queries: config.queries, seed: config.seed });
  const queries = data.queries.map((q) => Array.from(q));

  const workDir = await mkdtemp(join(tmpdir(), 'taishang-bench-milvus-'));
  const milvusDir = join(workDir, 'milvus');
  let service: ServiceProcess | undefined;
  let grpc: GrpcDoor | undefined;
  let rest: RestDoor | undefined;
  let direct: MilvusClient | undefined;
  try {
    await run('bash', [SCRIPT, 'install'], { timeout: 600_000 });
    const milvusPort = await freePort();
    await run('bash', [SCRIPT, 'start', milvusDir, String(milvusPort), String(process.pid)], { timeout: 180_000 });
    const address = `127.0.0.1:${milvusPort}`;
    log(`milvus 2.3.5 standalone on ${address}`);
    // bench/lib/service-process.ts hands this process's environment to the service.
    Object.assign(process.env, { VECTOR_BACKEND: 'milvus', MILVUS_HOST: '127.0.0.1', MILVUS_PORT: String(milvusPort), MILVUS_DATABASE: DATABASE });
    service = await startService({ repoRoot: REPO_ROOT, dataDir: join(workDir, 'service'), nodeArgs: config.serviceNodeArgs });
    grpc = openGrpcDoor(service.grpcAddress, COLLECTION, config.topK);
    rest = openRestDoor('127.0.0.1', service.httpPort, COLLECTION, queries, config.topK);
    direct = new MilvusClient({ address, database: DATABASE, maxRetries: 0, telemetry: { enabled: false }, logLevel: 'error' });

    await grpc.client.createCollection({ name: COLLECTION, description: 'bench:milvus', vectorDim: config.dim, indexParams: { ...INDEXES.FLAT, params: {} } });
    const grpcSeconds = await ingestOverGrpc(grpc, COLLECTION, data.vectors, config.batch);
    log(`ingest over gRPC: ${(config.count / grpcSeconds).toFixed(0)} vectors/s`);
    const t = process.hrtime.bigint();
    await grpc.client.compact({ collectionName: COLLECTION });
    const compactSeconds = seconds(t);

    const rows: SearchRow[] = [];
    for (const mode of ['FLAT', 'HNSW'] as const) {
      if (mode === 'HNSW') {
        const started = process.hrtime.bigint();
        await grpc.client.createIndex({ collectionName: COLLECTION, indexParams: { ...INDEXES.HNSW, params: {} } });
        log(`HNSW index built and loaded in ${seconds(started).toFixed(1)} s`);
      }
      const searchers: Record<'direct' | 'grpc' | 'rest', Searcher> = {
        direct: directSearcher(direct, queries, INDEXES[mode], config),
        grpc: (i) => grpc!.search(queries[i % queries.length]!),
        rest: (i) => rest!.search(i),
      };
      const calls = mode === 'FLAT' ? config.flatCalls : config.hnswCalls;
      rows.push(...(await measureMatrix({ index: mode, searchers, calls, rounds: config.rounds, warmupCalls: 20, concurrencies: config.concurrencies, topK: config.topK, servicePid: service.pid, log })));
    }

    const report = {
      startedAt: startedAt.toISOString(),
      durationSeconds: seconds(t0),
      machine: machineInfo(REPO_ROOT, loadAtStart),
      engine: 'milvus 2.3.5 standalone (PyPI milvus, embedded etcd, local storage)',
      settings: config,
      ingest: { vectors: config.count, batch: config.batch, grpcSeconds, grpcVectorsPerSecond: config.count / grpcSeconds, compactSeconds },
      search: rows,
    };
    const resultsDir = join(REPO_ROOT, 'bench', 'results');
    await mkdir(resultsDir, { recursive: true });
    const file = join(resultsDir, `milvus-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    const text = `${JSON.stringify(report, null, 2)}\n`;
    await writeFile(file, text);
    await writeFile(join(resultsDir, 'milvus-latest.json'), text);
    const lines = rows.map((r) => ({ index: r.index, door: r.door, concurrency: r.concurrency, qps: r.qps, 'p50 ms': r.p50Ms, 'p99 ms': r.p99Ms, 'vs direct': r.ratioVsDirect }));
    process.stdout.write(`\n${table(lines)}\n\nSaved ${file} and milvus-latest.json (${report.durationSeconds.toFixed(0)} s in all)\n`);
  } finally {
    grpc?.close();
    rest?.close();
    await direct?.closeConnection().catch(() => undefined);
    await service?.stop();
    await run('bash', [SCRIPT, 'stop', milvusDir]).catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The adapter's search, made by hand: same metric, search parameters and consistency. */
function directSearcher(client: MilvusClient, queries: number[][], index: IndexSpec, config: BenchConfig): Searcher {
  const search = directMilvusSearcher(client, COLLECTION, index, config.topK);
  return (i) => search(queries[i % queries.length]!);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:milvus failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
