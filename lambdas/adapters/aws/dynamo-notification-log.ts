/**
 * The notification log in the control-plane table, beside the records it is about:
 *   pk = `NOTIFY#<org_id>#<project_id>`   sk = the entry's position (`<ISO time>#<notification>#<channel>#<attempt>`)
 * so a project's log is one partition read backwards (newest first) from a cursor. Items are a few
 * hundred bytes (DynamoDB takes 400 KB): ids, names, figures and an error summary of at most 300
 * characters. Each carries the table's TTL attribute, LOG_RETENTION_DAYS ahead; TTL deletes lazily,
 * so expired items are also skipped when read. The sender may write only `NOTIFY#` partitions
 * (IAM dynamodb:LeadingKeys, lib/control-plane/notifications.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  cursorOf,
  expiresAtSeconds,
  type LogOwner,
  logPosition,
  type NotificationLog,
  type NotificationLogEntry,
  type NotificationLogPage,
  positionOf,
} from '../../domain/alerts/notification-log';
import { CONTROL_PLANE_TABLE } from './control-plane-store';

/** The partitions of the log; the sender's IAM condition names this prefix. */
export const NOTIFICATION_LOG_PARTITION_PREFIX = 'NOTIFY#';

const TTL = CONTROL_PLANE_TABLE.ttlAttribute;

export class DynamoNotificationLog implements NotificationLog {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async append(owner: LogOwner, entry: NotificationLogEntry): Promise<void> {
    // Unconditional: the same attempt logged twice (a Lambda retried) is the same item.
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...entry,
          pk: partitionOf(owner),
          sk: logPosition(entry),
          [TTL]: expiresAtSeconds(Date.parse(entry.at)),
        },
      }),
    );
  }

  async list(owner: LogOwner, page: { limit: number; cursor?: string }): Promise<NotificationLogPage> {
    const pk = partitionOf(owner);
    let start = page.cursor === undefined ? undefined : { pk, sk: positionOf(page.cursor) };
    const now = Math.floor(this.clock() / 1000);
    // One more than asked, to know whether there is a next page.
    const found: Record<string, unknown>[] = [];
    do {
      const answer = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: '#ttl > :now',
          ExpressionAttributeNames: { '#ttl': TTL },
          ExpressionAttributeValues: { ':pk': pk, ':now': now },
          ScanIndexForward: false,
          Limit: page.limit + 1 - found.length,
          ExclusiveStartKey: start,
        }),
      );
      found.push(...(answer.Items ?? []));
      start = answer.LastEvaluatedKey as typeof start;
    } while (start && found.length <= page.limit);
    const shown = found.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      entries: shown.map(entryOf),
      next_cursor: found.length > page.limit && last ? cursorOf(String(last.sk)) : null,
    };
  }
}

function partitionOf(owner: LogOwner): string {
  return `${NOTIFICATION_LOG_PARTITION_PREFIX}${owner.org_id}#${owner.project_id}`;
}

function entryOf(item: Record<string, unknown>): NotificationLogEntry {
  const { pk: _pk, sk: _sk, [TTL]: _ttl, ...entry } = item;
  return entry as unknown as NotificationLogEntry;
}
