/**
 * HeartbeatStore on DynamoDB, in the control-plane table beside the sequence counters: partition
 * `SYNC#<data plane id>`, sk `heartbeat` (the newest report) and sk `registration` (the newest
 * registration). Each is a conditional put on `sentAt`: an older or replayed report never replaces
 * a newer one, whatever order SQS delivers them in.
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { HeartbeatStore } from '../../domain/sync/heartbeat-store';
import {
  type DataPlaneReport,
  parseDataPlaneReport,
  parseRegistration,
  type Registration,
} from '../../domain/sync/registration';

interface DynamoHeartbeatStoreOptions {
  partitionKey?: string;
  sortKey?: string;
}

export class DynamoHeartbeatStore implements HeartbeatStore {
  private readonly partitionKey: string;
  private readonly sortKey: string;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: DynamoHeartbeatStoreOptions = {},
  ) {
    this.partitionKey = options.partitionKey ?? 'pk';
    this.sortKey = options.sortKey ?? 'sk';
  }

  async record(report: DataPlaneReport): Promise<boolean> {
    if (report.type === 'registration') await this.put(report, 'registration');
    return this.put(report, 'heartbeat');
  }

  async latest(dataPlaneId: string): Promise<DataPlaneReport | undefined> {
    const body = await this.get(dataPlaneId, 'heartbeat');
    return body === undefined ? undefined : parseDataPlaneReport(body);
  }

  async registration(dataPlaneId: string): Promise<Registration | undefined> {
    const body = await this.get(dataPlaneId, 'registration');
    return body === undefined ? undefined : parseRegistration(body);
  }

  private async put(report: DataPlaneReport, sk: 'heartbeat' | 'registration'): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [this.partitionKey]: { S: `SYNC#${report.dataPlaneId}` },
            [this.sortKey]: { S: sk },
            sentAt: { N: String(report.sentAt) },
            body: { S: JSON.stringify(report) },
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR sentAt < :sentAt',
          ExpressionAttributeNames: { '#pk': this.partitionKey },
          ExpressionAttributeValues: { ':sentAt': { N: String(report.sentAt) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async get(dataPlaneId: string, sk: string): Promise<unknown> {
    const response = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: {
          [this.partitionKey]: { S: `SYNC#${dataPlaneId}` },
          [this.sortKey]: { S: sk },
        },
        ConsistentRead: true,
      }),
    );
    const body = response.Item?.body?.S;
    return body === undefined ? undefined : (JSON.parse(body) as unknown);
  }
}
