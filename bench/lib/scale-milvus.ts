import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NamedSet } from './ann-sets';
import { tieAwareRecall } from './ann-sets';
import { directMilvusSearcher, leanMilvusSearcher } from './direct-milvus';
import type { ExactAnswers } from './exact-answers';
import { ingestOverGrpc, openGrpcDoor } from './grpc-door';
import { runLoad } from './measure';
import { HNSW, type ScaleSettings } from './scale-lance';
import { measureMatrix, type Door, type SearchRow } from './search-matrix';
import { freePort, startService } from './service-process';
import { memoryOf } from './soak-proc';

const run = promisify(execFile);
const COLLECTION = 'bench_scale';
const DATABASE = 'bench';
/**
 * direct: the SDK's search() as a user calls it (the issue's reference); lean: the same RPC without
 * the SDK's wrapper, as the service's adapter sends it (SCALE_MILVUS_LEAN=0 leaves it out).
 */
const DOORS: readonly Door[] = process.env.SCALE_MILVUS_LEAN === '0' ? ['direct', 'grpc'] : ['direct', 'lean', 'grpc'];
/** How long to wait for Milvus to finish building the index after CreateIndex returned. */
const INDEX_WAIT_S = 600;

/** What Milvus itself reports about the vector index once CreateIndex has returned. */
export interface MilvusIndexCheck {
  indexType: string | null;
  state: string | null;
  indexedRows: number;
  totalRows: number;
  pendingRows: number;
  loadState: string;
  /** Built over every row and loaded: searches go through the index. */
  ok: boolean;
}

export interface MilvusScaleResult {
  set: string;
  count: number;
  ingestSeconds: number;
  vectorsPerSecond: number;
  compactSeconds: number;
  /** CreateIndex over gRPC (the adapter creates the index and loads the collection). */
  indexBuildSeconds: number;
  /** What Milvus reported right when CreateIndex returned. */
  indexAtReturn: MilvusIndexCheck;
  /** Seconds after CreateIndex returned until Milvus reported every row indexed and the collection loaded (null: not within the wait). */
  indexReadyAfterSeconds: number | null;
  index: MilvusIndexCheck;
  recall: { service: number; sdk: number; serviceShort: number; sdkShort: number; lean?: number; leanShort?: number };
  serviceRssMiB: number;
  search: SearchRow[];
}

/**
 * The same set through the service with VECTOR_BACKEND=milvus (a real Milvus 2.3.5 standalone
 * started by scripts/milvus-server.sh on a loopback port) and through the SDK on the same Milvus
 * collection, with the adapter's search parameters; recall of both against exact answers, and a
 * check, from Milvus's own describeIndex and getLoadState, that the HNSW index was built over every
 * row and loaded.
 */
export async function runMilvusScale(set: NamedSet, exact: ExactAnswers, s: ScaleSettings): Promise<MilvusScaleResult> {
  const { data } = set;
  const count = data.vectors.length;
  const queries = data.queries.map((q) => Array.from(q));
  const script = join(s.repoRoot, 'scripts', 'milvus-server.sh');
  const milvusDir = join(s.workDir, 'milvus');
  await run('bash', [script, 'install'], { timeout: 600_000 });
  const port = await freePort();
  await run('bash', [script, 'start', milvusDir, String(port), String(process.pid)], { timeout: 180_000 });
  const address = `127.0.0.1:${port}`;
  const saved = { ...process.env };
  // The service is started with this process's environment (lib/service-process.ts).
  Object.assign(process.env, { VECTOR_BACKEND: 'milvus', MILVUS_HOST: '127.0.0.1', MILVUS_PORT: String(port), MILVUS_DATABASE: DATABASE });
  const service = await startService({ repoRoot: s.repoRoot, dataDir: join(s.workDir, 'milvus-service'), nodeArgs: s.serviceNodeArgs }).finally(() => {
    process.env = saved;
  });
  const grpc = openGrpcDoor(service.grpcAddress, COLLECTION, s.topK);
  const sdk = new MilvusClient({ address, database: DATABASE, maxRetries: 0, telemetry: { enabled: false }, logLevel: 'error' });
  try {
    await grpc.client.createCollection({ name: COLLECTION, description: 'bench:scale', vectorDim: data.dim, indexParams: { indexType: 'FLAT', metricType: 'COSINE', params: {} } });
    const ingestSeconds = await ingestOverGrpc(grpc, COLLECTION, data.vectors, s.batch);
    s.log(`milvus: gRPC ingest ${(count / ingestSeconds).toFixed(0)} vectors/s`);
    let t = process.hrtime.bigint();
    await grpc.client.compact({ collectionName: COLLECTION });
    const compactSeconds = seconds(t);
    t = process.hrtime.bigint();
    await grpc.client.createIndex({ collectionName: COLLECTION, indexParams: { indexType: HNSW.indexType, metricType: HNSW.metricType, params: {} } });
    const indexBuildSeconds = seconds(t);
    const indexAtReturn = await checkIndex(sdk, count);
    s.log(`milvus: CreateIndex returned after ${indexBuildSeconds.toFixed(1)} s; Milvus then reported ${JSON.stringify(indexAtReturn)}`);
    // Milvus builds segment indexes asynchronously: measure only once it reports every row indexed.
    t = process.hrtime.bigint();
    let index = indexAtReturn;
    while (!index.ok && seconds(t) < INDEX_WAIT_S) {
      await new Promise((r) => setTimeout(r, 500));
      index = await checkIndex(sdk, count);
    }
    const indexReadyAfterSeconds = index.ok ? seconds(t) : null;
    s.log(`milvus: index ${index.ok ? `built over every row and loaded ${indexReadyAfterSeconds!.toFixed(1)} s after CreateIndex returned` : 'NOT built within the wait'}: ${JSON.stringify(index)}`);
    if (!index.ok) throw new Error(`milvus: the HNSW index is not built over every row and loaded after ${INDEX_WAIT_S} s: ${JSON.stringify(index)}`);

    const searchSdk = directMilvusSearcher(sdk, COLLECTION, HNSW, s.topK, s.topK + 1);
    const searchLean = leanMilvusSearcher(sdk, COLLECTION, HNSW, s.topK, s.topK + 1);
    const searchers = {
      direct: (i: number) => searchSdk(queries[i % queries.length]!),
      lean: (i: number) => searchLean(queries[i % queries.length]!),
      grpc: (i: number) => grpc.search(queries[i % queries.length]!),
      rest: () => Promise.reject(new Error('not measured')),
    };
    const recallOf = async (door: 'direct' | 'lean' | 'grpc'): Promise<[number, number]> => {
      const rows: number[][] = new Array<number[]>(queries.length);
      await runLoad(queries.length, 8, async (i) => (rows[i] = (await searchers[door](i)).map((id) => Number(id.slice(1)))));
      return [tieAwareRecall(data, exact.kth, rows, s.topK), rows.filter((r) => r.length < s.topK).length];
    };
    const [serviceRecall, serviceShort] = await recallOf('grpc');
    const [sdkRecall, sdkShort] = await recallOf('direct');
    const lean = DOORS.includes('lean') ? await recallOf('lean') : null;
    s.log(`milvus: recall@${s.topK} service ${serviceRecall.toFixed(4)}, SDK ${sdkRecall.toFixed(4)}${lean ? `, SDK lean ${lean[0].toFixed(4)}` : ''}`);
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
    return {
      set: set.name,
      count,
      ingestSeconds,
      vectorsPerSecond: count / ingestSeconds,
      compactSeconds,
      indexBuildSeconds,
      indexAtReturn,
      indexReadyAfterSeconds,
      index,
      recall: { service: serviceRecall, sdk: sdkRecall, serviceShort, sdkShort, ...(lean ? { lean: lean[0], leanShort: lean[1] } : {}) },
      serviceRssMiB: (await memoryOf(service.pid)).rssMiB,
      search,
    };
  } finally {
    grpc.close();
    await sdk.closeConnection().catch(() => undefined);
    await service.stop();
    await run('bash', [script, 'stop', milvusDir]).catch(() => undefined);
    await rm(milvusDir, { recursive: true, force: true });
    await rm(join(s.workDir, 'milvus-service'), { recursive: true, force: true });
  }
}

async function checkIndex(sdk: MilvusClient, count: number): Promise<MilvusIndexCheck> {
  const described = await sdk.describeIndex({ collection_name: COLLECTION, field_name: 'vector' });
  const index = described.index_descriptions?.[0];
  const loaded = await sdk.getLoadState({ collection_name: COLLECTION });
  const indexType = index?.params.find((p) => p.key === 'index_type')?.value ?? null;
  const check = {
    indexType: indexType === null ? null : String(indexType),
    state: index?.state ?? null,
    indexedRows: Number(index?.indexed_rows ?? 0),
    totalRows: Number(index?.total_rows ?? 0),
    pendingRows: Number(index?.pending_index_rows ?? 0),
    loadState: String(loaded.state),
  };
  return { ...check, ok: check.indexType === 'HNSW' && check.state === 'Finished' && check.indexedRows === count && check.pendingRows === 0 && check.loadState === 'LoadStateLoaded' };
}

function seconds(from: bigint): number {
  return Number(process.hrtime.bigint() - from) / 1e9;
}
