/**
 * DynamoDB for the local platform: dynalite embedded on a random loopback port, persisted as
 * LevelDB under a folder, so the platform uses the same DynamoKeyRegistry as AWS does.
 * LevelDB allows one process per folder, so a pid lock file beside it makes a second opener fail
 * with DynamoFolderInUseError (dynalite itself would crash that process on its first request).
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { KEY_TABLE_PARTITION_KEY } from '../adapters/aws/dynamo-key-registry';
import { PENDING_UPDATES_TABLE } from '../adapters/aws/dynamo-pending-updates';
import { acquireFolderLock, FolderInUseError, type FolderLock } from './folder-lock';

export const LOCAL_KEY_TABLE = 'waggle-local-keys';
export const LOCAL_PENDING_UPDATES_TABLE = 'waggle-local-pending-updates';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export class DynamoFolderInUseError extends Error {
  override readonly name = 'DynamoFolderInUseError';
}

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/** A client of the local dynalite at endpoint (the writer's thread makes its own). */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
}

/** How long stopping waits for requests being answered (a local Query takes milliseconds). */
const STOP_WAIT_MS = 5_000;

/** Starts dynalite on 127.0.0.1 with its data in path (in memory when path is undefined). */
export async function startLocalDynamo(path: string | undefined): Promise<LocalDynamo> {
  let lock: FolderLock | undefined;
  if (path) {
    await mkdir(path, { recursive: true });
    lock = await acquireFolderLock(`${path}.lock`).catch((error: unknown) => {
      if (!(error instanceof FolderInUseError)) throw error;
      throw new DynamoFolderInUseError(
        `the local DynamoDB data in ${dirname(path)} is in use by process ${error.pid} ` +
          '(is the local platform, npm start, running with this data folder? stop it first)',
      );
    });
  }
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  // Requests being answered: dynalite closes its LevelDB when the server closes, and a Query still
  // reading from it then throws from a stream, uncaught. Stopping waits for them first.
  let answering = 0;
  server.on('request', (_request: unknown, response: NodeJS.EventEmitter) => {
    answering += 1;
    response.once('close', () => {
      answering -= 1;
    });
  });
  return {
    endpoint,
    client,
    async stop() {
      const deadline = Date.now() + STOP_WAIT_MS;
      while (answering > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await lock?.release();
    },
  };
}

/** Creates the pending-updates table (pk, sk strings), as on AWS, unless it exists. */
export async function ensurePendingUpdatesTable(
  client: DynamoDBClient,
  tableName = LOCAL_PENDING_UPDATES_TABLE,
): Promise<void> {
  const { partitionKey, sortKey } = PENDING_UPDATES_TABLE;
  await ensureTable(client, tableName, [partitionKey, sortKey]);
}

/** Creates the key-registry table (partition key keyHash) unless it exists. */
export async function ensureKeyTable(client: DynamoDBClient, tableName = LOCAL_KEY_TABLE): Promise<void> {
  await ensureTable(client, tableName, [KEY_TABLE_PARTITION_KEY]);
}

/** Creates a table with string keys (hash, then range) unless it exists, and waits until it is ACTIVE. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly string[],
): Promise<void> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: keys.map((name, index) => ({
          AttributeName: name,
          KeyType: index === 0 ? 'HASH' : 'RANGE',
        })),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilActive(client, tableName);
}

/**
 * Waits for the table to be ACTIVE. dynalite answers reads on a table still CREATING with
 * ResourceNotFound, so that counts as not ACTIVE yet.
 */
export async function waitUntilActive(
  client: DynamoDBClient,
  tableName: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let status: string | undefined;
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      status = Table?.TableStatus;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} is still ${status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
