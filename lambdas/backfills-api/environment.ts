/** The backfills function's environment (lib/data-plane/backfills.ts sets it; handler.ts reads it). */
import { CALLER_AUTH_VARIABLES, tokenTrustProblems } from '../config/caller-auth';
import { defineFunctionEnvironment } from '../config/function-environment';
import { integer, optional, string } from '../config/schema';
import { MAX_READ_WINDOW_DAYS } from '../domain/query/read-window';

export const BACKFILLS_API_ENVIRONMENT = defineFunctionEnvironment(
  'backfills-api',
  {
    /** The synced metrics a backfill runs. */
    SYNC_STATE_TABLE_NAME: string(),
    /** The estimate counts the range's events through Athena. */
    EVENT_STORE_BUCKET: string(),
    ATHENA_WORKGROUP: string(),
    GLUE_DATABASE: string(),
    DEFAULT_READ_WINDOW_DAYS: optional(integer({ min: 1, max: MAX_READ_WINDOW_DAYS })),
    /** The backfill workflow: runs are its executions. */
    BACKFILL_STATE_MACHINE_ARN: string(),
    ...CALLER_AUTH_VARIABLES,
  },
  { check: tokenTrustProblems },
);

export const readBackfillsApiEnvironment = BACKFILLS_API_ENVIRONMENT.read;
export const environmentForBackfillsApi = BACKFILLS_API_ENVIRONMENT.environmentFor;
