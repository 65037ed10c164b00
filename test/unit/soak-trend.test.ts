import { trendChecks } from '../../bench/lib/soak-report';
import { fdFloorPoints, leastSquaresSlope, secondHalfTrend } from '../../bench/lib/soak-trend';

/**
 * The soak's trend rule (bench/lib/soak-trend.ts), on the per-minute RSS and fd floors of the three
 * recorded 10-minute soaks (bench/results/soak-2026-11-25T*.json): the two runs with LanceDB's
 * unbounded metadata cache passed the total bound (+128 and +58 MiB, within 193) but must fail the
 * second-half slope; the run after the fix must pass it.
 */
const RECORDED = {
  leaking: { rss: [776, 730, 764, 771, 789, 816, 829, 850, 873, 904], fds: [29, 35, 35, 34, 34, 35, 34, 34, 35, 35] },
  leakingShared: { rss: [748, 718, 729, 755, 761, 761, 777, 788, 803, 806], fds: [29, 34, 34, 35, 35, 34, 34, 35, 35, 34] },
  fixed: { rss: [774, 732, 751, 781, 790, 800, 803, 803, 830, 816], fds: [29, 34, 35, 34, 35, 33, 35, 34, 36, 34] },
};
const BOUNDS = { rssSlopeMiBPerMin: 8, fdSlopePerMin: 2 };

function judge(run: { rss: number[]; fds: number[] }, minutes = run.rss.length) {
  const rows = run.fds.map((fdsMin, i) => ({ minute: i + 1, proc: { fdsMin } }));
  const rss = secondHalfTrend(run.rss.map((mib, i) => [i + 1, mib]), minutes);
  const fdFloor = secondHalfTrend(fdFloorPoints(rows), minutes);
  return { rss, fdFloor, checks: trendChecks({ minutes, ...BOUNDS }, { rss, fdFloor }) };
}

describe('the soak judges the trend of its second half', () => {
  it('least squares: exact on a line, undefined without two distinct x', () => {
    expect(leastSquaresSlope([[0, 5], [1, 7], [2, 9], [3, 11]])).toBeCloseTo(2, 12);
    expect(leastSquaresSlope([[1, 5]])).toBeUndefined();
    expect(leastSquaresSlope([[1, 5], [1, 6]])).toBeUndefined();
  });

  it('fails both recorded runs that leaked, on RSS, though they passed the total bound', () => {
    for (const run of [RECORDED.leaking, RECORDED.leakingShared]) {
      const { rss, checks } = judge(run);
      expect(rss.slope).toBeGreaterThan(BOUNDS.rssSlopeMiBPerMin);
      expect(checks.map((c) => c.ok)).toEqual([false, true]);
    }
    expect(judge(RECORDED.leaking).rss.slope).toBeCloseTo(21.9, 1);
  });

  it('passes the recorded run after the fix, and uses only the second half', () => {
    const { rss, fdFloor, checks } = judge(RECORDED.fixed);
    expect({ from: rss.from, to: rss.to, points: rss.points }).toEqual({ from: 5, to: 10, points: 6 });
    expect(rss.slope).toBeCloseTo(6.3, 1);
    expect(fdFloor.points).toBe(5);
    expect(checks.every((c) => c.ok && c.judged !== false)).toBe(true);
  });

  it('fails a leaking fd floor', () => {
    const fds = Array.from({ length: 10 }, (_, i) => 30 + 3 * i);
    expect(judge({ rss: RECORDED.fixed.rss, fds }).checks.map((c) => c.ok)).toEqual([true, false]);
  });

  it('reports but does not judge a run under 10 minutes, and says so', () => {
    const { checks } = judge({ rss: [700, 760, 820], fds: [30, 40, 50] });
    expect(checks.map((c) => [c.ok, c.judged])).toEqual([[true, false], [true, false]]);
    expect(checks[0]!.measured).toMatch(/^\+60\.0 MiB\/min .*not judged under 10 min$/);
  });

  it('fails a judged run with no samples in its second half', () => {
    const { checks } = judge({ rss: [], fds: [] }, 10);
    expect(checks.map((c) => c.ok)).toEqual([false, false]);
    expect(checks[0]!.measured).toBe('n/a (0 points in the second half)');
  });
});
