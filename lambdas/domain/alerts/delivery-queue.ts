/**
 * The delivery queue's messages and retry policy. One message per notification and channel, so a
 * failing channel is retried alone. A failed delivery comes back after a backoff that doubles from
 * `baseSeconds` (the consumer sets the message's visibility to it, SQS ChangeMessageVisibility),
 * and after `maxAttempts` receives the queue's redrive moves it to the dead-letter queue, whose
 * alarm tells the operators. The local platform's queue applies the same policy.
 */

import { ValidationError } from '../errors';
import type { MessageQueue, QueueMessage } from '../ports';
import { DEFAULT_MAX_RECEIVE_COUNT, SQS_MAX_BATCH_ENTRIES, SQS_MAX_MESSAGE_BYTES } from '../queue-limits';
import type { ChannelRecord } from './channel';
import { type Notification, objectOf, readNotification } from './notification';

export interface RetryPolicy {
  /** Receives before the dead-letter queue (the queue's maxReceiveCount). */
  maxAttempts: number;
  /** The wait after the first failure; doubled after each one. */
  baseSeconds: number;
  maxSeconds: number;
}

/** 30 s, 1, 2, 4 minutes, then the dead-letter queue: about 8 minutes of an outage is ridden out. */
export const NOTIFICATION_RETRY: RetryPolicy = {
  maxAttempts: DEFAULT_MAX_RECEIVE_COUNT,
  baseSeconds: 30,
  // ChangeMessageVisibility takes up to 12 hours; 15 minutes keeps an alert timely.
  maxSeconds: 900,
};

/**
 * Seconds until the next attempt after failed attempt `attempt` (1-based: SQS's receive count);
 * 0 after the last one, so the redrive moves it to the dead-letter queue at once.
 */
export function retryDelaySeconds(attempt: number, policy: RetryPolicy = NOTIFICATION_RETRY): number {
  if (attempt >= policy.maxAttempts) return 0;
  return Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.max(0, attempt - 1));
}

/** A queued delivery: the notification and the channel it goes to (looked up again when sent). */
export interface DeliveryMessage {
  notification: Notification;
  channel: { org_id: string; id: string };
}

/** A message is a few hundred bytes; anything near SQS's limit is not one of ours. */
const MAX_DELIVERY_MESSAGE_BYTES = 16 * 1024;

/** A message of the delivery queue as a JSON object: a delivery, or a monitor's transition report. */
export function parseQueueMessage(body: string): Record<string, unknown> {
  if (Buffer.byteLength(body) > MAX_DELIVERY_MESSAGE_BYTES)
    throw new ValidationError('delivery message too large');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ValidationError('delivery message is not JSON');
  }
  return objectOf(parsed, 'delivery message');
}

export function readDeliveryMessage(body: string): DeliveryMessage {
  return deliveryMessageOf(parseQueueMessage(body));
}

export function deliveryMessageOf(message: Record<string, unknown>): DeliveryMessage {
  const channel = objectOf(message.channel, 'delivery message channel');
  if (typeof channel.org_id !== 'string' || typeof channel.id !== 'string')
    throw new ValidationError('delivery message channel must name org_id and id');
  const notification = readNotification(message.notification);
  if (notification.org_id !== channel.org_id)
    throw new ValidationError('delivery message channel is not in the notification organization');
  return { notification, channel: { org_id: channel.org_id, id: channel.id } };
}

/**
 * Queues one delivery per channel, in batches SQS takes (10 entries, well under 1 MiB). Resolves
 * once every message is accepted: a monitor saves its new state only after this (a crash then
 * repeats a notification, never loses one; receivers drop the repeat by its webhook-id).
 */
export async function queueDeliveries(
  queue: MessageQueue,
  notification: Notification,
  channels: readonly ChannelRecord[],
): Promise<number> {
  const messages: QueueMessage[] = channels.map((channel) => {
    const body = JSON.stringify({
      notification,
      channel: { org_id: channel.org_id, id: channel.id },
    } satisfies DeliveryMessage);
    if (Buffer.byteLength(body) > Math.min(MAX_DELIVERY_MESSAGE_BYTES, SQS_MAX_MESSAGE_BYTES))
      throw new ValidationError('notification too large to queue');
    return { id: `${channel.id}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80), body };
  });
  for (let start = 0; start < messages.length; start += SQS_MAX_BATCH_ENTRIES) {
    await queue.sendBatch(messages.slice(start, start + SQS_MAX_BATCH_ENTRIES));
  }
  return messages.length;
}
