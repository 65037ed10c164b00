import { Histogram, Registry } from 'prom-client';
import { SeriesHistogram } from '../../src/metrics/series-histogram';
import { seededRandom } from '../../src/domain/seeded-random';

const BUCKETS = [0.001, 0.01, 0.1, 1];

/** The same observations in a SeriesHistogram and in prom-client's own Histogram, rendered alike. */
async function renderBoth(observations: readonly [string, string, number][]): Promise<[string, string]> {
  const ours = new Registry();
  const theirs = new Registry();
  const series = new SeriesHistogram({ name: 'calls_seconds', help: 'h', labelNames: ['method', 'code'], buckets: BUCKETS, registers: [ours] });
  const reference = new Histogram({ name: 'calls_seconds', help: 'h', labelNames: ['method', 'code'], buckets: BUCKETS, registers: [theirs] });
  const kept = new Map<string, ReturnType<typeof series.series>>();
  for (const [method, code, value] of observations) {
    const key = `${method}/${code}`;
    if (!kept.has(key)) kept.set(key, series.series(method, code));
    kept.get(key)!.observe(value);
    reference.labels(method, code).observe(value);
  }
  return [await ours.metrics(), await theirs.metrics()];
}

describe('SeriesHistogram', () => {
  it('renders exactly what prom-client renders for the same observations', async () => {
    const random = seededRandom(7);
    const observations: [string, string, number][] = [];
    for (let i = 0; i < 500; i += 1) {
      // Values on the bounds, between them and past the last one.
      const value = i % 10 === 0 ? BUCKETS[i % BUCKETS.length]! : random() * 2;
      observations.push([i % 3 === 0 ? 'Search' : 'Insert', i % 7 === 0 ? 'NOT_FOUND' : 'OK', value]);
    }
    const [ours, theirs] = await renderBoth(observations);
    expect(ours).toBe(theirs);
    expect(ours).toContain('calls_seconds_bucket{le="+Inf",method="Search",code="OK"}');
  });

  it('renders zeroed buckets for a series made but never observed', async () => {
    const registry = new Registry();
    const batch = new SeriesHistogram({ name: 'batch', help: 'h', labelNames: [], buckets: [1, 2], registers: [registry] });
    batch.series();
    expect(await registry.metrics()).toBe('# HELP batch h\n# TYPE batch histogram\nbatch_bucket{le="1"} 0\nbatch_bucket{le="2"} 0\nbatch_bucket{le="+Inf"} 0\nbatch_sum 0\nbatch_count 0\n');
  });

  it('gives the JSON form too', async () => {
    const registry = new Registry();
    const h = new SeriesHistogram({ name: 'x', help: 'h', labelNames: ['op'], buckets: [1], registers: [registry] });
    h.series('get').observe(0.5);
    const [json] = await registry.getMetricsAsJSON();
    expect(json).toMatchObject({ name: 'x', type: 'histogram', values: expect.arrayContaining([{ metricName: 'x_count', labels: { op: 'get' }, value: 1 }]) });
  });

  it('refuses a wrong number of label values', () => {
    const h = new SeriesHistogram({ name: 'y', help: 'h', labelNames: ['a', 'b'], buckets: [1], registers: [] });
    expect(() => h.series('only-one')).toThrow(/2 label values expected, got 1/);
  });
});
