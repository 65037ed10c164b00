/**
 * How the soak judges a trend, not just a total: the least-squares slope over the second half of
 * the run. The total bound (end of minute 1 to the end) passes a leak that started from a low
 * point, or one small enough per minute to fit a short run; the slope of the second half shows it
 * whatever the first half did. BENCHMARKS.md ("Soak", "Pass/fail rules") gives the thresholds'
 * reasons.
 */

/**
 * Runs shorter than this are not judged on slope: RSS climbs for the first ~5 minutes under load
 * (allocator arenas, the ONNX and llama.cpp pools, the store's caches filling; +15 MiB/min in
 * minutes 2–5 of a run that then levelled), so a shorter run's second half is still warm-up.
 */
export const SLOPE_MIN_RUN_MINUTES = 10;

/** The least-squares slope of y over x, or undefined with fewer than two distinct x. */
export function leastSquaresSlope(points: readonly (readonly [number, number])[]): number | undefined {
  if (points.length < 2) return undefined;
  const mx = points.reduce((n, [x]) => n + x, 0) / points.length;
  const my = points.reduce((n, [, y]) => n + y, 0) / points.length;
  const den = points.reduce((n, [x]) => n + (x - mx) ** 2, 0);
  if (den === 0) return undefined;
  return points.reduce((n, [x, y]) => n + (x - mx) * (y - my), 0) / den;
}

export interface SecondHalfTrend {
  /** Units of y per minute; undefined when fewer than two points fall in the second half. */
  slope: number | undefined;
  /** The minutes (since the load started) the points span, and how many there are. */
  from: number | undefined;
  to: number | undefined;
  points: number;
}

/** The slope of the points (x in minutes since the load started) from half the run on. */
export function secondHalfTrend(points: readonly (readonly [number, number])[], runMinutes: number): SecondHalfTrend {
  const half = points.filter(([t]) => t >= runMinutes / 2);
  return { slope: leastSquaresSlope(half), from: half[0]?.[0], to: half.at(-1)?.[0], points: half.length };
}

/** One point per minute row: the minute's least open-fd count, at the middle of that minute. */
export function fdFloorPoints(rows: readonly { minute: number; proc: { fdsMin: number } }[]): [number, number][] {
  return rows.map((r) => [r.minute - 0.5, r.proc.fdsMin]);
}

export function describeTrend(t: SecondHalfTrend, unit: string): string {
  if (t.slope === undefined) return `n/a (${t.points} point${t.points === 1 ? '' : 's'} in the second half)`;
  return `${t.slope >= 0 ? '+' : ''}${t.slope.toFixed(1)} ${unit} (minutes ${t.from!.toFixed(1)}–${t.to!.toFixed(1)}, ${t.points} points)`;
}
