/** The evaluation-worker function's environment (lib/data-plane/evaluation-worker.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { JUDGE_WIRING_VARIABLES } from '../config/judge';
import { integer, optional, string, url } from '../config/schema';
import { MAX_READ_WINDOW_DAYS } from '../domain/query/read-window';

export const EVALUATION_WORKER_ENVIRONMENT = defineFunctionEnvironment('evaluation-worker', {
  /** The sync-state table: the synced metrics (a task's evaluator version, a composite's children, configurations). */
  SYNC_STATE_TABLE_NAME: string(),
  /** The read path of a task's event: the Parquet files and the full inputs/outputs beside them. */
  EVENT_STORE_BUCKET: string(),
  ATHENA_WORKGROUP: string(),
  GLUE_DATABASE: string(),
  /** Updates still waiting for their event, merged into the event read. */
  PENDING_UPDATES_TABLE_NAME: string(),
  /** Days a read covers (dataPlanes[].defaultReadWindowDays); unset: 30. */
  DEFAULT_READ_WINDOW_DAYS: optional(integer({ min: 1, max: MAX_READ_WINDOW_DAYS })),
  /** The evaluator executor (lib/data-plane/evaluator-executor.ts) that runs Python metrics. */
  EVALUATOR_EXECUTOR_FUNCTION_NAME: string(),
  /** Scores go back as metrics updates on the events queue; judges' model events too. */
  EVENTS_QUEUE_URL: url(),
  /** Where a message too large for the events queue is written first (the raw-archive bucket). */
  OVERFLOW_BUCKET: string(),
  /** LLM judges call providers as the proxy does: its provider keys, budgets and rate limits; JUDGE_* settings. */
  ...JUDGE_WIRING_VARIABLES,
});

export const readEvaluationWorkerEnvironment = EVALUATION_WORKER_ENVIRONMENT.read;
export const environmentForEvaluationWorker = EVALUATION_WORKER_ENVIRONMENT.environmentFor;
