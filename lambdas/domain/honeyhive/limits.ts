/** Limits of the HoneyHive-compatible intake. docs/honeyhive-api.md states them to clients. */

/**
 * Most events one `/events/batch` or `/events/model/batch` request may carry (more: 413). With
 * MAX_JSON_VALUES and the 32 MiB inflated-body limit this bounds a request's work: a full batch at
 * both limits stays under half of the ingest function's 1,024 MB and takes seconds, far inside API
 * Gateway's 29 s integration timeout (test/unit/ingest/ingest-peak-memory.test.ts).
 */
export const MAX_BATCH_EVENTS = 1000;

/**
 * Most JSON values in one request body, and in a JSON-encoded `event`/`session`/`model_event`
 * string, counted before parsing (more: 413): each object and array, and each comma-separated member
 * or item. JSON.parse materialises everything at once (about 110 bytes a value for empty objects,
 * several times that once events are built from it and queued), so this bounds memory before any of
 * it is spent: a full batch at 2^20 values peaked at 482 MiB, too close to half the function, so the
 * limit is 2^19. A thousand events of 500 values each fit; HoneyHive's SDKs send far smaller events.
 */
export const MAX_JSON_VALUES = 524_288;

/** Longest accepted event, session or parent id. UUIDs are 36; this leaves room for client-chosen ids. */
export const MAX_ID_LENGTH = 128;

/** Longest accepted short label: event_name, source, model, provider, project. */
export const MAX_LABEL_LENGTH = 1024;

/** Most entries in `children_ids`. */
export const MAX_CHILDREN_IDS = 10_000;

/** Deepest nesting of objects and arrays accepted in a body, including JSON-encoded `event`/`session` strings. */
export const MAX_JSON_DEPTH = 64;

/** Latest accepted timestamp (9999-12-31T23:59:59.999Z) in epoch milliseconds; later values are not dates. */
export const MAX_EPOCH_MS = 253_402_300_799_999;
