/** Minimal timing harness: warm up, then time iterations until a time budget is spent. */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface Timing {
  samplesMs: number[];
  medianMs: number;
  p99Ms: number;
}

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)] as number;
}

/** A set of latencies: nearest-rank percentiles, mean, maximum, and how many there were. */
export interface LatencySummary {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  samples: number;
}

export function summarizeLatencies(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.reduce((sum, each) => sum + each, 0) / sorted.length,
    maxMs: sorted.at(-1) ?? Number.NaN,
    samples: sorted.length,
  };
}

function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samplesMs: sorted, medianMs: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

export function timeSync(
  fn: () => unknown,
  options: { warmupMs?: number; runMs?: number; minRuns?: number } = {},
): Timing {
  const warmupEnd = performance.now() + (options.warmupMs ?? 500);
  while (performance.now() < warmupEnd) fn();
  const samples: number[] = [];
  const runEnd = performance.now() + (options.runMs ?? 2_000);
  while (performance.now() < runEnd || samples.length < (options.minRuns ?? 20)) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return summarize(samples);
}

export async function timeAsync(
  fn: () => Promise<unknown>,
  options: { warmupMs?: number; runMs?: number; minRuns?: number } = {},
): Promise<Timing> {
  const warmupEnd = performance.now() + (options.warmupMs ?? 500);
  while (performance.now() < warmupEnd) await fn();
  const samples: number[] = [];
  const runEnd = performance.now() + (options.runMs ?? 2_000);
  while (performance.now() < runEnd || samples.length < (options.minRuns ?? 20)) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return summarize(samples);
}

let fullCollection: (() => void) | undefined;

/**
 * A full garbage collection, run between timed runs (never inside one) so that each run starts from
 * a clean heap and no run pays for, or shares the CPU with, the collection of another's garbage.
 */
export function collectGarbage(): void {
  if (fullCollection === undefined) {
    v8.setFlagsFromString('--expose-gc');
    fullCollection = runInNewContext('gc') as () => void;
  }
  fullCollection();
}
