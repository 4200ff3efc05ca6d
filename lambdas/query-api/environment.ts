/** The query function's environment (lib/data-plane/query-api.ts sets it; handler.ts reads it). */
import { CALLER_AUTH_VARIABLES, tokenTrustProblems } from '../config/caller-auth';
import { defineFunctionEnvironment } from '../config/function-environment';
import { integer, optional, string, url } from '../config/schema';
import { MAX_READ_WINDOW_DAYS } from '../domain/query/read-window';

export const QUERY_API_ENVIRONMENT = defineFunctionEnvironment(
  'query-api',
  {
    /** The Parquet files, and the full inputs/outputs that did not fit in their row. */
    EVENT_STORE_BUCKET: string(),
    ATHENA_WORKGROUP: string(),
    GLUE_DATABASE: string(),
    /** DELETE routes enqueue tombstones here. */
    EVENTS_QUEUE_URL: url(),
    /** The overflow store of the tombstones' publisher (the same one ingest uses). */
    RAW_ARCHIVE_BUCKET: string(),
    /** Updates still waiting for their event, merged into what reads return. */
    PENDING_UPDATES_TABLE_NAME: string(),
    /** Experiment runs (the datasets function's table), read for their results and comparisons. */
    DATASETS_TABLE_NAME: string(),
    /** Days a read without a dateRange covers (dataPlanes[].defaultReadWindowDays); unset: 30. */
    DEFAULT_READ_WINDOW_DAYS: optional(integer({ min: 1, max: MAX_READ_WINDOW_DAYS })),
    ...CALLER_AUTH_VARIABLES,
  },
  { check: tokenTrustProblems },
);

export const readQueryApiEnvironment = QUERY_API_ENVIRONMENT.read;
export const environmentForQueryApi = QUERY_API_ENVIRONMENT.environmentFor;
