/**
 * The data plane's synced state on one DynamoDB table (pk, sk strings):
 *   pk = `CONFIG#<kind>`   sk = entity id   a project, evaluator, prompt or alert (tombstones too)
 *   pk = `APPLIED#<kind>`  sk = entity id   the applied version and status of any entity
 *   pk = `SEQ`             sk = `applied`   the highest applied seq
 * Every write is conditional so that nothing ever moves backwards, whoever writes: a config entry
 * or applied version is only replaced by one at least as new, a revoked key stays revoked, and the
 * applied seq only rises. A put that loses that condition leaves the newer state and is not an error.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { JsonObject } from '../../domain/sync/canonical-json';
import type { InventoryEntry } from '../../domain/sync/digest';
import { type ConfigKind, ENTITY_KINDS, type EntityKind } from '../../domain/sync/messages';
import type {
  AppliedEntity,
  AppliedStateStore,
  ConfigEntry,
  ConfigStore,
  EntityStatus,
} from '../../domain/sync/stores';

export const SYNC_STATE_TABLE = { partitionKey: 'pk', sortKey: 'sk' } as const;

const STATUSES: readonly EntityStatus[] = ['active', 'deleted', 'revoked'];

type Item = Record<string, AttributeValue>;

async function conditionalPut(
  client: DynamoDBClient,
  input: ConstructorParameters<typeof PutItemCommand>[0],
) {
  try {
    await client.send(new PutItemCommand(input));
  } catch (error) {
    // Something as new or newer is stored: keeping it is the point of the condition.
    if (error instanceof ConditionalCheckFailedException) return;
    throw error;
  }
}

async function queryAll(client: DynamoDBClient, tableName: string, pk: string): Promise<Item[]> {
  const items: Item[] = [];
  const pages = paginateQuery(
    { client },
    {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk } },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items;
}

function numberOf(item: Item, name: string): number {
  const value = Number(item[name]?.N);
  if (!Number.isSafeInteger(value)) throw new Error(`sync state item has no integer ${name}`);
  return value;
}

export class DynamoConfigStore implements ConfigStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(kind: ConfigKind, entityId: string): Promise<ConfigEntry | undefined> {
    const response = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: `CONFIG#${kind}` }, sk: { S: entityId } },
        ConsistentRead: true,
      }),
    );
    return response.Item ? configEntryOf(response.Item) : undefined;
  }

  async put(kind: ConfigKind, entityId: string, entry: ConfigEntry): Promise<void> {
    await conditionalPut(this.client, {
      TableName: this.tableName,
      Item: {
        pk: { S: `CONFIG#${kind}` },
        sk: { S: entityId },
        version: { N: String(entry.version) },
        deleted: { BOOL: entry.deleted },
        payload: { S: JSON.stringify(entry.payload) },
      },
      ConditionExpression: 'attribute_not_exists(pk) OR version <= :version',
      ExpressionAttributeValues: { ':version': { N: String(entry.version) } },
    });
  }

  async list(kind: ConfigKind): Promise<Array<{ entityId: string } & ConfigEntry>> {
    const items = await queryAll(this.client, this.tableName, `CONFIG#${kind}`);
    return items
      .map((item) => ({ entityId: item.sk?.S ?? '', ...configEntryOf(item) }))
      .filter((entry) => !entry.deleted);
  }
}

function configEntryOf(item: Item): ConfigEntry {
  const payload = JSON.parse(item.payload?.S ?? 'null') as unknown;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new Error('sync state config item has no payload object');
  return {
    version: numberOf(item, 'version'),
    deleted: item.deleted?.BOOL === true,
    payload: payload as JsonObject,
  };
}

export class DynamoAppliedStateStore implements AppliedStateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(kind: EntityKind, entityId: string): Promise<AppliedEntity | undefined> {
    const response = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: `APPLIED#${kind}` }, sk: { S: entityId } },
        ConsistentRead: true,
      }),
    );
    return response.Item ? appliedEntityOf(response.Item) : undefined;
  }

  async put(kind: EntityKind, entityId: string, entity: AppliedEntity): Promise<void> {
    const values: Item = { ':version': { N: String(entity.entityVersion) } };
    let condition = 'attribute_not_exists(pk) OR entityVersion <= :version';
    if (entity.status !== 'revoked') {
      // Revocation is absorbing: nothing but another revocation replaces a revoked entity.
      condition = 'attribute_not_exists(pk) OR (entityVersion <= :version AND #status <> :revoked)';
      values[':revoked'] = { S: 'revoked' };
    }
    await conditionalPut(this.client, {
      TableName: this.tableName,
      Item: {
        pk: { S: `APPLIED#${kind}` },
        sk: { S: entityId },
        entityVersion: { N: String(entity.entityVersion) },
        status: { S: entity.status },
      },
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
      ...(entity.status !== 'revoked' && { ExpressionAttributeNames: { '#status': 'status' } }),
    });
  }

  async inventory(): Promise<InventoryEntry[]> {
    const kinds = await Promise.all(
      ENTITY_KINDS.map(async (kind) =>
        (await queryAll(this.client, this.tableName, `APPLIED#${kind}`)).map((item) => ({
          kind,
          entityId: item.sk?.S ?? '',
          entityVersion: numberOf(item, 'entityVersion'),
        })),
      ),
    );
    return kinds.flat();
  }

  async appliedSeq(): Promise<number> {
    const response = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: 'SEQ' }, sk: { S: 'applied' } },
        ConsistentRead: true,
      }),
    );
    return response.Item ? numberOf(response.Item, 'seq') : 0;
  }

  async recordLag(lagMs: number): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { pk: { S: 'SEQ' }, sk: { S: 'lag' }, lagMs: { N: String(Math.max(0, Math.round(lagMs))) } },
      }),
    );
  }

  async lastLagMs(): Promise<number> {
    const response = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: 'SEQ' }, sk: { S: 'lag' } } }),
    );
    return response.Item ? numberOf(response.Item, 'lagMs') : 0;
  }

  async raiseAppliedSeq(seq: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: 'SEQ' }, sk: { S: 'applied' } },
          UpdateExpression: 'SET seq = :seq',
          ConditionExpression: 'attribute_not_exists(seq) OR seq < :seq',
          ExpressionAttributeValues: { ':seq': { N: String(seq) } },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }
}

function appliedEntityOf(item: Item): AppliedEntity {
  const status = item.status?.S as EntityStatus | undefined;
  if (!status || !STATUSES.includes(status)) throw new Error('sync state item has an unknown status');
  return { entityVersion: numberOf(item, 'entityVersion'), status };
}
