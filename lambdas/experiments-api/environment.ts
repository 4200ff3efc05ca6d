/** The experiments function's environment (lib/data-plane/experiments.ts sets it; handler.ts reads it). */
import { CALLER_AUTH_VARIABLES, tokenTrustProblems } from '../config/caller-auth';
import { defineFunctionEnvironment } from '../config/function-environment';
import { string } from '../config/schema';

export const EXPERIMENTS_API_ENVIRONMENT = defineFunctionEnvironment(
  'experiments-api',
  {
    /** Datasets and runs: a run is recorded before its workflow starts. */
    DATASETS_TABLE_NAME: string(),
    /** Configurations (by id) and the synced metrics a run names. */
    SYNC_STATE_TABLE_NAME: string(),
    /** The project's rate limit, which sets the map's concurrency. */
    PROXY_LIMITS_TABLE_NAME: string(),
    /** Where an endpoint's headers are kept for the steps (never in the execution's input). */
    EXPERIMENT_ITEMS_BUCKET: string(),
    /** The experiment workflow: runs are its executions. */
    EXPERIMENT_STATE_MACHINE_ARN: string(),
    ...CALLER_AUTH_VARIABLES,
  },
  { check: tokenTrustProblems },
);

export const readExperimentsApiEnvironment = EXPERIMENTS_API_ENVIRONMENT.read;
export const environmentForExperimentsApi = EXPERIMENTS_API_ENVIRONMENT.environmentFor;
