/**
 * `npm run bench -- --only sketch`: the monitors' percentile sketch (lambdas/domain/alerts/monitors/
 * sketch.ts, hand-written) beside the library made for it, @datadog/sketches-js's DDSketch, at the
 * same 1% relative accuracy, in the same run: building a minute's sketch, merging a 31-day window of
 * minute sketches, reading p50..p99, the bytes a sketch takes in a rollup row, and the error of each
 * against the exact percentiles. Then the whole 31-day evaluation path as the monitor evaluator runs
 * it (statement rows parsed, merged, aggregated) for time and heap, against the evaluator's 512 MB.
 */
import { DDSketch } from '@datadog/sketches-js';
import { windowStats } from '../../lambdas/domain/alerts/monitors/evaluate';
import { aggregate, type RollupRow, rollupsOf } from '../../lambdas/domain/alerts/monitors/rollup';
import { rollupFromResult, rollupParquetRow } from '../../lambdas/domain/alerts/monitors/rollup-table';
import {
  addToSketch,
  emptySketch,
  mergeSketch,
  readSketch,
  type Sketch,
  sketchQuantile,
} from '../../lambdas/domain/alerts/monitors/sketch';
import { plainEvent } from '../../lambdas/domain/events/event';
import { collectGarbage, type Timing, timeSync } from '../harness';
import { machineDescription } from '../machine';
import { seededRandom } from '../seeded-random';

const QUANTILES = [0.5, 0.9, 0.95, 0.99] as const;
/** A 31-day window of minutes: the longest a monitor takes. */
const WINDOW_MINUTES = 31 * 24 * 60;
const VALUES_PER_MINUTE = 20;

/** Long-tailed durations in ms: log-normal around 800 ms (an LLM call), seeded. */
function durations(count: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    // Box-Muller: a standard normal from two uniforms.
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.exp(Math.log(800) + normal);
  });
}

function oursOf(values: readonly number[]): Sketch {
  const sketch = emptySketch();
  for (const value of values) addToSketch(sketch, value);
  return sketch;
}

function theirsOf(values: readonly number[]): DDSketch {
  const sketch = new DDSketch({ relativeAccuracy: 0.01 });
  for (const value of values) sketch.accept(value);
  return sketch;
}

/** The exact quantile by nearest rank (ours) and by DDSketch's rank, floor(q·(n−1)) (0-based). */
function exact(sorted: readonly number[], q: number, rule: 'nearest' | 'lower'): number {
  const index =
    rule === 'nearest' ? Math.max(0, Math.ceil(q * sorted.length) - 1) : Math.floor(q * (sorted.length - 1));
  return sorted[index] as number;
}

interface Row {
  what: string;
  ours: string;
  theirs: string;
  ratio: string;
}

const us = (timing: Timing) => timing.medianMs * 1000;
const fmt = (value: number, digits = 1) => value.toLocaleString('en-US', { maximumFractionDigits: digits });

/** A timed pair: ours and DDSketch on the same work, with the ratio theirs / ours (above 1: ours faster). */
function timedRow(what: string, ours: () => unknown, theirs: () => unknown, unit: 'µs' | 'ms' = 'µs'): Row {
  collectGarbage();
  const a = timeSync(ours, { runMs: 1_500, minRuns: 10 });
  collectGarbage();
  const b = timeSync(theirs, { runMs: 1_500, minRuns: 10 });
  const scale = unit === 'µs' ? us : (timing: Timing) => timing.medianMs;
  return {
    what,
    ours: `${fmt(scale(a))} ${unit}`,
    theirs: `${fmt(scale(b))} ${unit}`,
    ratio: `${fmt(b.medianMs / a.medianMs, 2)}x`,
  };
}

export interface SketchBenchResult {
  rows: Row[];
  accuracy: { q: number; ours: number; theirsOwnRank: number; theirsNearestRank: number }[];
  window: {
    rows: number;
    textMiB: number;
    percentile: { streamed: { ms: number; heapMiB: number }; held: { ms: number; heapMiB: number } };
    average: { streamed: { ms: number; heapMiB: number }; held: { ms: number; heapMiB: number } };
    p99: number;
    exactP99: number;
  };
}

export function measureSketches(): SketchBenchResult {
  const minute = durations(VALUES_PER_MINUTE, 1);
  const thousand = durations(1_000, 2);
  const hundredThousand = durations(100_000, 3);
  const rows: Row[] = [
    timedRow(
      'build a minute (20 values)',
      () => oursOf(minute),
      () => theirsOf(minute),
    ),
    timedRow(
      'build 1,000 values',
      () => oursOf(thousand),
      () => theirsOf(thousand),
    ),
    timedRow(
      'build 100,000 values',
      () => oursOf(hundredThousand),
      () => theirsOf(hundredThousand),
      'ms',
    ),
  ];

  // A 31-day window: one sketch per minute, merged into one.
  const minuteValues = Array.from({ length: WINDOW_MINUTES }, (_, index) =>
    durations(VALUES_PER_MINUTE, 100 + index),
  );
  const ourMinutes = minuteValues.map(oursOf);
  const theirMinutes = minuteValues.map(theirsOf);
  rows.push(
    timedRow(
      `merge ${WINDOW_MINUTES.toLocaleString('en-US')} minute sketches (31 days)`,
      () => {
        const into = emptySketch();
        for (const sketch of ourMinutes) mergeSketch(into, sketch);
        return into;
      },
      () => {
        const into = new DDSketch({ relativeAccuracy: 0.01 });
        for (const sketch of theirMinutes) into.merge(sketch);
        return into;
      },
      'ms',
    ),
  );
  // Reading the window's sketches back from their column: what the evaluator does for every row.
  const ourColumns = ourMinutes.map((sketch) => JSON.stringify(sketch));
  const theirColumns = theirMinutes.map((sketch) => Buffer.from(sketch.toProto()).toString('base64'));
  rows.push(
    timedRow(
      `read ${WINDOW_MINUTES.toLocaleString('en-US')} minute sketches from their column`,
      () => ourColumns.map(readSketch),
      () => theirColumns.map((column) => DDSketch.fromProto(Buffer.from(column, 'base64'))),
      'ms',
    ),
  );
  const ourMerged = oursOf(hundredThousand);
  const theirMerged = theirsOf(hundredThousand);
  rows.push(
    timedRow(
      'p50, p90, p95, p99 of a 100,000-value sketch',
      () => QUANTILES.map((q) => sketchQuantile(ourMerged, q)),
      () => QUANTILES.map((q) => theirMerged.getValueAtQuantile(q)),
    ),
  );
  // Bytes in a rollup row: ours is JSON in a string column; DDSketch's is protobuf (base64 in a string column).
  const bytes = (values: readonly number[]) => ({
    ours: Buffer.byteLength(JSON.stringify(oursOf(values))),
    theirs: Buffer.from(theirsOf(values).toProto()).toString('base64').length,
  });
  for (const [what, values] of [
    ['bytes of a minute sketch (20 values)', minute],
    ['bytes of a 1,000-value sketch', thousand],
  ] as const) {
    const size = bytes(values);
    rows.push({
      what,
      ours: `${size.ours} B (JSON)`,
      theirs: `${size.theirs} B (protobuf, base64)`,
      ratio: `${fmt(size.theirs / size.ours, 2)}x`,
    });
  }

  const sorted = [...hundredThousand].sort((a, b) => a - b);
  const relative = (found: number | undefined, truth: number) =>
    Math.abs((found ?? Number.NaN) - truth) / truth;
  const accuracy = QUANTILES.map((q) => ({
    q,
    ours: relative(sketchQuantile(ourMerged, q), exact(sorted, q, 'nearest')),
    theirsOwnRank: relative(theirMerged.getValueAtQuantile(q), exact(sorted, q, 'lower')),
    theirsNearestRank: relative(theirMerged.getValueAtQuantile(q), exact(sorted, q, 'nearest')),
  }));

  return { rows, accuracy, window: measureWindow(minuteValues) };
}

/**
 * The evaluator's path over a 31-day window of one combination: the statement's rows as the query
 * engine hands them (strings and numbers), parsed into rollup rows, merged, and p99 read.
 */
function measureWindow(minuteValues: readonly number[][]): SketchBenchResult['window'] {
  const start = Date.UTC(2026, 10, 1);
  const results = minuteValues.map((values, index) => {
    const events = values.map((duration, at) =>
      plainEvent(
        { project_id: 'p', org_id: 'o', workspace_id: 'w' },
        {
          event_id: `e${index}-${at}`,
          version: 1,
          session_id: 's',
          event_type: 'model',
          event_name: 'chat',
          source: 'bench',
          start_time: start + index * 60_000 + at,
          end_time: start + index * 60_000 + at + duration,
          duration,
          ingested_at: start,
        },
      ),
    );
    const [row] = rollupsOf(events);
    return rollupParquetRow(row as RollupRow) as Record<string, unknown>;
  });
  const duration = { kind: 'field', field: 'duration' } as const;
  const now = start + WINDOW_MINUTES * 60_000;
  const query = {
    project_id: 'p',
    event_type: 'model' as const,
    field: duration,
    filters: [],
    withSketch: true,
    fromMinute: start,
    toMinute: now,
  };
  // The evaluator's way: each row parsed as it is merged (evaluate.ts windowStats).
  const streamed = (rows: readonly Record<string, unknown>[]) => () => {
    const parsed = (function* parse() {
      for (const row of rows) yield rollupFromResult(row, 'p');
    })();
    return windowStats(parsed, query, WINDOW_MINUTES, now);
  };
  // The baseline: every row parsed first, then merged (what the evaluator did before).
  const held = (rows: readonly Record<string, unknown>[]) => () => {
    const parsed = rows.map((row) => rollupFromResult(row, 'p'));
    return { stats: windowStats(parsed, query, WINDOW_MINUTES, now), parsed };
  };
  const p99 = aggregate(streamed(results)().current, 'p99', duration) as number;
  // An average needs no sketch: the statement does not select the sketch columns.
  const plain = results.map((result) =>
    Object.fromEntries(Object.entries(result).filter(([column]) => !column.endsWith('_sketch'))),
  );
  const all = minuteValues.flat().sort((a, b) => a - b);
  return {
    rows: results.length,
    textMiB: Buffer.byteLength(JSON.stringify(results)) / 2 ** 20,
    percentile: { streamed: heapAndTime(streamed(results)), held: heapAndTime(held(results)) },
    average: { streamed: heapAndTime(streamed(plain)), held: heapAndTime(held(plain)) },
    p99,
    exactP99: exact(all, 0.99, 'nearest'),
  };
}

/** Time of one run, and the heap its answer still holds after a full collection (its rows, if it keeps them). */
function heapAndTime(run: () => unknown): { ms: number; heapMiB: number } {
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const begin = performance.now();
  const answer = run();
  const ms = performance.now() - begin;
  collectGarbage();
  const heapMiB = Math.max(0, process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  // Kept alive until measured.
  if (answer === undefined) throw new Error('no answer');
  return { ms, heapMiB };
}

export function formatSketchSection(result: SketchBenchResult): string {
  const percent = (value: number) => `${fmt(value * 100, 3)}%`;
  const { window } = result;
  return [
    '## Monitors: the percentile sketch and a 31-day window',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machineDescription()}, Node ${process.version}, with`,
    '`npm run bench -- --only sketch` (bench/monitors/sketch-bench.ts). Ours is lambdas/domain/alerts/monitors/sketch.ts',
    '(fixed logarithmic buckets in a plain object, JSON in the rollup row); the baseline is the library made for it,',
    '`@datadog/sketches-js` 2.1.1 (DDSketch, dense stores), both at 1% relative accuracy, on the same log-normal',
    'durations (median 800 ms), medians of repeated runs. The ratio is DDSketch / ours: above 1, ours is faster or smaller.',
    '',
    '| what | ours | DDSketch | ratio |',
    '|---|---|---|---|',
    ...result.rows.map((row) => `| ${row.what} | ${row.ours} | ${row.theirs} | ${row.ratio} |`),
    '',
    'Decision: ours stays. The writer builds one sketch per rollup row and minute (a handful of values each), where',
    "ours is about 4x faster, and stores it in every row, where ours is 15x smaller: DDSketch's dense stores carry",
    'their preallocated range. Accuracy is the same (both 1%, the same buckets). DDSketch merges and answers',
    'quantiles faster, but a monitor merges once a minute and reads four quantiles: the 31-day path below is',
    'bound by parsing rows, not by merging, and reading a sketch back from its column (every row, every minute) is',
    "about 3x faster with ours: DDSketch's fromProto decodes and refills a dense store, and drops min and max.",
    'DDSketch 2.1.1 also loads protobufjs for toProto without declaring it (sketches-js issue 26, open).',
    '',
    'Relative error against the exact percentile of 100,000 values (ours: nearest rank, ceil(q·n); DDSketch answers',
    'for rank floor(q·(n−1)), shown against both):',
    '',
    '| quantile | ours | DDSketch (its rank) | DDSketch (nearest rank) |',
    '|---|---|---|---|',
    ...result.accuracy.map(
      (row) =>
        `| p${row.q * 100} | ${percent(row.ours)} | ${percent(row.theirsOwnRank)} | ${percent(row.theirsNearestRank)} |`,
    ),
    '',
    `The 31-day evaluation path over ${window.rows.toLocaleString('en-US')} statement rows of one combination (20 events a`,
    'minute), as the monitor evaluator runs it (each row parsed as it is merged, evaluate.ts windowStats) beside the',
    'baseline of parsing every row first and then merging: time, and heap still held by the answer after a full',
    "collection (the evaluator has 512 MB; the statement's text rows are held in both).",
    '',
    '| monitor | streamed: time, heap held | parsed whole, then merged: time, heap held | time ratio |',
    '|---|---|---|---|',
    ...(['percentile', 'average'] as const).map((kind) => {
      const { streamed, held } = window[kind];
      const label =
        kind === 'percentile' ? 'p99 of duration (sketch columns)' : 'avg of duration (no sketch)';
      return `| ${label} | ${fmt(streamed.ms)} ms, ${fmt(streamed.heapMiB)} MiB | ${fmt(held.ms)} ms, ${fmt(held.heapMiB)} MiB | ${fmt(held.ms / streamed.ms, 2)}x |`;
    }),
    '',
    `The statement's rows as text take ${fmt(window.textMiB)} MiB (with sketches). The heap the parsed-whole baseline holds depends on how V8 lays out the bucket objects and varied between runs on the same machine (99 to 236 MiB); the streamed path holds none either way. p99 ${fmt(window.p99)} ms against the exact ${fmt(window.exactP99)} ms (${percent(Math.abs(window.p99 - window.exactP99) / window.exactP99)}).`,
  ].join('\n');
}
