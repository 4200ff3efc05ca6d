/**
 * The control plane's board of monitor states (transition-report.ts) in the control-plane table:
 *   status:  pk = `MONSTATE#<project_id>`               sk = `<monitor_id>`
 *   history: pk = `MONHIST#<project_id>#<monitor_id>`  sk = the change's epoch ms, 15 digits
 * so a project's states are one Query (the monitors list) and a monitor's history is one Query read
 * backwards. Project ids are the control plane's UUIDs, unique across organizations; the sender
 * records a report only after checking the monitor is in that organization and project. A status
 * is replaced only by one that began no earlier (`since_ms`, a condition), because the delivery
 * queue may bring reports out of order; a history row with the same time is the same item, so a
 * report delivered twice is one row. History rows carry the table's TTL (HISTORY_DAYS). Items are a
 * few hundred bytes, far under DynamoDB's 400 KB. The sender may write only these partitions and
 * the notification log's (IAM dynamodb:LeadingKeys, lib/control-plane/notifications.ts).
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { HistoryEntry } from '../../domain/alerts/monitors/evaluate';
import type { MonitorStatus } from '../../domain/alerts/monitors/state';
import type {
  MonitorStateBoard,
  MonitorTransitionReport,
} from '../../domain/alerts/monitors/transition-report';
import { CONTROL_PLANE_TABLE } from './control-plane-store';
import { HISTORY_DAYS } from './dynamo-monitor-status-store';

/** The partitions the board writes; the sender's IAM condition names these prefixes. */
export const MONITOR_STATE_PARTITION_PREFIXES = ['MONSTATE#', 'MONHIST#'] as const;

const TTL = CONTROL_PLANE_TABLE.ttlAttribute;
const statusPartition = (projectId: string) => `MONSTATE#${projectId}`;
const historyPartition = (projectId: string, monitorId: string) => `MONHIST#${projectId}#${monitorId}`;

export class DynamoMonitorStateBoard implements MonitorStateBoard {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async record(report: MonitorTransitionReport): Promise<void> {
    const { change, status } = report;
    // The history row first: a crash before the status leaves a row the next delivery writes again.
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: historyPartition(report.project_id, report.monitor_id),
          sk: String(change.at).padStart(15, '0'),
          doc: JSON.stringify(change),
          [TTL]: Math.floor(change.at / 1000) + HISTORY_DAYS * 86_400,
        },
      }),
    );
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: statusPartition(report.project_id),
            sk: report.monitor_id,
            doc: JSON.stringify(status),
            since_ms: status.since,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR since_ms <= :since',
          ExpressionAttributeValues: { ':since': status.since },
        }),
      );
    } catch (error) {
      // A later state is already on the board: this report arrived late, and its row is in the history.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async load(projectId: string, monitorIds: readonly string[]): Promise<Map<string, MonitorStatus>> {
    const wanted = new Set(monitorIds);
    const found = new Map<string, MonitorStatus>();
    let start: Record<string, unknown> | undefined;
    do {
      const answer = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': statusPartition(projectId) },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of answer.Items ?? []) {
        const id = String(item.sk);
        if (wanted.has(id)) found.set(id, JSON.parse(String(item.doc)) as MonitorStatus);
      }
      start = answer.LastEvaluatedKey;
    } while (start);
    return found;
  }

  async history(projectId: string, monitorId: string, limit: number): Promise<HistoryEntry[]> {
    const answer = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': historyPartition(projectId, monitorId) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (answer.Items ?? []).map((item) => JSON.parse(String(item.doc)) as HistoryEntry);
  }
}
