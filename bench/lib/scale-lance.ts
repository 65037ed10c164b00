import { connect, type Table } from '@lancedb/lancedb';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { engineIndexPlan } from '../../src/adapters/vector/lance/lance-index-mapping';
import type { IndexSpec } from '../../src/domain';
import type { NamedSet } from './ann-sets';
import { tieAwareRecall } from './ann-sets';
import { arrowBatch, directSchema, directSearcher, openServiceTable, vectorIndexStatus, type VectorIndexStatus } from './direct-lance';
import type { ExactAnswers } from './exact-answers';
import { ingestOverGrpc, openGrpcDoor } from './grpc-door';
import { runLoad } from './measure';
import { measureMatrix, type Door, type SearchRow } from './search-matrix';
import { startService } from './service-process';
import { memoryOf, treeBytes } from './soak-proc';
import { cpuBetween, sampleCpu } from './cpu-meter';

export const HNSW: IndexSpec = { indexType: 'HNSW', metricType: 'COSINE', params: {} };
const COLLECTION = 'bench_scale';
const DOORS: readonly Door[] = ['direct', 'grpc'];
/** The adapter's default: the row threshold under which no engine index is built. */
const INDEX_MIN_ROWS = 5000;

export interface ScaleSettings {
  repoRoot: string;
  workDir: string;
  batch: number;
  topK: number;
  calls: number;
  rounds: number;
  warmupCalls: number;
  concurrencies: number[];
  serviceNodeArgs: string[];
  log: (line: string) => void;
}

/** One side's numbers for one set: the service over gRPC, or LanceDB in the bench process. */
export interface SideResult {
  ingestSeconds: number;
  vectorsPerSecond: number;
  /**
   * CPU per ingested batch. Service: the service process, and the gRPC client in the bench
   * process apart (both on the same cores). Direct: the bench process, LanceDB's threads included.
   */
  ingestCpuMsPerBatch: number;
  clientCpuMsPerBatch: number;
  /** Service: Compact after the ingest (its background compactions included); direct: none. */
  compactSeconds: number;
  indexBuildSeconds: number;
  index: VectorIndexStatus;
  recall: number;
  /** Answers with fewer than k hits among the recall queries. */
  shortAnswers: number;
  diskMiB: number;
  /** Service: its process (VmRSS now, VmHWM peak). Direct: the bench process, which also holds the data set. */
  rssMiB: number;
  peakRssMiB: number;
}

export interface LanceScaleResult {
  set: string;
  count: number;
  service: SideResult;
  direct: SideResult;
  ingestRatio: number;
  search: SearchRow[];
}

/**
 * One set through the real service (gRPC Insert in batches into a FLAT collection, Compact,
 * CreateIndex HNSW) and the same batches through LanceDB in this process (table.add into its own
 * table, then the same index config the adapter builds, engineIndexPlan), then recall of both
 * against exact answers and the search matrix, rotating between the two doors.
 */
export async function runLanceScale(set: NamedSet, exact: ExactAnswers, s: ScaleSettings): Promise<LanceScaleResult> {
  const { data } = set;
  const count = data.vectors.length;
  const queries = data.queries.map((q) => Array.from(q));
  const serviceDir = join(s.workDir, `${set.name}-service`);
  const directDir = join(s.workDir, `${set.name}-direct`);
  const service = await startService({ repoRoot: s.repoRoot, dataDir: serviceDir, nodeArgs: s.serviceNodeArgs });
  const grpc = openGrpcDoor(service.grpcAddress, COLLECTION, s.topK);
  let direct: { db: Awaited<ReturnType<typeof connect>>; table: Table } | undefined;
  let opened: Awaited<ReturnType<typeof openServiceTable>> | undefined;
  try {
    await grpc.client.createCollection({ name: COLLECTION, description: 'bench:scale', vectorDim: data.dim, indexParams: { indexType: 'FLAT', metricType: 'COSINE', params: {} } });
    const batches = Math.ceil(count / s.batch);
    const cpu0 = sampleCpu(service.pid);
    const ingestSeconds = await ingestOverGrpc(grpc, COLLECTION, data.vectors, s.batch);
    const ingestCpu = cpuBetween(cpu0, sampleCpu(service.pid));
    s.log(`${set.name}: gRPC ingest ${(count / ingestSeconds).toFixed(0)} vectors/s; CPU per batch: service ${((ingestCpu.service * 1000) / batches).toFixed(1)} ms, client ${((ingestCpu.bench * 1000) / batches).toFixed(1)} ms`);
    let t = process.hrtime.bigint();
    await grpc.client.compact({ collectionName: COLLECTION });
    const compactSeconds = seconds(t);
    t = process.hrtime.bigint();
    await grpc.client.createIndex({ collectionName: COLLECTION, indexParams: { indexType: HNSW.indexType, metricType: HNSW.metricType, params: {} } });
    const serviceBuild = seconds(t);
    opened = await openServiceTable(serviceDir, COLLECTION);
    const serviceIndex = await vectorIndexStatus(opened.table);
    assertIndexed('service', serviceIndex, count);
    s.log(`${set.name}: service HNSW built in ${serviceBuild.toFixed(1)} s`);

    const db = await connect(directDir);
    const table = await db.createEmptyTable('direct', directSchema(data.dim));
    direct = { db, table };
    t = process.hrtime.bigint();
    const directCpu0 = process.cpuUsage();
    for (let from = 0; from < count; from += s.batch) await table.add(arrowBatch(directSchema(data.dim), data.vectors.slice(from, from + s.batch), from));
    const directIngest = seconds(t);
    const directCpu = process.cpuUsage(directCpu0);
    const directCpuMs = (directCpu.user + directCpu.system) / 1000 / batches;
    s.log(`${set.name}: direct ingest ${(count / directIngest).toFixed(0)} vectors/s; CPU per batch ${directCpuMs.toFixed(1)} ms`);
    // The service side is compacted before its index (Compact above), so the direct side is too:
    // searched with one fragment per 1,000-row batch, the direct side read its result rows from
    // 100 (1,000 at a million) fragments: on real text at 100,000, 280 queries/s at concurrency 8
    // against 596 compacted (BENCHMARKS.md, "The direct side compacted").
    t = process.hrtime.bigint();
    await table.optimize();
    const directCompact = seconds(t);
    t = process.hrtime.bigint();
    await table.createIndex('vector', { config: engineIndexPlan(HNSW, data.dim, INDEX_MIN_ROWS)!.config(), name: 'vector_idx' });
    const directBuild = seconds(t);
    const directIndex = await vectorIndexStatus(table);
    assertIndexed('direct', directIndex, count);
    s.log(`${set.name}: direct HNSW built in ${directBuild.toFixed(1)} s`);

    // The adapter asks topK + 1 rows (to see a tie at the cut); the direct door asks the same.
    const searchDirect = directSearcher(table, HNSW, count, s.topK, s.topK + 1);
    const searchers = {
      direct: (i: number) => searchDirect(queries[i % queries.length]!),
      grpc: (i: number) => grpc.search(queries[i % queries.length]!),
      rest: () => Promise.reject(new Error('not measured')),
    };
    const recallOf = async (door: 'direct' | 'grpc'): Promise<{ recall: number; short: number }> => {
      const rows: number[][] = new Array<number[]>(queries.length);
      await runLoad(queries.length, 8, async (i) => (rows[i] = (await searchers[door](i)).map((id) => Number(id.slice(1)))));
      return { recall: tieAwareRecall(data, exact.kth, rows, s.topK), short: rows.filter((r) => r.length < s.topK).length };
    };
    const serviceRecall = await recallOf('grpc');
    const directRecall = await recallOf('direct');
    s.log(`${set.name}: recall@${s.topK} service ${serviceRecall.recall.toFixed(4)}, direct ${directRecall.recall.toFixed(4)}`);
    const search = await measureMatrix({
      index: 'HNSW',
      searchers,
      doors: DOORS,
      calls: s.calls,
      rounds: s.rounds,
      warmupCalls: s.warmupCalls,
      concurrencies: s.concurrencies,
      topK: s.topK,
      servicePid: service.pid,
      allowShort: true,
      log: s.log,
    });
    const serviceMemory = await memoryOf(service.pid);
    const benchMemory = await memoryOf(process.pid);
    const side = (x: Omit<SideResult, 'vectorsPerSecond'>): SideResult => ({ ...x, vectorsPerSecond: count / x.ingestSeconds });
    return {
      set: set.name,
      count,
      service: side({ ingestSeconds, ingestCpuMsPerBatch: (ingestCpu.service * 1000) / batches, clientCpuMsPerBatch: (ingestCpu.bench * 1000) / batches, compactSeconds, indexBuildSeconds: serviceBuild, index: serviceIndex, recall: serviceRecall.recall, shortAnswers: serviceRecall.short, diskMiB: (await treeBytes(join(serviceDir, 'vectors'))) / 2 ** 20, rssMiB: serviceMemory.rssMiB, peakRssMiB: serviceMemory.peakMiB }),
      direct: side({ ingestSeconds: directIngest, ingestCpuMsPerBatch: directCpuMs, clientCpuMsPerBatch: 0, compactSeconds: directCompact, indexBuildSeconds: directBuild, index: directIndex, recall: directRecall.recall, shortAnswers: directRecall.short, diskMiB: (await treeBytes(directDir)) / 2 ** 20, rssMiB: benchMemory.rssMiB, peakRssMiB: benchMemory.peakMiB }),
      ingestRatio: directIngest / ingestSeconds,
      search,
    };
  } finally {
    grpc.close();
    opened?.table.close();
    opened?.db.close();
    direct?.table.close();
    direct?.db.close();
    await service.stop();
    await rm(serviceDir, { recursive: true, force: true });
    await rm(directDir, { recursive: true, force: true });
  }
}

function assertIndexed(side: string, status: VectorIndexStatus, rows: number): void {
  if (!status.built || status.unindexedRows > 0 || status.indexedRows !== rows) throw new Error(`${side}: the HNSW index is not fully built: ${JSON.stringify(status)}`);
}

function seconds(from: bigint): number {
  return Number(process.hrtime.bigint() - from) / 1e9;
}
