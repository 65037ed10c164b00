import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { table } from './measure';
import type { BatchProbeResult } from './models-batch-probe';
import type { EmbedCell } from './models-embed-matrix';
import type { GenerationSummary } from './models-generation';
import type { TargetCheck } from './models-target';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews results. */
  loadAvgStart: number;
  loadAvgEnd?: number;
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: release(),
    loadAvgStart: loadavg()[0] ?? 0,
  };
}

export function endLoad(machine: MachineInfo): void {
  machine.loadAvgEnd = loadavg()[0] ?? 0;
}

/** Per batch size, the better of the direct runs (before and after the service runs). */
export function bestDirect(direct: EmbedCell[]): Map<number, EmbedCell> {
  const best = new Map<number, EmbedCell>();
  for (const c of direct) if ((best.get(c.batch)?.sentencesPerSec ?? 0) < c.sentencesPerSec) best.set(c.batch, c);
  return best;
}

export function directTable(runs: EmbedCell[][]): string {
  const batches = [...new Set(runs.flat().map((c) => c.batch))];
  return table(
    batches.map((batch) => {
      const row: Record<string, string | number> = { batch };
      runs.forEach((run, i) => (row[`run ${i + 1} sentences/s`] = run.find((c) => c.batch === batch)?.sentencesPerSec ?? 0));
      const cells = runs.map((run) => run.find((c) => c.batch === batch)).filter((c): c is EmbedCell => c !== undefined);
      row['p50 ms/call'] = Math.min(...cells.map((c) => c.p50Ms));
      row['client CPU ms/sentence'] = Math.min(...cells.map((c) => c.clientCpuMsPerSentence));
      return row;
    }),
  );
}

export function embedTable(cells: EmbedCell[], direct: Map<number, EmbedCell>): string {
  const best = Math.max(...[...direct.values()].map((c) => c.sentencesPerSec));
  return table(
    cells.map((c) => ({
      door: c.door,
      batch: c.batch,
      concurrency: c.concurrency,
      'sentences/s': c.sentencesPerSec,
      'p50 ms': c.p50Ms,
      'p99 ms': c.p99Ms,
      'vs direct same batch': ratio(c.sentencesPerSec, direct.get(c.batch)?.sentencesPerSec),
      'vs direct best': ratio(c.sentencesPerSec, best),
      'client CPU ms/sent': c.clientCpuMsPerSentence,
      'service CPU ms/sent': c.serviceCpuMsPerSentence,
    })),
  );
}

export function generationTable(rows: GenerationSummary[]): string {
  return table(
    rows.map((g) => ({
      side: g.side === 'grpc' ? 'service (gRPC stream)' : 'direct node-llama-cpp',
      calls: g.prompts * g.rounds,
      'completion tokens': g.completionTokens,
      'TTFT p50 ms': g.ttftP50Ms,
      'TTFT mean ms': g.ttftMeanMs,
      'TTFT p90 ms': g.ttftP90Ms,
      'tokens/s (whole call)': g.tokensPerSec,
      'tokens/s (after first chunk)': g.decodeTokensPerSec,
    })),
  );
}

export function probeTable(rows: BatchProbeResult[]): string {
  return table(
    rows.map((p) => ({
      door: p.door,
      'batch 1 calls': p.calls,
      concurrency: p.concurrency,
      'sentences/s': p.sentencesPerSec,
      'model calls': p.batches,
      'mean batch': p.meanBatch,
      'batch sizes (size×calls)': Object.entries(p.histogram)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([size, n]) => `${size}×${n}`)
        .join(' '),
    })),
  );
}

export function targetSliceTable(check: TargetCheck): string {
  const doors = Object.keys(check.medianRatio);
  return table(
    check.slices.map((s) => {
      const row: Record<string, string | number> = { round: s.round + 1, 'direct sentences/s': s.directPerSec };
      for (const d of doors) {
        row[`${d} sentences/s`] = s.service[d] ?? 0;
        row[`${d} / direct`] = ratio(s.service[d] ?? 0, s.directPerSec);
      }
      return row;
    }),
  );
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean;
}

export function targetTable(targets: Target[]): string {
  return table(targets.map((t) => ({ target: t.name, goal: t.goal, measured: t.measured, result: t.met ? 'met' : 'MISSED' })));
}

export function ratio(a: number, b: number | undefined): string {
  return b === undefined || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}x`;
}

/** bench/results/<name>-<ISO time>.json and <name>-latest.json (same content). */
export async function saveResults(repoRoot: string, startedAt: Date, result: unknown, name = 'models'): Promise<string> {
  const dir = join(repoRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `${name}-${stamp}.json`);
  const text = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(file, text);
  await writeFile(join(dir, `${name}-latest.json`), text);
  return file;
}
