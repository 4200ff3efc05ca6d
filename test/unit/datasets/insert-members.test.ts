/**
 * New datapoints written into a dataset (DynamoDatasetStore.insertMembers, what addDatapoints and
 * import use) over dynalite: in chunks, in order, already linked; and all or nothing when a write
 * fails part-way (what was written is removed before the error is thrown).
 */
import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATASETS_TABLE, DynamoDatasetStore } from '../../../lambdas/adapters/aws/dynamo-dataset-store';
import type { DatapointRecord } from '../../../lambdas/domain/datasets/model';
import { stringKeyedTable, useDynalite } from '../../support/dynalite';

const dynalite = useDynalite();
let table: string;

beforeAll(async () => {
  table = await dynalite.createTable(
    stringKeyedTable('insert-members', DATASETS_TABLE.partitionKey, DATASETS_TABLE.sortKey),
  );
});

const records = (count: number, prefix: string): DatapointRecord[] =>
  Array.from({ length: count }, (_, index) => ({
    id: `${prefix}${index.toString(16).padStart(24 - prefix.length, '0')}`,
    project_id: 'p1',
    inputs: { index },
    history: [],
    ground_truth: {},
    linked_evals: [],
    linked_datasets: [],
    saved: true,
    type: 'evaluation',
    metadata: {},
    created_at: 1,
    updated_at: 1,
  }));

/** The client, failing the `failAt`-th BatchWriteItem (1-based) of the first attempt. */
function failingClient(failAt: number): DynamoDBClient {
  let batchWrites = 0;
  const client = dynalite.client;
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'BatchWriteItemCommand' && ++batchWrites === failAt)
          return Promise.reject(new Error('throttled for good'));
        return target.send(command as never);
      };
    },
  });
}

async function itemCount(): Promise<number> {
  const { Items } = await dynalite.client.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: 'p#p1' } },
    }),
  );
  return Items?.length ?? 0;
}

describe('insertMembers', () => {
  it('writes more than one chunk, in order, each datapoint linked to the dataset', async () => {
    const store = new DynamoDatasetStore(dynalite.client, table);
    const written = records(1_030, 'a');
    await store.insertMembers('p1', 'd'.repeat(24), written, 5);
    expect(await store.members('p1', 'd'.repeat(24))).toEqual(written.map((record) => record.id));
    const [last] = await store.getDatapoints('p1', [written[1_029]?.id as string]);
    expect(last).toMatchObject({ inputs: { index: 1_029 }, linked_datasets: ['d'.repeat(24)] });
  });

  it('removes what it wrote when a write fails part-way, in the second chunk', async () => {
    const before = await itemCount();
    // 1,000 rows a chunk: 40 writes of memberships, then 40 of datapoints; the 90th writes datapoints of the second.
    const store = new DynamoDatasetStore(failingClient(90), table);
    await expect(store.insertMembers('p1', 'e'.repeat(24), records(1_200, 'b'), 5)).rejects.toThrow(
      'throttled for good',
    );
    expect(await itemCount()).toBe(before);
  });
});
