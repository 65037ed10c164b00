import { table } from './measure';
import type { IngestRun } from './rag-ingest';
import type { Agreement, SearchCell } from './rag-search-cells';
import type { SearchKind } from './rag-search';

export interface RagTarget {
  name: string;
  goal: string;
  actual: string;
  met: boolean;
}

/** What the printed tables read from the saved report. */
export interface RagReportView {
  startedAt: string;
  git: { commit: string; dirty: boolean };
  machine: Record<string, string | number>;
  params: { docs: number; batch: number; inflight: number; embedBatch: number; topK: number; rerankCandidates: number; rerankModel: string };
  ingest: IngestRun[];
  search: { cells: SearchCell[]; agreement: Agreement[]; failed: { kind: SearchKind; error: string }[] };
  targets: RagTarget[];
}

/** Docs/s of each side over every round (all docs over all seconds), and the service's share. */
export function ingestTotals(runs: readonly IngestRun[]): { service: number; direct: number; ratio: number; roundRatios: number[] } {
  const rate = (side: IngestRun['side']): number => {
    const mine = runs.filter((r) => r.side === side);
    return mine.reduce((a, r) => a + r.docs, 0) / mine.reduce((a, r) => a + r.seconds, 0);
  };
  const rounds = [...new Set(runs.map((r) => r.round))];
  const roundRatios = rounds.map((round) => {
    const of = (side: IngestRun['side']) => runs.find((r) => r.round === round && r.side === side)?.docsPerSec ?? 0;
    return of('service') / of('direct');
  });
  return { service: rate('service'), direct: rate('direct'), ratio: rate('service') / rate('direct'), roundRatios };
}

/** Issue 11: Insert with text ≥ 0.85 of the direct pipeline plus table.add, in the same run. */
export function ragTargets(runs: readonly IngestRun[]): RagTarget[] {
  const t = ingestTotals(runs);
  const rounds = t.roundRatios.map((r) => r.toFixed(2)).join(', ');
  return [
    {
      name: 'Insert with text (docs/s) / direct pipeline + table.add, all rounds',
      goal: '>= 0.85',
      actual: `${t.ratio.toFixed(3)} (${t.service.toFixed(1)} / ${t.direct.toFixed(1)} docs/s; rounds ${rounds})`,
      met: t.ratio >= 0.85,
    },
  ];
}

export function ragTables(r: RagReportView): string {
  const m = r.machine;
  const ingestRows = r.ingest.map((run) => {
    const other = r.ingest.find((o) => o.round === run.round && o.side !== run.side);
    return {
      round: run.round + 1,
      side: run.side,
      docs: run.docs,
      seconds: run.seconds,
      'docs/s': run.docsPerSec,
      'vs direct': run.side === 'direct' || other === undefined ? '-' : (run.docsPerSec / other.docsPerSec).toFixed(2),
      'bench CPU ms/doc': (run.cpu.bench * 1000) / run.docs,
      'service CPU ms/doc': (run.cpu.service * 1000) / run.docs,
      'other load (cores)': run.cpu.other / run.seconds,
      'Compact s': run.compactSeconds ?? '-',
    };
  });
  const direct = (c: SearchCell) => r.search.cells.find((d) => d.side === 'direct' && d.kind === c.kind && d.concurrency === c.concurrency);
  const searchRows = r.search.cells.map((c) => ({
    kind: c.kind,
    concurrency: c.concurrency,
    side: c.side,
    calls: c.calls,
    qps: c.qps,
    'p50 ms': c.p50Ms,
    'p99 ms': c.p99Ms,
    'qps vs direct': c.side === 'direct' ? '-' : (c.qps / (direct(c)?.qps ?? Number.NaN)).toFixed(2),
    'bench CPU ms/call': c.benchCpuMsPerCall,
    'service CPU ms/call': c.serviceCpuMsPerCall,
    'other load (cores)': c.otherCores,
  }));
  return [
    `## RAG benchmark (${r.startedAt}, commit ${r.git.commit.slice(0, 12)}${r.git.dirty ? ' + local changes' : ''})`,
    `Machine: ${m.cpuModel}, ${m.cpuCount} cores, Node ${m.node}; load average ${m.loadAverage1mAtStart} at start, ${m.loadAverage1mAtEnd} at end`,
    '',
    `### Ingest: ${r.params.docs} texts, Insert ${r.params.batch} per call × ${r.params.inflight} in flight; direct: pipeline batches of ${r.params.embedBatch} (the service's micro-batch) + table.add of ${r.params.batch} rows`,
    table(ingestRows),
    '',
    `### Search: top ${r.params.topK}; rerank by '${r.params.rerankModel}' over ${r.params.rerankCandidates} candidates`,
    searchRows.length > 0 ? table(searchRows) : '(no search measured)',
    ...r.search.agreement.map((a) => `${a.kind}: over ${a.queries} queries, ${(a.sameIdsShare * 100).toFixed(1)}% of the service's top-${r.params.topK} ids also returned directly, ${(a.sameOrderShare * 100).toFixed(1)}% at the same rank`),
    ...r.search.failed.map((f) => `${f.kind}: NOT MEASURED: ${f.error}`),
    '',
    ...r.targets.map((t) => `Target ${t.met ? 'MET   ' : 'MISSED'}: ${t.name} ${t.goal}: ${t.actual}`),
  ].join('\n');
}
