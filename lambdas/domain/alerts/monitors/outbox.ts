/**
 * How a monitor's notification leaves the data plane: one delivery message per channel the monitor
 * names (delivery-queue.ts's shape), sent to the control plane's delivery queue, whose sender looks
 * each channel up again (a deleted channel is dropped there). Only the notification's figures
 * travel (monitor id and name, state, value, threshold, window, project): no event contents. Each
 * state change is also reported there for the control plane's state board (transition-report.ts).
 */

import type { MessageQueue, QueueMessage } from '../../ports';
import { SQS_MAX_BATCH_ENTRIES } from '../../queue-limits';
import type { DeliveryMessage } from '../delivery-queue';
import type { Notification } from '../notification';
import { type MonitorTransitionReport, transitionMessageBody } from './transition-report';

export interface NotificationOutbox {
  /** Resolves once every channel's message is accepted by the queue; rejects otherwise. */
  queue(notification: Notification, channelIds: readonly string[]): Promise<void>;
  /** Reports a state change to the control plane (transition-report.ts); resolves once accepted. */
  report(transition: MonitorTransitionReport): Promise<void>;
}

export function queueOutbox(queue: MessageQueue): NotificationOutbox {
  return {
    async queue(notification, channelIds) {
      const messages: QueueMessage[] = channelIds.map((id, index) => ({
        id: `c${index}`,
        body: JSON.stringify({
          notification,
          channel: { org_id: notification.org_id, id },
        } satisfies DeliveryMessage),
      }));
      for (let start = 0; start < messages.length; start += SQS_MAX_BATCH_ENTRIES)
        await queue.sendBatch(messages.slice(start, start + SQS_MAX_BATCH_ENTRIES));
    },
    async report(transition) {
      await queue.sendBatch([{ id: 'transition', body: transitionMessageBody(transition) }]);
    },
  };
}
