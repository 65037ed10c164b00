import { runCrashRounds, type RoundPlan } from '../support/crash-rounds';
import { startMilvusTestServer, type MilvusTestServer } from '../support/milvus-test-server';
import { startService, type ServiceProcess , LIGHT_START } from '../support/service-process';
import { useTempDir } from '../support/temp-dirs';

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
const data = useTempDir('crash-milvus');
const started: ServiceProcess[] = [];

async function start(): Promise<ServiceProcess> {
  const svc = await startService(data.path, {
    ...LIGHT_START,
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
}, 600_000);

afterAll(async () => {
  for (const svc of started) await svc.stop('SIGKILL');
  await milvus?.dispose();
}, 120_000);

it(`loses no acknowledged write over ${ROUNDS.length} SIGKILL rounds of the service (seed ${SEED})`, () => runCrashRounds(start, SEED, ROUNDS), 300_000);
