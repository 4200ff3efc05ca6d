/**
 * MessageQueue on an SQS queue. SendMessageBatch can accept some entries and refuse others, so the
 * entries reported in `Failed` (and only those) are sent again a few times before giving up; the
 * caller then answers 503 and the client retries the whole request.
 */
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { MessageQueue, QueueMessage } from '../../domain/ports';
import { assertWithinBatchLimits } from '../queue-batch-limits';

interface QueueSendFailure {
  id: string;
  code: string;
  message: string;
  senderFault: boolean;
}

export class QueueSendError extends Error {
  override readonly name = 'QueueSendError';
  constructor(readonly failures: QueueSendFailure[]) {
    super(
      `SQS did not accept ${failures.length} message(s): ${failures
        .map((failure) => `${failure.id} (${failure.code}: ${failure.message})`)
        .join('; ')}`,
    );
  }
}

interface SqsMessageQueueOptions {
  /** Attempts per batch including the first one. */
  maxAttempts?: number;
  /** Backoff before the n-th retry is baseDelayMs * 4^(n-1), with jitter. */
  baseDelayMs?: number;
}

const RETRYABLE_ERROR_NAMES = new Set([
  'ThrottlingException',
  'RequestThrottled',
  'ServiceUnavailable',
  'InternalError',
  'KmsThrottled',
]);

export class SqsMessageQueue implements MessageQueue {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    options: SqsMessageQueueOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 25;
  }

  async sendBatch(messages: QueueMessage[]): Promise<void> {
    assertWithinBatchLimits(messages);
    // Entry ids are positional because SQS restricts their characters; callers' ids may be anything.
    let pending = new Map<string, QueueMessage>(messages.map((message, index) => [`m${index}`, message]));
    let failures: QueueSendFailure[] = [];

    for (let attempt = 1; attempt <= this.maxAttempts && pending.size > 0; attempt++) {
      if (attempt > 1) await sleep(this.backoffMs(attempt - 1));
      const outcome = await this.sendOnce(pending);
      failures = outcome.failures;
      pending = outcome.retry;
      // A sender fault (bad entry) fails the same way every time: no point in retrying it.
      if (failures.some((failure) => failure.senderFault)) break;
    }
    if (failures.length > 0) throw new QueueSendError(failures);
  }

  private async sendOnce(
    pending: Map<string, QueueMessage>,
  ): Promise<{ failures: QueueSendFailure[]; retry: Map<string, QueueMessage> }> {
    const entries: SendMessageBatchRequestEntry[] = [...pending].map(([entryId, message]) => ({
      Id: entryId,
      MessageBody: message.body,
      ...(message.delaySeconds !== undefined && { DelaySeconds: message.delaySeconds }),
      // A retried entry keeps its deduplication id, so a send that did land is not queued twice.
      ...(message.fifo && {
        MessageGroupId: message.fifo.groupId,
        MessageDeduplicationId: message.fifo.deduplicationId,
      }),
    }));
    try {
      const response = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
      );
      const retry = new Map<string, QueueMessage>();
      const failures: QueueSendFailure[] = [];
      for (const failed of response.Failed ?? []) {
        const message = failed.Id === undefined ? undefined : pending.get(failed.Id);
        if (!message || failed.Id === undefined) continue;
        retry.set(failed.Id, message);
        failures.push({
          id: message.id,
          code: failed.Code ?? 'Unknown',
          message: failed.Message ?? 'no message',
          senderFault: failed.SenderFault ?? false,
        });
      }
      return { failures, retry };
    } catch (error) {
      if (!isRetryable(error)) throw error;
      const reason = error instanceof Error ? error : new Error(String(error));
      const failures = [...pending.values()].map((message) => ({
        id: message.id,
        code: reason.name,
        message: reason.message,
        senderFault: false,
      }));
      return { failures, retry: pending };
    }
  }

  private backoffMs(retry: number): number {
    const ceiling = this.baseDelayMs * 4 ** (retry - 1);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = error as { $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = meta.$metadata?.httpStatusCode ?? 0;
  return RETRYABLE_ERROR_NAMES.has(error.name) || meta.$retryable !== undefined || status >= 500;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
