import { cpuBetween, sampleCpu } from './cpu-meter';
import { percentile, runLoad } from './measure';
import type { Searcher, SearchKind } from './rag-search';

export type Side = 'service' | 'direct';

/** One kind × side × concurrency, over every round. */
export interface SearchCell {
  kind: SearchKind;
  side: Side;
  concurrency: number;
  calls: number;
  seconds: number;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  benchCpuMsPerCall: number;
  serviceCpuMsPerCall: number;
  /** Cores other processes kept busy meanwhile (0 on a quiet machine). */
  otherCores: number;
}

/** Whether both sides answer the same: the share of the service's top-k ids the direct side also returned. */
export interface Agreement {
  kind: SearchKind;
  queries: number;
  sameIdsShare: number;
  sameOrderShare: number;
}

export interface CellSettings {
  concurrencies: readonly number[];
  /** Calls per cell and side, split evenly over `rounds`; `rerankCalls` for hybrid+rerank. */
  calls: number;
  rerankCalls: number;
  rounds: number;
  warmupCalls: number;
  agreementQueries: number;
  topK: number;
}

export type Log = (line: string) => void;

/**
 * Per kind: the agreement check (one call at a time), a warm-up of each side (the service's first
 * text search folds the ingested rows into its full-text index), then for each concurrency the
 * rounds, each running both sides one after the other and alternating which goes first. A kind
 * whose searches fail (e.g. a store without full-text search) is reported with its error and skipped.
 */
export async function measureSearches(
  kinds: readonly SearchKind[],
  searchers: Record<Side, Record<SearchKind, Searcher>>,
  queries: readonly string[],
  servicePid: number,
  s: CellSettings,
  log: Log,
): Promise<{ cells: SearchCell[]; agreement: Agreement[]; failed: { kind: SearchKind; error: string }[] }> {
  const cells: SearchCell[] = [];
  const agreement: Agreement[] = [];
  const failed: { kind: SearchKind; error: string }[] = [];
  for (const kind of kinds) {
    try {
      agreement.push(await agree(kind, searchers.service[kind], searchers.direct[kind], queries.slice(0, s.agreementQueries), s.topK));
      for (const side of ['service', 'direct'] as const) await runLoad(s.warmupCalls, 1, (i) => checked(searchers[side][kind], queries[i % queries.length]!, s.topK));
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      log(`${kind}: not measured: ${error}`);
      failed.push({ kind, error });
      continue;
    }
    for (const concurrency of s.concurrencies) {
      const perRound = Math.max(1, Math.floor((kind === 'hybrid+rerank' ? s.rerankCalls : s.calls) / s.rounds));
      const runs: Record<Side, Run[]> = { service: [], direct: [] };
      for (let round = 0; round < s.rounds; round += 1) {
        const order: Side[] = round % 2 === 0 ? ['service', 'direct'] : ['direct', 'service'];
        for (const side of order) {
          // Each round its own queries, the same for both sides.
          const offset = round * perRound;
          runs[side].push(await timed(servicePid, perRound, concurrency, (i) => checked(searchers[side][kind], queries[(offset + i) % queries.length]!, s.topK)));
        }
      }
      for (const side of ['service', 'direct'] as const) cells.push(merge(kind, side, concurrency, runs[side]));
      const [svc, dir] = cells.slice(-2);
      log(`${kind} c=${concurrency}: service ${svc!.qps.toFixed(1)} qps p50 ${svc!.p50Ms.toFixed(1)} p99 ${svc!.p99Ms.toFixed(1)} ms; direct ${dir!.qps.toFixed(1)} qps p50 ${dir!.p50Ms.toFixed(1)} p99 ${dir!.p99Ms.toFixed(1)} ms`);
    }
  }
  return { cells, agreement, failed };
}

interface Run {
  seconds: number;
  latenciesMs: number[];
  cpu: { bench: number; service: number; other: number };
}

async function timed(servicePid: number, calls: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<Run> {
  const before = sampleCpu(servicePid);
  const load = await runLoad(calls, concurrency, call);
  return { seconds: load.seconds, latenciesMs: load.latenciesMs, cpu: cpuBetween(before, sampleCpu(servicePid)) };
}

function merge(kind: SearchKind, side: Side, concurrency: number, runs: readonly Run[]): SearchCell {
  const latencies = runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const sum = (pick: (r: Run) => number): number => runs.reduce((a, r) => a + pick(r), 0);
  const calls = latencies.length;
  return {
    kind,
    side,
    concurrency,
    calls,
    seconds,
    qps: calls / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    benchCpuMsPerCall: (sum((r) => r.cpu.bench) * 1000) / calls,
    serviceCpuMsPerCall: (sum((r) => r.cpu.service) * 1000) / calls,
    otherCores: sum((r) => r.cpu.other) / seconds,
  };
}

async function checked(search: Searcher, query: string, topK: number): Promise<string[]> {
  const ids = await search(query);
  if (ids.length !== topK) throw new Error(`'${query}' returned ${ids.length} hits, expected ${topK}`);
  return ids;
}

async function agree(kind: SearchKind, service: Searcher, direct: Searcher, queries: readonly string[], topK: number): Promise<Agreement> {
  let same = 0;
  let sameOrder = 0;
  for (const q of queries) {
    const a = await checked(service, q, topK);
    const b = await checked(direct, q, topK);
    const inB = new Set(b);
    same += a.filter((id) => inB.has(id)).length;
    sameOrder += a.filter((id, i) => b[i] === id).length;
  }
  const all = Math.max(1, queries.length * topK);
  return { kind, queries: queries.length, sameIdsShare: same / all, sameOrderShare: sameOrder / all };
}
