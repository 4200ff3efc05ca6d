import type { ChartBucket } from '../api/client';
import type { ChartPoint } from '../api/types';

export const BUCKET_MS: Record<ChartBucket, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
};

const ORDER: ChartBucket[] = ['minute', 'hour', 'day', 'week', 'month'];

/**
 * The finest bucket that splits the span into at most `target` buckets (a readable chart); the read
 * API refuses more than 3000, which this never reaches (`target` is capped at 3000).
 */
export function chooseBucket(spanMs: number, target = 800): ChartBucket {
  const cap = Math.min(target, 3000);
  for (const bucket of ORDER) {
    // +1: a range that does not start on a bucket boundary touches one more.
    if (Math.ceil(spanMs / BUCKET_MS[bucket]) + 1 <= cap) return bucket;
  }
  return 'month';
}

export interface Series {
  label: string;
  values: (number | null)[];
  /** A fixed colour and a dash (a threshold line), instead of the palette's next colour. */
  stroke?: string;
  dash?: number[];
}

/**
 * Points to uPlot's columns: x in seconds, one series per group. Minute, hour and day buckets are
 * laid out over the whole range (buckets without events are 0 for counts and sums, gaps otherwise);
 * weeks and months use the buckets the answer has.
 */
export function toSeries(
  points: ChartPoint[],
  options: { bucket: ChartBucket; from: number; to: number; fill: 0 | null; label: string },
): { x: number[]; series: Series[] } {
  const size = BUCKET_MS[options.bucket];
  let xs: number[];
  if (options.bucket === 'week' || options.bucket === 'month') {
    xs = [...new Set(points.map((point) => point.bucket))].sort((a, b) => a - b);
  } else {
    xs = [];
    for (let bucket = Math.floor(options.from / size) * size; bucket <= options.to; bucket += size)
      xs.push(bucket);
    for (const point of points) if (!xs.includes(point.bucket)) xs.push(point.bucket);
    xs.sort((a, b) => a - b);
  }
  const index = new Map(xs.map((bucket, position) => [bucket, position]));
  const groups = new Map<string, (number | null)[]>();
  const grouped = points.some((point) => point.group !== undefined || point.other);
  for (const point of points) {
    const name = !grouped ? options.label : point.other ? 'other' : (point.group ?? '(none)');
    let values = groups.get(name);
    if (!values) {
      values = xs.map(() => options.fill);
      groups.set(name, values);
    }
    const position = index.get(point.bucket);
    if (position !== undefined) values[position] = point.value;
  }
  if (groups.size === 0)
    groups.set(
      options.label,
      xs.map(() => options.fill),
    );
  return {
    x: xs.map((bucket) => bucket / 1000),
    series: [...groups.entries()].map(([label, values]) => ({ label, values })),
  };
}
