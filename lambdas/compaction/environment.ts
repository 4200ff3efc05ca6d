/** The compaction job's environment (lib/data-plane/compaction.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { integer, optional, string } from '../config/schema';

export const COMPACTION_ENVIRONMENT = defineFunctionEnvironment('compaction', {
  EVENT_STORE_BUCKET: string(),
  /** How long after its end an hour counts as closed, in ms; unset: the job's default (1 hour). */
  COMPACTION_CLOSED_AFTER_MS: optional(integer({ min: 0 })),
});

export const readCompactionEnvironment = COMPACTION_ENVIRONMENT.read;
export const environmentForCompaction = COMPACTION_ENVIRONMENT.environmentFor;
