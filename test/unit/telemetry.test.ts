import { Metadata, ServerError, Status, type CallContext, type ServerMiddlewareCall } from 'nice-grpc';
import pino from 'pino';
import { MemoryVectorStore } from '../../src/adapters/vector/memory';
import { AccessControl, VectorService, type ModelService, type ModelOperation, type ProviderName, type Telemetry } from '../../src/domain';
import type { RequestTelemetry } from '../../src/transport/request-telemetry';
import { errors } from '../../src/errors';
import { callScopeMiddleware } from '../support/call-scope-middleware';
import { PrometheusMetrics } from '../../src/metrics';
import { FakeModelProvider } from '../support/fake-model-provider';
import { openModelService } from '../support/model-services';
import { parseExposition, valueOf } from '../support/prometheus-text';

/** Records what the domain reports, in order. */
class RecordingTelemetry implements Telemetry {
  readonly batches: number[] = [];
  readonly calls: { provider: ProviderName; operation: ModelOperation; seconds: number }[] = [];
  embeddingBatch(size: number): void {
    this.batches.push(size);
  }
  modelCall(provider: ProviderName, operation: ModelOperation, seconds: number): void {
    this.calls.push({ provider, operation, seconds });
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ModelService reports to its Telemetry port', () => {
  let provider: FakeModelProvider;
  let telemetry: RecordingTelemetry;
  let svc: ModelService;

  beforeEach(async () => {
    provider = new FakeModelProvider({ maxBatch: 4 });
    telemetry = new RecordingTelemetry();
    svc = await openModelService({ transformers: provider }, { telemetry });
    await svc.register({ name: 'emb', provider: 'transformers', modelId: 'x', parameters: {} });
    await svc.register({ name: 'gen', provider: 'transformers', modelId: 'w', parameters: { kind: 'generation' } });
  });

  afterEach(() => {
    provider.letGo();
  });

  it('one batch size and one timed embed call per provider call, whatever the callers', async () => {
    await svc.embed('emb', ['a', 'b', 'c', 'd', 'e', 'f']);
    expect(provider.embedCalls.map((c) => c.length)).toEqual([4, 2]);
    expect(telemetry.batches).toEqual([4, 2]);
    expect(telemetry.calls.map(({ provider: p, operation }) => `${p}/${operation}`)).toEqual(['transformers/embed', 'transformers/embed']);
    expect(telemetry.calls.every((c) => c.seconds >= 0)).toBe(true);
  });

  it('times generate and stream calls, failed ones included, but not refused ones', async () => {
    await svc.generateText('gen', 'hi', {});
    for await (const chunk of svc.streamGenerateText('gen', 'there', {})) void chunk;
    await expect(svc.generateText('gen', '', {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(async () => {
      for await (const chunk of svc.streamGenerateText('gen', 'fail mid-stream', {})) void chunk;
    }).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(telemetry.calls.map((c) => c.operation)).toEqual(['generate', 'stream', 'stream']);
  });

  it('reads queue depths on demand: texts waiting to embed, calls waiting to generate', async () => {
    expect(svc.queueDepths()).toEqual({ embedding: 0, generation: 0 });
    provider.hold();
    const embeds = [svc.embed('emb', ['1', '2', '3', '4']), svc.embed('emb', ['5', '6', '7'])];
    const generations = ['g1', 'g2', 'g3'].map((p) => svc.generateText('gen', p, {}));
    await flush();
    await flush();
    // The first batch of 4 is with the model; 3 texts wait. One generation runs, two wait.
    expect(svc.queueDepths()).toEqual({ embedding: 3, generation: 2 });
    provider.letGo();
    await Promise.all([...embeds, ...generations]);
    expect(svc.queueDepths()).toEqual({ embedding: 0, generation: 0 });
  });
});

describe('PrometheusMetrics', () => {
  const scrape = async (m: PrometheusMetrics) => parseExposition(await m.render());

  it('keeps one registry per instance', async () => {
    const a = new PrometheusMetrics({ processMetrics: false });
    const b = new PrometheusMetrics({ processMetrics: false });
    a.requestStarted('http');
    a.httpRequestEnded('GET', '/v1/collections', 200, 0.01);
    expect(valueOf(await scrape(a), 'taishang_http_requests_total', { route: '/v1/collections', code: '200' })).toBe(1);
    expect(valueOf(await scrape(b), 'taishang_http_requests_total')).toBe(0);
  });

  it('reuses one child per label set and balances the in-flight gauge', async () => {
    const m = new PrometheusMetrics({ processMetrics: false });
    for (let i = 0; i < 3; i += 1) {
      m.requestStarted('grpc');
      m.grpcCallEnded('VectorService/Search', 'OK', 0.002);
    }
    m.requestStarted('grpc');
    const text = await scrape(m);
    expect(valueOf(text, 'taishang_grpc_requests_total', { method: 'VectorService/Search', code: 'OK' })).toBe(3);
    expect(valueOf(text, 'taishang_grpc_request_duration_seconds_bucket', { method: 'VectorService/Search', code: 'OK', le: '0.005' })).toBe(3);
    expect(valueOf(text, 'taishang_inflight_requests', { door: 'grpc' })).toBe(1);
  });

  it('reads queue depths when scraped', async () => {
    const m = new PrometheusMetrics({ processMetrics: false });
    let waiting = 5;
    m.watchQueue('embedding', () => waiting);
    expect(valueOf(await scrape(m), 'taishang_queue_depth', { queue: 'embedding' })).toBe(5);
    waiting = 0;
    expect(valueOf(await scrape(m), 'taishang_queue_depth', { queue: 'embedding' })).toBe(0);
  });

  it('times store calls that fail as well as those that succeed, and passes results through', async () => {
    const m = new PrometheusMetrics({ processMetrics: false });
    const vectors = new VectorService(m.timeStore(new MemoryVectorStore()));
    await vectors.createCollection({ name: 'c', vectorDim: 2 });
    await vectors.insert('c', [{ id: 'a', vector: [1, 0] }]);
    expect((await vectors.search('c', { queryVector: [1, 0] })).map((h) => h.id)).toEqual(['a']);
    await expect(vectors.search('missing', { queryVector: [1, 0] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const text = await scrape(m);
    const count = (operation: string) => valueOf(text, 'taishang_store_call_duration_seconds_count', { engine: 'memory', operation });
    // One store call per operation; the search of the missing collection failed in its call, which was timed too.
    expect({ createCollection: count('createCollection'), insert: count('insert'), search: count('search') }).toEqual({ createCollection: 1, insert: 1, search: 2 });
    expect(count('getCollection')).toBe(0);
  });
});

describe('gRPC call metrics (call-scope middleware)', () => {
  class RecordingRequests implements RequestTelemetry {
    inflight = 0;
    readonly ended: string[] = [];
    requestStarted(): void {
      this.inflight += 1;
    }
    httpRequestEnded(): void {
      throw new Error('not a REST call');
    }
    grpcCallEnded(method: string, code: string): void {
      this.inflight -= 1;
      this.ended.push(`${method} ${code}`);
    }
  }

  const context = (signal = new AbortController().signal): CallContext => ({ metadata: Metadata(), peer: 'test', header: Metadata(), trailer: Metadata(), sendHeader: () => undefined, signal });

  function call(path: string, outcome: unknown): ServerMiddlewareCall<object, object> {
    return {
      method: { path, requestStream: false, responseStream: false, options: {} },
      requestStream: false,
      request: {},
      responseStream: false,
      async *next(): AsyncGenerator<never, object, undefined> {
        if (outcome !== undefined) throw outcome;
        return {};
      },
    };
  }

  async function run(recorder: RequestTelemetry, path: string, outcome?: unknown, signal?: AbortSignal): Promise<void> {
    const middleware = callScopeMiddleware({
      logger: pino({ level: 'silent' }),
      access: AccessControl.open(),
      telemetry: recorder,
      measuredServices: ['taishang.ai.v1.VectorService', 'grpc.health.v1.Health'],
    });
    await middleware(call(path, outcome) as never, context(signal)).next().catch(() => undefined);
  }

  it('labels methods of measured services as Service/Method, anything else unknown, with the status the client gets', async () => {
    const r = new RecordingRequests();
    await run(r, '/taishang.ai.v1.VectorService/Search');
    await run(r, '/grpc.health.v1.Health/Check', new ServerError(Status.NOT_FOUND, 'unknown service'));
    await run(r, '/some.other.Service/Search');
    await run(r, '/taishang.ai.v1.VectorService/Search', errors.internal(new Error('raw')));
    const aborted = new AbortController();
    aborted.abort();
    await run(r, '/taishang.ai.v1.VectorService/Search', new ServerError(Status.UNAVAILABLE, 'late'), aborted.signal);
    // A path with no access rule is refused (fail closed) and still counted; an unexpected error is INTERNAL on the wire.
    expect(r.ended).toEqual(['VectorService/Search OK', 'Health/Check NOT_FOUND', 'unknown PERMISSION_DENIED', 'VectorService/Search INTERNAL', 'VectorService/Search CANCELLED']);
    expect(r.inflight).toBe(0);
  });
});
