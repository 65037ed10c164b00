import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { arch, cpus, getPriority, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchConfig } from './bench-config';
import { table } from './measure';
import type { SearchRow } from './search-matrix';

export interface IngestResult {
  vectors: number;
  batch: number;
  grpcSeconds: number;
  grpcVectorsPerSecond: number;
  directSeconds: number;
  directVectorsPerSecond: number;
  /** gRPC over direct vectors/s. */
  ratio: number;
  /** Compact after the gRPC ingest (waits for the service's background compactions too). */
  compactSeconds: number;
}

export interface RecallResult {
  queries: number;
  k: number;
  /** FLAT over gRPC against plain-JS brute force: proves the ground truth is exact. */
  flatVsBruteForce: number;
  hnswGrpc: number;
  hnswRest: number;
  hnswDirect: number;
}

export interface Target {
  name: string;
  goal: string;
  actual: string;
  met: boolean;
}

export interface BenchReport {
  startedAt: string;
  durationSeconds: number;
  machine: ReturnType<typeof machineInfo>;
  dataset: { count: number; dim: number; clusters: number; queries: number; seed: number; generator: string };
  settings: BenchConfig;
  ingest: IngestResult;
  index: { type: string; metric: string; buildSeconds: number; engine: Record<string, unknown>; searchParams: Record<string, unknown> };
  recall: RecallResult;
  search: SearchRow[];
  targets: Target[];
}

/** `loadAtStart`: the 1-minute load average when the run began (other jobs on a shared machine show here). */
export function machineInfo(repoRoot: string, loadAtStart: number): Record<string, string | number> {
  const cpu = cpus();
  const pkg = (name: string): string => {
    try {
      return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cpuCount: cpu.length,
    totalMemoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    loadAverage1mAtStart: Number(loadAtStart.toFixed(2)),
    loadAverage1mAtEnd: Number((loadavg()[0] ?? 0).toFixed(2)),
    // The nice value the benchmark (and so the service it spawned) ran at.
    nice: getPriority(),
    lancedb: pkg('@lancedb/lancedb'),
    grpcJs: pkg('@grpc/grpc-js'),
    fastify: pkg('fastify'),
  };
}

/** Targets of issue 2: HNSW recall@10 ≥ 0.95; gRPC QPS at concurrency 8 ≥ 85% of direct LanceDB. */
export function evaluateTargets(recall: RecallResult, rows: readonly SearchRow[]): Target[] {
  const grpc8 = rows.find((r) => r.door === 'grpc' && r.index === 'HNSW' && r.concurrency === 8);
  const targets: Target[] = [
    { name: 'HNSW recall@10 (gRPC)', goal: '>= 0.95', actual: recall.hnswGrpc.toFixed(4), met: recall.hnswGrpc >= 0.95 },
  ];
  if (grpc8 !== undefined) {
    targets.push({
      name: 'gRPC HNSW QPS at concurrency 8 / direct LanceDB',
      goal: '>= 0.85',
      actual: grpc8.ratioVsDirect.toFixed(3),
      met: grpc8.ratioVsDirect >= 0.85,
    });
  }
  return targets;
}

export function searchTable(rows: readonly SearchRow[]): string {
  return table(
    rows.map((r) => ({
      door: r.door,
      index: r.index,
      concurrency: r.concurrency,
      calls: r.calls,
      qps: Number(r.qps.toFixed(1)),
      'p50 ms': r.p50Ms,
      'p99 ms': r.p99Ms,
      'vs direct': r.door === 'direct' ? '-' : r.ratioVsDirect.toFixed(2),
      'bench CPU ms/call': r.benchCpuMsPerCall,
      'service CPU ms/call': r.serviceCpuMsPerCall,
      'other load (cores)': r.otherCores,
    })),
  );
}

export function summary(report: BenchReport): string {
  const { ingest, recall } = report;
  const lines = [
    `Ingest over gRPC (batches of ${ingest.batch}): ${ingest.grpcVectorsPerSecond.toFixed(0)} vectors/s (${ingest.grpcSeconds.toFixed(1)} s); ` +
      `direct LanceDB table.add: ${ingest.directVectorsPerSecond.toFixed(0)} vectors/s (${ingest.directSeconds.toFixed(1)} s); ratio ${ingest.ratio.toFixed(2)}; ` +
      `Compact afterwards ${ingest.compactSeconds.toFixed(1)} s`,
    `HNSW index build (CreateIndex): ${report.index.buildSeconds.toFixed(1)} s; engine: ${JSON.stringify(report.index.engine)}`,
    `Recall@${recall.k} over ${recall.queries} queries: HNSW gRPC ${recall.hnswGrpc.toFixed(4)}, REST ${recall.hnswRest.toFixed(4)}, ` +
      `direct ${recall.hnswDirect.toFixed(4)}; FLAT vs JS brute force ${recall.flatVsBruteForce.toFixed(4)}`,
    otherLoadLine(report.search),
    '',
    searchTable(report.search),
    '',
    ...report.targets.map((t) => `Target ${t.met ? 'MET   ' : 'MISSED'}: ${t.name} ${t.goal}: ${t.actual}`),
  ];
  return lines.join('\n');
}

/** How much CPU other processes took during the searches: a busy shared machine skews every ratio. */
function otherLoadLine(rows: readonly SearchRow[]): string {
  const loads = rows.map((r) => r.otherCores).filter((v) => Number.isFinite(v));
  const mean = loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length);
  return `Other processes during the searches: mean ${mean.toFixed(2)} cores, max ${Math.max(0, ...loads).toFixed(2)} cores (0 on a quiet machine)`;
}

/** bench/results/vectors-<timestamp>.json and vectors-latest.json; returns the timestamped path. */
export async function saveReport(resultsDir: string, report: BenchReport): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const file = join(resultsDir, `vectors-${report.startedAt.replace(/:/g, '-')}.json`);
  await writeFile(file, json);
  await writeFile(join(resultsDir, 'vectors-latest.json'), json);
  return file;
}

/** bench/results/<name>-<timestamp>.json and <name>-latest.json; returns the timestamped path. */
export async function saveNamedReport(resultsDir: string, name: string, startedAt: Date, report: unknown): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const file = join(resultsDir, `${name}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, json);
  await writeFile(join(resultsDir, `${name}-latest.json`), json);
  return file;
}
