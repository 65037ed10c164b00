import { cpuBetween, sampleCpu } from './cpu-meter';
import { percentile, runLoad } from './measure';

export const DOORS = ['direct', 'grpc', 'rest'] as const;
/** `lean`: the Milvus SDK's gRPC clients driven the way the service's adapter drives them (bench:scale's Milvus part only). */
export type Door = (typeof DOORS)[number] | 'lean';
export type IndexMode = 'FLAT' | 'HNSW';

/** One search of query number `i` through a door; resolves to the ids of the hits. */
export type Searcher = (i: number) => Promise<string[]>;

export interface SearchRow {
  door: Door;
  index: IndexMode;
  concurrency: number;
  calls: number;
  seconds: number;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU of the benchmark process per call (for `direct` this includes LanceDB's own threads). */
  benchCpuMsPerCall: number;
  /** CPU of the service process per call (idle for `direct`). */
  serviceCpuMsPerCall: number;
  /** Cores' worth of CPU used by other processes on the machine meanwhile (interference). */
  otherCores: number;
  /** This row's QPS over the direct row of the same index and concurrency. */
  ratioVsDirect: number;
  /** Calls that returned fewer than topK hits (counted only with `allowShort`; otherwise a short answer fails the run). */
  shortAnswers?: number;
}

export interface MatrixOptions {
  index: IndexMode;
  /** A searcher for every door in `doors`. */
  searchers: Partial<Record<Door, Searcher>>;
  /** Calls per row, split evenly over `rounds`. */
  calls: number;
  rounds: number;
  warmupCalls: number;
  concurrencies: readonly number[];
  topK: number;
  servicePid: number;
  log: (line: string) => void;
  /** The doors measured (default all three), each in this order in every round. */
  doors?: readonly Door[];
  /** Count answers with fewer than topK hits instead of failing the run. */
  allowShort?: boolean;
}

interface Totals {
  calls: number;
  seconds: number;
  latencies: number[];
  bench: number;
  service: number;
  other: number;
  short: number;
}

/**
 * Every door at every concurrency, a fixed number of calls each. A row's calls run in rounds
 * that alternate between the doors, so a passing load on the machine touches all doors alike.
 * Each door is warmed up first (connections opened, index pages cached, JIT compiled).
 */
export async function measureMatrix(opts: MatrixOptions): Promise<SearchRow[]> {
  const doors = opts.doors ?? DOORS;
  const searcherOf = (door: Door): Searcher => {
    const searcher = opts.searchers[door];
    if (searcher === undefined) throw new Error(`no searcher for the ${door} door`);
    return searcher;
  };
  const totalsByDoor = new Map<Door, Totals>();
  const check = (door: Door): Searcher => (opts.allowShort ? counted(searcherOf(door), opts.topK, () => (totalsByDoor.get(door)!.short += 1)) : checked(searcherOf(door), opts.topK, door));
  for (const door of doors) await runLoad(opts.warmupCalls, Math.min(8, opts.warmupCalls), opts.allowShort ? searcherOf(door) : checked(searcherOf(door), opts.topK, door));
  const rows: SearchRow[] = [];
  const perRound = Math.max(1, Math.ceil(opts.calls / opts.rounds));
  for (const concurrency of opts.concurrencies) {
    const totals = new Map<Door, Totals>(doors.map((d) => [d, { calls: 0, seconds: 0, latencies: [], bench: 0, service: 0, other: 0, short: 0 }]));
    totals.forEach((t, d) => totalsByDoor.set(d, t));
    for (let round = 0, done = 0; done < opts.calls; round += 1, done += perRound) {
      const calls = Math.min(perRound, opts.calls - done);
      for (const door of doors) {
        const search = check(door);
        const before = sampleCpu(opts.servicePid);
        const load = await runLoad(calls, concurrency, (i) => search(done + i));
        const cpu = cpuBetween(before, sampleCpu(opts.servicePid));
        const t = totals.get(door)!;
        t.calls += load.calls;
        t.seconds += load.seconds;
        for (const ms of load.latenciesMs) t.latencies.push(ms);
        t.bench += cpu.bench;
        t.service += cpu.service;
        t.other += cpu.other;
      }
    }
    for (const door of doors) {
      const row = toRow(door, opts.index, concurrency, totals.get(door)!);
      if (opts.allowShort) row.shortAnswers = totals.get(door)!.short;
      rows.push(row);
      opts.log(
        `  ${opts.index} ${door.padEnd(6)} c=${String(concurrency).padEnd(3)} ${row.qps.toFixed(1)} qps  p50 ${row.p50Ms.toFixed(2)} ms  ` +
          `p99 ${row.p99Ms.toFixed(2)} ms  other load ${row.otherCores.toFixed(2)} cores`,
      );
    }
  }
  for (const row of rows) {
    const direct = rows.find((r) => r.door === 'direct' && r.concurrency === row.concurrency);
    row.ratioVsDirect = direct === undefined ? Number.NaN : row.qps / direct.qps;
  }
  return rows;
}

function toRow(door: Door, index: IndexMode, concurrency: number, t: Totals): SearchRow {
  const latencies = t.latencies.sort((a, b) => a - b);
  return {
    door,
    index,
    concurrency,
    calls: t.calls,
    seconds: t.seconds,
    qps: t.calls / t.seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    benchCpuMsPerCall: (t.bench * 1000) / t.calls,
    serviceCpuMsPerCall: (t.service * 1000) / t.calls,
    otherCores: t.other / t.seconds,
    ratioVsDirect: Number.NaN,
  };
}

/** Collects every query's ids through one door (for recall), `concurrency` at a time. */
export async function collectIds(searcher: Searcher, count: number, concurrency: number, topK: number): Promise<string[][]> {
  const out: string[][] = new Array<string[]>(count);
  const search = checked(searcher, topK, 'recall');
  await runLoad(count, concurrency, async (i) => {
    out[i] = await search(i);
  });
  return out;
}

/** A search whose answers with fewer than k hits are counted (an index may answer short; see BENCHMARKS.md). */
function counted(searcher: Searcher, topK: number, onShort: () => void): Searcher {
  return async (i) => {
    const ids = await searcher(i);
    if (ids.length < topK) onShort();
    return ids;
  };
}

/** A search that fails loudly unless it returned exactly k hits: a benchmark of errors measures nothing. */
function checked(searcher: Searcher, topK: number, what: string): Searcher {
  return async (i) => {
    const ids = await searcher(i);
    if (ids.length !== topK) throw new Error(`${what} search ${i} returned ${ids.length} hits, expected ${topK}`);
    return ids;
  };
}
