import type { FastifyInstance } from 'fastify';
import type { GrpcServer } from '../grpc/grpc-server';
import type { Logger } from 'pino';
import { join } from 'node:path';
import { LanceVectorStore } from '../adapters/vector/lance';
import type { Config } from '../config/config';
import { ArrowRecordChunkCodec } from '../adapters/snapshot';
import { AccessControl, SnapshotService, VectorService, type ModelService, type VectorStore } from '../domain';
import { buildGrpc } from '../grpc/build-grpc-server';
import { buildHttp } from '../http/build-http-app';
import { bindHost } from './bind-host';
import { PrometheusMetrics } from '../metrics';
import { buildModels, defaultModels } from './build-models';
import { Readiness } from './readiness';
import { grpcCredentials, httpsOptions, readTlsMaterial } from './tls-material';

/** The composed service: both doors over one domain, not yet listening. */
export interface App {
  readonly vectors: VectorService;
  readonly models: ModelService;
  readonly readiness: Readiness;
  readonly http: FastifyInstance;
  readonly grpc: GrpcServer;
  /** Binds both doors; returns the ports actually bound (useful with port 0). */
  listen(): Promise<{ grpcPort: number; httpPort: number }>;
  /** Stops accepting, drains in-flight calls (up to the grace period), closes the store. */
  close(): Promise<void>;
}

/** The one place that knows which engine is in use. */
export async function openVectorStore(config: Config, logger: Logger): Promise<VectorStore> {
  if (config.vectorBackend === 'milvus') {
    // Loaded only here: the Milvus SDK (protobufjs, parquet, an S3 client) costs 0.3 s of CPU to
    // import, which every start on the embedded engine paid for nothing.
    const { MilvusVectorStore } = require('../adapters/vector/milvus') as typeof import('../adapters/vector/milvus');
    // Connects lazily and reconnects by itself: the service starts (not ready) while Milvus is away.
    return new MilvusVectorStore({
      address: `${config.milvusHost}:${config.milvusPort}`,
      tls: config.milvusTls,
      token: config.milvusToken,
      username: config.milvusUser,
      password: config.milvusPassword,
      database: config.milvusDatabase,
      timeoutMs: config.milvusTimeoutMs,
      logger: logger.child({ component: 'milvus' }),
    });
  }
  return LanceVectorStore.open({
    dataDir: lanceDir(config),
    logger: logger.child({ component: 'lance' }),
    metadataCacheBytes: config.lanceMetadataCacheMb * 1024 * 1024,
    indexCacheBytes: config.lanceIndexCacheMb * 1024 * 1024,
  });
}

/** Where the embedded store keeps its files: DATA_DIR's `vectors/`. */
export function lanceDir(config: Pick<Config, 'dataDir'>): string {
  return join(config.dataDir, 'vectors');
}

/** `env` is the process environment snapshot the openai provider reads named API keys from. */
export async function buildApp(config: Config, logger: Logger, env: Record<string, string | undefined> = {}): Promise<App> {
  const tls = readTlsMaterial(config);
  const metrics = new PrometheusMetrics();
  const store = await openVectorStore(config, logger);
  const models = await buildModels(config, logger, env, metrics);
  const timed = metrics.timeStore(store);
  const vectors = new VectorService(timed, models.textModels());
  const snapshots = new SnapshotService(timed, new ArrowRecordChunkCodec());
  models.guardBindings((model) => vectors.collectionsBoundTo(model));
  const defaults = defaultModels(config).map((m) => m.name);
  const readiness = new Readiness(vectors, models, defaults);
  const access = new AccessControl({
    keys: config.apiKeys,
    metricsPublic: config.metricsPublic,
    rateLimit: { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst },
  });
  watchQueues(metrics, models, store);
  const https = tls && httpsOptions(tls);
  const http = await buildHttp({ vectors, snapshots, models, logger, readiness, bodyLimitBytes: 64 * 1024 * 1024, access, metrics, https });
  const grpc = buildGrpc({ vectors, snapshots, models, logger, readiness, access, telemetry: metrics });

  return {
    vectors,
    models,
    readiness,
    http,
    grpc: grpc.server,
    async listen() {
      const host = bindHost(config, logger);
      const grpcPort = await grpc.server.listen(`${host.includes(':') ? `[${host}]` : host}:${config.grpcPort}`, grpcCredentials(tls));
      await http.listen({ host, port: config.httpPort });
      const address = http.server.address();
      const httpPort = typeof address === 'object' && address !== null ? address.port : config.httpPort;
      const transport = tls === undefined ? 'plaintext' : tls.clientCa === undefined ? 'tls' : 'mutual-tls';
      logger.info({ grpcPort, httpPort, host, backend: store.engine, transport, apiKeys: config.apiKeys.length }, 'taishang-ai listening');
      // Load the default models now rather than on the first call; readiness reports when done.
      void readiness.isReady();
      return { grpcPort, httpPort };
    },
    async close() {
      readiness.beginDraining();
      // A keep-alive socket that never sent a request would hold http.close() until Node's
      // headers timeout; past the grace period every connection is closed.
      const forceHttp = setTimeout(() => http.server.closeAllConnections(), config.shutdownGraceMs);
      forceHttp.unref();
      await Promise.all([http.close(), shutdownGrpc(grpc.server, config.shutdownGraceMs)]);
      clearTimeout(forceHttp);
      grpc.stop();
      await Promise.all([store.close(), models.close()]);
      logger.info('taishang-ai stopped');
    },
  };
}

/** queue_depth reads these on every scrape; Lance's write queues exist only in this process. */
function watchQueues(metrics: PrometheusMetrics, models: ModelService, store: VectorStore): void {
  metrics.watchQueue('embedding', () => models.queueDepths().embedding);
  metrics.watchQueue('generation', () => models.queueDepths().generation);
  if (store instanceof LanceVectorStore) metrics.watchQueue('lance_write', () => store.pendingWrites);
}

/** Graceful first; past the grace period in-flight calls are cancelled. */
async function shutdownGrpc(server: GrpcServer, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
  });
  await Promise.race([server.shutdown(), forced]);
  clearTimeout(timer);
}
