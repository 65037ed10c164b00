import { table } from './measure';
import type { Target } from './report';
import type { LanceScaleResult } from './scale-lance';
import type { MilvusScaleResult } from './scale-milvus';
import type { SearchRow } from './search-matrix';

const row = (rows: readonly SearchRow[], door: string, concurrency: number): SearchRow | undefined => rows.find((r) => r.door === door && r.concurrency === concurrency);

/** Issue 12's acceptance items, for whatever sizes this run used. */
export function scaleTargets(lance: readonly LanceScaleResult[], milvus: MilvusScaleResult | null): Target[] {
  const out: Target[] = [];
  for (const r of lance) {
    const label = `${r.set} ${r.count}`;
    if (r.set === 'clustered') {
      out.push({ name: `${label}: gRPC Insert / LanceDB table.add (vectors/s)`, goal: '>= 0.80', actual: r.ingestRatio.toFixed(3), met: r.ingestRatio >= 0.8 });
      // The gRPC client encodes every float in JS on the same cores; the service's own CPU per batch against LanceDB's is what the service adds.
      const cpu = r.direct.ingestCpuMsPerBatch / r.service.ingestCpuMsPerBatch;
      out.push({ name: `${label}: CPU per ingested batch, direct (bench process) / service`, goal: '>= 0.80', actual: cpu.toFixed(3), met: cpu >= 0.8 });
    }
    const g1 = row(r.search, 'grpc', 1);
    const d1 = row(r.search, 'direct', 1);
    if (g1 && d1) out.push({ name: `${label}: HNSW p99 at concurrency 1, service / direct`, goal: '<= 2', actual: (g1.p99Ms / d1.p99Ms).toFixed(2), met: g1.p99Ms <= 2 * d1.p99Ms });
    if (r.set !== 'uniform') out.push({ name: `${label}: HNSW recall@10 over gRPC`, goal: '>= 0.95', actual: r.service.recall.toFixed(4), met: r.service.recall >= 0.95 });
    const g8 = row(r.search, 'grpc', 8);
    const d8 = row(r.search, 'direct', 8);
    if (g8 && d8 && r.count <= 100_000) {
      out.push({ name: `${label}: HNSW QPS at concurrency 8, service / direct`, goal: '>= 0.85', actual: g8.ratioVsDirect.toFixed(3), met: g8.ratioVsDirect >= 0.85 });
      // On 2 shared cores the client's CPU comes out of the service's share; what the service spends per search is the fair comparison then.
      const cpu = d8.benchCpuMsPerCall / g8.serviceCpuMsPerCall;
      out.push({ name: `${label}: CPU per search at concurrency 8, direct (bench process) / service`, goal: '>= 0.85', actual: cpu.toFixed(3), met: cpu >= 0.85 });
    }
  }
  if (milvus) {
    const label = `milvus ${milvus.count}`;
    const g8 = row(milvus.search, 'grpc', 8);
    if (g8) out.push({ name: `${label}: HNSW QPS at concurrency 8, service / SDK`, goal: '>= 0.85', actual: g8.ratioVsDirect.toFixed(3), met: g8.ratioVsDirect >= 0.85 });
    // Not the issue's target (that is the SDK as a user calls it): the service against the SDK's clients driven the adapter's way.
    const l8 = row(milvus.search, 'lean', 8);
    if (g8 && l8) out.push({ name: `${label}: HNSW QPS at concurrency 8, service / SDK lean (for information)`, goal: '>= 0.85', actual: (g8.qps / l8.qps).toFixed(3), met: g8.qps >= 0.85 * l8.qps });
    out.push({ name: `${label}: HNSW recall@10 over gRPC`, goal: '>= 0.95', actual: milvus.recall.service.toFixed(4), met: milvus.recall.service >= 0.95 });
    out.push({ name: `${label}: index built over every row and loaded`, goal: 'true', actual: String(milvus.index.ok), met: milvus.index.ok });
  }
  return out;
}

export function scaleTables(lance: readonly LanceScaleResult[], milvus: MilvusScaleResult | null, targets: readonly Target[]): string {
  const sides = lance.flatMap((r) =>
    (['service', 'direct'] as const).map((side) => {
      const x = r[side];
      return {
        set: r.set,
        vectors: r.count,
        side,
        'ingest v/s': Math.round(x.vectorsPerSecond),
        'CPU ms/batch': x.ingestCpuMsPerBatch,
        'client CPU ms/batch': side === 'service' ? x.clientCpuMsPerBatch : '-',
        'compact s': x.compactSeconds,
        'HNSW build s': x.indexBuildSeconds,
        [`recall@10`]: x.recall.toFixed(4),
        'short answers': x.shortAnswers,
        'RSS MiB': Math.round(x.rssMiB),
        'peak RSS MiB': Math.round(x.peakRssMiB),
        'disk MiB': Math.round(x.diskMiB),
      };
    }),
  );
  const searches = [...lance.map((r) => ({ engine: 'lance', set: r.set, count: r.count, rows: r.search })), ...(milvus ? [{ engine: 'milvus', set: milvus.set, count: milvus.count, rows: milvus.search }] : [])].flatMap((x) =>
    x.rows.map((r) => ({
      engine: x.engine,
      set: `${x.set} ${x.count}`,
      door: r.door === 'direct' ? (x.engine === 'milvus' ? 'SDK' : 'direct') : r.door === 'lean' ? 'SDK lean' : r.door,
      concurrency: r.concurrency,
      qps: Number(r.qps.toFixed(1)),
      'p50 ms': r.p50Ms,
      'p99 ms': r.p99Ms,
      'vs direct': r.door === 'direct' ? '-' : r.ratioVsDirect.toFixed(2),
      'bench CPU ms/call': r.benchCpuMsPerCall,
      'service CPU ms/call': r.serviceCpuMsPerCall,
      short: r.shortAnswers ?? 0,
      'other load (cores)': r.otherCores,
    })),
  );
  const lines = [table(sides), ''];
  if (milvus) {
    lines.push(
      `Milvus ${milvus.count}: gRPC ingest ${Math.round(milvus.vectorsPerSecond)} vectors/s, Compact ${milvus.compactSeconds.toFixed(1)} s, ` +
        `CreateIndex ${milvus.indexBuildSeconds.toFixed(1)} s (then Milvus reported ${milvus.indexAtReturn.indexedRows} of ${milvus.indexAtReturn.totalRows} rows indexed; ` +
        `all ${milvus.indexReadyAfterSeconds === null ? 'never' : `${milvus.indexReadyAfterSeconds.toFixed(1)} s later`}); recall@10 service ${milvus.recall.service.toFixed(4)}, SDK ${milvus.recall.sdk.toFixed(4)}${milvus.recall.lean === undefined ? '' : `, SDK lean ${milvus.recall.lean.toFixed(4)}`}; index ${JSON.stringify(milvus.index)}`,
      '',
    );
  }
  lines.push(table(searches), '', ...targets.map((t) => `Target ${t.met ? 'MET   ' : 'MISSED'}: ${t.name} ${t.goal}: ${t.actual}`));
  return lines.join('\n');
}
