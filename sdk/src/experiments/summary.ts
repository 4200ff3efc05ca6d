/**
 * What one evaluate() call ran, summed up: per evaluator its aggregate (the mean of numbers, the share
 * of true for booleans), and how many datapoints passed or failed. A datapoint fails when its function
 * or an evaluator threw, or an evaluator returned false: the platform's own rule for a run's result
 * (lambdas/domain/experiments/results.ts) when no server-side verdict applies.
 */

export interface DatapointOutcome {
  datapointId: string;
  sessionId: string;
  inputs: Record<string, unknown>;
  groundTruth: Record<string, unknown>;
  /** What the function returned; null when it threw. */
  outputs: unknown;
  /** Each evaluator's value by name; null for an evaluator that threw. */
  metrics: Record<string, unknown>;
  error?: string;
  passed: boolean;
}

export interface MetricSummary {
  name: string;
  type: 'numeric' | 'boolean' | 'other';
  /** Datapoints where the evaluator gave a value of that type. */
  count: number;
  /** numeric: the mean; boolean: the share of true (0 to 1). */
  aggregate?: number;
  min?: number;
  max?: number;
}

export interface EvaluateSummary {
  /** Datapoints run by this call. */
  total: number;
  passed: number;
  failed: number;
  /** Datapoints left out because the resumed run already had their result. */
  skipped: number;
  metrics: MetricSummary[];
}

export function datapointPassed(error: string | undefined, metrics: Record<string, unknown>): boolean {
  return error === undefined && Object.values(metrics).every((value) => value !== false);
}

export function summarize(
  outcomes: readonly DatapointOutcome[],
  evaluatorNames: readonly string[],
  skipped: number,
): EvaluateSummary {
  const metrics = evaluatorNames.map((name): MetricSummary => {
    const values = outcomes.map((outcome) => outcome.metrics[name]);
    const numbers = values.filter(
      (value): value is number => typeof value === 'number' && Number.isFinite(value),
    );
    const booleans = values.filter((value): value is boolean => typeof value === 'boolean');
    if (numbers.length >= booleans.length && numbers.length > 0)
      return {
        name,
        type: 'numeric',
        count: numbers.length,
        aggregate: numbers.reduce((sum, value) => sum + value, 0) / numbers.length,
        min: Math.min(...numbers),
        max: Math.max(...numbers),
      };
    if (booleans.length > 0)
      return {
        name,
        type: 'boolean',
        count: booleans.length,
        aggregate: booleans.filter(Boolean).length / booleans.length,
      };
    return {
      name,
      type: 'other',
      count: values.filter((value) => value !== undefined && value !== null).length,
    };
  });
  const passed = outcomes.filter((outcome) => outcome.passed).length;
  return { total: outcomes.length, passed, failed: outcomes.length - passed, skipped, metrics };
}

const number = (value: number | undefined) =>
  value === undefined ? '-' : Number.isInteger(value) ? String(value) : value.toFixed(3);

/** The printed summary: the run, the counts, one line per evaluator. */
export function formatSummary(input: {
  name: string;
  runId: string;
  datasetId: string;
  durationMs: number;
  summary: EvaluateSummary;
}): string {
  const { summary } = input;
  const lines = [
    `Evaluation "${input.name}": run ${input.runId} completed`,
    `Dataset: ${input.datasetId}   Duration: ${(input.durationMs / 1000).toFixed(1)} s`,
    `Datapoints: ${summary.total} run, ${summary.passed} passed, ${summary.failed} failed` +
      (summary.skipped > 0 ? `, ${summary.skipped} skipped (already in the run)` : ''),
  ];
  for (const metric of summary.metrics) {
    if (metric.type === 'numeric')
      lines.push(
        `  ${metric.name}: mean ${number(metric.aggregate)} (min ${number(metric.min)}, max ${number(metric.max)}) over ${metric.count}`,
      );
    else if (metric.type === 'boolean')
      lines.push(
        `  ${metric.name}: ${((metric.aggregate ?? 0) * 100).toFixed(1)}% true over ${metric.count}`,
      );
    else lines.push(`  ${metric.name}: ${metric.count} values (neither numbers nor booleans)`);
  }
  return lines.join('\n');
}
