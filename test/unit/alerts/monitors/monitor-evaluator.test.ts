/**
 * The monitor evaluator function's app and its DynamoDB state store: synced monitors read from the
 * ConfigStore (deleted and unreadable ones skipped, the latter reported), project names from the
 * synced projects; the store's history newest first, its batched reads retried for unprocessed keys
 * (aws-sdk-client-mock).
 */
import { BatchGetItemCommand, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { DynamoMonitorStatusStore } from '../../../../lambdas/adapters/aws/dynamo-monitor-status-store';
import { parseMonitorInput } from '../../../../lambdas/domain/alerts/monitors/definition';
import { memoryStatusStore } from '../../../../lambdas/domain/alerts/monitors/memory-status-store';
import { rollupsOf } from '../../../../lambdas/domain/alerts/monitors/rollup';
import type { Notification } from '../../../../lambdas/domain/alerts/notification';
import { plainEvent } from '../../../../lambdas/domain/events/event';
import { MemoryConfigStore } from '../../../../lambdas/domain/sync/memory-stores';
import { versionedPayload } from '../../../../lambdas/domain/sync/versioned-payload';
import { createMonitorEvaluator } from '../../../../lambdas/monitor-evaluator/app';
import { ERROR_COUNT_MONITOR } from '../alerts-fixtures';

const NOW = Date.UTC(2026, 11, 4, 10, 0, 30);
const TENANT = { org_id: 'o', workspace_id: 'w', project_id: 'p' };

function payload(id: string, overrides: Record<string, unknown> = {}) {
  return versionedPayload({
    ...TENANT,
    id,
    version: 1,
    created_at: '2026-12-04T00:00:00.000Z',
    updated_at: '2026-12-04T00:00:00.000Z',
    content: parseMonitorInput({ ...ERROR_COUNT_MONITOR, name: id, ...overrides }),
  });
}

describe('monitor evaluator app', () => {
  it('evaluates the live synced monitors, names the project, and reports unreadable ones', async () => {
    const configStore = new MemoryConfigStore();
    await configStore.put('alert', 'a', { version: 1, deleted: false, payload: payload('a') as never });
    await configStore.put('alert', 'gone', { version: 2, deleted: true, payload: payload('gone') as never });
    const broken = { ...payload('broken'), content: { name: 'x' } };
    await configStore.put('alert', 'broken', { version: 1, deleted: false, payload: broken as never });
    await configStore.put('project', 'p', {
      version: 1,
      deleted: false,
      payload: { id: 'p', name: 'Alpha' },
    });
    const queued: Notification[] = [];
    const unreadable: string[] = [];
    const error = plainEvent(TENANT, {
      event_id: 'e1',
      version: 1,
      session_id: 's',
      event_type: 'model',
      event_name: 'chat',
      source: 'x',
      start_time: NOW,
      end_time: NOW,
      duration: 1,
      ingested_at: NOW,
      error: 'boom',
    });
    const run = createMonitorEvaluator({
      configStore,
      readRollups: async () => rollupsOf([error]),
      statuses: memoryStatusStore(),
      outbox: { queue: async (notification) => void queued.push(notification), report: async () => {} },
      clock: () => NOW,
      onUnreadable: ({ monitorId }) => unreadable.push(monitorId),
    });
    const result = await run();
    expect(result).toMatchObject({ evaluated: 1, statements: 1, notified: 1, failed: 0 });
    expect(unreadable).toEqual(['broken']);
    expect(queued.map((n) => [n.monitor_id, n.project_name, n.severity])).toEqual([
      ['a', 'Alpha', 'critical'],
    ]);
  });
});

describe('DynamoMonitorStatusStore', () => {
  const status = { state: 'ok' as const, alerting: null, value: 0, threshold: 0, since: 1, evaluated_at: 2 };

  it('reads statuses in batches of 100, retrying unprocessed keys', async () => {
    const dynamo = mockClient(DynamoDBClient);
    const ids = Array.from({ length: 150 }, (_, index) => `m${index}`);
    let calls = 0;
    dynamo
      .on(BatchGetItemCommand)
      .callsFake((input: { RequestItems: Record<string, { Keys: { pk: { S: string } }[] }> }) => {
        calls++;
        const keys = input.RequestItems.t?.Keys ?? [];
        // The first call leaves its last key unprocessed.
        const [answered, left] = calls === 1 ? [keys.slice(0, -1), keys.slice(-1)] : [keys, []];
        return {
          Responses: { t: answered.map((key) => ({ pk: key.pk, doc: { S: JSON.stringify(status) } })) },
          ...(left.length > 0 && { UnprocessedKeys: { t: { Keys: left } } }),
        };
      });
    const store = new DynamoMonitorStatusStore(new DynamoDBClient({ region: 'eu-west-1' }), 't');
    const found = await store.load('p', ids);
    expect(found.size).toBe(150);
    expect(calls).toBe(3);
    dynamo.restore();
  });

  it('writes the change before the status, and reads history newest first', async () => {
    const dynamo = mockClient(DynamoDBClient);
    const puts: string[] = [];
    dynamo.on(PutItemCommand).callsFake((input: { Item: { sk: { S: string }; expires?: { N: string } } }) => {
      puts.push(input.Item.sk.S + (input.Item.expires ? ' (ttl)' : ''));
      return {};
    });
    dynamo.on(QueryCommand).resolves({ Items: [{ doc: { S: JSON.stringify({ state: 'ok', at: 5 }) } }] });
    const store = new DynamoMonitorStatusStore(new DynamoDBClient({ region: 'eu-west-1' }), 't');
    await store.save('p', 'm', status, {
      monitor_id: 'm',
      at: 5,
      state: 'ok',
      previous_state: 'unknown',
      value: 0,
      threshold: 0,
      notification_id: null,
    });
    expect(puts).toEqual(['h#000000000000005 (ttl)', 'status']);
    expect(await store.history('p', 'm', 10)).toEqual([{ state: 'ok', at: 5 }]);
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      ScanIndexForward: false,
      Limit: 10,
    });
    dynamo.restore();
  });
});
