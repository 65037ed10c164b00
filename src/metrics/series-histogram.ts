import { Histogram, type Registry } from 'prom-client';

/** One label set's observations: a count per bucket (not yet cumulative), their sum and count. */
export class HistogramSeries {
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(
    private readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    const { bounds, counts } = this;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i += 1;
    if (i < bounds.length) counts[i] = counts[i]! + 1;
    this.sum += value;
    this.count += 1;
  }

  /** The series in Prometheus' histogram form: cumulative `le` buckets, +Inf, sum and count. */
  exported(name: string): ExportedValue[] {
    const values: ExportedValue[] = [];
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += this.counts[i]!;
      values.push({ metricName: `${name}_bucket`, labels: { le: bound, ...this.labels }, value: cumulative });
    });
    values.push(
      { metricName: `${name}_bucket`, labels: { le: '+Inf', ...this.labels }, value: this.count },
      { metricName: `${name}_sum`, labels: { ...this.labels }, value: this.sum },
      { metricName: `${name}_count`, labels: { ...this.labels }, value: this.count },
    );
    return values;
  }
}

interface ExportedValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

export interface SeriesHistogramConfig<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  buckets: readonly number[];
  registers: Registry[];
}

/**
 * A prom-client Histogram whose label sets are series of ours. prom-client's labelled observe
 * checks the label names and hashes the label values on every call: two observations cost about
 * 5 µs of a 150 µs gRPC call in bench:overhead's profile. Here a label set's series is made once
 * (`series`, which callers keep) and an observation is a bucket search and three additions. The
 * registry still renders it: it asks every metric for its values when scraped, and this one
 * answers with its series in the same form prom-client's own histograms give.
 */
export class SeriesHistogram<L extends string> extends Histogram<L> {
  private readonly all: HistogramSeries[] = [];

  constructor(private readonly config: SeriesHistogramConfig<L>) {
    // prom-client checks the names and registers the metric; its own label sets stay empty.
    super({ name: config.name, help: config.help, labelNames: config.labelNames, buckets: [...config.buckets], registers: config.registers });
  }

  /** A new series for these label values, one per label name in order; keep it, don't ask twice. */
  series(...values: string[]): HistogramSeries {
    const { name, labelNames, buckets } = this.config;
    if (values.length !== labelNames.length) throw new Error(`${name}: ${labelNames.length} label values expected, got ${values.length}`);
    const labels = Object.fromEntries(labelNames.map((label, i) => [label, values[i]!]));
    const series = new HistogramSeries(labels, buckets);
    this.all.push(series);
    return series;
  }

  // The registry asks for getForPromString when a metric has it (prom-client's Histogram does), else get.
  // eslint-disable-next-line @typescript-eslint/require-await -- the registry awaits both
  async getForPromString(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ExportedValue[] }> {
    const { name, help } = this.config;
    return { name, help, type: 'histogram', aggregator: 'sum', values: this.all.flatMap((s) => s.exported(name)) };
  }

  override async get(): ReturnType<Histogram<L>['get']> {
    return (await this.getForPromString()) as unknown as Awaited<ReturnType<Histogram<L>['get']>>;
  }
}
