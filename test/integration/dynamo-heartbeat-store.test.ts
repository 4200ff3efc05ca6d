import { describe, expect, it } from 'vitest';
import { DynamoHeartbeatStore } from '../../lambdas/adapters/aws/dynamo-heartbeat-store';
import { digest } from '../../lambdas/domain/sync/digest';
import { buildHeartbeat } from '../../lambdas/domain/sync/heartbeat';
import { reportedStateOf } from '../../lambdas/domain/sync/heartbeat-store';
import { buildRegistration } from '../../lambdas/domain/sync/registration';
import { stringKeyedTable, useDynalite } from '../support/dynalite';

const dynamo = useDynalite();
let tables = 0;

async function newStore(): Promise<DynamoHeartbeatStore> {
  const table = await dynamo.createTable(stringKeyedTable(`heartbeats${++tables}`, 'pk', 'sk'));
  return new DynamoHeartbeatStore(dynamo.client, table);
}

const figures = { dataPlaneId: 'eu', queueDepth: 1, errors: 0, lagMs: 0, appliedSeq: 3, digest: digest([]) };
const location = {
  account: '111111111111',
  region: 'eu-central-1',
  endpoint: 'https://ingest.example.com/',
  hostingModel: 'multi-tenant',
};

describe('DynamoHeartbeatStore', () => {
  it('keeps the newest report: a newer one wins, an older or equal one is ignored', async () => {
    const store = await newStore();
    expect(await store.latest('eu')).toBeUndefined();
    expect(await store.record(buildHeartbeat({ ...figures, queueDepth: 5 }, 2000))).toBe(true);
    expect(await store.record(buildHeartbeat({ ...figures, queueDepth: 1 }, 1000))).toBe(false);
    expect(await store.record(buildHeartbeat({ ...figures, queueDepth: 7 }, 2000))).toBe(false);
    expect((await store.latest('eu'))?.queueDepth).toBe(5);
    expect(await store.record(buildHeartbeat({ ...figures, queueDepth: 9 }, 3000))).toBe(true);
    expect(await store.latest('eu')).toEqual(buildHeartbeat({ ...figures, queueDepth: 9 }, 3000));
    expect(await store.latest('us')).toBeUndefined();
  });

  it('keeps the registration apart, and the reconciler reads the newest digest', async () => {
    const store = await newStore();
    const registration = buildRegistration({ ...figures, ...location }, 1000);
    expect(await store.record(registration)).toBe(true);
    const later = buildHeartbeat(
      { ...figures, digest: digest([{ kind: 'project', entityId: 'p1', entityVersion: 2 }]) },
      2000,
    );
    await store.record(later);
    expect(await store.registration('eu')).toEqual(registration);
    expect(reportedStateOf(await store.latest('eu'))).toEqual({ digest: later.digest });
  });

  it('ignores concurrent older reports whatever order they land in', async () => {
    const store = await newStore();
    await Promise.all(
      [5, 3, 9, 1, 7].map((t) => store.record(buildHeartbeat({ ...figures, appliedSeq: t }, t * 1000))),
    );
    expect((await store.latest('eu'))?.appliedSeq).toBe(9);
  });
});
