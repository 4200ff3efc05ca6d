/**
 * The notification sender: one batch from the delivery queue, each delivery made independently
 * (deliverNotification). A delivery that may work later is reported failed after its visibility is
 * set to the backoff of its attempt (retryLater: ChangeMessageVisibility on AWS), so SQS brings it
 * back then, and after the last attempt the redrive moves it to the dead-letter queue. A delivery
 * that can never work (channel gone, URL refused, receiver refused or redirected) and a malformed
 * message are dropped, each reported. Every attempt on a well-formed message is written to the
 * notification log (notification-log.ts); a log that cannot be written is reported, never a reason
 * to send again. A monitor's transition report (transition-report.ts) on the same queue is recorded
 * on the state board instead. No AWS imports.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type DeliveryPorts, deliverNotification } from '../domain/alerts/deliver';
import {
  type DeliveryMessage,
  deliveryMessageOf,
  NOTIFICATION_RETRY,
  parseQueueMessage,
  type RetryPolicy,
  retryDelaySeconds,
} from '../domain/alerts/delivery-queue';
import {
  isTransitionMessage,
  type MonitorStateBoard,
  type MonitorTransitionReport,
  readTransitionReport,
  recordTransition,
} from '../domain/alerts/monitors/transition-report';
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
  /** A monitor's notification for a channel that does not take its severity. */
  onNotRouted?: (info: { messageId: string; reason: string }) => void;
  /** Where monitors' reported states and history are kept (transition-report.ts). */
  states: MonitorStateBoard;
  onTransition?: (info: { messageId: string; report: MonitorTransitionReport }) => void;
  /** The board could not be written: the message is reported failed and comes back. */
  onTransitionFailure?: (info: { messageId: string; error: unknown }) => void;
}

type QueueMessage = { delivery: DeliveryMessage } | { transition: MonitorTransitionReport };

function readQueueMessage(body: string): QueueMessage {
  const parsed = parseQueueMessage(body);
  return isTransitionMessage(parsed)
    ? { transition: readTransitionReport(parsed) }
    : { delivery: deliveryMessageOf(parsed) };
}

export function createNotificationSender(deps: NotificationSenderDeps) {
  const policy = deps.retry ?? NOTIFICATION_RETRY;
  const sendOne = async (record: SQSRecord): Promise<boolean> => {
    let read: QueueMessage;
    try {
      read = readQueueMessage(record.body);
    } catch (error) {
      deps.onDropped?.({ messageId: record.messageId, reason: `malformed: ${(error as Error).message}` });
      return true;
    }
    if ('transition' in read) return recordReport(record, read.transition);
    const message = read.delivery;
    let outcome: Awaited<ReturnType<typeof deliverNotification>>;
    try {
      outcome = await deliverNotification(deps.delivery, message);
    } catch (error) {
      // The store or KMS failed: the delivery itself may work on the next attempt.
      outcome = { result: 'retry', reason: (error as Error).message };
    }
    if (outcome.result === 'not-routed') {
      // Routing, not a delivery: nothing for the notification log.
      deps.onNotRouted?.({ messageId: record.messageId, reason: outcome.reason });
      return true;
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
  /** A monitor's state change: onto the board (retried while the table fails), or dropped with why. */
  const recordReport = async (record: SQSRecord, report: MonitorTransitionReport): Promise<boolean> => {
    try {
      const outcome = await recordTransition({ records: deps.delivery.channels, board: deps.states }, report);
      if (outcome.recorded) deps.onTransition?.({ messageId: record.messageId, report });
      else deps.onDropped?.({ messageId: record.messageId, reason: outcome.reason });
      return true;
    } catch (error) {
      deps.onTransitionFailure?.({ messageId: record.messageId, error });
      return false;
    }
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
