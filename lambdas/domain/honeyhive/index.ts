/** HoneyHive-compatible REST intake: pure functions from a parsed JSON body to events-queue records. */
export { createEvent } from './create-event';
export { createEventBatch, createEventBatchSteps } from './event-batch';
export type { IntakeContext, IntakeResult } from './intake-context';
export { MAX_BATCH_EVENTS, MAX_ID_LENGTH, MAX_JSON_DEPTH, MAX_JSON_VALUES } from './limits';
export { createModelEvent } from './model-event';
export { createModelEventBatch, createModelEventBatchSteps } from './model-event-batch';
export { startSession } from './session-start';
export { updateEvent } from './update-event';
