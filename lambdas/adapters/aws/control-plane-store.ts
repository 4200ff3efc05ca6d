/**
 * ControlPlaneStore on one DynamoDB table, with single-item conditional writes only (no
 * TransactWriteItems: uniqueness comes from NameClaim records, concurrency from `version`).
 *
 * Keys:
 *   pk = `ORG#<org_id>`   sk = `<kind>#<id>`     every record; an organization is one partition,
 *                                                so listing a kind is one Query on a sk prefix
 *   gsi1pk = `USER#<user_id>`  gsi1sk = `ORG#<org_id>#<id>`   memberships only (sparse index
 *                                                `by-user`), to find a user's memberships
 * Records are stored as their own attributes beside the keys.
 */
import {
  ConditionalCheckFailedException,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import type {
  ApiKey,
  ConfigurationRecord,
  ControlPlaneRecord,
  EvaluatorRecord,
  Membership,
  MonitorRecord,
  Project,
  RecordKind,
  RecordOf,
  RecordRef,
  ToolRecord,
} from '../../domain/control-plane/model';
import { type ControlPlaneStore, refOf, VersionConflictError } from '../../domain/control-plane/store';

export const CONTROL_PLANE_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  userIndex: { name: 'by-user', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** Epoch seconds after which DynamoDB may delete an item (only the notification log sets it). */
  ttlAttribute: 'ttl_epoch_s',
} as const;

const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk'];

/** The table (keys and the by-user index) for creating it outside CDK: the local platform and tests. */
export function controlPlaneTableDefinition(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, userIndex } = CONTROL_PLANE_TABLE;
  return {
    TableName: tableName,
    AttributeDefinitions: [partitionKey, sortKey, userIndex.partitionKey, userIndex.sortKey].map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: userIndex.name,
        KeySchema: [
          { AttributeName: userIndex.partitionKey, KeyType: 'HASH' },
          { AttributeName: userIndex.sortKey, KeyType: 'RANGE' },
        ],
        // KEYS_ONLY, as the CDK table (lib/control-plane/control-plane-table.ts) deploys it.
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

type Item = Record<string, unknown>;

export class DynamoControlPlaneStore implements ControlPlaneStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async get<K extends RecordKind>(ref: RecordRef<K>): Promise<RecordOf<K> | undefined> {
    const response = await this.documents.send(
      // Consistent: a role removed or a key revoked a moment ago must not be read as still there.
      new GetCommand({ TableName: this.tableName, Key: keyOf(ref), ConsistentRead: true }),
    );
    return response.Item ? recordFromItem(response.Item, ref.kind, ref.org_id) : undefined;
  }

  async listByOrg<K extends RecordKind>(kind: K, orgId: string): Promise<RecordOf<K>[]> {
    const records: RecordOf<K>[] = [];
    const pages = paginateQuery(
      { client: this.documents },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': orgPartition(orgId), ':prefix': `${kind}#` },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) records.push(recordFromItem(item, kind, orgId));
    }
    return records;
  }

  async membershipsOfUser(userId: string): Promise<Membership[]> {
    const refs: RecordRef<'membership'>[] = [];
    const pages = paginateQuery(
      { client: this.documents },
      {
        TableName: this.tableName,
        IndexName: CONTROL_PLANE_TABLE.userIndex.name,
        KeyConditionExpression: 'gsi1pk = :user',
        ExpressionAttributeValues: { ':user': userPartition(userId) },
        // The index projects keys only (as deployed), so the record's address is read from its keys.
        ProjectionExpression: 'pk, sk',
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const ref = membershipRefOfKeys(String(item.pk), String(item.sk));
        if (ref) refs.push(ref);
      }
    }
    // The index is only eventually consistent: re-read each membership so that a role removed a
    // moment ago is not honoured. A role granted a moment ago may be missed, which fails closed.
    const memberships = await Promise.all(refs.map((ref) => this.get(ref)));
    return memberships.filter((membership): membership is Membership => membership?.user_id === userId);
  }

  async put(record: ControlPlaneRecord): Promise<void> {
    const create = record.version === 1;
    await this.conditionally(refOf(record), () =>
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: itemFromRecord(record),
          ConditionExpression: create ? 'attribute_not_exists(pk)' : '#version = :previous',
          ExpressionAttributeNames: create ? undefined : { '#version': 'version' },
          ExpressionAttributeValues: create ? undefined : { ':previous': record.version - 1 },
        }),
      ),
    );
  }

  async delete(ref: RecordRef, version: number): Promise<void> {
    await this.conditionally(ref, () =>
      this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keyOf(ref),
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': version },
        }),
      ),
    );
  }

  /**
   * Every project and API key of every organization, and every configuration, tool and metric (a scan, for
   * the sync reconciliation's desired state: revoked keys included, since a revocation must reach
   * every data plane).
   */
  async projectsAndApiKeys(): Promise<{
    projects: Project[];
    apiKeys: ApiKey[];
    configurations: ConfigurationRecord[];
    tools: ToolRecord[];
    evaluators: EvaluatorRecord[];
    monitors: MonitorRecord[];
  }> {
    const projects: Project[] = [];
    const apiKeys: ApiKey[] = [];
    const configurations: ConfigurationRecord[] = [];
    const tools: ToolRecord[] = [];
    const evaluators: EvaluatorRecord[] = [];
    const monitors: MonitorRecord[] = [];
    const pages = paginateScan(
      { client: this.documents },
      {
        TableName: this.tableName,
        FilterExpression:
          'begins_with(sk, :project) OR begins_with(sk, :key) OR begins_with(sk, :configuration) OR begins_with(sk, :tool) OR begins_with(sk, :evaluator) OR begins_with(sk, :monitor)',
        ExpressionAttributeValues: {
          ':project': 'project#',
          ':key': 'api-key#',
          ':configuration': 'configuration#',
          ':tool': 'tool#',
          // Not `evaluator-version#`: the history stays in the control plane.
          ':evaluator': 'evaluator#',
          ':monitor': 'monitor#',
        },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const orgId = String(item.pk).replace(/^ORG#/, '');
        const sk = String(item.sk);
        if (sk.startsWith('project#')) projects.push(recordFromItem(item, 'project', orgId));
        else if (sk.startsWith('api-key#')) apiKeys.push(recordFromItem(item, 'api-key', orgId));
        else if (sk.startsWith('configuration#'))
          configurations.push(recordFromItem(item, 'configuration', orgId));
        else if (sk.startsWith('evaluator#')) evaluators.push(recordFromItem(item, 'evaluator', orgId));
        else if (sk.startsWith('monitor#')) monitors.push(recordFromItem(item, 'monitor', orgId));
        else tools.push(recordFromItem(item, 'tool', orgId));
      }
    }
    return { projects, apiKeys, configurations, tools, evaluators, monitors };
  }

  private async conditionally(ref: RecordRef, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error)?.name === 'ConditionalCheckFailedException'
      ) {
        throw new VersionConflictError(ref);
      }
      throw error;
    }
  }
}

function orgPartition(orgId: string): string {
  return `ORG#${orgId}`;
}

/** Inverse of keyOf for a membership item: `ORG#<org_id>` / `membership#<id>`. */
function membershipRefOfKeys(pk: string, sk: string): RecordRef<'membership'> | undefined {
  const orgPrefix = 'ORG#';
  const kindPrefix = 'membership#';
  if (!pk.startsWith(orgPrefix) || !sk.startsWith(kindPrefix)) return undefined;
  return { kind: 'membership', org_id: pk.slice(orgPrefix.length), id: sk.slice(kindPrefix.length) };
}

function userPartition(userId: string): string {
  return `USER#${userId}`;
}

function keyOf(ref: RecordRef): Item {
  return { pk: orgPartition(ref.org_id), sk: `${ref.kind}#${ref.id}` };
}

export function itemFromRecord(record: ControlPlaneRecord): Item {
  const item: Item = { ...record, ...keyOf(refOf(record)) };
  if (record.kind === 'membership') {
    item.gsi1pk = userPartition(record.user_id);
    item.gsi1sk = `${orgPartition(record.org_id)}#${record.id}`;
  }
  return item;
}

/** Reads an item back, refusing one that is not the record asked for rather than trusting it. */
export function recordFromItem<K extends RecordKind>(item: Item, kind: K, orgId: string): RecordOf<K> {
  if (
    item.kind !== kind ||
    item.org_id !== orgId ||
    typeof item.id !== 'string' ||
    typeof item.version !== 'number'
  ) {
    throw new Error(`control-plane item ${String(item.pk)} ${String(item.sk)} is not a valid ${kind}`);
  }
  const record: Item = {};
  for (const [name, value] of Object.entries(item)) if (!KEY_ATTRIBUTES.includes(name)) record[name] = value;
  return record as unknown as RecordOf<K>;
}
