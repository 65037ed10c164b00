/** The benchmark's parameters: the numbers by default, BENCH_* variables for quick trial runs. */
export interface BenchConfig {
  /** Stored vectors (issue 2: 100k). */
  count: number;
  /** Dimensions (issue 2: 384). */
  dim: number;
  clusters: number;
  /** Held-out query vectors; calls cycle through them. */
  queries: number;
  /** Queries whose exact and HNSW top-k are compared (recall@k). */
  recallQueries: number;
  seed: number;
  /** Vectors per Insert (issue 2: 500). */
  batch: number;
  topK: number;
  /** Calls per FLAT measurement (exact search over every row is slow). */
  flatCalls: number;
  /** Calls per HNSW measurement. */
  hnswCalls: number;
  /** Each measurement's calls are split into this many rounds, alternating between the doors. */
  rounds: number;
  /** Client concurrencies measured for each door and index. */
  concurrencies: number[];
  /** Extra node flags for the service process (BENCH_SERVICE_NODE_ARGS, space-separated), e.g. `--cpu-prof`. */
  serviceNodeArgs: string[];
}

const DEFAULTS: BenchConfig = {
  count: 100_000,
  dim: 384,
  clusters: 100,
  queries: 1000,
  recallQueries: 250,
  seed: 20240602,
  batch: 500,
  topK: 10,
  flatCalls: 150,
  hnswCalls: 1500,
  rounds: 3,
  concurrencies: [1, 8, 32],
  serviceNodeArgs: [],
};

const INT_VARS: Record<string, keyof Omit<BenchConfig, 'concurrencies' | 'serviceNodeArgs'>> = {
  BENCH_COUNT: 'count',
  BENCH_DIM: 'dim',
  BENCH_CLUSTERS: 'clusters',
  BENCH_QUERIES: 'queries',
  BENCH_RECALL_QUERIES: 'recallQueries',
  BENCH_SEED: 'seed',
  BENCH_BATCH: 'batch',
  BENCH_TOPK: 'topK',
  BENCH_FLAT_CALLS: 'flatCalls',
  BENCH_HNSW_CALLS: 'hnswCalls',
  BENCH_ROUNDS: 'rounds',
};

/** Reads the overrides; a value that is not a positive integer stops the run before anything starts. */
export function benchConfig(env: Record<string, string | undefined> = process.env): BenchConfig {
  const config: BenchConfig = { ...DEFAULTS, concurrencies: [...DEFAULTS.concurrencies], serviceNodeArgs: [] };
  const problems: string[] = [];
  for (const [name, key] of Object.entries(INT_VARS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = positiveInt(raw);
    if (value === null) problems.push(`${name}=${raw}`);
    else config[key] = value;
  }
  const rawConcurrency = env.BENCH_CONCURRENCY;
  if (rawConcurrency !== undefined && rawConcurrency !== '') {
    const values = rawConcurrency.split(',').map(positiveInt);
    if (values.some((v) => v === null)) problems.push(`BENCH_CONCURRENCY=${rawConcurrency}`);
    else config.concurrencies = values as number[];
  }
  config.serviceNodeArgs = (env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  if (config.recallQueries > config.queries) problems.push(`BENCH_RECALL_QUERIES=${config.recallQueries} exceeds BENCH_QUERIES=${config.queries}`);
  if (config.topK > 1024) problems.push(`BENCH_TOPK=${config.topK} exceeds 1024`);
  if (problems.length > 0) throw new Error(`invalid benchmark settings (positive integers expected): ${problems.join('; ')}`);
  return config;
}

function positiveInt(raw: string): number | null {
  const trimmed = raw.trim();
  return /^\d+$/.test(trimmed) && Number(trimmed) > 0 ? Number(trimmed) : null;
}
