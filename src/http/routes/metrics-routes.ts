import type { HttpApp } from '../http-app-type';
import type { MetricsExposition } from '../http-deps';

const EXAMPLE =
  '# HELP taishang_http_requests_total REST requests answered, by route pattern and status code.\n' +
  '# TYPE taishang_http_requests_total counter\n' +
  'taishang_http_requests_total{method="POST",route="/v1/collections/:name/search",code="200"} 42\n';

/** Prometheus scrapes /metrics; who may read it is the auth hook's business (`access: 'metrics'`). */
export function metricsRoutes(app: HttpApp, metrics: MetricsExposition): void {
  app.get(
    '/metrics',
    {
      config: { access: 'metrics' },
      schema: {
        operationId: 'metrics',
        tags: ['health'],
        summary: 'Prometheus metrics',
        description:
          'Prometheus text exposition: request counts and latencies per route and RPC, in-flight calls, embedding batch ' +
          'sizes, queue depths, model and store latencies (families prefixed taishang_; see docs/API.md, "Metrics").',
        response: {
          200: {
            description: 'The current values in the Prometheus text format.',
            content: { 'text/plain': { schema: { type: 'string' }, example: EXAMPLE } },
          },
        },
      },
    },
    async (_request, reply) => {
      const text = await metrics.render();
      return reply.type(metrics.contentType).send(text);
    },
  );
}
