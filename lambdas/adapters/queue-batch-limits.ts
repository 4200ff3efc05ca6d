/**
 * The SendMessageBatch limits, checked before anything is sent so that the local queue
 * rejects exactly what SQS would reject (a bug shows up on a laptop, not in production).
 */
import type { QueueMessage } from '../domain/ports';
import {
  SQS_MAX_BATCH_BYTES as MAX_BATCH_BYTES,
  SQS_MAX_BATCH_ENTRIES as MAX_BATCH_ENTRIES,
  SQS_MAX_MESSAGE_BYTES as MAX_MESSAGE_BYTES,
  SQS_MAX_DELAY_SECONDS,
} from '../domain/queue-limits';

// Characters SQS refuses in a body: C0 controls other than tab/LF/CR, and U+FFFE/U+FFFF.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these control characters are exactly what SQS refuses.
const FORBIDDEN_BODY_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export class QueueBatchLimitError extends Error {
  override readonly name = 'QueueBatchLimitError';
}

/** Throws QueueBatchLimitError when the batch breaks an SQS limit; returns the total body size in bytes. */
export function assertWithinBatchLimits(messages: readonly QueueMessage[]): number {
  if (messages.length === 0) throw new QueueBatchLimitError('a batch needs at least one message');
  if (messages.length > MAX_BATCH_ENTRIES) {
    throw new QueueBatchLimitError(
      `a batch holds at most ${MAX_BATCH_ENTRIES} messages, got ${messages.length}`,
    );
  }
  const ids = new Set<string>();
  let totalBytes = 0;
  for (const message of messages) {
    if (ids.has(message.id))
      throw new QueueBatchLimitError(`message id "${message.id}" appears twice in the batch`);
    ids.add(message.id);
    if (message.body.length === 0)
      throw new QueueBatchLimitError(`message "${message.id}" has an empty body`);
    if (!message.body.isWellFormed() || FORBIDDEN_BODY_CHARACTERS.test(message.body)) {
      throw new QueueBatchLimitError(`message "${message.id}" has characters SQS does not accept`);
    }
    if (
      message.delaySeconds !== undefined &&
      !(
        Number.isInteger(message.delaySeconds) &&
        message.delaySeconds >= 0 &&
        message.delaySeconds <= SQS_MAX_DELAY_SECONDS
      )
    ) {
      throw new QueueBatchLimitError(
        `message "${message.id}" has a delay of ${message.delaySeconds} s; SQS takes whole seconds from 0 to ${SQS_MAX_DELAY_SECONDS}`,
      );
    }
    if (message.fifo && message.delaySeconds !== undefined)
      throw new QueueBatchLimitError(`message "${message.id}": a FIFO message cannot have its own delay`);
    if (message.fifo) {
      checkFifoId(message.id, 'group id', message.fifo.groupId);
      checkFifoId(message.id, 'deduplication id', message.fifo.deduplicationId);
    }
    const bytes = Buffer.byteLength(message.body, 'utf8');
    if (bytes > MAX_MESSAGE_BYTES) {
      throw new QueueBatchLimitError(
        `message "${message.id}" has ${bytes} bytes; a message holds at most ${MAX_MESSAGE_BYTES}`,
      );
    }
    totalBytes += bytes;
  }
  if (totalBytes > MAX_BATCH_BYTES) {
    throw new QueueBatchLimitError(
      `a batch holds at most ${MAX_BATCH_BYTES} bytes of bodies, got ${totalBytes}`,
    );
  }
  return totalBytes;
}

// MessageGroupId and MessageDeduplicationId: 1 to 128 ASCII letters, digits and punctuation.
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

function checkFifoId(messageId: string, what: string, value: string): void {
  if (!FIFO_ID.test(value))
    throw new QueueBatchLimitError(`message "${messageId}" has a ${what} SQS does not accept`);
}
