/**
 * Data plane -> control plane reports: the registration's fields, the receiver (the queue decides
 * which data plane a report is about), the sender (figures only) and the reconciliation reading the
 * stored digest, so that a converged data plane gets nothing and a drifted one only what differs.
 */
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { digest } from '../../../lambdas/domain/sync/digest';
import { buildHeartbeat, HeartbeatError } from '../../../lambdas/domain/sync/heartbeat';
import { MemoryHeartbeatStore, reportedStateOf } from '../../../lambdas/domain/sync/heartbeat-store';
import { createSyncPublisher, MemorySequenceStore } from '../../../lambdas/domain/sync/publisher';
import {
  buildRegistration,
  parseDataPlaneReport,
  parseRegistration,
} from '../../../lambdas/domain/sync/registration';
import { createHeartbeatReceiver, parseHeartbeatQueues } from '../../../lambdas/heartbeat-receiver/app';
import { createHeartbeatSender, reportKindOf } from '../../../lambdas/heartbeat-sender/app';
import { createReconciler } from '../../../lambdas/sync-reconciler/app';
import { MemoryQueue } from '../../support/memory-ports';
import { sqsEvent } from '../../support/sqs-event';
import { change, DATA_PLANE, dataPlane, keyChange, NOW, signer } from './fixtures';

const figures = {
  dataPlaneId: DATA_PLANE,
  queueDepth: 2,
  errors: 1,
  lagMs: 50,
  appliedSeq: 7,
  digest: digest([]),
};
const location = {
  account: '111111111111',
  region: 'eu-central-1',
  endpoint: 'https://abc.execute-api.eu-central-1.amazonaws.com/',
  hostingModel: 'dedicated',
};
const QUEUE_ARN = `arn:aws:sqs:us-east-1:999999999999:waggle-${DATA_PLANE}-heartbeats`;

function heartbeatEvent(bodies: string[], queueArn = QUEUE_ARN): SQSEvent {
  return sqsEvent(bodies, { queueArn });
}

function receiver(store = new MemoryHeartbeatStore()) {
  const refused: string[] = [];
  const receive = createHeartbeatReceiver({
    store,
    queues: parseHeartbeatQueues(JSON.stringify({ [`waggle-${DATA_PLANE}-heartbeats`]: DATA_PLANE })),
    clock: () => NOW,
    onRefused: ({ reason }) => refused.push(reason),
  });
  return { store, refused, receive };
}

describe('registration', () => {
  it('carries account, region, endpoint and hosting model beside the figures, and nothing else', () => {
    const registration = buildRegistration({ ...figures, ...location, events: ['secret'] } as never, NOW);
    expect(registration).toEqual({ v: 1, type: 'registration', sentAt: NOW, ...figures, ...location });
    expect(JSON.stringify(registration)).not.toContain('secret');
    expect(parseDataPlaneReport(JSON.parse(JSON.stringify(registration)))).toEqual(registration);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a short account', { account: '1234' }],
    ['a bad region', { region: 'Europe' }],
    ['a non-URL endpoint', { endpoint: 'not a url' }],
    ['credentials in the endpoint', { endpoint: 'https://user:pw@example.com' }],
    ['a bad hosting model', { hostingModel: 'On Prem!' }],
  ])('refuses %s', (_, override) => {
    const valid = { v: 1, type: 'registration', sentAt: NOW, ...figures, ...location };
    expect(() => parseRegistration({ ...valid, ...override })).toThrow(HeartbeatError);
  });
});

describe('heartbeat receiver', () => {
  it('stores the newest report; an older or replayed one is ignored', async () => {
    const { store, receive } = receiver();
    const newer = JSON.stringify(buildHeartbeat({ ...figures, queueDepth: 9 }, NOW));
    const older = JSON.stringify(buildRegistration({ ...figures, ...location }, NOW - 60_000));
    expect(await receive(heartbeatEvent([newer, older, newer]))).toEqual({ batchItemFailures: [] });
    expect((await store.latest(DATA_PLANE))?.queueDepth).toBe(9);
    // The older registration still counts as the registration (there was none).
    expect((await store.registration(DATA_PLANE))?.endpoint).toBe(location.endpoint);
  });

  it('refuses a report naming another data plane than its queue, a malformed one, one from the future', async () => {
    const { store, refused, receive } = receiver();
    const other = JSON.stringify(buildHeartbeat({ ...figures, dataPlaneId: 'dp-us-1' }, NOW));
    const future = JSON.stringify(buildHeartbeat(figures, NOW + 3_600_000));
    const unknownQueue = heartbeatEvent(
      [JSON.stringify(buildHeartbeat(figures, NOW))],
      'arn:aws:sqs:x:1:other',
    );
    await receive(heartbeatEvent([other, '{"v":1', future]));
    await receive(unknownQueue);
    expect(refused).toHaveLength(4);
    expect(await store.latest(DATA_PLANE)).toBeUndefined();
    expect(await store.latest('dp-us-1')).toBeUndefined();
  });

  it('reports a store outage as a batch item failure, so SQS delivers it again', async () => {
    const store = new MemoryHeartbeatStore();
    store.record = async () => {
      throw new Error('outage');
    };
    const { receive } = receiver(store);
    const result = await receive(heartbeatEvent([JSON.stringify(buildHeartbeat(figures, NOW))]));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
  });
});

describe('heartbeat sender', () => {
  it('registers at deploy time and then sends heartbeats with the applied digest and figures only', async () => {
    const world = dataPlane();
    const sent: string[] = [];
    const send = createHeartbeatSender({
      dataPlaneId: DATA_PLANE,
      location,
      appliedState: world.appliedState,
      health: async () => ({ queueDepth: 4, errors: 0, lagMs: Number.NaN }),
      send: async (body) => {
        sent.push(body);
      },
      clock: () => NOW,
    });
    expect(reportKindOf({})).toBe('registration');
    expect(reportKindOf({ kind: 'heartbeat' })).toBe('heartbeat');
    const registration = await send(reportKindOf({}));
    const heartbeat = await send('heartbeat');
    expect(registration).toMatchObject({ type: 'registration', ...location, queueDepth: 4, lagMs: 0 });
    expect(heartbeat).toEqual({
      v: 1,
      type: 'heartbeat',
      sentAt: NOW,
      ...figures,
      queueDepth: 4,
      errors: 0,
      lagMs: 0,
      appliedSeq: 0,
    });
    expect(sent.map((body) => parseDataPlaneReport(JSON.parse(body)))).toEqual([registration, heartbeat]);
  });
});

describe('reconciliation from stored heartbeats', () => {
  it('republishes nothing to a converged data plane and only the drifted kind to a drifted one', async () => {
    const world = dataPlane();
    const inbox = new MemoryQueue();
    const publisher = createSyncPublisher({
      signer,
      sequences: new MemorySequenceStore(),
      inboxFor: (id) => (id === DATA_PLANE ? inbox : undefined),
      clock: () => NOW,
    });
    const desired = [
      change('project.upserted', 'p1', 1, { name: 'one' }),
      keyChange('api-key.upserted', 'k1', 1),
    ];
    const { store, receive } = receiver();
    const sendHeartbeat = createHeartbeatSender({
      dataPlaneId: DATA_PLANE,
      location,
      appliedState: world.appliedState,
      health: async () => ({ queueDepth: 0, errors: 0, lagMs: 0 }),
      send: async (body) => {
        await receive(heartbeatEvent([body]));
      },
      clock: () => NOW + inbox.messages.length,
    });
    const stored = async () => {
      const state = reportedStateOf(await store.latest(DATA_PLANE));
      if (!state) throw new Error('no heartbeat stored');
      return state;
    };
    const reconcile = createReconciler({
      publisher,
      dataPlaneIds: [DATA_PLANE],
      desired: async () => ({ projects: [], apiKeys: [] }),
      reported: async (id) => reportedStateOf(await store.latest(id)),
    });

    // Never reported: everything goes out; the data plane applies it and reports.
    await publisher.reconcile(
      DATA_PLANE,
      desired,
      reportedStateOf(await store.latest(DATA_PLANE)) ?? { digest: {} },
    );
    expect(inbox.messages).toHaveLength(2);
    for (const message of inbox.messages) await world.controller.handle(message.body);
    await sendHeartbeat('heartbeat');

    // Converged: nothing is republished.
    const converged = await publisher.reconcile(DATA_PLANE, desired, await stored());
    expect(converged.toRepublish).toEqual([]);
    expect(inbox.messages).toHaveLength(2);

    // A new project version lost on the way: only the project kind is republished, not the key.
    const drifted = [...desired, change('project.upserted', 'p1', 2, { name: 'one!' })];
    const plan = await publisher.reconcile(DATA_PLANE, drifted, await stored());
    expect(plan.differingKinds).toEqual(['project']);
    expect(plan.toRepublish.map((c) => [c.entityId, c.entityVersion])).toEqual([['p1', 2]]);

    // The scheduled reconciler asks the store for each data plane's report.
    const summaries = await reconcile();
    expect(summaries).toEqual([
      { dataPlaneId: DATA_PLANE, republished: 0, differingKinds: ['project', 'api-key'], unexpected: 0 },
    ]);
  });
});
