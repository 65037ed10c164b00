/** Runs `total` calls with `concurrency` workers; returns throughput and latency percentiles. */
export interface LoadResult {
  calls: number;
  seconds: number;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  /** Every call's latency, ascending (to merge rounds of the same measurement). */
  latenciesMs: number[];
}

export async function runLoad(total: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<LoadResult> {
  const latencies: number[] = [];
  let nextIndex = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = nextIndex;
      nextIndex += 1;
      if (i >= total) return;
      const t0 = process.hrtime.bigint();
      await call(i);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { calls: total, seconds, qps: total / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), latenciesMs: latencies };
}

/** The middle of `values` (the mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The p-th percentile of ascending `sorted` (nearest rank below). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export function recallAtK(expected: string[][], actual: string[][]): number {
  let hit = 0;
  let all = 0;
  expected.forEach((want, i) => {
    const got = new Set(actual[i]);
    want.forEach((id) => {
      all += 1;
      if (got.has(id)) hit += 1;
    });
  });
  return all === 0 ? 1 : hit / all;
}

export function table(rows: Record<string, string | number>[]): string {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0]!);
  const cell = (v: string | number | undefined): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v ?? ''));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]): string => `| ${vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(cols), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}
