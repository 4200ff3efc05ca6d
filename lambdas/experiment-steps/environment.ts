/** The experiment-steps function's environment (lib/data-plane/experiments.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { JUDGE_WIRING_VARIABLES } from '../config/judge';
import { string, url } from '../config/schema';

export const EXPERIMENT_STEPS_ENVIRONMENT = defineFunctionEnvironment('experiment-steps', {
  /** Runs (their datapoint ids; their status, sessions and counts when they end) and datapoints. */
  DATASETS_TABLE_NAME: string(),
  /** Item lists, endpoint headers and batch records (the map's ItemReader reads the item lists). */
  EXPERIMENT_ITEMS_BUCKET: string(),
  /** Configurations by name, as the LLM proxy reads them, and the synced metrics a run names. */
  SYNC_STATE_TABLE_NAME: string(),
  /**
   * Provider calls are the LLM proxy's: its keys, and its limits table (rate limits, budgets, usage
   * counters); the run's LLM-judge metrics call providers the same way, with the judges' settings.
   */
  ...JUDGE_WIRING_VARIABLES,
  /** The evaluator executor (lib/data-plane/evaluator-executor.ts) that runs the run's Python metrics. */
  EVALUATOR_EXECUTOR_FUNCTION_NAME: string(),
  /** Sessions and model events go on the events queue, as ingested traces do. */
  EVENTS_QUEUE_URL: url(),
  /** Where an event too large for a queue message is written first (the raw-archive bucket). */
  OVERFLOW_BUCKET: string(),
});

export const readExperimentStepsEnvironment = EXPERIMENT_STEPS_ENVIRONMENT.read;
export const environmentForExperimentSteps = EXPERIMENT_STEPS_ENVIRONMENT.environmentFor;
