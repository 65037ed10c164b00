import { runCrashRounds, type RoundPlan } from '../support/crash-rounds';
import { startService, type ServiceProcess , LIGHT_START } from '../support/service-process';
import { useTempDir } from '../support/temp-dirs';

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

const data = useTempDir('crash-lance');
/** Every process started, so none outlives a failed round. */
const started: ServiceProcess[] = [];

async function start(): Promise<ServiceProcess> {
  const svc = await startService(data.path, LIGHT_START);
  started.push(svc);
  return svc;
}

afterAll(async () => {
  for (const svc of started) await svc.stop('SIGKILL');
}, 60_000);

it(`loses no acknowledged write over ${ROUNDS.length} SIGKILL rounds (seed ${SEED})`, () => runCrashRounds(start, SEED, ROUNDS), 300_000);
