/** The experiment-steps function's environment (lib/data-plane/experiments.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { PROVIDER_KEY_VARIABLES } from '../config/provider-keys';
import { string, url } from '../config/schema';

export const EXPERIMENT_STEPS_ENVIRONMENT = defineFunctionEnvironment('experiment-steps', {
  /** Runs (their datapoint ids; their status, sessions and counts when they end) and datapoints. */
  DATASETS_TABLE_NAME: string(),
  /** Item lists, endpoint headers and batch records (the map's ItemReader reads the item lists). */
  EXPERIMENT_ITEMS_BUCKET: string(),
  /** Configurations by name, as the LLM proxy reads them. */
  SYNC_STATE_TABLE_NAME: string(),
  /** Provider calls are the LLM proxy's: its keys, and its limits table (rate limits, budgets, usage counters). */
  ...PROVIDER_KEY_VARIABLES,
  PROXY_LIMITS_TABLE_NAME: string(),
  /** Sessions and model events go on the events queue, as ingested traces do. */
  EVENTS_QUEUE_URL: url(),
  /** Where an event too large for a queue message is written first (the raw-archive bucket). */
  OVERFLOW_BUCKET: string(),
});

export const readExperimentStepsEnvironment = EXPERIMENT_STEPS_ENVIRONMENT.read;
export const environmentForExperimentSteps = EXPERIMENT_STEPS_ENVIRONMENT.environmentFor;
