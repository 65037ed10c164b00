import { table } from './measure';
import type { SoakConfig } from './soak-config';
import type { Group, SoakOp } from './soak-ops';
import type { ProcSample } from './soak-proc';
import { errorText, figures, type OpFigures, type SoakWindow } from './soak-stats';
import { describeTrend, leastSquaresSlope, SLOPE_MIN_RUN_MINUTES, type SecondHalfTrend } from './soak-trend';

export const GROUPS: readonly Group[] = ['search', 'write', 'embed', 'generate'];

/** One minute of the soak: throughput and latency per group, failures, and the service's resources. */
export interface MinuteRow {
  minute: number;
  seconds: number;
  all: OpFigures;
  groups: Record<Group, OpFigures>;
  errors: string;
  proc: ProcSample;
  /** Rows in the soak collection at the end of the minute (GetCollectionStats). */
  rows: number;
  /** Service CPU over the minute, in cores (1.0 = one core busy all minute). */
  serviceCores: number;
  /** The soak's own CPU (it shares the machine with the service it measures). */
  clientCores: number;
  loadAvg1: number;
}

export function minuteRow(minute: number, window: SoakWindow, ops: readonly SoakOp[], proc: ProcSample, rows: number, cpuSeconds: { service: number; client: number }, loadAvg1: number): MinuteRow {
  const groupOf = new Map(ops.map((o) => [o.name, o.group]));
  const groups = Object.fromEntries(GROUPS.map((g) => [g, figures(window, (op) => groupOf.get(op) === g)])) as Record<Group, OpFigures>;
  return {
    minute,
    seconds: window.seconds,
    all: figures(window, () => true),
    groups,
    errors: errorText(window),
    proc,
    rows,
    serviceCores: window.seconds > 0 ? cpuSeconds.service / window.seconds : 0,
    clientCores: window.seconds > 0 ? cpuSeconds.client / window.seconds : 0,
    loadAvg1,
  };
}

const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** The line printed as each minute ends. */
export function minuteLine(r: MinuteRow): string {
  const g = GROUPS.map((name) => `${name} ${r.groups[name].perSec.toFixed(1)}/s p50 ${ms(r.groups[name].p50Ms)} p99 ${ms(r.groups[name].p99Ms)} ms`).join(' | ');
  return `minute ${r.minute}: ${r.all.perSec.toFixed(1)} req/s | ${g} | errors ${r.errors} | RSS ${r.proc.rssMiB.toFixed(0)} MiB, fds ${r.proc.fdsMin}..${r.proc.fdsMax}, threads ${r.proc.threads}, data ${r.proc.dataMiB.toFixed(1)} MiB (${r.rows} rows), CPU service ${r.serviceCores.toFixed(2)} / soak ${r.clientCores.toFixed(2)} cores, load ${r.loadAvg1.toFixed(1)}`;
}

/** Per-minute table (markdown): the one BENCHMARKS.md shows. */
export function minuteTable(rows: readonly MinuteRow[]): string {
  return table(
    rows.map((r) => {
      const row: Record<string, string | number> = { min: r.minute, 'req/s': r.all.perSec.toFixed(1) };
      for (const g of GROUPS) row[`${g} /s, p50/p99 ms`] = `${r.groups[g].perSec.toFixed(1)}, ${ms(r.groups[g].p50Ms)}/${ms(r.groups[g].p99Ms)}`;
      row.errors = r.errors;
      row['RSS MiB'] = r.proc.rssMiB.toFixed(0);
      row['fds min..max'] = `${r.proc.fdsMin}..${r.proc.fdsMax}`;
      row.threads = r.proc.threads;
      row['data MiB'] = r.proc.dataMiB.toFixed(1);
      row.rows = r.rows;
      row['cores service/soak'] = `${r.serviceCores.toFixed(2)}/${r.clientCores.toFixed(2)}`;
      row.load = r.loadAvg1.toFixed(1);
      return row;
    }),
  );
}

/** Whole-run figures per call kind and door. */
export function opTable(total: SoakWindow, ops: readonly SoakOp[]): string {
  const rows = ops.map((o) => ({ op: o.name, ...figures(total, (name) => name === o.name) }));
  const all = figures(total, () => true);
  return table(
    [...rows, { op: 'all', ...all }].map((r) => ({ op: r.op, calls: r.calls, 'req/s': r.perSec.toFixed(2), 'p50 ms': ms(r.p50Ms), 'p99 ms': ms(r.p99Ms), errors: r.errors })),
  );
}

export interface Check {
  name: string;
  bound: string;
  measured: string;
  ok: boolean;
  /** false for a check the run was too short to judge (it then counts as passed, and says so). */
  judged?: boolean;
}

export type Trends = { rss: SecondHalfTrend; fdFloor: SecondHalfTrend };

/** The second-half slopes of RSS and of the open-fd floor against their bounds. */
export function trendChecks(config: Pick<SoakConfig, 'minutes' | 'rssSlopeMiBPerMin' | 'fdSlopePerMin'>, trends: Trends): Check[] {
  return [
    slopeCheck('RSS slope, second half (least squares)', trends.rss, config.rssSlopeMiBPerMin, 'MiB/min', config.minutes),
    slopeCheck('open-fd floor slope, second half (least squares)', trends.fdFloor, config.fdSlopePerMin, 'fds/min', config.minutes),
  ];
}

/** A second-half slope against its bound; runs under SLOPE_MIN_RUN_MINUTES are reported, not judged. */
function slopeCheck(name: string, trend: SecondHalfTrend, bound: number, unit: string, runMinutes: number): Check {
  const measured = describeTrend(trend, unit);
  if (runMinutes < SLOPE_MIN_RUN_MINUTES) {
    return { name, bound: `<= ${bound} ${unit}`, measured: `${measured}; not judged under ${SLOPE_MIN_RUN_MINUTES} min`, ok: true, judged: false };
  }
  return { name, bound: `<= ${bound} ${unit}`, measured, ok: trend.slope !== undefined && trend.slope <= bound };
}

/** The pass/fail rules of the soak (README and BENCHMARKS.md say why these bounds). */
export function soakChecks(opts: {
  config: SoakConfig;
  rows: readonly MinuteRow[];
  total: SoakWindow;
  ops: readonly SoakOp[];
  died: string | undefined;
  exit: { code: number | null; signal: string | null; killed: boolean } | undefined;
  /** Least-squares slopes over the second half of the run (bench/lib/soak-trend.ts). */
  trends: Trends;
}): Check[] {
  const { config, rows, total, trends } = opts;
  const first = rows[0]?.proc;
  const last = rows[rows.length - 1]?.proc;
  const errors = figures(total, () => true).errors;
  const checks: Check[] = [
    { name: 'failed calls', bound: '0', measured: errorText(total), ok: errors === 0 },
    {
      name: 'every call kind succeeded at least once',
      bound: `${opts.ops.length} kinds`,
      measured: `${opts.ops.filter((o) => (total.latencies.get(o.name)?.length ?? 0) > 0).length} kinds`,
      ok: opts.ops.every((o) => (total.latencies.get(o.name)?.length ?? 0) > 0),
    },
    { name: 'service alive until stopped', bound: 'yes', measured: opts.died ?? 'yes', ok: opts.died === undefined },
    {
      name: 'graceful exit on SIGTERM',
      bound: 'exit code 0 within the grace period',
      measured: opts.exit ? `code ${String(opts.exit.code)}, signal ${String(opts.exit.signal)}${opts.exit.killed ? ', needed SIGKILL' : ''}` : 'not stopped',
      ok: opts.exit !== undefined && opts.exit.code === 0 && !opts.exit.killed,
    },
  ];
  if (first && last) {
    const allowed = Math.max(config.rssGrowthMiB, (first.rssMiB * config.rssGrowthPct) / 100);
    const grown = last.rssMiB - first.rssMiB;
    checks.push({
      name: 'RSS growth, end of minute 1 to end',
      bound: `<= ${allowed.toFixed(0)} MiB (max of ${config.rssGrowthMiB} MiB, ${config.rssGrowthPct}%)`,
      measured: `${first.rssMiB.toFixed(0)} -> ${last.rssMiB.toFixed(0)} MiB (${grown >= 0 ? '+' : ''}${grown.toFixed(0)})`,
      ok: grown <= allowed,
    });
    const fdGrowth = last.fdsMin - first.fdsMin;
    checks.push({
      name: 'open fds growth, least of minute 1 to least of the last minute',
      bound: `<= +${config.fdGrowth}`,
      measured: `${first.fdsMin} -> ${last.fdsMin} (${fdGrowth >= 0 ? '+' : ''}${fdGrowth})`,
      ok: fdGrowth <= config.fdGrowth,
    });
    checks.push(...trendChecks(config, trends));
  } else {
    checks.push({ name: 'minutes recorded', bound: `${config.minutes}`, measured: '0', ok: false });
  }
  return checks;
}

/**
 * Least-squares slope of the per-minute RSS over the minutes after the first, MiB per minute, as
 * earlier soaks reported it (kept for comparison with their JSON). Not judged: the second-half
 * slope is (soakChecks).
 */
export function rssTrendMiBPerMinute(rows: readonly MinuteRow[]): number | undefined {
  return rows.length < 3 ? undefined : leastSquaresSlope(rows.slice(1).map((r) => [r.minute, r.proc.rssMiB] as const));
}

export function checkTable(checks: readonly Check[]): string {
  return table(checks.map((c) => ({ check: c.name, bound: c.bound, measured: c.measured, result: c.judged === false ? 'not judged' : c.ok ? 'pass' : 'FAIL' })));
}
