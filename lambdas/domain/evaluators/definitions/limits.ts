/**
 * Size caps of metric definitions. One version travels whole in one sync message
 * (evaluator.upserted), which the publisher holds to 64 KiB (MAX_MESSAGE_BYTES in
 * ../../sync/publisher.ts, itself far below SQS's message limit); the payload is the version plus
 * its ids, capped like a configuration's at MAX_SYNC_PAYLOAD_BYTES (56 KiB). The same version is
 * what the control plane's DynamoDB items hold (the evaluator record and one history record per
 * version) and what the data plane's sync-state item holds: each far below DynamoDB's 400 KB item
 * limit (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items),
 * which test/unit/evaluators/definitions/metric-limits.test.ts checks with the largest version accepted.
 *
 * A Python snippet is also held to the sandbox's own limit (DEFAULT_CODE_LIMITS.codeBytes); in
 * practice the version cap below is reached first.
 */
import { DEFAULT_CODE_LIMITS } from '../code-limits';

/** One version (code or prompt, criteria, filters, children...) as JSON. */
export const MAX_METRIC_VERSION_BYTES = 48 * 1024;
/** UTF-8 bytes of a Python snippet: what the sandbox runs at most. */
export const MAX_CODE_BYTES = DEFAULT_CODE_LIMITS.codeBytes;
/** DynamoDB's item limit (400 KB, attribute names included), for the tests that hold items to it. */
export const DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024;
export const MAX_METRIC_NAME_LENGTH = 200;
export const MAX_CHILD_METRICS = 20;
