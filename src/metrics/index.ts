export { PrometheusMetrics, METRIC_PREFIX, type PrometheusMetricsOptions } from './prometheus-metrics';
export { TimedVectorStore, type StoreOperation } from './timed-vector-store-decorator';
