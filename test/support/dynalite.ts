/**
 * An in-memory dynalite for integration tests (the local platform's, without a data folder), with a
 * client on it and table creation; plus the definition of a plain string-keyed table.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { startLocalDynamo } from '../../lambdas/local/dynamo-local';

export interface TestDynalite {
  client: DynamoDBClient;
  /** Creates the table, waits until it is ACTIVE, and returns its name. */
  createTable(definition: CreateTableCommandInput): Promise<string>;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<TestDynalite> {
  const { client, stop } = await startLocalDynamo(undefined);
  return {
    client,
    async createTable(definition) {
      await client.send(new CreateTableCommand(definition));
      // dynalite answers CREATING and turns the table ACTIVE on a timer (createTableMs 0): on a busy
      // machine a write can come first and find no table. Wait for ACTIVE, as code against DynamoDB must.
      await waitUntilTableExists(
        { client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 },
        { TableName: definition.TableName },
      );
      return definition.TableName as string;
    },
    stop,
  };
}

/** A pay-per-request table keyed by a string partition key and, when given, a string sort key. */
export function stringKeyedTable(
  tableName: string,
  partitionKey: string,
  sortKey?: string,
): CreateTableCommandInput {
  const keys = sortKey === undefined ? [partitionKey] : [partitionKey, sortKey];
  return {
    TableName: tableName,
    AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: keys.map((name, index) => ({ AttributeName: name, KeyType: index === 0 ? 'HASH' : 'RANGE' })),
    BillingMode: 'PAY_PER_REQUEST',
  };
}

/**
 * dynalite for one test file: started before its tests, stopped after them. Use the returned
 * handle's `client` and `createTable` inside tests (not at module load, before it has started).
 */
export function useDynalite(): Omit<TestDynalite, 'stop'> {
  let started: TestDynalite | undefined;
  beforeAll(async () => {
    started = await startDynalite();
  });
  afterAll(() => started?.stop());
  const running = (): TestDynalite => {
    if (started === undefined) throw new Error('dynalite is not running yet (use it inside a test)');
    return started;
  };
  return {
    get client() {
      return running().client;
    },
    createTable: (definition) => running().createTable(definition),
  };
}
