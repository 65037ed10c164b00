import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ModelOperation, ProviderName, QueueName, Telemetry, VectorStore } from '../domain';
import type { Door, RequestTelemetry } from '../transport/request-telemetry';
import { TimedVectorStore } from './timed-vector-store-decorator';
import { cached } from './cached';
import { SeriesHistogram, type HistogramSeries } from './series-histogram';

/** Every family name starts with it, the default Node process metrics included. */
export const METRIC_PREFIX = 'taishang_';

/** Request and model latencies: from a cached lookup to a long generation. */
const CALL_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Engine calls: sub-millisecond reads up to index builds and compaction. */
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Texts per provider call: powers of two up to well past any provider's batch. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

interface Series {
  count: Counter.Internal;
  seconds: HistogramSeries;
  /** Calls ended since the last scrape, added to `count` when scraped. */
  unscraped: number;
}

export interface PrometheusMetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag, GC) under the same prefix; default true. */
  processMetrics?: boolean;
}

/**
 * The Prometheus side of the telemetry ports: one registry per instance (not prom-client's global
 * one), so several apps in one process, as in tests, keep separate counts. Labelled children are
 * cached in nested maps keyed by the label values, so recording a call is a few map lookups and
 * builds no strings; label values come only from bounded sets (see RequestTelemetry).
 */
export class PrometheusMetrics implements Telemetry, RequestTelemetry {
  readonly registry = new Registry();

  private readonly httpRequests: Counter<'method' | 'route' | 'code'>;
  private readonly httpSeconds: SeriesHistogram<'method' | 'route' | 'code'>;
  private readonly grpcRequests: Counter<'method' | 'code'>;
  private readonly grpcSeconds: SeriesHistogram<'method' | 'code'>;
  private readonly batchSizes: HistogramSeries;
  private readonly modelSeconds: SeriesHistogram<'provider' | 'operation'>;
  private readonly storeSeconds: SeriesHistogram<'engine' | 'operation'>;
  /** Calls in flight per door, read when scraped. */
  private readonly inflight: Record<Door, number> = { http: 0, grpc: 0 };
  private readonly queues = new Map<QueueName, () => number>();

  /** route → method → code → series */
  private readonly httpSeries = new Map<string, Map<string, Map<number, Series>>>();
  /** method → code → series */
  private readonly grpcSeries = new Map<string, Map<string, Series>>();
  /** provider → operation → histogram child */
  private readonly modelChildren = new Map<ProviderName, Map<ModelOperation, HistogramSeries>>();

  constructor(options: PrometheusMetricsOptions = {}) {
    const registers = [this.registry];
    const p = METRIC_PREFIX;
    // The request counters and the in-flight gauge are plain numbers on the hot path, handed to
    // prom-client when scraped: each labelled inc() validates and hashes its labels, a few µs a
    // call that bench:overhead saw. Histograms are series of ours for the same reason
    // (series-histogram.ts).
    const httpSeries = this.httpSeries;
    const grpcSeries = this.grpcSeries;
    this.httpRequests = new Counter({
      name: `${p}http_requests_total`,
      help: 'REST requests answered, by route pattern and status code.',
      labelNames: ['method', 'route', 'code'],
      registers,
      collect() {
        for (const byMethod of httpSeries.values()) for (const byCode of byMethod.values()) for (const series of byCode.values()) scrapeCount(series);
      },
    });
    this.httpSeconds = new SeriesHistogram({ name: `${p}http_request_duration_seconds`, help: 'REST request duration until the response ended.', labelNames: ['method', 'route', 'code'], buckets: CALL_BUCKETS, registers });
    this.grpcRequests = new Counter({
      name: `${p}grpc_requests_total`,
      help: 'gRPC calls ended, by method and status.',
      labelNames: ['method', 'code'],
      registers,
      collect() {
        for (const byCode of grpcSeries.values()) for (const series of byCode.values()) scrapeCount(series);
      },
    });
    this.grpcSeconds = new SeriesHistogram({ name: `${p}grpc_request_duration_seconds`, help: 'gRPC call duration (streams: until the last message).', labelNames: ['method', 'code'], buckets: CALL_BUCKETS, registers });
    const inflight = this.inflight;
    new Gauge({
      name: `${p}inflight_requests`,
      help: 'Calls being served now, per door.',
      labelNames: ['door'],
      registers,
      collect() {
        this.labels('http').set(inflight.http);
        this.labels('grpc').set(inflight.grpc);
      },
    });
    this.batchSizes = new SeriesHistogram({ name: `${p}embedding_batch_size`, help: 'Texts per embedding provider call made by the micro-batcher.', labelNames: [], buckets: BATCH_BUCKETS, registers }).series();
    this.modelSeconds = new SeriesHistogram({ name: `${p}model_call_duration_seconds`, help: 'Provider call duration, queue wait excluded.', labelNames: ['provider', 'operation'], buckets: CALL_BUCKETS, registers });
    this.storeSeconds = new SeriesHistogram({ name: `${p}store_call_duration_seconds`, help: 'Vector engine call duration, by VectorStore method.', labelNames: ['engine', 'operation'], buckets: STORE_BUCKETS, registers });
    const queues = this.queues;
    new Gauge({
      name: `${p}queue_depth`,
      help: 'Items waiting: texts in embedding batchers, calls in generation limiters, writes in Lance write queues.',
      labelNames: ['queue'],
      registers,
      // Read when scraped, so the hot paths never touch the gauge.
      collect() {
        for (const [queue, read] of queues) this.labels(queue).set(read());
      },
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: p });
  }

  /** The content type of `render()`'s text (Prometheus exposition format). */
  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** `read` is called on every scrape for the queue's current depth. */
  watchQueue(queue: QueueName, read: () => number): void {
    this.queues.set(queue, read);
  }

  /** The store, timing every engine call into store_call_duration_seconds. */
  timeStore(store: VectorStore): VectorStore {
    return new TimedVectorStore(store, this.storeSeconds);
  }

  embeddingBatch(size: number): void {
    this.batchSizes.observe(size);
  }

  modelCall(provider: ProviderName, operation: ModelOperation, seconds: number): void {
    const byOperation = cached(this.modelChildren, provider, () => new Map());
    cached(byOperation, operation, () => this.modelSeconds.series(provider, operation)).observe(seconds);
  }

  requestStarted(door: Door): void {
    this.inflight[door] += 1;
  }

  httpRequestEnded(method: string, route: string, code: number, seconds: number): void {
    this.inflight.http -= 1;
    const byCode = cached(cached(this.httpSeries, route, () => new Map()), method, () => new Map());
    const series = cached(byCode, code, () => {
      const labels = [method, route, String(code)];
      return { count: this.httpRequests.labels(...labels), seconds: this.httpSeconds.series(...labels), unscraped: 0 };
    });
    series.unscraped += 1;
    series.seconds.observe(seconds);
  }

  grpcCallEnded(method: string, code: string, seconds: number): void {
    this.inflight.grpc -= 1;
    const byCode = cached(this.grpcSeries, method, () => new Map());
    const series = cached(byCode, code, () => ({ count: this.grpcRequests.labels(method, code), seconds: this.grpcSeconds.series(method, code), unscraped: 0 }));
    series.unscraped += 1;
    series.seconds.observe(seconds);
  }
}

/** Hands a series' calls since the last scrape to its prom-client counter. */
function scrapeCount(series: Series): void {
  if (series.unscraped === 0) return;
  series.count.inc(series.unscraped);
  series.unscraped = 0;
}
