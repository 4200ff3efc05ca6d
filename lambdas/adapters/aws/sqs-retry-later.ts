/**
 * Backoff on SQS: a failed message's visibility is set to the wait before its next attempt
 * (ChangeMessageVisibility, 0 to 43,200 s), and the consumer reports it failed; the queue's redrive
 * policy moves it to the dead-letter queue after maxReceiveCount receives.
 */
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS's longest visibility timeout. */
const MAX_VISIBILITY_SECONDS = 43_200;

export function sqsRetryLater(client: SQSClient, queueUrl: string) {
  return async (receiptHandle: string, seconds: number): Promise<void> => {
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.round(seconds))),
      }),
    );
  };
}
