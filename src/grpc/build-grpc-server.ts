import { createServer, type Server, type ServerMiddleware } from 'nice-grpc';
import { errorDetailsServerMiddleware } from 'nice-grpc-error-details';
import { HealthDefinition, HealthServiceImpl } from 'nice-grpc-server-health';
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection';
import type { Logger } from 'pino';
import { AccessControl, type ModelService, type SnapshotService, type VectorService } from '../domain';
import type { RequestTelemetry } from '../transport/request-telemetry';
import { ModelServiceDefinition } from '../gen/taishang/ai/v1/model_service';
import { VectorServiceDefinition } from '../gen/taishang/ai/v1/vector_service';
import { authMiddleware } from './auth-middleware';
import { errorMappingMiddleware } from './error-mapping-middleware';
import { grpcServerOptions } from './grpc-server-options';
import { startHealthWatcher, type Readiness } from './health-watcher';
import { loggingMiddleware } from './logging-middleware';
import { metricsMiddleware } from './metrics-middleware';
import { modelServiceHandlers } from './model-service-handlers';
import { reflectionDescriptorSet } from './reflection-descriptor-set';
import { createStreamTerminator } from './stream-terminator';
import { vectorServiceHandlers } from './vector-service-handlers';

/** What the gRPC door needs from the composition root (src/app). */
export interface GrpcDeps {
  vectors: VectorService;
  /** ExportSnapshot and ImportSnapshot. */
  snapshots: SnapshotService;
  models: ModelService;
  /** Call logs are children of this logger, each carrying its request id. */
  logger: Logger;
  /** grpc.health.v1 follows it (polled every second): SERVING while true. */
  readiness: Readiness;
  /** API keys, roles and rate limits; absent = no keys, no limits. */
  access?: AccessControl;
  /** Readiness poll period; tests shorten it. */
  healthIntervalMs?: number;
  /** Counts every call (grpc_requests_total, in flight); without it nothing is counted. */
  telemetry?: RequestTelemetry;
}

/** The gRPC door, built but not listening. */
export interface GrpcDoor {
  /**
   * `await server.listen('host:port')` returns the bound port. `shutdown()` (graceful: drains
   * in-flight calls) and `forceShutdown()` first end open health Watch streams and stop the
   * readiness poller, since a Watch never ends on its own and would hold a graceful shutdown.
   */
  server: Server;
  /** Stops the readiness poller (health turns NOT_SERVING) and ends Watch streams; idempotent. */
  stop(): void;
}

/** Stands in for the metrics middleware when none is wanted, keeping one middleware chain. */
const passThrough: ServerMiddleware = (call, context) => call.next(call.request, context);

/**
 * VectorService + ModelService + grpc.health.v1 + server reflection on one nice-grpc server.
 * Middleware order, outermost first: metrics, call logging (request id), google.rpc error details
 * onto the wire, then the ErrorCode → status mapping, so the log line and the metrics see the
 * status the client gets, then the API key and rate-limit check, whose refusals pass through all.
 */
export function buildGrpc(deps: GrpcDeps): GrpcDoor {
  const logger = deps.logger.child({ door: 'grpc' });
  const descriptors = reflectionDescriptorSet();
  const services = [VectorServiceDefinition.fullName, ModelServiceDefinition.fullName];
  const served = [...services, HealthDefinition.fullName];
  const health = startHealthWatcher({
    readiness: deps.readiness,
    services,
    logger,
    intervalMs: deps.healthIntervalMs,
  });
  const terminator = createStreamTerminator();

  // Outermost, so a call any inner middleware refuses is still counted. Reflection is a grpc-js
  // definition without a fullName; its name comes from its one method's path.
  const measured = [...served, ServerReflectionService.serverReflectionInfo.path.split('/')[1]!];
  const server = createServer(grpcServerOptions())
    .use(deps.telemetry ? metricsMiddleware(deps.telemetry, measured) : passThrough)
    .use(loggingMiddleware(logger))
    .use(errorDetailsServerMiddleware)
    .use(errorMappingMiddleware)
    .use(authMiddleware(deps.access ?? AccessControl.open()));
  server.add(VectorServiceDefinition, vectorServiceHandlers(deps.vectors, deps.snapshots));
  server.add(ModelServiceDefinition, modelServiceHandlers(deps.models));
  server.with(terminator.middleware).add(HealthDefinition, HealthServiceImpl(health.state));
  server.add(ServerReflectionService, ServerReflection(descriptors, served));

  const stop = (): void => {
    health.stop();
    terminator.terminate();
  };

  return {
    server: {
      ...server,
      async shutdown() {
        stop();
        await server.shutdown();
      },
      forceShutdown() {
        stop();
        server.forceShutdown();
      },
    },
    stop,
  };
}
