import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashRound, type RoundPlan, type RoundReport } from '../support/crash-rounds';
import { CrashLedger, DIM } from '../support/crash-workload';
import { rest, startService, type ServiceProcess } from '../support/service-process';

/**
 * Crash durability of the embedded store: the real service process ingests over both doors and is
 * SIGKILLed at a seeded point in each round; after a restart on the same DATA_DIR every
 * acknowledged write must be stored as acknowledged. Each round writes on top of the last one.
 */
const SEED = 20261125;
const ROUNDS: RoundPlan[] = [
  {},
  // Compaction (rewrites fragments, prunes versions) killed midway.
  { maintenance: { name: 'compact', run: (svc) => svc.vectors.compact({ collectionName: 'crash' }) } },
  {},
  // Index builds killed midway: enough rows to train one (5,000), then CreateIndex over and over.
  {
    bulkRows: 5000,
    maintenance: {
      name: 'createIndex',
      run: async (svc) => {
        await svc.vectors.createIndex({ collectionName: 'crash', indexParams: { indexType: 'HNSW', metricType: 'COSINE' } });
        await svc.vectors.createIndex({ collectionName: 'crash', indexParams: { indexType: 'IVF_FLAT', metricType: 'COSINE' } });
      },
    },
  },
  {},
];

let dataDir: string;
/** Every process started, so none outlives a failed round. */
const started: ServiceProcess[] = [];

async function start(): Promise<ServiceProcess> {
  const svc = await startService(dataDir);
  started.push(svc);
  return svc;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'taishang-crash-lance-'));
});

afterAll(async () => {
  for (const svc of started) await svc.stop('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

it(`loses no acknowledged write over ${ROUNDS.length} SIGKILL rounds (seed ${SEED})`, async () => {
  let svc = await start();
  // The crash is about the store: without default models a restart is ready once the store is open.
  for (const model of (await rest(svc.baseUrl, 'GET', '/v1/models')).body.models as { name: string }[]) {
    expect((await rest(svc.baseUrl, 'DELETE', `/v1/models/${model.name}`)).status).toBe(200);
  }
  expect((await rest(svc.baseUrl, 'POST', '/v1/collections', { name: 'crash', vector_dim: DIM, index_params: { metric_type: 'COSINE' } })).status).toBe(201);

  const ledger = new CrashLedger('crash', SEED);
  const reports: RoundReport[] = [];
  for (const [i, plan] of ROUNDS.entries()) {
    const result = await crashRound(svc, start, ledger, SEED, i + 1, plan);
    svc = result.svc;
    reports.push(result.report);
    expect(result.report).toEqual({ ...result.report, problems: [] });
  }
  // The rounds did exercise something: writes were acknowledged before the kills.
  const acked = reports.reduce((n, r) => n + r.writes.ackedRequests, 0);
  expect({ acked: acked > 0, reports }).toEqual({ acked: true, reports });
}, 300_000);
