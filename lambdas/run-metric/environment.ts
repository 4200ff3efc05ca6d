/** The run-metric function's environment (lib/data-plane/run-metric.ts sets it; handler.ts reads it). */
import { CALLER_AUTH_VARIABLES, tokenTrustProblems } from '../config/caller-auth';
import { defineFunctionEnvironment } from '../config/function-environment';
import { JUDGE_WIRING_VARIABLES } from '../config/judge';
import { integer, optional, string, url } from '../config/schema';
import { MAX_READ_WINDOW_DAYS } from '../domain/query/read-window';

export const RUN_METRIC_ENVIRONMENT = defineFunctionEnvironment(
  'run-metric',
  {
    /** The sync-state table: the synced metrics (a stored metric by id, a composite's children). */
    SYNC_STATE_TABLE_NAME: string(),
    /** The read path of an event by id: the Parquet files and the full inputs/outputs beside them. */
    EVENT_STORE_BUCKET: string(),
    ATHENA_WORKGROUP: string(),
    GLUE_DATABASE: string(),
    /** Updates still waiting for their event, merged into the event read. */
    PENDING_UPDATES_TABLE_NAME: string(),
    /** Days a read covers (dataPlanes[].defaultReadWindowDays); unset: 30. */
    DEFAULT_READ_WINDOW_DAYS: optional(integer({ min: 1, max: MAX_READ_WINDOW_DAYS })),
    /** The evaluator executor (lib/data-plane/evaluator-executor.ts) that runs Python metrics. */
    EVALUATOR_EXECUTOR_FUNCTION_NAME: string(),
    /** Model metrics: the judge's model event goes on the events queue (a large one through the raw archive). */
    EVENTS_QUEUE_URL: url(),
    OVERFLOW_BUCKET: string(),
    /** Model metrics call providers as the LLM proxy does: its provider keys, budgets and rate limits; JUDGE_* settings. */
    ...JUDGE_WIRING_VARIABLES,
    ...CALLER_AUTH_VARIABLES,
  },
  { check: tokenTrustProblems },
);

export const readRunMetricEnvironment = RUN_METRIC_ENVIRONMENT.read;
export const environmentForRunMetric = RUN_METRIC_ENVIRONMENT.environmentFor;
