/**
 * SequenceStore on DynamoDB: one counter item per data plane, advanced with an atomic `ADD`, so two
 * publishers (the API and the reconciliation) never get the same seq. Lives in the control-plane
 * table under its own partition (`SYNC#<data plane id>`, sk `sequence`), apart from any organization.
 */
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { SequenceStore } from '../../domain/sync/publisher';

interface DynamoSequenceStoreOptions {
  partitionKey?: string;
  sortKey?: string;
}

export class DynamoSequenceStore implements SequenceStore {
  private readonly partitionKey: string;
  private readonly sortKey: string;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: DynamoSequenceStoreOptions = {},
  ) {
    this.partitionKey = options.partitionKey ?? 'pk';
    this.sortKey = options.sortKey ?? 'sk';
  }

  async next(dataPlaneId: string): Promise<number> {
    const response = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: {
          [this.partitionKey]: { S: `SYNC#${dataPlaneId}` },
          [this.sortKey]: { S: 'sequence' },
        },
        UpdateExpression: 'ADD seq :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const seq = Number(response.Attributes?.seq?.N);
    if (!Number.isSafeInteger(seq) || seq < 1) throw new Error('DynamoDB returned no sequence number');
    return seq;
  }
}
