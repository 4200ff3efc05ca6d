/**
 * The notification sender: one batch from the delivery queue, each delivery made independently
 * (deliverNotification). A delivery that may work later is reported failed after its visibility is
 * set to the backoff of its attempt (retryLater: ChangeMessageVisibility on AWS), so SQS brings it
 * back then, and after the last attempt the redrive moves it to the dead-letter queue. A delivery
 * that can never work (channel gone, URL refused, receiver refused or redirected) and a malformed
 * message are dropped, each reported. Every attempt on a well-formed message is written to the
 * notification log (notification-log.ts); a log that cannot be written is reported, never a reason
 * to send again. No AWS imports.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type DeliveryPorts, deliverNotification } from '../domain/alerts/deliver';
import {
  NOTIFICATION_RETRY,
  type RetryPolicy,
  readDeliveryMessage,
  retryDelaySeconds,
} from '../domain/alerts/delivery-queue';
import { logEntryOf, type NotificationLog } from '../domain/alerts/notification-log';

export interface NotificationSenderDeps {
  delivery: DeliveryPorts;
  /** Hides a failed message for `seconds` before its next attempt. */
  retryLater: (receiptHandle: string, seconds: number) => Promise<void>;
  retry?: RetryPolicy;
  /** Where each attempt's outcome is recorded. */
  log: NotificationLog;
  onLogFailure?: (info: { messageId: string; error: unknown }) => void;
  onDelivered?: (info: { messageId: string; notificationId: string; channelType: string }) => void;
  onRetry?: (info: { messageId: string; attempt: number; delaySeconds: number; reason: string }) => void;
  onDropped?: (info: { messageId: string; reason: string }) => void;
}

export function createNotificationSender(deps: NotificationSenderDeps) {
  const policy = deps.retry ?? NOTIFICATION_RETRY;
  const sendOne = async (record: SQSRecord): Promise<boolean> => {
    let message: ReturnType<typeof readDeliveryMessage>;
    try {
      message = readDeliveryMessage(record.body);
    } catch (error) {
      deps.onDropped?.({ messageId: record.messageId, reason: `malformed: ${(error as Error).message}` });
      return true;
    }
    let outcome: Awaited<ReturnType<typeof deliverNotification>>;
    try {
      outcome = await deliverNotification(deps.delivery, message);
    } catch (error) {
      // The store or KMS failed: the delivery itself may work on the next attempt.
      outcome = { result: 'retry', reason: (error as Error).message };
    }
    const attempt = Math.max(1, Number(record.attributes?.ApproximateReceiveCount) || 1);
    const { notification } = message;
    await deps.log
      .append(notification, logEntryOf(message, outcome, attempt, deps.delivery.clock()))
      .catch((error: unknown) => deps.onLogFailure?.({ messageId: record.messageId, error }));
    if (outcome.result === 'delivered') {
      deps.onDelivered?.({
        messageId: record.messageId,
        notificationId: notification.id,
        channelType: outcome.channel.type,
      });
      return true;
    }
    if (outcome.result === 'dropped') {
      deps.onDropped?.({ messageId: record.messageId, reason: outcome.reason });
      return true;
    }
    const delaySeconds = retryDelaySeconds(attempt, policy);
    deps.onRetry?.({ messageId: record.messageId, attempt, delaySeconds, reason: outcome.reason });
    // If this fails the message comes back after the queue's visibility timeout instead.
    await deps.retryLater(record.receiptHandle, delaySeconds).catch(() => undefined);
    return false;
  };
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const done = await Promise.all(event.Records.map(sendOne));
    return {
      batchItemFailures: event.Records.filter((_record, index) => !done[index]).map((record) => ({
        itemIdentifier: record.messageId,
      })),
    };
  };
}
