/**
 * The sender over SQS batches: delivered and dropped messages succeed, a failed delivery is
 * reported failed after its visibility is set to the backoff of its attempt (SQS's receive count),
 * each record on its own; an outage of the store is retried, never dropped.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { DeliveryPorts } from '../../../lambdas/domain/alerts/deliver';
import { AWS_URL_POLICY } from '../../../lambdas/domain/alerts/delivery-target';
import { MemoryNotificationLog } from '../../../lambdas/domain/alerts/memory-notification-log';
import { memoryStateBoard } from '../../../lambdas/domain/alerts/monitors/memory-state-board';
import { createNotificationSender } from '../../../lambdas/notification-sender/app';
import { sqsEvent } from '../../support/sqs-event';
import { aChannel, aNotification, NOW, plainSealer, stubResolver } from './alerts-fixtures';

function record(id: string, body: string, receiveCount: number): SQSRecord {
  return sqsEvent([{ id, body }], { receiveCount }).Records[0] as SQSRecord;
}

const body = (channelId: string) =>
  JSON.stringify({ notification: aNotification(), channel: { org_id: 'org1', id: channelId } });

describe('the notification sender', () => {
  it('acknowledges delivered and dropped records, and delays each failed one by its attempt', async () => {
    const channels = new Map([
      ['ok', aChannel({ id: 'ok', url: 'https://ok.example.com/' })],
      ['down', aChannel({ id: 'down', url: 'https://down.example.com/' })],
      ['private', aChannel({ id: 'private', url: 'https://private.example.com/' })],
    ]);
    const { resolver } = stubResolver({
      'ok.example.com': ['93.184.216.34'],
      'down.example.com': ['93.184.216.35'],
      'private.example.com': ['10.0.0.1'],
    });
    const delivery: DeliveryPorts = {
      channels: { get: async (ref) => channels.get(ref.id) as never },
      sealer: plainSealer,
      resolver,
      policy: AWS_URL_POLICY,
      transport: async (request) => ({
        status: request.target.url.hostname === 'down.example.com' ? 503 : 200,
      }),
      clock: () => NOW,
    };
    const delays: [string, number][] = [];
    const events: string[] = [];
    const log = new MemoryNotificationLog(() => NOW);
    const send = createNotificationSender({
      delivery,
      log,
      states: memoryStateBoard(),
      retryLater: async (handle, seconds) => {
        delays.push([handle, seconds]);
      },
      onDelivered: ({ messageId }) => events.push(`delivered ${messageId}`),
      onDropped: ({ messageId, reason }) => events.push(`dropped ${messageId}: ${reason}`),
      onRetry: ({ messageId, attempt }) => events.push(`retry ${messageId} #${attempt}`),
    });
    const result = await send({
      Records: [
        record('m1', body('ok'), 1),
        record('m2', body('down'), 1),
        record('m3', body('down'), 3),
        record('m4', body('down'), 5),
        record('m5', body('private'), 1),
        record('m6', body('gone'), 1),
        record('m7', '{not json', 1),
      ],
    });
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'm2' },
      { itemIdentifier: 'm3' },
      { itemIdentifier: 'm4' },
    ]);
    // 30 s, then 120 s on the third attempt, and 0 after the last: the redrive takes it at once.
    expect(delays).toEqual([
      ['r-m2', 30],
      ['r-m3', 120],
      ['r-m4', 0],
    ]);
    expect(events).toEqual(
      expect.arrayContaining([
        'delivered m1',
        'retry m2 #1',
        expect.stringMatching(/^dropped m5: url refused/),
        'dropped m6: the channel no longer exists',
        expect.stringMatching(/^dropped m7: malformed/),
      ]),
    );
    // Every attempt on a well-formed message is logged with its outcome; the malformed one cannot be.
    const { entries } = await log.list({ org_id: 'org1', project_id: 'p1' }, { limit: 100 });
    const outcomes = entries.map((entry) => `${entry.channel_id} #${entry.attempt} ${entry.status}`);
    expect(outcomes.sort()).toEqual(
      [
        'down #1 failed',
        'down #3 failed',
        'down #5 failed',
        'gone #1 dropped',
        'ok #1 delivered',
        'private #1 dropped',
      ].sort(),
    );
    expect(entries.find((entry) => entry.channel_id === 'ok')).toEqual({
      notification_id: 'msg_1',
      type: 'monitor.state_changed',
      channel_id: 'ok',
      monitor_id: 'mon1',
      monitor_name: 'Model errors',
      severity: 'critical',
      state: 'critical',
      status: 'delivered',
      attempt: 1,
      at: new Date(NOW).toISOString(),
    });
    expect(entries.find((entry) => entry.channel_id === 'private')?.error).toMatch(/^url refused/);
  });

  it('delivers even when the log cannot be written, and reports that', async () => {
    const failures: string[] = [];
    const send = createNotificationSender({
      delivery: {
        channels: { get: async () => aChannel({ id: 'ok', url: 'https://ok.example.com/' }) as never },
        sealer: plainSealer,
        resolver: stubResolver({ 'ok.example.com': ['93.184.216.34'] }).resolver,
        policy: AWS_URL_POLICY,
        transport: async () => ({ status: 200 }),
        clock: () => NOW,
      },
      log: {
        append: async () => {
          throw new Error('ProvisionedThroughputExceededException');
        },
        list: async () => ({ entries: [], next_cursor: null }),
      },
      onLogFailure: ({ messageId }) => failures.push(messageId),
      retryLater: async () => {},
      states: memoryStateBoard(),
    });
    expect((await send({ Records: [record('m1', body('ok'), 1)] })).batchItemFailures).toEqual([]);
    expect(failures).toEqual(['m1']);
  });

  it('retries when the store fails (never drops a notification for an outage)', async () => {
    const delays: number[] = [];
    const send = createNotificationSender({
      delivery: {
        channels: {
          get: async () => {
            throw new Error('ProvisionedThroughputExceededException');
          },
        },
        sealer: plainSealer,
        resolver: stubResolver({}).resolver,
        policy: AWS_URL_POLICY,
        transport: async () => ({ status: 200 }),
        clock: () => NOW,
      },
      log: new MemoryNotificationLog(() => NOW),
      states: memoryStateBoard(),
      retryLater: async (_handle, seconds) => {
        delays.push(seconds);
      },
    });
    expect((await send({ Records: [record('m1', body('x'), 2)] })).batchItemFailures).toEqual([
      { itemIdentifier: 'm1' },
    ]);
    expect(delays).toEqual([60]);
  });
});
