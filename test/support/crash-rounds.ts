import { rest, type ServiceProcess } from './service-process';
import { CrashLedger, DIM, killPoint, type RoundFigures, type VerifyResult } from './crash-workload';

/** What one round did, shown in full when its check fails. */
export interface RoundReport {
  seed: number;
  round: number;
  killAtMs: number;
  /** Maintenance running beside the writers, and how many of its calls finished before the kill. */
  maintenance: string;
  maintenanceDone: number;
  writes: Omit<RoundFigures, 'problems'>;
  stored: Omit<VerifyResult, 'problems'>;
  problems: string[];
}

export interface RoundPlan {
  /** Acknowledged bulk inserts before the writers start (e.g. enough rows to train an index). */
  bulkRows?: number;
  /** Repeated beside the writers until the kill; its answer never counts as a write. */
  maintenance?: { name: string; run: (svc: ServiceProcess) => Promise<unknown> };
}

/**
 * One round: writers over both doors, SIGKILL at the seeded point, restart on the same data,
 * then the checks. Returns the service as restarted and the round's report.
 */
export async function crashRound(
  svc: ServiceProcess,
  restart: () => Promise<ServiceProcess>,
  ledger: CrashLedger,
  seed: number,
  round: number,
  plan: RoundPlan = {},
): Promise<{ svc: ServiceProcess; report: RoundReport }> {
  if (plan.bulkRows) await ledger.bulk(svc, round, plan.bulkRows);
  const killAtMs = killPoint(seed, round);
  let killed = false;
  let maintenanceDone = 0;
  const problems: string[] = [];
  const maintenance = plan.maintenance
    ? (async () => {
        while (!killed) {
          try {
            await plan.maintenance!.run(svc);
            maintenanceDone += 1;
          } catch (cause) {
            if (!killed) problems.push(`${plan.maintenance!.name} failed before the kill: ${cause instanceof Error ? cause.message : String(cause)}`);
            return;
          }
        }
      })()
    : Promise.resolve();
  const writing = ledger.write(svc, round, () => killed);
  await new Promise((r) => setTimeout(r, killAtMs));
  killed = true;
  await svc.crash();
  const [figures] = await Promise.all([writing, maintenance]);

  const next = await restart().catch((cause: unknown) => {
    throw new Error(`seed ${seed}, round ${round}, kill at ${killAtMs} ms: the service did not start again: ${cause instanceof Error ? cause.message : String(cause)}`);
  });
  problems.push(...figures.problems);
  const stored = await ledger.verify(next);
  problems.push(...stored.problems, ...(await opensCleanly(next, ledger)));
  const { problems: _w, ...writes } = figures;
  const { problems: _s, ...counts } = stored;
  return {
    svc: next,
    report: { seed, round, killAtMs, maintenance: plan.maintenance?.name ?? 'none', maintenanceDone, writes, stored: counts, problems },
  };
}

/** Info and stats answer on both doors, and search finds a stored row by its vector and by a filter. */
async function opensCleanly(svc: ServiceProcess, ledger: CrashLedger): Promise<string[]> {
  const problems: string[] = [];
  const name = ledger.collection;
  const info = await svc.vectors.getCollectionInfo({ name });
  if (info.name !== name || info.vectorDim !== DIM) problems.push(`collection info: ${JSON.stringify(info)}`);
  const restInfo = await rest(svc.baseUrl, 'GET', `/v1/collections/${name}`);
  const restStats = await rest(svc.baseUrl, 'GET', `/v1/collections/${name}/stats`);
  if (restInfo.status !== 200 || restStats.status !== 200) problems.push(`REST info ${restInfo.status}, stats ${restStats.status}`);

  const sample = ledger.sample();
  if (sample === undefined) return problems;
  const filtered = await rest(svc.baseUrl, 'POST', `/v1/collections/${name}/search`, { query_vector: sample.vector, options: { topk: 3, filter: { ver: sample.ver } } });
  const ids = filtered.status === 200 ? (filtered.body.results as { id: string }[]).map((r) => r.id) : filtered.status;
  if (JSON.stringify(ids) !== JSON.stringify([sample.id])) problems.push(`filtered search for ${sample.id}: ${JSON.stringify(ids)}`);
  const nearest = await svc.vectors.search({ collectionName: name, queryVector: sample.vector, options: { topk: 5, includeVector: false } });
  if (nearest.results.length !== Math.min(5, ledger.expected)) problems.push(`search returned ${nearest.results.length} hits for ${ledger.expected} stored`);
  return problems;
}

/**
 * The whole test for one engine: a fresh service without default models (a restart is then ready
 * as soon as the store opens), one collection, the planned rounds one on top of the other. Every
 * round must report no problem, and the rounds together must have acknowledged some writes.
 */
export async function runCrashRounds(start: () => Promise<ServiceProcess>, seed: number, rounds: RoundPlan[]): Promise<void> {
  let svc = await start();
  for (const model of (await rest(svc.baseUrl, 'GET', '/v1/models')).body.models as { name: string }[]) {
    expect((await rest(svc.baseUrl, 'DELETE', `/v1/models/${model.name}`)).status).toBe(200);
  }
  expect((await rest(svc.baseUrl, 'POST', '/v1/collections', { name: 'crash', vector_dim: DIM, index_params: { metric_type: 'COSINE' } })).status).toBe(201);

  const ledger = new CrashLedger('crash', seed);
  const reports: RoundReport[] = [];
  for (const [i, plan] of rounds.entries()) {
    const result = await crashRound(svc, start, ledger, seed, i + 1, plan);
    svc = result.svc;
    reports.push(result.report);
    expect(result.report).toEqual({ ...result.report, problems: [] });
  }
  const acked = reports.reduce((n, r) => n + r.writes.ackedRequests, 0);
  expect({ acked: acked > 0, reports }).toEqual({ acked: true, reports });
}
