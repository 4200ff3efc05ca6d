/** The ingest function's environment (lib/data-plane/ingest-api.ts sets it; handler.ts reads it). */
import { CALLER_AUTH_VARIABLES, tokenTrustProblems } from '../config/caller-auth';
import { defineFunctionEnvironment } from '../config/function-environment';
import { string, url } from '../config/schema';

export const INGEST_ENVIRONMENT = defineFunctionEnvironment(
  'ingest',
  {
    /** Raw requests (raw/) and records too big for a queue message (overflow/). */
    RAW_ARCHIVE_BUCKET: string(),
    EVENTS_QUEUE_URL: url(),
    ...CALLER_AUTH_VARIABLES,
  },
  { check: tokenTrustProblems },
);

export const readIngestEnvironment = INGEST_ENVIRONMENT.read;
export const environmentForIngest = INGEST_ENVIRONMENT.environmentFor;
