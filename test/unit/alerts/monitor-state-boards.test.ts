/**
 * The control plane's monitor state board, DynamoDB (on dynalite, in the control-plane table's key
 * layout) and in memory, against one contract: the newest state wins whatever order reports come
 * in, a report delivered twice is one history row, history is newest first and limited, projects
 * never see each other's monitors, and history rows expire with the table's TTL.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONTROL_PLANE_TABLE,
  controlPlaneTableDefinition,
} from '../../../lambdas/adapters/aws/control-plane-store';
import { DynamoMonitorStateBoard } from '../../../lambdas/adapters/aws/dynamo-monitor-state-board';
import { HISTORY_DAYS } from '../../../lambdas/adapters/aws/dynamo-monitor-status-store';
import { memoryStateBoard } from '../../../lambdas/domain/alerts/monitors/memory-state-board';
import type {
  MonitorStateBoard,
  MonitorTransitionReport,
} from '../../../lambdas/domain/alerts/monitors/transition-report';
import type { MonitorState } from '../../../lambdas/domain/alerts/notification';
import { useDynalite } from '../../support/dynalite';
import { NOW } from './alerts-fixtures';

const dynalite = useDynalite();
let table: string;
beforeAll(async () => {
  table = await dynalite.createTable(controlPlaneTableDefinition('control-plane-monitor-states'));
});

function report(
  monitorId: string,
  state: MonitorState,
  at: number,
  projectId = 'p1',
): MonitorTransitionReport {
  return {
    org_id: 'org1',
    project_id: projectId,
    monitor_id: monitorId,
    status: { state, alerting: null, value: at - NOW, threshold: 0, since: at, evaluated_at: at },
    change: {
      monitor_id: monitorId,
      at,
      state,
      previous_state: 'unknown',
      value: at - NOW,
      threshold: 0,
      notification_id: null,
    },
  };
}

const boards: [string, () => MonitorStateBoard][] = [
  ['memory', () => memoryStateBoard()],
  ['DynamoDB', () => new DynamoMonitorStateBoard(dynalite.client, table)],
];

describe.each(boards)('the %s monitor state board', (name, makeBoard) => {
  // Each board gets its own project ids: the DynamoDB one shares one table across the cases.
  const project = (suffix: string) => `${name}-${suffix}`;

  it('keeps the newest state whatever order the reports arrive in', async () => {
    const board = makeBoard();
    const p = project('order');
    const shuffled = [3, 0, 4, 1, 2].map((minute) =>
      report('m1', minute % 2 === 0 ? 'ok' : 'critical', NOW + minute * 60_000, p),
    );
    for (const item of shuffled) await board.record(item);
    // The newest (minute 4) was not the last to arrive.
    expect((await board.load(p, ['m1'])).get('m1')).toMatchObject({ state: 'ok', since: NOW + 4 * 60_000 });
    const history = await board.history(p, 'm1', 10);
    expect(history.map((entry) => entry.at)).toEqual([4, 3, 2, 1, 0].map((minute) => NOW + minute * 60_000));
    expect(await board.history(p, 'm1', 2)).toEqual(history.slice(0, 2));
  });

  it('makes one history row of a report delivered twice, and replaces a state by an equal one', async () => {
    const board = makeBoard();
    const p = project('twice');
    await board.record(report('m1', 'critical', NOW, p));
    await board.record(report('m1', 'critical', NOW, p));
    expect(await board.history(p, 'm1', 10)).toHaveLength(1);
    expect((await board.load(p, ['m1'])).get('m1')?.state).toBe('critical');
  });

  it('answers only the monitors asked for, in their own project', async () => {
    const board = makeBoard();
    const [p1, p2] = [project('a'), project('b')];
    for (let index = 0; index < 30; index++) await board.record(report(`m${index}`, 'ok', NOW + index, p1));
    await board.record(report('m0', 'critical', NOW + 99, p2));
    const found = await board.load(p1, ['m0', 'm7', 'missing']);
    expect([...found.keys()].sort()).toEqual(['m0', 'm7']);
    expect(found.get('m0')?.state).toBe('ok');
    expect(await board.history(p2, 'm7', 10)).toEqual([]);
    expect((await board.load(p2, ['m0'])).get('m0')?.state).toBe('critical');
  });
});

describe('the DynamoDB monitor state board', () => {
  it('gives history rows the table TTL and keeps states without one', async () => {
    const board = new DynamoMonitorStateBoard(dynalite.client, table);
    await board.record(report('m1', 'critical', NOW, 'ttl'));
    const items = async (pk: string) =>
      (
        await dynalite.client.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: pk } },
          }),
        )
      ).Items ?? [];
    const [row] = await items('MONHIST#ttl#m1');
    expect(Number(row?.[CONTROL_PLANE_TABLE.ttlAttribute]?.N)).toBe(
      Math.floor(NOW / 1000) + HISTORY_DAYS * 86_400,
    );
    const [state] = await items('MONSTATE#ttl');
    expect(state?.[CONTROL_PLANE_TABLE.ttlAttribute]).toBeUndefined();
    // Far below DynamoDB's 400 KB item limit.
    expect(JSON.stringify(state).length).toBeLessThan(1024);
  });
});
