/**
 * Monitor states reaching the control plane: the evaluator's transition reports travel on the
 * delivery queue (queueOutbox) and the sender records them on the state board, only for monitors
 * of that organization and project, keeping the newest state whatever order reports arrive in; a
 * malformed report is dropped, a board outage retried. Also the routing by severity the sender
 * applies to monitor notifications.
 */
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { DeliveryPorts } from '../../../lambdas/domain/alerts/deliver';
import { AWS_URL_POLICY } from '../../../lambdas/domain/alerts/delivery-target';
import { MemoryNotificationLog } from '../../../lambdas/domain/alerts/memory-notification-log';
import { memoryStateBoard } from '../../../lambdas/domain/alerts/monitors/memory-state-board';
import { queueOutbox } from '../../../lambdas/domain/alerts/monitors/outbox';
import {
  type MonitorTransitionReport,
  readTransitionReport,
} from '../../../lambdas/domain/alerts/monitors/transition-report';
import { ValidationError } from '../../../lambdas/domain/errors';
import type { QueueMessage } from '../../../lambdas/domain/ports';
import { createNotificationSender } from '../../../lambdas/notification-sender/app';
import { sqsEvent } from '../../support/sqs-event';
import { aChannel, aNotification, NOW, plainSealer, stubResolver } from './alerts-fixtures';

const MONITOR = { kind: 'monitor', org_id: 'org1', project_id: 'p1', id: 'mon1' };

function aReport(state: 'ok' | 'critical', at: number): MonitorTransitionReport {
  const value = state === 'critical' ? 4 : 0;
  return {
    org_id: 'org1',
    project_id: 'p1',
    monitor_id: 'mon1',
    status: {
      state,
      alerting: state === 'critical' ? 'critical' : null,
      value,
      threshold: 0,
      since: at,
      evaluated_at: at,
    },
    change: {
      monitor_id: 'mon1',
      at,
      state,
      previous_state: state === 'critical' ? 'ok' : 'critical',
      value,
      threshold: 0,
      notification_id: state === 'critical' ? 'msg_abc' : null,
    },
  };
}

/** The bodies queueOutbox sends for these reports, as the queue would hand them to the sender. */
async function queuedBodies(reports: MonitorTransitionReport[]): Promise<string[]> {
  const sent: QueueMessage[] = [];
  const outbox = queueOutbox({
    sendBatch: async (messages: QueueMessage[]) => void sent.push(...messages),
  } as never);
  for (const report of reports) await outbox.report(report);
  return sent.map((message) => message.body);
}

function record(id: string, body: string): SQSRecord {
  return sqsEvent([{ id, body }], { receiveCount: 1 }).Records[0] as SQSRecord;
}

function sender(options: { channels?: Map<string, unknown>; failBoard?: boolean } = {}) {
  const board = memoryStateBoard();
  const records = new Map<string, unknown>([['mon1', MONITOR], ...(options.channels ?? [])]);
  const delivered: string[] = [];
  const events: string[] = [];
  const delivery: DeliveryPorts = {
    // As the control-plane store: a record is found only in its own organization.
    channels: {
      get: async (ref) => {
        const found = records.get(ref.id) as { org_id: string } | undefined;
        return (found?.org_id === ref.org_id ? found : undefined) as never;
      },
    },
    sealer: plainSealer,
    resolver: stubResolver({ 'ok.example.com': ['93.184.216.34'] }).resolver,
    policy: AWS_URL_POLICY,
    transport: async (request) => {
      delivered.push(request.body);
      return { status: 200 };
    },
    clock: () => NOW,
  };
  const log = new MemoryNotificationLog(() => NOW);
  const send = createNotificationSender({
    delivery,
    log,
    retryLater: async () => {},
    states: options.failBoard
      ? {
          ...board,
          record: async () => {
            throw new Error('ProvisionedThroughputExceededException');
          },
        }
      : board,
    onTransition: ({ messageId }) => events.push(`recorded ${messageId}`),
    onTransitionFailure: ({ messageId }) => events.push(`failed ${messageId}`),
    onDropped: ({ messageId, reason }) => events.push(`dropped ${messageId}: ${reason}`),
    onNotRouted: ({ messageId, reason }) => events.push(`not routed ${messageId}: ${reason}`),
    onDelivered: ({ messageId }) => events.push(`delivered ${messageId}`),
  });
  return { send, board, events, delivered, log };
}

describe('monitor transitions on the delivery queue', () => {
  it('records reports as the evaluator queues them, the newest state winning whatever the order', async () => {
    const { send, board, events } = sender();
    const [ok, critical] = await queuedBodies([aReport('ok', NOW), aReport('critical', NOW + 60_000)]);
    // Out of order, and the critical one twice (SQS standard queues may do both).
    const result = await send({
      Records: [
        record('m1', critical as string),
        record('m2', ok as string),
        record('m3', critical as string),
      ],
    });
    expect(result.batchItemFailures).toEqual([]);
    expect(events.sort()).toEqual(['recorded m1', 'recorded m2', 'recorded m3']);
    expect((await board.load('p1', ['mon1'])).get('mon1')).toMatchObject({ state: 'critical', value: 4 });
    expect((await board.history('p1', 'mon1', 10)).map((entry) => [entry.state, entry.at])).toEqual([
      ['critical', NOW + 60_000],
      ['ok', NOW],
    ]);
  });

  it('drops reports about monitors this organization and project do not have', async () => {
    const { send, board, events } = sender();
    const [otherProject, otherOrg, unknown] = await queuedBodies([
      { ...aReport('critical', NOW), project_id: 'p2' },
      { ...aReport('critical', NOW), org_id: 'org2' },
      {
        ...aReport('critical', NOW),
        monitor_id: 'gone',
        change: { ...aReport('critical', NOW).change, monitor_id: 'gone' },
      },
    ]);
    const result = await send({
      Records: [
        record('m1', otherProject as string),
        record('m2', otherOrg as string),
        record('m3', unknown as string),
      ],
    });
    expect(result.batchItemFailures).toEqual([]);
    // Records are sent concurrently: the order of events is not the batch's.
    expect(events.sort()).toEqual([
      'dropped m1: no monitor mon1 in project p2',
      'dropped m2: no monitor mon1 in project p1',
      'dropped m3: no monitor gone in project p1',
    ]);
    expect(await board.load('p1', ['mon1', 'gone'])).toEqual(new Map());
    expect(await board.load('p2', ['mon1'])).toEqual(new Map());
  });

  it('refuses malformed reports, each with the reason', () => {
    const good = aReport('critical', NOW);
    const cases: [unknown, RegExp][] = [
      [null, /transition must be an object/],
      [{ ...good, monitor_id: '' }, /monitor_id must be an id/],
      [{ ...good, org_id: 'x'.repeat(201) }, /org_id must be an id/],
      [{ ...good, status: { ...good.status, state: 'exploded' } }, /status.state must be one of/],
      [{ ...good, status: { ...good.status, alerting: 'ok' } }, /alerting must be critical, warning or null/],
      [{ ...good, status: { ...good.status, value: 'NaN' } }, /status.value must be a number or null/],
      [{ ...good, status: { ...good.status, since: 1.5 } }, /status.since must be a time/],
      [{ ...good, change: { ...good.change, at: -1 } }, /change.at must be a time/],
      [{ ...good, change: { ...good.change, monitor_id: 'other' } }, /about another monitor/],
      [{ ...good, change: { ...good.change, state: 'ok' } }, /does not match transition.status/],
      [{ ...good, change: { ...good.change, notification_id: 7 } }, /notification_id must be an id or null/],
    ];
    for (const [transition, message] of cases) {
      expect(() => readTransitionReport({ transition })).toThrow(ValidationError);
      expect(() => readTransitionReport({ transition })).toThrow(message);
    }
    expect(readTransitionReport({ transition: good })).toEqual(good);
  });

  it('drops a malformed report and retries one the board cannot take', async () => {
    const [body] = await queuedBodies([aReport('critical', NOW)]);
    const broken = JSON.stringify({ transition: { ...aReport('critical', NOW), status: 'critical' } });
    const failing = sender({ failBoard: true });
    const result = await failing.send({ Records: [record('m1', body as string), record('m2', broken)] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(failing.events.sort()).toEqual([
      expect.stringMatching(/^dropped m2: malformed: transition.status must be an object/),
      'failed m1',
    ]);
  });
});

describe('routing by severity', () => {
  it('sends a monitor notification only to channels that take its severity; tests go anywhere', async () => {
    const criticalOnly = aChannel({ id: 'pager', url: 'https://ok.example.com/', severities: ['critical'] });
    const { send, events, delivered, log } = sender({ channels: new Map([['pager', criticalOnly]]) });
    const message = (notification: ReturnType<typeof aNotification>) =>
      JSON.stringify({ notification, channel: { org_id: 'org1', id: 'pager' } });
    const result = await send({
      Records: [
        record('m1', message(aNotification({ id: 'msg_w', severity: 'warning', state: 'warning' }))),
        record('m2', message(aNotification({ id: 'msg_c', severity: 'critical' }))),
        record('m3', message(aNotification({ id: 'msg_r', severity: 'resolution', state: 'ok' }))),
        record(
          'm4',
          message(
            aNotification({ id: 'msg_t', type: 'channel.test', severity: 'warning', state: 'warning' }),
          ),
        ),
      ],
    });
    expect(result.batchItemFailures).toEqual([]);
    expect(events.sort()).toEqual([
      'delivered m2',
      'delivered m4',
      'not routed m1: the channel takes critical only',
      'not routed m3: the channel takes critical only',
    ]);
    expect(
      delivered.map(
        (body) => (JSON.parse(body) as { data: { notification_id: string } }).data.notification_id,
      ),
    ).toEqual(['msg_c', 'msg_t']);
    // Routing is not a delivery attempt: the log has the two sent, nothing for the others.
    const { entries } = await log.list({ org_id: 'org1', project_id: 'p1' }, { limit: 10 });
    expect(entries.map((entry) => entry.notification_id).sort()).toEqual(['msg_c', 'msg_t']);
  });
});
