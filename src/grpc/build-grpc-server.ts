import { HealthDefinition, HealthServiceImpl } from 'nice-grpc-server-health';
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection';
import type { Logger } from 'pino';
import { AccessControl, type ModelService, type SnapshotService, type VectorService } from '../domain';
import type { RequestTelemetry } from '../transport/request-telemetry';
import { ModelServiceDefinition } from '../gen/taishang/ai/v1/model_service';
import { VectorServiceDefinition } from '../gen/taishang/ai/v1/vector_service';
import { callScopes } from './call-scope';
import { GrpcServerBuilder, type GrpcServer } from './grpc-server';
import { grpcServerOptions } from './grpc-server-options';
import { startHealthWatcher, type Readiness } from './health-watcher';
import { modelServiceHandlers } from './model-service-handlers';
import { reflectionDescriptorSet } from './reflection-descriptor-set';
import { createStreamTerminator } from './stream-terminator';
import { decodeWriteRequest } from './vector-request-decoding';
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
  server: GrpcServer;
  /** Stops the readiness poller (health turns NOT_SERVING) and ends Watch streams; idempotent. */
  stop(): void;
}

/**
 * VectorService + ModelService + grpc.health.v1 + server reflection on one grpc-js server, unary
 * methods on handlers of ours and streams on nice-grpc's (grpc-server.ts). One scope wraps every
 * call (call-scope.ts: metrics, request id and call
 * log, API key and rate limit, the ErrorCode → status mapping with google.rpc details), so the log
 * line and the metrics see the status the client gets and refusals are logged and counted too.
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

  // Reflection is a grpc-js definition without a fullName; its name comes from its one method's path.
  const measured = [...served, ServerReflectionService.serverReflectionInfo.path.split('/')[1]!];
  const server = new GrpcServerBuilder(
    grpcServerOptions(),
    callScopes({ logger, access: deps.access ?? AccessControl.open(), telemetry: deps.telemetry, measuredServices: measured, unloggedServices: [HealthDefinition.fullName] }),
  );
  server.add(VectorServiceDefinition, vectorServiceHandlers(deps.vectors, deps.snapshots), { requestDecoders: { insert: (bytes) => decodeWriteRequest(bytes), upsert: (bytes) => decodeWriteRequest(bytes) } });
  server.add(ModelServiceDefinition, modelServiceHandlers(deps.models));
  // Only a Watch can outlive a shutdown; the terminator wraps streams only, so Check is spared it.
  server.add(HealthDefinition, HealthServiceImpl(health.state), { streamMiddleware: terminator.middleware });
  server.add(ServerReflectionService, ServerReflection(descriptors, served));

  const stop = (): void => {
    health.stop();
    terminator.terminate();
  };

  return {
    server: {
      listen: (address, credentials) => server.listen(address, credentials),
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
