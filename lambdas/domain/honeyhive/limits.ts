/** Limits of the HoneyHive-compatible intake. docs/honeyhive-api.md states them to clients. */

/** Most events one `/events/batch` or `/events/model/batch` request may carry. */
export const MAX_BATCH_EVENTS = 1000;

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
