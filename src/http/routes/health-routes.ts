import { OPERATION_ACCESS, type VectorService } from '../../domain';
import type { HttpDeps } from '../http-deps';
import type { HttpApp } from '../http-app-type';
import { callOptions } from '../request-signal';
import { HealthResponse, ProbeResponse } from '../schemas/health-schemas';
import { problemResponses } from '../schemas/problem-schemas';

const tags = ['health'];

/** The Health RPC plus the two probes orchestrators use. */
export function healthRoutes(app: HttpApp, vectors: VectorService, readiness: HttpDeps['readiness']): void {
  app.get(
    '/v1/health',
    {
      config: { access: OPERATION_ACCESS['VectorService.Health'] },
      schema: {
        operationId: 'health',
        tags,
        summary: 'Vector engine health',
        description: 'Health: 200 with {healthy, message} whether or not the engine is healthy, like the RPC. Probes should use /readyz.',
        response: { 200: HealthResponse, ...problemResponses() },
      },
    },
    async (request) => vectors.health(callOptions(request)),
  );

  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'alive',
        tags,
        summary: 'Liveness probe',
        description: 'Always 200 {status: "ok"} while the process serves HTTP.',
        response: { 200: { ...ProbeResponse, examples: [{ status: 'ok' }] } },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'ready',
        tags,
        summary: 'Readiness probe',
        description: '200 {status: "ready"} when the vector engine answers; 503 {status: "not_ready"} while it does not or shutdown has begun.',
        response: { 200: ProbeResponse, 503: { ...ProbeResponse, examples: [{ status: 'not_ready' }] } },
      },
    },
    async (_request, reply) => {
      const ready = await readiness.isReady().catch(() => false);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready' });
    },
  );
}
