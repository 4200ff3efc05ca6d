/** An SQS event as Lambda's event source delivers it, for handler tests. */
import type { SQSEvent, SQSRecord } from 'aws-lambda';

interface SqsEventOptions {
  /** Epoch ms the messages were sent (SentTimestamp). */
  sentAt?: number;
  receiveCount?: number;
  queueArn?: string;
  /** Set on messages a dead-letter queue received (DeadLetterQueueSourceArn). */
  deadLetterSourceArn?: string;
  messageAttributes?: SQSRecord['messageAttributes'];
}

/** One record per body; a bare string gets the message id `m<index>`. */
export function sqsEvent(
  messages: Array<string | { id: string; body: string }>,
  options: SqsEventOptions = {},
): SQSEvent {
  return {
    Records: messages.map((message, index) => {
      const { id, body } = typeof message === 'string' ? { id: `m${index}`, body: message } : message;
      return {
        messageId: id,
        receiptHandle: `r-${id}`,
        body,
        attributes: {
          ApproximateReceiveCount: String(options.receiveCount ?? 1),
          SentTimestamp: String(options.sentAt ?? Date.now()),
          ...(options.deadLetterSourceArn === undefined
            ? {}
            : { DeadLetterQueueSourceArn: options.deadLetterSourceArn }),
        },
        messageAttributes: options.messageAttributes ?? {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: options.queueArn ?? 'arn:aws:sqs:us-east-1:000000000000:events',
        awsRegion: 'us-east-1',
      } as unknown as SQSRecord;
    }),
  };
}
