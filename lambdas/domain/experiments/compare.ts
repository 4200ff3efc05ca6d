/**
 * Two runs side by side (HoneyHive's `GET /runs/{new_run_id}/compare-with/{old_run_id}`): for every
 * metric either run has, both runs' aggregates and their difference, and over the datapoints the
 * runs have in common, which improved, degraded or stayed the same.
 *
 * A datapoint's value of a metric is the mean of that metric on the session's events of that name
 * and type (one, nearly always). Higher is better (a true beats a false): HoneyHive's comparison
 * reads metrics that way, and a metric where lower is better shows its changes as the opposite.
 */
import { type AggregateFunction, numericValue } from './aggregate';
import {
  type DatapointResult,
  datapointKey,
  type ExperimentResult,
  type MetricDetail,
  metricKey,
} from './results';

export interface MetricComparison {
  metric_name: string;
  metric_type: MetricDetail['metric_type'];
  event_name: string;
  event_type: string;
  old_aggregate?: number;
  new_aggregate?: number;
  difference?: number;
  percentage_change?: number;
  /** Common datapoints that have the metric in both runs. */
  found_count: number;
  improved_count: number;
  degraded_count: number;
  same_count: number;
  improved: string[];
  degraded: string[];
  same: string[];
  old_values: (number | boolean)[];
  new_values: (number | boolean)[];
}

export interface RunComparison {
  aggregation_function: AggregateFunction;
  metrics: MetricComparison[];
  commonDatapoints: string[];
  event_details: { event_name: string; event_type: string; presence: 'old' | 'new' | 'both' }[];
}

export function compareRuns(newer: ExperimentResult, older: ExperimentResult): RunComparison {
  const newByKey = byDatapoint(newer.datapoints);
  const oldByKey = byDatapoint(older.datapoints);
  const common = [...newByKey.keys()].filter((key) => oldByKey.has(key));
  const oldDetails = new Map(older.metrics.details.map((detail) => [detailKey(detail), detail]));
  const newDetails = new Map(newer.metrics.details.map((detail) => [detailKey(detail), detail]));
  const keys = [...new Set([...newDetails.keys(), ...oldDetails.keys()])];
  const metrics = keys.map((key) => {
    const oldDetail = oldDetails.get(key);
    const newDetail = newDetails.get(key);
    const shape = (newDetail ?? oldDetail) as MetricDetail;
    const comparison = uncountedComparison(shape, oldDetail?.values ?? [], newDetail?.values ?? []);
    if (oldDetail?.aggregate !== undefined) comparison.old_aggregate = oldDetail.aggregate;
    if (newDetail?.aggregate !== undefined) comparison.new_aggregate = newDetail.aggregate;
    if (comparison.old_aggregate !== undefined && comparison.new_aggregate !== undefined) {
      comparison.difference = comparison.new_aggregate - comparison.old_aggregate;
      if (comparison.old_aggregate !== 0)
        comparison.percentage_change = (comparison.difference / Math.abs(comparison.old_aggregate)) * 100;
    }
    for (const datapoint of common) {
      const before = meanOf(oldByKey.get(datapoint) as DatapointResult, key);
      const after = meanOf(newByKey.get(datapoint) as DatapointResult, key);
      if (before === undefined || after === undefined) continue;
      comparison.found_count++;
      const bucket =
        after > before ? comparison.improved : after < before ? comparison.degraded : comparison.same;
      bucket.push(datapoint);
    }
    comparison.improved_count = comparison.improved.length;
    comparison.degraded_count = comparison.degraded.length;
    comparison.same_count = comparison.same.length;
    return comparison;
  });
  return {
    aggregation_function: newer.metrics.aggregation_function,
    metrics,
    commonDatapoints: common,
    event_details: eventPresence(older, newer),
  };
}

/** A metric's comparison before its aggregates and common datapoints are counted in. */
export function uncountedComparison(
  metric: Pick<MetricDetail, 'metric_name' | 'metric_type' | 'event_name' | 'event_type'>,
  oldValues: MetricComparison['old_values'] = [],
  newValues: MetricComparison['new_values'] = [],
): MetricComparison {
  return {
    metric_name: metric.metric_name,
    metric_type: metric.metric_type,
    event_name: metric.event_name,
    event_type: metric.event_type,
    found_count: 0,
    improved_count: 0,
    degraded_count: 0,
    same_count: 0,
    improved: [],
    degraded: [],
    same: [],
    old_values: oldValues,
    new_values: newValues,
  };
}

function detailKey(detail: MetricDetail): string {
  return metricKey({
    name: detail.metric_name,
    event_name: detail.event_name,
    event_type: detail.event_type,
  });
}

/** Datapoints by key; a datapoint run twice in one run keeps its latest session. */
function byDatapoint(datapoints: readonly DatapointResult[]): Map<string, DatapointResult> {
  return new Map(datapoints.map((datapoint) => [datapointKey(datapoint), datapoint]));
}

function meanOf(datapoint: DatapointResult, key: string): number | undefined {
  const values = datapoint.metrics
    .filter((metric) => metricKey(metric) === key)
    .map((metric) => numericValue(metric.value));
  return values.length === 0 ? undefined : values.reduce((total, value) => total + value, 0) / values.length;
}

function eventPresence(older: ExperimentResult, newer: ExperimentResult): RunComparison['event_details'] {
  const id = (detail: { event_name: string; event_type: string }) =>
    JSON.stringify([detail.event_name, detail.event_type]);
  const oldIds = new Set(older.event_details.map(id));
  const newIds = new Set(newer.event_details.map(id));
  const all = new Map([...older.event_details, ...newer.event_details].map((detail) => [id(detail), detail]));
  return [...all].map(([key, detail]) => ({
    event_name: detail.event_name,
    event_type: detail.event_type,
    presence: oldIds.has(key) && newIds.has(key) ? 'both' : newIds.has(key) ? 'new' : 'old',
  }));
}
