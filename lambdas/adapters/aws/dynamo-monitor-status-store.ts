/**
 * Monitor states and their history on one DynamoDB table (partition key `pk`, sort key `sk`), on
 * AWS and, through dynalite, locally. One monitor is one item collection, `pk` = `m#<project>#<id>`:
 *
 * - its status:   sk `status`, the MonitorStatus as JSON in `doc`
 * - each change:  sk `h#<epoch ms, 15 digits>`, the HistoryEntry as JSON in `doc`, with a TTL
 *                 (`expires`, epoch seconds) of HISTORY_DAYS so history never grows without bound
 *
 * The change is written before the status, so a crash between them leaves the old status (the next
 * run does the change again: a repeated history row, never a lost one). Items are a few hundred
 * bytes, far under DynamoDB's 400 KB.
 */
import {
  BatchGetItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { HistoryEntry, MonitorStatusStore } from '../../domain/alerts/monitors/evaluate';
import type { MonitorStatus } from '../../domain/alerts/monitors/state';

export const MONITOR_STATUS_TABLE = { partitionKey: 'pk', sortKey: 'sk', ttl: 'expires' } as const;
export const HISTORY_DAYS = 90;
/** BatchGetItem takes 100 keys a call. */
const BATCH_GET_KEYS = 100;

const pkOf = (projectId: string, monitorId: string) => ({
  S: `m#${encodeURIComponent(projectId)}#${encodeURIComponent(monitorId)}`,
});

export class DynamoMonitorStatusStore implements MonitorStatusStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async load(projectId: string, monitorIds: readonly string[]): Promise<Map<string, MonitorStatus>> {
    const found = new Map<string, MonitorStatus>();
    for (let start = 0; start < monitorIds.length; start += BATCH_GET_KEYS) {
      const ids = monitorIds.slice(start, start + BATCH_GET_KEYS);
      let keys = ids.map((id) => ({ pk: pkOf(projectId, id), sk: { S: 'status' } }));
      for (let attempt = 0; keys.length > 0 && attempt < 10; attempt++) {
        const answer = await this.client.send(
          new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
        );
        for (const item of answer.Responses?.[this.tableName] ?? []) {
          const id = ids.find((candidate) => pkOf(projectId, candidate).S === item.pk?.S);
          if (id !== undefined && item.doc?.S) found.set(id, JSON.parse(item.doc.S) as MonitorStatus);
        }
        keys = (answer.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as typeof keys;
      }
      if (keys.length > 0) throw new Error('monitor statuses: DynamoDB kept returning unprocessed keys');
    }
    return found;
  }

  async save(
    projectId: string,
    monitorId: string,
    status: MonitorStatus,
    change?: HistoryEntry,
  ): Promise<void> {
    const pk = pkOf(projectId, monitorId);
    if (change) {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk,
            sk: { S: `h#${String(change.at).padStart(15, '0')}` },
            doc: { S: JSON.stringify(change) },
            expires: { N: String(Math.floor(change.at / 1000) + HISTORY_DAYS * 86_400) },
          },
        }),
      );
    }
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { pk, sk: { S: 'status' }, doc: { S: JSON.stringify(status) } },
      }),
    );
  }

  async history(projectId: string, monitorId: string, limit: number): Promise<HistoryEntry[]> {
    const answer = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
        ExpressionAttributeValues: { ':pk': pkOf(projectId, monitorId), ':h': { S: 'h#' } },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (answer.Items ?? []).flatMap((item) =>
      item.doc?.S ? [JSON.parse(item.doc.S) as HistoryEntry] : [],
    );
  }
}
