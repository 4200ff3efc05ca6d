/** The writer's environment (lib/data-plane/event-writer.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { string, url } from '../config/schema';

export const WRITER_ENVIRONMENT = defineFunctionEnvironment('writer', {
  EVENT_STORE_BUCKET: string(),
  /** The raw archive: events too big for a queue message wait under its overflow/ prefix. */
  OVERFLOW_BUCKET: string(),
  /** Athena answers updates with the stored newest version of their event. */
  ATHENA_WORKGROUP: string(),
  GLUE_DATABASE: string(),
  /** Updates whose event is not stored yet wait here. */
  PENDING_UPDATES_TABLE_NAME: string(),
  /** Online evaluation: the tasks the stored events call for go on this queue (the evaluation worker's). */
  EVALUATIONS_QUEUE_URL: url(),
  /** The sync-state table: the metrics enabled in production, per project. */
  SYNC_STATE_TABLE_NAME: string(),
});

export const readWriterEnvironment = WRITER_ENVIRONMENT.read;
export const environmentForWriter = WRITER_ENVIRONMENT.environmentFor;
