/**
 * How the run pages read a result and a comparison: the metric columns of a run, a value and an
 * aggregate in words, and what changed for each datapoint between two runs. Pure.
 */
import type {
  DatapointMetric,
  DatapointResult,
  MetricComparison,
  MetricDetail,
  MetricValue,
  RunComparison,
} from '../api/experiments';

/** A metric is its name on events of one name and type (the key the platform aggregates by). */
export interface MetricKey {
  metric_name: string;
  event_name: string;
  event_type: string;
}

export function metricId(metric: MetricKey): string {
  return JSON.stringify([metric.metric_name, metric.event_name, metric.event_type]);
}

/** Where a metric was recorded: `session`, or `model generate`. */
export function metricWhere(metric: { event_name: string; event_type: string }): string {
  return metric.event_type === 'session' || metric.event_name === ''
    ? metric.event_type
    : `${metric.event_type} ${metric.event_name}`;
}

/** A column label: the metric's name, with where it was recorded when another metric shares its name. */
export function metricLabel(metric: MetricKey, all: readonly MetricKey[]): string {
  const shared = all.filter((other) => other.metric_name === metric.metric_name).length > 1;
  return shared ? `${metric.metric_name} (${metricWhere(metric)})` : metric.metric_name;
}

const numbers = new Intl.NumberFormat(undefined, { maximumFractionDigits: 4 });

export function valueText(value: MetricValue | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return Number.isFinite(value) ? numbers.format(value) : String(value);
}

/** A datapoint's value of a metric (the first on its session's events of that name and type). */
export function datapointMetric(datapoint: DatapointResult, metric: MetricKey): DatapointMetric | undefined {
  return datapoint.metrics.find(
    (candidate) =>
      candidate.name === metric.metric_name &&
      candidate.event_name === metric.event_name &&
      candidate.event_type === metric.event_type,
  );
}

/** A datapoint's key in a result: its datapoint id, or its session's id when it names none. */
export function datapointKey(datapoint: Pick<DatapointResult, 'datapoint_id' | 'session_id'>): string {
  return datapoint.datapoint_id ?? datapoint.session_id;
}

/** The share of the run's datapoints that passed, as a percentage, or undefined without any. */
export function passRate(passed: number, failed: number): number | undefined {
  return passed + failed === 0 ? undefined : (passed / (passed + failed)) * 100;
}

/** The change of an aggregate in words and sign: `+0.25`, `−0.1`, `0`. */
export function deltaOf(
  metric: Pick<MetricComparison, 'old_aggregate' | 'new_aggregate'>,
): number | undefined {
  const { old_aggregate: before, new_aggregate: after } = metric;
  if (typeof before !== 'number' || typeof after !== 'number') return undefined;
  return after - before;
}

export function deltaText(delta: number | undefined): string {
  if (delta === undefined) return '–';
  if (delta === 0) return '0';
  return `${delta > 0 ? '+' : '−'}${numbers.format(Math.abs(delta))}`;
}

export type Change = 'improved' | 'regressed' | 'mixed' | 'same';

export const CHANGE_LABELS: Record<Change, string> = {
  improved: 'Improved',
  regressed: 'Regressed',
  mixed: 'Mixed',
  same: 'Unchanged',
};

/**
 * Per common datapoint: the metrics that improved and regressed, and the change overall (improved:
 * some better and none worse; regressed: some worse and none better; mixed: both).
 */
export function datapointChanges(
  comparison: Pick<RunComparison, 'metrics' | 'commonDatapoints'>,
): Map<string, { change: Change; improved: string[]; regressed: string[] }> {
  const changes = new Map(
    comparison.commonDatapoints.map((id) => [
      id,
      { change: 'same' as Change, improved: [] as string[], regressed: [] as string[] },
    ]),
  );
  for (const metric of comparison.metrics) {
    const label = metricLabel(metric, comparison.metrics);
    for (const id of metric.improved) changes.get(id)?.improved.push(label);
    for (const id of metric.degraded) changes.get(id)?.regressed.push(label);
  }
  for (const entry of changes.values())
    entry.change =
      entry.improved.length > 0 && entry.regressed.length > 0
        ? 'mixed'
        : entry.improved.length > 0
          ? 'improved'
          : entry.regressed.length > 0
            ? 'regressed'
            : 'same';
  return changes;
}

/** The metrics of a result's details, in the result's order. */
export function metricKeys(details: readonly MetricDetail[]): MetricKey[] {
  return details.map(({ metric_name, event_name, event_type }) => ({ metric_name, event_name, event_type }));
}
