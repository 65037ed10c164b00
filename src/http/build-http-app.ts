import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { AccessControl, limits } from '../domain';
import { registerAccessChecks } from './auth-hook';
import { answerClientError } from './client-errors';
import { bodyLimitOf } from './body-limits';
import { registerErrorHandlers, sendError } from './error-handlers';
import type { HttpApp } from './http-app-type';
import type { HttpDeps } from './http-deps';
import { acceptOnlyJsonBodies } from './json-body-parser';
import { metricsHook } from './metrics-hook';
import { openAiRoutes } from './openai-api/openai-routes';
import { registerOpenApi } from './openapi';
import { refuseUnservedMethods } from './method-not-allowed';
import { DOMAIN_RULES } from './schemas/common-schemas';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';
import { watchClientDisconnect } from './request-signal';
import { aliasRoutes } from './routes/alias-routes';
import { collectionRoutes } from './routes/collection-routes';
import { healthRoutes } from './routes/health-routes';
import { indexRoutes } from './routes/index-routes';
import { listingRoutes } from './routes/listing-routes';
import { metricsRoutes } from './routes/metrics-routes';
import { modelRoutes } from './routes/model-routes';
import { searchRoutes } from './routes/search-routes';
import { snapshotRoutes } from './routes/snapshot-routes';
import { vectorRoutes } from './routes/vector-routes';
import type { TypeBoxProvider } from './typebox-provider';

const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The REST door: every VectorService and ModelService route of CONVENTIONS.md, OpenAPI and Swagger
 * UI, problem+json errors. Returns the app ready but not listening; the caller listens and closes it.
 */
export async function buildHttp(deps: HttpDeps): Promise<FastifyInstance> {
  const bodyLimitBytes = deps.bodyLimitBytes ?? limits.maxMessageBytes;
  // Fastify's types only need the base logger interface; keeping it avoids pino-specific generics.
  const logger: FastifyBaseLogger = deps.logger;
  const app: HttpApp = Fastify({
    // HTTPS changes only the socket; routes, hooks and types are the same as over HTTP.
    ...(deps.https === undefined ? {} : ({ https: deps.https } as object)),
    loggerInstance: logger,
    bodyLimit: bodyLimitBytes,
    genReqId: requestIdFrom,
    requestIdHeader: false,
    logController: new LogController({
      // The same log key the gRPC door uses, so one query finds a request on either door.
      requestIdLogLabel: 'requestId',
      // Orchestrators probe every few seconds; two log lines per probe would drown the rest.
      disableRequestLogging: (request) => PROBE_PATHS.has(request.url),
    }),
    routerOptions: {
      // Room for a 512-byte id percent-encoded (3 characters a byte), so that the domain, not the
      // router's 414, rejects longer ids with a 400 naming the field. Fastify's default is 100.
      maxParamLength: 4 * limits.maxIdBytes,
    },
    // HEAD /v1/collections/{name} is HasCollection, not the body-less twin of GetCollectionInfo.
    exposeHeadRoutes: false,
    ajv: {
      // Fastify's defaults would turn "1.5" into 1.5 in a vector and silently drop unknown fields;
      // both must be errors (ARCHITECTURE.md: no type coercion on vectors).
      // DOMAIN_RULES only annotates: the OpenAPI document declares those rules, the domain checks them.
      customOptions: { coerceTypes: false, removeAdditional: false, keywords: [DOMAIN_RULES] },
    },
    frameworkErrors: (error, request, reply) => sendError(error, request, reply, bodyLimitBytes),
    // Requests Node's parser refuses before any route (headers over 16 KiB, garbage): problem+json too.
    clientErrorHandler: answerClientError,
  }).withTypeProvider<TypeBoxProvider>();

  // Before any route is added, so every route (the OpenAI scope's too) gets its own limit.
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= bodyLimitOf((route.schema as { operationId?: string } | undefined)?.operationId, bodyLimitBytes);
  });
  acceptOnlyJsonBodies(app);
  registerErrorHandlers(app, bodyLimitBytes);
  if (deps.metrics) app.addHook('onRequest', metricsHook(deps.metrics));
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    watchClientDisconnect(request, reply, done);
  });
  const access = deps.access ?? AccessControl.open();
  registerAccessChecks(app, access);
  refuseUnservedMethods(app);

  await registerOpenApi(app, access, deps.openapi);
  collectionRoutes(app, deps.vectors);
  indexRoutes(app, deps.vectors);
  vectorRoutes(app, deps.vectors);
  searchRoutes(app, deps.vectors);
  listingRoutes(app, deps.vectors);
  aliasRoutes(app, deps.vectors);
  await snapshotRoutes(app, deps.snapshots);
  healthRoutes(app, deps.vectors, deps.readiness);
  if (deps.metrics) metricsRoutes(app, deps.metrics);
  modelRoutes(app, deps.models);
  openAiRoutes(app, deps.models, bodyLimitBytes);

  await app.ready();
  return app;
}
