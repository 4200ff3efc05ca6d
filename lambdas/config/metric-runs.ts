/**
 * The variables of a function that runs metrics on stored events (run-metric, the evaluation
 * worker): the synced metrics, the read path of events, the evaluator executor for Python, and the
 * judge's (provider keys, limits, JUDGE_* settings, the events queue for its model event).
 */

import { MAX_READ_WINDOW_DAYS } from '../domain/query/read-window';
import { JUDGE_WIRING_VARIABLES } from './judge';
import { type InputOf, integer, optional, string, url, type ValuesOf } from './schema';

export const METRIC_RUN_VARIABLES = {
  /** The sync-state table: the synced metrics (by id, a composite's children) and configurations. */
  SYNC_STATE_TABLE_NAME: string(),
  /** The read path of an event: the Parquet files and the full inputs/outputs beside them. */
  EVENT_STORE_BUCKET: string(),
  ATHENA_WORKGROUP: string(),
  GLUE_DATABASE: string(),
  /** Updates still waiting for their event, merged into the event read. */
  PENDING_UPDATES_TABLE_NAME: string(),
  /** Days a read covers (dataPlanes[].defaultReadWindowDays); unset: 30. */
  DEFAULT_READ_WINDOW_DAYS: optional(integer({ min: 1, max: MAX_READ_WINDOW_DAYS })),
  /** The evaluator executor (lib/data-plane/evaluator-executor.ts) that runs Python metrics. */
  EVALUATOR_EXECUTOR_FUNCTION_NAME: string(),
  /** Judges' model events (and the evaluation worker's scores) go on the events queue. */
  EVENTS_QUEUE_URL: url(),
  /** Where a message too large for the events queue is written first (the raw-archive bucket). */
  OVERFLOW_BUCKET: string(),
  /** LLM judges call providers as the LLM proxy does: its provider keys, budgets and rate limits. */
  ...JUDGE_WIRING_VARIABLES,
} as const;

export type MetricRunInput = InputOf<typeof METRIC_RUN_VARIABLES>;
export type MetricRunValues = ValuesOf<typeof METRIC_RUN_VARIABLES>;
