/**
 * ProviderKeyStore on one DynamoDB table (partition key `pk`, sort key `sk`, both strings), used on
 * AWS and, through dynalite, by the local platform:
 *
 * - a key:         pk `ws#<org>#<workspace>`, sk `key#<project or *>#<provider>`
 * - an audit entry: pk `ws#<org>#<workspace>`, sk `audit#<project or *>#<ISO time>#<id>`
 *
 * Ids are percent-encoded inside keys, so no id can reach into another's range; `*` (never encoded
 * by encodeURIComponent, never a project id) marks the workspace-wide key. One workspace's keys and
 * audit trail are one item collection: listing a project's keys is two small Queries. The sealed
 * secret is a Binary attribute; the plaintext never reaches this module.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { ConflictError, ValidationError } from '../../domain/errors';
import type { ProviderKeyAuditAction, ProviderKeyAuditEntry } from '../../domain/providers/audit';
import type { ProviderKeyStore } from '../../domain/providers/ports';
import { isProviderId, type ProviderId } from '../../domain/providers/providers';
import {
  type ProviderKeyRecord,
  type ProviderKeyRef,
  scopeOf,
  WORKSPACE_WIDE,
} from '../../domain/providers/record';

export const PROVIDER_KEYS_TABLE = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** DynamoDB's limits on key attribute values: 2,048 bytes for a partition key, 1,024 for a sort key. */
const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;

type Item = Record<string, AttributeValue>;
type Tenant = { org_id: string; workspace_id: string; project_id: string };

const AUDIT_ACTIONS: readonly ProviderKeyAuditAction[] = ['set', 'replaced', 'removed'];

export class DynamoProviderKeyStore implements ProviderKeyStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(ref: ProviderKeyRef): Promise<ProviderKeyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyOf(ref), ConsistentRead: true }),
    );
    return Item ? recordFromItem(Item) : undefined;
  }

  async put(record: ProviderKeyRecord, expectedVersion: number | undefined): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: itemFromRecord(record),
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw changedMeanwhile();
      throw error;
    }
  }

  async delete(ref: ProviderKeyRef, expectedVersion: number): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: keyOf(ref),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw changedMeanwhile();
      throw error;
    }
  }

  async list(tenant: Tenant): Promise<ProviderKeyRecord[]> {
    const pk = partitionOf(tenant);
    const [own, shared] = await Promise.all([
      this.queryAll(pk, `key#${projectPart(tenant.project_id)}#`),
      this.queryAll(pk, `key#${WORKSPACE_WIDE}#`),
    ]);
    return [...own, ...shared].map(recordFromItem);
  }

  async appendAudit(entry: ProviderKeyAuditEntry): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: auditItem(entry),
        // Entries are only ever added.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async listAudit(tenant: Tenant, limit: number): Promise<ProviderKeyAuditEntry[]> {
    const pk = partitionOf(tenant);
    const newest = (prefix: string) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': { S: pk }, ':prefix': { S: prefix } },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      );
    const [own, shared] = await Promise.all([
      newest(`audit#${projectPart(tenant.project_id)}#`),
      newest(`audit#${WORKSPACE_WIDE}#`),
    ]);
    return [...(own.Items ?? []), ...(shared.Items ?? [])]
      .map(auditFromItem)
      .sort((a, b) => b.at - a.at)
      .slice(0, limit);
  }

  private async queryAll(pk: string, prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': { S: pk }, ':prefix': { S: prefix } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

function changedMeanwhile(): ConflictError {
  return new ConflictError('The provider key was changed by another request meanwhile; retry');
}

function partitionOf(tenant: { org_id: string; workspace_id: string }): string {
  const pk = `ws#${encodeURIComponent(tenant.org_id)}#${encodeURIComponent(tenant.workspace_id)}`;
  if (Buffer.byteLength(pk) > MAX_PARTITION_KEY_BYTES) throw idsTooLong();
  return pk;
}

/** A sort key within DynamoDB's limit (ids are percent-encoded: a non-ASCII character takes up to 12 bytes). */
function sortKey(sk: string): string {
  if (Buffer.byteLength(sk) > MAX_SORT_KEY_BYTES) throw idsTooLong();
  return sk;
}

function idsTooLong(): ValidationError {
  return new ValidationError(
    'The organization, workspace or project id is too long to store a provider key for',
  );
}

function projectPart(projectId: string | null): string {
  return projectId === null ? WORKSPACE_WIDE : encodeURIComponent(projectId);
}

function keyOf(ref: ProviderKeyRef): Item {
  return {
    pk: { S: partitionOf(ref) },
    sk: { S: sortKey(`key#${projectPart(ref.project_id)}#${ref.provider}`) },
  };
}

export function itemFromRecord(record: ProviderKeyRecord): Item {
  return {
    ...keyOf(record),
    org_id: { S: record.org_id },
    workspace_id: { S: record.workspace_id },
    ...(record.project_id !== null && { project_id: { S: record.project_id } }),
    provider: { S: record.provider },
    ...(record.sealedSecret !== undefined && { sealed_secret: { B: record.sealedSecret } }),
    ...(record.last4 !== undefined && { last4: { S: record.last4 } }),
    ...(record.baseUrl !== undefined && { base_url: { S: record.baseUrl } }),
    ...(record.region !== undefined && { region: { S: record.region } }),
    created_at: { N: String(record.createdAt) },
    created_by: { S: record.createdBy },
    updated_at: { N: String(record.updatedAt) },
    updated_by: { S: record.updatedBy },
    version: { N: String(record.version) },
  };
}

/** Reads an item back, failing loudly on a malformed one. */
export function recordFromItem(item: Item): ProviderKeyRecord {
  const provider = requireProvider(item);
  return {
    org_id: requireString(item, 'org_id'),
    workspace_id: requireString(item, 'workspace_id'),
    project_id: item.project_id?.S ?? null,
    provider,
    ...(item.sealed_secret?.B !== undefined && { sealedSecret: item.sealed_secret.B }),
    ...(item.last4?.S !== undefined && { last4: item.last4.S }),
    ...(item.base_url?.S !== undefined && { baseUrl: item.base_url.S }),
    ...(item.region?.S !== undefined && { region: item.region.S }),
    createdAt: requireNumber(item, 'created_at'),
    createdBy: requireString(item, 'created_by'),
    updatedAt: requireNumber(item, 'updated_at'),
    updatedBy: requireString(item, 'updated_by'),
    version: requireNumber(item, 'version'),
  };
}

function auditItem(entry: ProviderKeyAuditEntry): Item {
  const time = new Date(entry.at).toISOString();
  return {
    pk: { S: partitionOf(entry) },
    sk: { S: sortKey(`audit#${projectPart(entry.project_id)}#${time}#${entry.id}`) },
    org_id: { S: entry.org_id },
    workspace_id: { S: entry.workspace_id },
    ...(entry.project_id !== null && { project_id: { S: entry.project_id } }),
    provider: { S: entry.provider },
    action: { S: entry.action },
    actor: { S: entry.actor },
    at: { N: String(entry.at) },
    version: { N: String(entry.version) },
    id: { S: entry.id },
  };
}

function auditFromItem(item: Item): ProviderKeyAuditEntry {
  const action = requireString(item, 'action') as ProviderKeyAuditAction;
  if (!AUDIT_ACTIONS.includes(action)) throw new Error(`provider key audit item has an unknown action`);
  const project_id = item.project_id?.S ?? null;
  return {
    org_id: requireString(item, 'org_id'),
    workspace_id: requireString(item, 'workspace_id'),
    project_id,
    provider: requireProvider(item),
    scope: scopeOf({ project_id }),
    action,
    actor: requireString(item, 'actor'),
    at: requireNumber(item, 'at'),
    version: requireNumber(item, 'version'),
    id: requireString(item, 'id'),
  };
}

function requireProvider(item: Item): ProviderId {
  const provider = requireString(item, 'provider');
  if (!isProviderId(provider)) throw new Error(`provider key item has an unknown provider "${provider}"`);
  return provider;
}

function requireString(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new Error(`provider key item has no string attribute "${name}"`);
  return value;
}

function requireNumber(item: Item, name: string): number {
  const value = Number(item[name]?.N);
  if (!Number.isFinite(value)) throw new Error(`provider key item has no numeric attribute "${name}"`);
  return value;
}
