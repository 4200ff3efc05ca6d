/**
 * The dead-letter archiver's logic (SQS event source on the events DLQ): every message is written
 * to dead-letters/ in the event store; a message whose write fails is reported failed and stays in
 * the DLQ for the next attempt. No AWS imports.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ObjectStore } from '../domain/ports';
import { deadLetterBody, deadLetterKey, RECEIVES_EXHAUSTED } from '../domain/store/dead-letter';

interface DeadLetterArchiverOptions {
  clock?: () => number;
  /** Called once per archived message, for logging and metrics. */
  onArchived?: (key: string) => void;
  onFailure?: (messageId: string, error: unknown) => void;
}

export type DeadLetterArchiver = (event: SQSEvent) => Promise<SQSBatchResponse>;

export function createDeadLetterArchiver(
  store: ObjectStore,
  options: DeadLetterArchiverOptions = {},
): DeadLetterArchiver {
  const clock = options.clock ?? Date.now;
  return async (event) => {
    const failed: string[] = [];
    await Promise.all(
      event.Records.map(async (record) => {
        const now = clock();
        const message = {
          messageId: record.messageId,
          body: record.body,
          attributes: { ...record.attributes },
          messageAttributes: { ...record.messageAttributes },
          eventSourceARN: record.eventSourceARN,
        };
        const key = deadLetterKey(message, now);
        try {
          await store.put(key, deadLetterBody(message, now, RECEIVES_EXHAUSTED), {
            contentType: 'application/json',
          });
          options.onArchived?.(key);
        } catch (error) {
          failed.push(record.messageId);
          options.onFailure?.(record.messageId, error);
        }
      }),
    );
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
