import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashRound, type RoundPlan, type RoundReport } from '../support/crash-rounds';
import { CrashLedger, DIM } from '../support/crash-workload';
import { startMilvusTestServer, type MilvusTestServer } from '../support/milvus-test-server';
import { rest, startService, type ServiceProcess } from '../support/service-process';

/**
 * Crash durability with VECTOR_BACKEND=milvus: the service process is SIGKILLed at a seeded point
 * while it writes over both doors; Milvus keeps running. After the service restarts, every write
 * it acknowledged must be in Milvus as acknowledged.
 */
const SEED = 20261126;
const ROUNDS: RoundPlan[] = [
  {},
  // Compact (flush + compaction) killed midway.
  { maintenance: { name: 'compact', run: (svc) => svc.vectors.compact({ collectionName: 'crash' }) } },
  {},
];

let milvus: MilvusTestServer;
let dataDir: string;
const started: ServiceProcess[] = [];

async function start(): Promise<ServiceProcess> {
  const svc = await startService(dataDir, {
    VECTOR_BACKEND: 'milvus',
    MILVUS_HOST: milvus.host,
    MILVUS_PORT: String(milvus.port),
    MILVUS_DATABASE: 'taishang_crash',
  });
  started.push(svc);
  return svc;
}

beforeAll(async () => {
  milvus = await startMilvusTestServer();
  dataDir = await mkdtemp(join(tmpdir(), 'taishang-crash-milvus-'));
}, 600_000);

afterAll(async () => {
  for (const svc of started) await svc.stop('SIGKILL');
  await milvus?.dispose();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 120_000);

it(`loses no acknowledged write over ${ROUNDS.length} SIGKILL rounds of the service (seed ${SEED})`, async () => {
  let svc = await start();
  // The crash is about the store: without default models a restart is ready once Milvus answers.
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
