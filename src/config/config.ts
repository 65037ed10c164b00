import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { loadApiKeys } from './api-keys';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

/** Every setting the service reads, with its default. Names follow CONVENTIONS.md. */
export const ConfigSchema = Type.Object({
  host: Type.String({ minLength: 1 }),
  grpcPort: Port,
  httpPort: Port,
  dataDir: Type.String({ minLength: 1 }),
  /** Which VectorStore serves the collections: embedded LanceDB in dataDir, or a Milvus server. */
  vectorBackend: Type.Union([Type.Literal('lance'), Type.Literal('milvus')]),
  /** Embedded LanceDB cache sizes in MiB: metadata (manifests, file footers) and index parts. */
  lanceMetadataCacheMb: Type.Integer({ minimum: 1, maximum: 1_048_576 }),
  lanceIndexCacheMb: Type.Integer({ minimum: 1, maximum: 1_048_576 }),
  milvusHost: Type.String({ minLength: 1 }),
  milvusPort: Port,
  /** Milvus credentials: user + password, or a token ("user:password" or an API key); empty = none. */
  milvusUser: Type.String(),
  milvusPassword: Type.String(),
  milvusToken: Type.String(),
  milvusTls: Type.Boolean(),
  /** The Milvus database holding this service's collections (created at start if missing). */
  milvusDatabase: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
  /** Upper bound of one Milvus call when the caller set no deadline (loads and compaction excepted). */
  milvusTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
  modelCacheDir: Type.String({ minLength: 1 }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  /** API_KEYS and API_KEYS_FILE: each key's name, SHA-256 and roles (the keys themselves are not kept). */
  apiKeys: Type.Array(
    Type.Object({
      name: Type.String({ minLength: 1 }),
      sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
      roles: Type.Array(Type.Union([Type.Literal('read'), Type.Literal('write'), Type.Literal('admin')])),
      rateLimitPerSecond: Type.Optional(Type.Number({ minimum: 0 })),
    }),
  ),
  /** With no keys, bind HOST anyway instead of loopback only. Ignored when keys are configured. */
  allowUnauthenticated: Type.Boolean(),
  /** /metrics without a key even when keys are configured. */
  metricsPublic: Type.Boolean(),
  /** Calls per second per key (or per address when auth is off); 0 = no limit. */
  rateLimitPerSecond: Type.Number({ minimum: 0 }),
  /** Token-bucket size; defaults to twice the rate (at least 1). */
  rateLimitBurst: Type.Number({ minimum: 0 }),
  /** Let transformers.js fetch missing weights from the hub into modelCacheDir (needs internet). */
  allowRemoteModels: Type.Boolean(),
  /** Registered on first start (empty registry file): the default embedding model. */
  embeddingModelName: Type.String({ minLength: 1 }),
  embeddingModelId: Type.String({ minLength: 1 }),
  /** Worker threads per transformers embedding model, each with its own copy of the weights. */
  embeddingThreads: Type.Integer({ minimum: 1, maximum: 64 }),
  /** Registered on first start: the default text generation model (a GGUF under modelCacheDir). */
  textModelName: Type.String({ minLength: 1 }),
  textModelId: Type.String({ minLength: 1 }),
  /**
   * false: the default text model is registered disabled, for a deployment that only embeds and
   * searches. No GGUF is then loaded at start (about half a start's CPU) and readiness waits for
   * none; enabling it later (UpdateModel) loads it on its first call.
   */
  textModelEnabled: Type.Boolean(),
  /**
   * Registered on first start: the default reranker (transformers). By default a bi-encoder over
   * the embedding model's weights, since no cross-encoder weights are fetchable here (MODELS.md).
   */
  rerankModelName: Type.String({ minLength: 1 }),
  rerankModelId: Type.String({ minLength: 1 }),
  rerankModelArchitecture: Type.Union([Type.Literal('bi-encoder'), Type.Literal('cross-encoder')]),
  /** Milliseconds SIGTERM waits for in-flight calls before closing anyway. */
  shutdownGraceMs: Type.Integer({ minimum: 0, maximum: 600_000 }),
  /** PEM certificate chain and key: both set = gRPC and HTTPS over TLS on the same ports; empty = plaintext. */
  tlsCertFile: Type.String(),
  tlsKeyFile: Type.String(),
  /** PEM CA bundle: when set, both doors require client certificates signed by it (mutual TLS). */
  tlsClientCaFile: Type.String(),
  /** Hosts `openai` model base URLs may point at (host, host:port, *.domain); empty = any host. */
  providerHosts: Type.Array(Type.String()),
  /** Generation streams (gRPC, SSE, OpenAI streaming) open at once; one more is refused with 429. */
  maxConcurrentStreams: Type.Integer({ minimum: 1, maximum: 100_000 }),
});

export type Config = Readonly<Static<typeof ConfigSchema>>;

/** env variable → [config key, parser]. Numbers that do not parse stay strings so validation names them. */
const ENV: Record<string, [keyof Config, (raw: string) => unknown]> = {
  HOST: ['host', String],
  GRPC_PORT: ['grpcPort', toInt],
  HTTP_PORT: ['httpPort', toInt],
  DATA_DIR: ['dataDir', String],
  VECTOR_BACKEND: ['vectorBackend', String],
  LANCE_METADATA_CACHE_MB: ['lanceMetadataCacheMb', toInt],
  LANCE_INDEX_CACHE_MB: ['lanceIndexCacheMb', toInt],
  MILVUS_HOST: ['milvusHost', String],
  MILVUS_PORT: ['milvusPort', toInt],
  MILVUS_USER: ['milvusUser', String],
  MILVUS_PASSWORD: ['milvusPassword', String],
  MILVUS_TOKEN: ['milvusToken', String],
  MILVUS_TLS: ['milvusTls', toBool],
  MILVUS_DATABASE: ['milvusDatabase', String],
  MILVUS_TIMEOUT_MS: ['milvusTimeoutMs', toInt],
  MODEL_CACHE_DIR: ['modelCacheDir', String],
  LOG_LEVEL: ['logLevel', String],
  ALLOW_UNAUTHENTICATED: ['allowUnauthenticated', toBool],
  METRICS_PUBLIC: ['metricsPublic', toBool],
  RATE_LIMIT_PER_SECOND: ['rateLimitPerSecond', toNumber],
  RATE_LIMIT_BURST: ['rateLimitBurst', toNumber],
  ALLOW_REMOTE_MODELS: ['allowRemoteModels', toBool],
  EMBEDDING_MODEL_NAME: ['embeddingModelName', String],
  EMBEDDING_MODEL_ID: ['embeddingModelId', String],
  EMBEDDING_THREADS: ['embeddingThreads', toInt],
  TEXT_MODEL_NAME: ['textModelName', String],
  TEXT_MODEL_ID: ['textModelId', String],
  TEXT_MODEL_ENABLED: ['textModelEnabled', toBool],
  RERANK_MODEL_NAME: ['rerankModelName', String],
  RERANK_MODEL_ID: ['rerankModelId', String],
  RERANK_MODEL_ARCHITECTURE: ['rerankModelArchitecture', String],
  SHUTDOWN_GRACE_MS: ['shutdownGraceMs', toInt],
  MAX_CONCURRENT_STREAMS: ['maxConcurrentStreams', toInt],
  PROVIDER_HOSTS: ['providerHosts', toList],
  TLS_CERT_FILE: ['tlsCertFile', String],
  TLS_KEY_FILE: ['tlsKeyFile', String],
  TLS_CLIENT_CA_FILE: ['tlsClientCaFile', String],
};

const DEFAULTS: Config = {
  host: '0.0.0.0',
  grpcPort: 50051,
  httpPort: 8083,
  dataDir: './data',
  vectorBackend: 'lance',
  lanceMetadataCacheMb: 64,
  lanceIndexCacheMb: 6144,
  milvusHost: 'localhost',
  milvusPort: 19530,
  milvusUser: '',
  milvusPassword: '',
  milvusToken: '',
  milvusTls: false,
  milvusDatabase: 'default',
  milvusTimeoutMs: 30_000,
  modelCacheDir: './models',
  logLevel: 'info',
  apiKeys: [],
  allowUnauthenticated: false,
  metricsPublic: false,
  rateLimitPerSecond: 0,
  rateLimitBurst: 0,
  allowRemoteModels: false,
  embeddingModelName: 'all-MiniLM-L6-v2',
  embeddingModelId: 'Xenova/all-MiniLM-L6-v2',
  embeddingThreads: 2,
  textModelName: 'SmolLM2-135M-Instruct',
  textModelId: 'SmolLM2-135M-Instruct.Q4_1.gguf',
  textModelEnabled: true,
  rerankModelName: 'all-MiniLM-L6-v2-rerank',
  rerankModelId: 'Xenova/all-MiniLM-L6-v2',
  rerankModelArchitecture: 'bi-encoder',
  shutdownGraceMs: 10_000,
  providerHosts: [],
  maxConcurrentStreams: 64,
  tlsCertFile: '',
  tlsKeyFile: '',
  tlsClientCaFile: '',
};

export class ConfigError extends Error {}

/**
 * Builds the one config object from an environment, validated once and frozen. Every bad value is
 * reported in one message, naming the variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const candidate: Record<string, unknown> = { ...DEFAULTS };
  const sourceOf: Record<string, string> = {};
  for (const [name, [key, parse]] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    candidate[key] = parse(raw);
    sourceOf[key] = name;
  }
  // API_KEYS/API_KEYS_FILE have their own parser: its problems name entries, never the keys.
  const apiKeys = loadApiKeys(env);
  candidate.apiKeys = apiKeys.keys;
  Object.assign(candidate, overrides);
  if (sourceOf.rateLimitBurst === undefined && overrides.rateLimitBurst === undefined && typeof candidate.rateLimitPerSecond === 'number') {
    candidate.rateLimitBurst = Math.max(1, 2 * candidate.rateLimitPerSecond);
  }
  const problems = [...Value.Errors(ConfigSchema, candidate)].map((e) => {
    const key = e.path.split('/')[1] ?? '';
    const name = sourceOf[key] ?? key;
    return `${name}=${JSON.stringify(candidate[key])}: ${e.message}`;
  });
  problems.push(...credentialProblems(candidate), ...apiKeys.problems);
  problems.push(...providerHostProblems(candidate));
  problems.push(...tlsProblems(candidate));
  const { rateLimitPerSecond: rate, rateLimitBurst: burst } = candidate;
  if (typeof rate === 'number' && rate > 0 && typeof burst === 'number' && burst < 1) problems.push('RATE_LIMIT_BURST must be at least 1 when RATE_LIMIT_PER_SECOND is set');
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${[...new Set(problems)].join('; ')}`);
  return Object.freeze(candidate as Config);
}

/** Milvus takes one way of authenticating; half a pair would fail only at the first call. Secrets are never echoed. */
function credentialProblems(c: Record<string, unknown>): string[] {
  const has = (key: string): boolean => typeof c[key] === 'string' && c[key] !== '';
  const problems: string[] = [];
  if (has('milvusUser') !== has('milvusPassword')) problems.push('MILVUS_USER and MILVUS_PASSWORD must be set together');
  if (has('milvusToken') && has('milvusUser')) problems.push('set MILVUS_TOKEN or MILVUS_USER/MILVUS_PASSWORD, not both');
  return problems;
}

/** The files themselves are read (and checked) once at start, by the composition root. */
function tlsProblems(c: Record<string, unknown>): string[] {
  const has = (key: string): boolean => typeof c[key] === 'string' && c[key] !== '';
  const problems: string[] = [];
  if (has('tlsCertFile') !== has('tlsKeyFile')) problems.push('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  else if (has('tlsClientCaFile') && !has('tlsCertFile')) problems.push('TLS_CLIENT_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE');
  return problems;
}

/**
 * PROVIDER_HOSTS entries are `host`, `host:port`, `*.domain` or `*.domain:port` (IPv6 in brackets);
 * the openai provider's HostAllowlist matches them with the same reading.
 */
function providerHostProblems(c: Record<string, unknown>): string[] {
  const entries = Array.isArray(c.providerHosts) ? (c.providerHosts as unknown[]) : [];
  const bad = entries.filter((e) => typeof e !== 'string' || !isHostEntry(e));
  return bad.length === 0 ? [] : [`PROVIDER_HOSTS: ${bad.map((b) => JSON.stringify(b)).join(', ')}: expected host, host:port or *.domain entries`];
}

function isHostEntry(entry: string): boolean {
  const rest = entry.replace(/^\*\./, '');
  const port = /:(\d{1,5})$/.exec(rest);
  if (/[*/\s]/.test(rest) || rest.endsWith(':') || !URL.canParse(`http://${rest}`)) return false;
  if (port !== null && (Number(port[1]) < 1 || Number(port[1]) > 65535)) return false;
  const url = new URL(`http://${rest}`);
  return url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '';
}

function toList(raw: string): string[] {
  return raw.split(',').map((k) => k.trim()).filter((k) => k !== '');
}

function toBool(raw: string): unknown {
  const v = raw.trim().toLowerCase();
  return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : raw;
}

function toNumber(raw: string): unknown {
  return /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
}

function toInt(raw: string): unknown {
  return /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
}
