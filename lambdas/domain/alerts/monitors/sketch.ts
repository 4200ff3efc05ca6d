/**
 * A mergeable quantile sketch over fixed logarithmic buckets (the scheme of DDSketch, written out
 * here; @datadog/sketches-js implements the same and is the candidate to replace this file, see
 * docs/monitors.md). A positive value v falls in bucket i = ceil(log_γ v) with
 * γ = (1 + α) / (1 − α); every value of bucket i lies in (γ^(i−1), γ^i], and the bucket answers
 * 2γ^i / (γ + 1), which is within α of each of them relatively. Negative values use mirrored
 * buckets, zero (and anything closer to it than MIN_MAGNITUDE) its own count.
 *
 * Error bound: a quantile read from the sketch is within α = 1% (relative) of the exact
 * nearest-rank quantile of the values it holds, however many sketches were merged, because merging
 * adds bucket counts and loses nothing. Buckets are fixed, so the sketch of a minute is at most a few
 * hundred entries (one per 2% of magnitude actually seen), kept as JSON in the rollups table.
 */

export const SKETCH_RELATIVE_ERROR = 0.01;
const GAMMA = (1 + SKETCH_RELATIVE_ERROR) / (1 - SKETCH_RELATIVE_ERROR);
const LOG_GAMMA = Math.log(GAMMA);
/** Magnitudes below this count as zero (sub-nanosecond durations, sub-micro-cent costs). */
const MIN_MAGNITUDE = 1e-9;

/** Bucket index -> count; negative values under `neg`. */
export interface Sketch {
  zero: number;
  pos: Record<string, number>;
  neg: Record<string, number>;
}

export function emptySketch(): Sketch {
  return { zero: 0, pos: {}, neg: {} };
}

function bucketOf(magnitude: number): number {
  return Math.ceil(Math.log(magnitude) / LOG_GAMMA);
}

function bucketValue(bucket: number): number {
  return (2 * GAMMA ** bucket) / (GAMMA + 1);
}

export function addToSketch(sketch: Sketch, value: number, count = 1): void {
  if (!Number.isFinite(value)) return;
  const magnitude = Math.abs(value);
  if (magnitude < MIN_MAGNITUDE) {
    sketch.zero += count;
    return;
  }
  const side = value > 0 ? sketch.pos : sketch.neg;
  const key = String(bucketOf(magnitude));
  side[key] = (side[key] ?? 0) + count;
}

export function mergeSketch(into: Sketch, other: Sketch): void {
  into.zero += other.zero;
  // for-in, not Object.entries: a 31-day window merges 44,640 of these, and entries allocates a pair per bucket.
  for (const key in other.pos) into.pos[key] = (into.pos[key] ?? 0) + (other.pos[key] as number);
  for (const key in other.neg) into.neg[key] = (into.neg[key] ?? 0) + (other.neg[key] as number);
}

export function sketchCount(sketch: Sketch): number {
  let total = sketch.zero;
  for (const count of Object.values(sketch.pos)) total += count;
  for (const count of Object.values(sketch.neg)) total += count;
  return total;
}

/**
 * The nearest-rank q-quantile (0 < q <= 1: rank ceil(q·n)) of the values held, within the
 * relative error above; undefined for an empty sketch.
 */
export function sketchQuantile(sketch: Sketch, q: number): number | undefined {
  const total = sketchCount(sketch);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  // Ascending order: the most negative first (largest magnitude of neg), then zero, then positives.
  const negative = Object.entries(sketch.neg)
    .map(([key, count]) => [Number(key), count] as const)
    .sort((a, b) => b[0] - a[0]);
  const positive = Object.entries(sketch.pos)
    .map(([key, count]) => [Number(key), count] as const)
    .sort((a, b) => a[0] - b[0]);
  let seen = 0;
  for (const [bucket, count] of negative) {
    seen += count;
    if (seen >= rank) return -bucketValue(bucket);
  }
  seen += sketch.zero;
  if (seen >= rank) return 0;
  for (const [bucket, count] of positive) {
    seen += count;
    if (seen >= rank) return bucketValue(bucket);
  }
  return bucketValue(positive[positive.length - 1]?.[0] ?? 0);
}

/** Reads a sketch back from its JSON column, refusing anything else (a corrupt row is no sketch). */
export function readSketch(text: unknown): Sketch {
  if (typeof text !== 'string' || text === '') return emptySketch();
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null) return emptySketch();
  const record = parsed as Record<string, unknown>;
  const side = (value: unknown): Record<string, number> => {
    const out: Record<string, number> = {};
    if (typeof value !== 'object' || value === null) return out;
    for (const [key, count] of Object.entries(value as Record<string, unknown>))
      if (/^-?\d{1,5}$/.test(key) && typeof count === 'number' && count > 0) out[key] = count;
    return out;
  };
  return {
    zero: typeof record.zero === 'number' && record.zero > 0 ? record.zero : 0,
    pos: side(record.pos),
    neg: side(record.neg),
  };
}
