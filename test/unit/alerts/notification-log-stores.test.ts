/**
 * The notification log's two stores against one contract: the DynamoDB one (on dynalite, in the
 * control-plane table's key layout) and the in-memory one the unit tests use. Newest first, pages
 * joined by cursors give every entry once, other projects' entries never show, expired entries are
 * skipped even where a page would have held them, and an item stays far below DynamoDB's 400 KB.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { controlPlaneTableDefinition } from '../../../lambdas/adapters/aws/control-plane-store';
import { DynamoNotificationLog } from '../../../lambdas/adapters/aws/dynamo-notification-log';
import { MemoryNotificationLog } from '../../../lambdas/domain/alerts/memory-notification-log';
import {
  ERROR_SUMMARY_CHARS,
  LOG_RETENTION_DAYS,
  logEntryOf,
  logPosition,
  type NotificationLog,
} from '../../../lambdas/domain/alerts/notification-log';
import { useDynalite } from '../../support/dynalite';
import { aNotification, NOW } from './alerts-fixtures';

const dynalite = useDynalite();
let table: string;
beforeAll(async () => {
  table = await dynalite.createTable(controlPlaneTableDefinition('control-plane-log'));
});

const owner = { org_id: 'org1', project_id: 'p1' };
const DAY = 86_400_000;

function entry(index: number, at: number, projectId = 'p1') {
  const notification = aNotification({ id: `msg_${index}`, project_id: projectId });
  return logEntryOf(
    { notification, channel: { org_id: 'org1', id: `ch${index % 3}` } },
    { result: 'dropped', reason: `reason ${index} ${'x'.repeat(2000)}` },
    1 + (index % 4),
    at,
  );
}

async function everyPage(log: NotificationLog, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const page = await log.list(owner, { limit, ...(cursor !== undefined && { cursor }) });
    expect(page.entries.length).toBeLessThanOrEqual(limit);
    seen.push(...page.entries.map((item) => item.notification_id));
    if (page.next_cursor === null) return seen;
    cursor = page.next_cursor;
  }
  throw new Error('the pages never ended');
}

describe.each([
  ['dynamodb', (clock: () => number) => new DynamoNotificationLog(dynalite.client, table, clock)],
  ['memory', (clock: () => number) => new MemoryNotificationLog(clock)],
] as const)('the %s notification log', (_name, make) => {
  it('pages newest first through every entry once, skipping expired ones and other projects', async () => {
    let now = NOW;
    const log = make(() => now);
    // Out of order, one written twice; msg_2 and msg_3 three weeks older than the rest.
    const times: Record<number, number> = {
      1: NOW - 4000,
      2: NOW - 20 * DAY,
      3: NOW - 21 * DAY,
      4: NOW - 1000,
    };
    for (const index of [4, 1, 2, 3, 5, 6, 7, 4]) {
      await log.append(owner, entry(index, times[index] ?? NOW - index * 10_000));
    }
    await log.append({ ...owner, project_id: 'p2' }, entry(8, NOW, 'p2'));
    const newestFirst = ['msg_4', 'msg_1', 'msg_5', 'msg_6', 'msg_7', 'msg_2', 'msg_3'];
    for (const limit of [1, 2, 3, 100])
      expect(await everyPage(log, limit), `limit ${limit}`).toEqual(newestFirst);
    // Ten days on, the two old ones have expired; the others have 30 days from when they were written.
    now = NOW - 20 * DAY + LOG_RETENTION_DAYS * DAY + 1000;
    for (const limit of [1, 2, 100]) {
      expect(await everyPage(log, limit), `limit ${limit}`).toEqual(
        newestFirst.filter((id) => id !== 'msg_2' && id !== 'msg_3'),
      );
    }
  });
});

describe('the DynamoDB item', () => {
  it('is the entry with its keys and TTL, well under 1 KB', async () => {
    const log = new DynamoNotificationLog(dynalite.client, table, () => NOW);
    const written = entry(42, NOW, 'p9');
    await log.append({ org_id: 'org1', project_id: 'p9' }, written);
    const { Item } = await dynalite.client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: 'NOTIFY#org1#p9' }, sk: { S: logPosition(written) } },
      }),
    );
    expect(Item?.ttl_epoch_s?.N).toBe(String(Math.floor(NOW / 1000) + LOG_RETENTION_DAYS * 86_400));
    expect(Item?.error?.S).toHaveLength(ERROR_SUMMARY_CHARS);
    expect(JSON.stringify(Item).length).toBeLessThan(1024);
    expect((await log.list({ org_id: 'org1', project_id: 'p9' }, { limit: 5 })).entries).toEqual([written]);
  });
});
