/**
 * The SQS limits Waggle holds to, in one place: ingest packs messages by them, the adapters (AWS and
 * the local stand-in) refuse what breaks them, and the CDK events queue is sized by them.
 *
 * Amazon SQS quotas (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html):
 * a message of at most 1 MiB (1,048,576 bytes, raised from 256 KiB in August 2025; the queue's
 * MaximumMessageSize must be set to it), SendMessageBatch of at most 10 entries and 1 MiB in total.
 * Pricing (https://aws.amazon.com/sqs/pricing/): each 64 KiB chunk of a request's payload is billed
 * as one request.
 */
export const SQS_MAX_MESSAGE_BYTES = 1024 * 1024;
export const SQS_MAX_BATCH_ENTRIES = 10;
export const SQS_MAX_BATCH_BYTES = 1024 * 1024;
/** The longest a message may be held back before its first delivery (SQS DelaySeconds: 0-900). */
export const SQS_MAX_DELAY_SECONDS = 900;
export const SQS_BILLED_CHUNK_BYTES = 64 * 1024;
/**
 * Receives before a message moves to its dead-letter queue, on every queue Waggle creates (and the
 * local stand-ins): enough for transient failures to pass, few enough that poison leaves within the
 * hour at the writer's visibility timeout.
 */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;
