/**
 * Every Lambda function's environment, by function folder: for the tests that hold each construct
 * to its function's schema and the cold-start benchmark (a valid environment for every handler).
 * Handlers import their own environment.ts, never this list.
 */
import { COMPACTION_ENVIRONMENT } from '../compaction/environment';
import { CONTROL_PLANE_API_ENVIRONMENT } from '../control-plane-api/environment';
import { CONTROL_PLANE_TOKENS_ENVIRONMENT } from '../control-plane-tokens/environment';
import { DATA_PLANE_CONTROLLER_ENVIRONMENT } from '../data-plane-controller/environment';
import { DEAD_LETTER_ARCHIVER_ENVIRONMENT } from '../dead-letter-archiver/environment';
import { HEARTBEAT_RECEIVER_ENVIRONMENT } from '../heartbeat-receiver/environment';
import { HEARTBEAT_SENDER_ENVIRONMENT } from '../heartbeat-sender/environment';
import { INGEST_ENVIRONMENT } from '../ingest/environment';
import { PROVIDER_KEYS_ENVIRONMENT } from '../provider-keys/environment';
import { QUERY_API_ENVIRONMENT } from '../query-api/environment';
import { SYNC_RECONCILER_ENVIRONMENT } from '../sync-reconciler/environment';
import { WRITER_ENVIRONMENT } from '../writer/environment';
import type { FunctionEnvironmentSpec } from './function-environment';
import type { Schema } from './schema';

export const FUNCTION_ENVIRONMENTS: readonly FunctionEnvironmentSpec<Schema>[] = [
  COMPACTION_ENVIRONMENT,
  CONTROL_PLANE_API_ENVIRONMENT,
  CONTROL_PLANE_TOKENS_ENVIRONMENT,
  DATA_PLANE_CONTROLLER_ENVIRONMENT,
  DEAD_LETTER_ARCHIVER_ENVIRONMENT,
  HEARTBEAT_RECEIVER_ENVIRONMENT,
  HEARTBEAT_SENDER_ENVIRONMENT,
  INGEST_ENVIRONMENT,
  PROVIDER_KEYS_ENVIRONMENT,
  QUERY_API_ENVIRONMENT,
  SYNC_RECONCILER_ENVIRONMENT,
  WRITER_ENVIRONMENT,
];

/** One environment in which every handler starts: each function's example values, merged. */
export function exampleEnvironmentOfEveryFunction(): Record<string, string> {
  return Object.assign({}, ...FUNCTION_ENVIRONMENTS.map((spec) => spec.example()));
}
