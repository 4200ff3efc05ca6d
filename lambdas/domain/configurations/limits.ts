/**
 * Size caps for configurations and tools. A configuration's synced payload (its latest version and
 * the versions deployed to environments) travels in one sync message, which the publisher holds to
 * 64 KiB (MAX_MESSAGE_BYTES in ../sync/publisher.ts, itself far below SQS's 1 MiB message limit);
 * the control-plane record holds the same snapshots, far below DynamoDB's 400 KB item limit; and a
 * request body is at most 64 KiB (CONTROL_PLANE_BODY_LIMITS).
 */

/** One version (template, functions, parameters...) as JSON. */
export const MAX_VERSION_BYTES = 24 * 1024;
/** A configuration's synced payload: at most the latest and three deployed versions, plus ids. */
export const MAX_SYNC_PAYLOAD_BYTES = 56 * 1024;
/** A tool as JSON. */
export const MAX_TOOL_BYTES = 24 * 1024;
export const MAX_NAME_LENGTH = 200;
export const MAX_TEMPLATE_MESSAGES = 200;
export const MAX_SELECTED_FUNCTIONS = 64;
export const MAX_TAGS = 50;

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
