/**
 * Prometheus text exposition (format 0.0.4) for the few metrics the server keeps:
 * counters, gauges and histograms, named after etcd's where etcd has one.
 */

export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) this.counts[i]++;
  }
}

/** etcd's buckets for etcd_disk_wal_fsync_duration_seconds: 1 ms doubling to 8 s. */
export const FSYNC_BUCKETS = Array.from({ length: 14 }, (_, i) => 0.001 * 2 ** i);
/** Request latency buckets: 0.5 ms doubling to about 8 s. */
export const REQUEST_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.0005 * 2 ** i);

export type Labels = Readonly<Record<string, string>>;

export interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly samples: readonly { readonly labels?: Labels; readonly value: number | Histogram }[];
}

function labelText(labels: Labels | undefined, extra?: [string, string]): string {
  const pairs = Object.entries(labels ?? {});
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

function numberText(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

export function renderMetrics(metrics: readonly Metric[]): string {
  const lines: string[] = [];
  for (const metric of metrics) {
    lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
    for (const sample of metric.samples) {
      const value = sample.value;
      if (typeof value === 'number') {
        lines.push(`${metric.name}${labelText(sample.labels)} ${numberText(value)}`);
        continue;
      }
      value.buckets.forEach((bound, i) => lines.push(`${metric.name}_bucket${labelText(sample.labels, ['le', String(bound)])} ${value.counts[i]}`));
      lines.push(`${metric.name}_bucket${labelText(sample.labels, ['le', '+Inf'])} ${value.count}`);
      lines.push(`${metric.name}_sum${labelText(sample.labels)} ${value.sum}`);
      lines.push(`${metric.name}_count${labelText(sample.labels)} ${value.count}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
