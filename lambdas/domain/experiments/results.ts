/**
 * An experiment run's result (HoneyHive's ExperimentResultResponse, `GET /runs/{run_id}/result`):
 * per datapoint, its session, metrics and pass/fail; per metric (name, event name and type), the
 * aggregate over the run and which datapoints passed and failed.
 *
 * Pass/fail of one metric value: the verdict a server-side evaluator recorded (its threshold or
 * pass_when, from the scores table) when there is one; otherwise a boolean passes when true; a number
 * or string without a verdict neither passes nor fails. A datapoint fails when one of its metrics
 * failed or its session event has an error, and passes otherwise.
 */
import type { RunEventRow, RunEvents } from '../query/run-events';
import { type AggregateFunction, aggregate } from './aggregate';

/** One metric value on one event of a datapoint's session. */
export interface DatapointMetric {
  name: string;
  event_name: string;
  event_type: string;
  value: number | boolean;
  passed?: boolean;
}

export interface DatapointResult {
  datapoint_id: string | null;
  session_id: string;
  passed: boolean;
  metrics: DatapointMetric[];
  /** The session event's inputs and outputs, for the console's run detail and diff. */
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  error: string | null;
}

export interface MetricDetail {
  metric_name: string;
  metric_type: 'numeric' | 'boolean';
  event_name: string;
  event_type: string;
  aggregate?: number;
  values: (number | boolean)[];
  datapoints: { passed: string[]; failed: string[] };
}

export interface ExperimentResult {
  status: string;
  success: boolean;
  passed: string[];
  failed: string[];
  metrics: { aggregation_function: AggregateFunction; details: MetricDetail[] };
  datapoints: DatapointResult[];
  event_details: { event_name: string; event_type: string }[];
  /** Waggle: true when the run had more events than one read returns (run-events.ts MAX_RUN_EVENT_ROWS). */
  truncated: boolean;
}

/**
 * The key a metric is aggregated by: its name on events of one name and type. A session event is
 * named after its run (evaluate() names each datapoint's session so), so session metrics are keyed
 * by their type alone: otherwise two runs of different names would share no session metric.
 */
export function metricKey(metric: { name: string; event_name: string; event_type: string }): string {
  const eventName = metric.event_type === 'session' ? '' : metric.event_name;
  return JSON.stringify([metric.name, eventName, metric.event_type]);
}

/** A datapoint's key: its datapoint id, or its session id when the session names none. */
export function datapointKey(datapoint: Pick<DatapointResult, 'datapoint_id' | 'session_id'>): string {
  return datapoint.datapoint_id ?? datapoint.session_id;
}

export function experimentResult(
  run: { status: string },
  events: RunEvents,
  fn: AggregateFunction,
): ExperimentResult {
  const verdicts = new Map(
    events.verdicts.map((verdict) => [`${verdict.event_id}\u0000${verdict.metric_name}`, verdict.passed]),
  );
  const sessions = new Map<string, RunEventRow[]>();
  for (const row of events.rows) {
    const rows = sessions.get(row.session_id) ?? [];
    rows.push(row);
    sessions.set(row.session_id, rows);
  }
  const datapoints: DatapointResult[] = [];
  const eventKinds = new Map<string, { event_name: string; event_type: string }>();
  for (const [sessionId, rows] of sessions) {
    const session = rows.find((row) => row.event_type === 'session');
    if (!session) continue;
    const metrics: DatapointMetric[] = [];
    for (const row of rows) {
      eventKinds.set(JSON.stringify([row.event_name, row.event_type]), {
        event_name: row.event_name,
        event_type: row.event_type,
      });
      for (const [name, value] of Object.entries(row.metrics)) {
        if (typeof value !== 'boolean' && !(typeof value === 'number' && Number.isFinite(value))) continue;
        const verdict = verdicts.get(`${row.event_id}\u0000${name}`);
        const passed = verdict ?? (typeof value === 'boolean' ? value : undefined);
        metrics.push({
          name,
          event_name: row.event_name,
          event_type: row.event_type,
          value,
          ...(passed === undefined ? {} : { passed }),
        });
      }
    }
    datapoints.push({
      datapoint_id: session.datapoint_id,
      session_id: sessionId,
      passed: session.error === null && metrics.every((metric) => metric.passed !== false),
      metrics,
      inputs: session.inputs,
      outputs: session.outputs,
      error: session.error,
    });
  }
  return {
    status: run.status,
    success: true,
    passed: datapoints.filter((datapoint) => datapoint.passed).map(datapointKey),
    failed: datapoints.filter((datapoint) => !datapoint.passed).map(datapointKey),
    metrics: { aggregation_function: fn, details: metricDetails(datapoints, fn) },
    datapoints,
    event_details: [...eventKinds.values()],
    truncated: events.truncated,
  };
}

function metricDetails(datapoints: readonly DatapointResult[], fn: AggregateFunction): MetricDetail[] {
  const details = new Map<string, MetricDetail>();
  for (const datapoint of datapoints) {
    for (const metric of datapoint.metrics) {
      const key = metricKey(metric);
      let detail = details.get(key);
      if (!detail) {
        detail = {
          metric_name: metric.name,
          metric_type: typeof metric.value === 'boolean' ? 'boolean' : 'numeric',
          event_name: metric.event_name,
          event_type: metric.event_type,
          values: [],
          datapoints: { passed: [], failed: [] },
        };
        details.set(key, detail);
      }
      detail.values.push(metric.value);
      if (metric.passed === true) detail.datapoints.passed.push(datapointKey(datapoint));
      if (metric.passed === false) detail.datapoints.failed.push(datapointKey(datapoint));
    }
  }
  return [...details.values()].map((detail) => {
    const value = aggregate(detail.values, fn);
    return value === undefined ? detail : { ...detail, aggregate: value };
  });
}
