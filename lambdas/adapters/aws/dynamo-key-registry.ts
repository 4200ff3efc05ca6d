/**
 * KeyRegistry on a DynamoDB table whose partition key is `keyHash` (string).
 * One item per key; its attributes are the ApiKeyRecord fields. A revoked key stays revoked.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { API_KEY_SCOPES, type ApiKeyRecord, type ApiKeyScope } from '../../domain/auth/principal';
import type { KeyRegistry } from '../../domain/ports';

export const KEY_TABLE_PARTITION_KEY = 'keyHash';

type Item = Record<string, AttributeValue>;

export class DynamoKeyRegistry implements KeyRegistry {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const response = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [KEY_TABLE_PARTITION_KEY]: { S: keyHash } },
        // A key revoked a moment ago must not keep working because of a stale replica.
        ConsistentRead: true,
      }),
    );
    return response.Item ? recordFromItem(response.Item) : undefined;
  }

  /**
   * A revocation always writes; an unrevoked record never replaces a revoked one (keys are rotated,
   * never revived), so no racing or late writer can un-revoke a key. Such a put is a no-op.
   */
  async put(record: ApiKeyRecord): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: itemFromRecord(record),
          ...(!record.revoked && {
            ConditionExpression: 'attribute_not_exists(keyHash) OR revoked <> :revoked',
            ExpressionAttributeValues: { ':revoked': { BOOL: true } },
          }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }
}

export function itemFromRecord(record: ApiKeyRecord): Item {
  return {
    keyHash: { S: record.keyHash },
    org_id: { S: record.org_id },
    workspace_id: { S: record.workspace_id },
    project_id: { S: record.project_id },
    projectName: { S: record.projectName },
    scopes: { L: record.scopes.map((scope) => ({ S: scope })) },
    revoked: { BOOL: record.revoked },
    createdAt: { N: String(record.createdAt) },
    ...(record.expiresAt !== undefined && { expiresAt: { N: String(record.expiresAt) } }),
  };
}

/** Reads an item back, failing loudly on a malformed one rather than authorizing from partial data. */
export function recordFromItem(item: Item): ApiKeyRecord {
  const scopes = (item.scopes?.L ?? item.scopes?.SS?.map((scope) => ({ S: scope })) ?? []).map((value) => {
    const scope = value.S;
    if (!isScope(scope)) throw new Error(`key registry item has an unknown scope "${String(scope)}"`);
    return scope;
  });
  const createdAt = Number(item.createdAt?.N);
  if (!Number.isFinite(createdAt)) throw new Error('key registry item has no numeric createdAt');
  // A present but unreadable expiry must not read as "never expires".
  const expiresAt = item.expiresAt === undefined ? undefined : Number(item.expiresAt.N);
  if (expiresAt !== undefined && !Number.isFinite(expiresAt)) {
    throw new Error('key registry item has a non-numeric expiresAt');
  }
  return {
    keyHash: requireString(item, 'keyHash'),
    org_id: requireString(item, 'org_id'),
    workspace_id: requireString(item, 'workspace_id'),
    project_id: requireString(item, 'project_id'),
    projectName: requireString(item, 'projectName'),
    scopes,
    revoked: item.revoked?.BOOL ?? false,
    createdAt,
    ...(expiresAt !== undefined && { expiresAt }),
  };
}

function requireString(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new Error(`key registry item has no string attribute "${name}"`);
  return value;
}

function isScope(value: string | undefined): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value ?? '');
}
