import { table } from './measure';
import type { CallComparison, EmbedComparison } from './overhead-rounds';

export interface OverheadTarget {
  name: string;
  goal: number;
  actual: number;
  /** The median of the per-round ratios: far from `actual` when the rounds disagree. */
  roundRatio: number;
  met: boolean;
}

/** Issue 14, item 2: service over bare grpc-js ≥ 0.80 (Health/Check) and ≥ 0.75 (HasCollection); embeddings ≥ 0.90 of direct. */
export function overheadTargets(health: CallComparison, has: CallComparison, embed: EmbedComparison | undefined): OverheadTarget[] {
  const t = (name: string, goal: number, actual: number, roundRatio: number): OverheadTarget => ({ name, goal, actual, roundRatio, met: actual >= goal });
  const targets = [
    t('Health/Check calls/s, service / bare grpc-js', 0.8, health.ratio, health.medianRoundRatio),
    t('VectorService/HasCollection calls/s, service / bare grpc-js', 0.75, has.ratio, has.medianRoundRatio),
  ];
  if (embed !== undefined) {
    targets.push(t(`GenerateEmbedding x${embed.concurrency} single-text / direct batch ${embed.directBatch}, sentences/s`, 0.9, embed.ratio, embed.medianRoundRatio));
  }
  return targets;
}

export function callRoundsTable(c: CallComparison): string {
  const rows: Record<string, string | number>[] = c.rounds.map((r) => ({
    round: r.round + 1,
    first: r.first,
    'service calls/s': Math.round(r.service.okPerSec),
    'service p50 ms': r.service.p50Ms,
    'service p99 ms': r.service.p99Ms,
    'bare calls/s': Math.round(r.bare.okPerSec),
    'bare p50 ms': r.bare.p50Ms,
    'bare p99 ms': r.bare.p99Ms,
    'service CPU µs/call': Math.round(r.service.serverCpuMsPerCall * 1000),
    'bare CPU µs/call': Math.round(r.bare.serverCpuMsPerCall * 1000),
    ratio: r.ratio.toFixed(3),
  }));
  rows.push({
    round: 'median',
    first: '',
    'service calls/s': Math.round(c.median.service.okPerSec),
    'service p50 ms': c.median.service.p50Ms,
    'service p99 ms': c.median.service.p99Ms,
    'bare calls/s': Math.round(c.median.bare.okPerSec),
    'bare p50 ms': c.median.bare.p50Ms,
    'bare p99 ms': c.median.bare.p99Ms,
    'service CPU µs/call': Math.round(c.median.service.serverCpuMsPerCall * 1000),
    'bare CPU µs/call': Math.round(c.median.bare.serverCpuMsPerCall * 1000),
    ratio: c.ratio.toFixed(3),
  });
  return table(rows);
}

export function embedRoundsTable(e: EmbedComparison): string {
  const rows: Record<string, string | number>[] = e.rounds.map((r) => ({
    round: r.round + 1,
    first: r.first,
    'service sentences/s': r.service.sentencesPerSec,
    'service p50 ms/call': r.service.p50Ms,
    'service p99 ms/call': r.service.p99Ms,
    'direct sentences/s': r.direct.sentencesPerSec,
    'direct p50 ms/batch': r.direct.p50Ms,
    'direct p99 ms/batch': r.direct.p99Ms,
    ratio: r.ratio.toFixed(3),
  }));
  rows.push({
    round: 'median',
    first: '',
    'service sentences/s': e.median.service.sentencesPerSec,
    'service p50 ms/call': e.median.service.p50Ms,
    'service p99 ms/call': e.median.service.p99Ms,
    'direct sentences/s': e.median.direct.sentencesPerSec,
    'direct p50 ms/batch': e.median.direct.p50Ms,
    'direct p99 ms/batch': e.median.direct.p99Ms,
    ratio: e.ratio.toFixed(3),
  });
  return table(rows);
}

export function targetsTable(targets: readonly OverheadTarget[]): string {
  return table(
    targets.map((t) => ({
      target: t.name,
      goal: `>= ${t.goal.toFixed(2)}`,
      'ratio of medians': t.actual.toFixed(3),
      'median of round ratios': t.roundRatio.toFixed(3),
      result: t.met ? 'met' : 'MISSED',
    })),
  );
}
