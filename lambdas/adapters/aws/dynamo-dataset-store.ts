/**
 * DatasetStore on one DynamoDB table (partition key `pk`, sort key `sk`, both strings), used on AWS
 * and, through dynalite, by the local platform. One project is one item collection:
 *
 * - a dataset:     sk `ds#<dataset id>`, its record as JSON in `doc`
 * - its name:      sk `name#<sha-256 of the name>`, holding the dataset id (a conditional put keeps
 *                  names unique)
 * - a datapoint:   sk `dp#<datapoint id>`, its record as JSON in `doc` (at most 350 KiB: requests.ts),
 *                  and the datasets it belongs to as the string set `linked`
 * - a run:         sk `run#<run id>` (DynamoRunStore below)
 * - a version:      sk `ver#<dataset id>#<number, 10 digits>`, its record as JSON in `doc`
 * - its contents:   sk `vc#<dataset id>#<snapshot id>#<part, 6 digits>`, a JSON list of datapoints in
 *                   `doc`, packed up to VERSION_PART_BYTES a part (a datapoint is at most 350 KiB, so
 *                   each part stays within DynamoDB's 400 KB item); written before the version's
 *                   record claims its number, so a version is never read half-written
 * - a membership:  sk `m#<dataset id>#<datapoint id>`, with `seq` (when it was added, and its place in
 *                  that call) for order
 *
 * Ids are 24 hex digits and names are hashed in keys, so no key reaches into another's range.
 * dynalite has no transactions, so multi-item changes go in an order that leaves nothing dangling: a
 * name is claimed before its dataset is written and released after it is gone; a membership is
 * written before the datapoint is linked and removed after it is unlinked.
 */
import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { DatapointRecord, DatasetRecord, DatasetVersionRecord } from '../../domain/datasets/model';
import type { DatasetStore, DatasetVersionStore } from '../../domain/datasets/ports';
import { ConflictError } from '../../domain/errors';
import type { RunRecord, RunStore } from '../../domain/experiments/runs';

export const DATASETS_TABLE = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** DynamoDB's limits: BatchWriteItem 25 requests, BatchGetItem 100 keys. */
const BATCH_WRITE_ITEMS = 25;
const BATCH_GET_KEYS = 100;
const MAX_ATTEMPTS = 10;

type Item = Record<string, AttributeValue>;

const pkOf = (projectId: string) => ({ S: `p#${encodeURIComponent(projectId)}` });
const datasetKey = (projectId: string, id: string) => ({ pk: pkOf(projectId), sk: { S: `ds#${id}` } });
// A name's hash, not the name: a 200-character name percent-encoded can pass DynamoDB's 1,024-byte sort key.
const nameKey = (projectId: string, name: string) => ({
  pk: pkOf(projectId),
  sk: { S: `name#${createHash('sha256').update(name).digest('hex')}` },
});
const datapointKey = (projectId: string, id: string) => ({ pk: pkOf(projectId), sk: { S: `dp#${id}` } });
const memberKey = (projectId: string, datasetId: string, datapointId: string) => ({
  pk: pkOf(projectId),
  sk: { S: `m#${datasetId}#${datapointId}` },
});

const versionKey = (projectId: string, datasetId: string, number: number) => ({
  pk: pkOf(projectId),
  sk: { S: `ver#${datasetId}#${String(number).padStart(10, '0')}` },
});
const versionPartPrefix = (datasetId: string, snapshotId: string) => `vc#${datasetId}#${snapshotId}#`;
/** New datapoints written together (insertMembers): a bounded piece of a large import. */
const INSERT_CHUNK = 1_000;
/** A version's part at most: a 350 KiB datapoint alone, or several smaller ones, within the 400 KB item. */
const VERSION_PART_BYTES = 360 * 1024;

/** Sorts as the time then the place: fixed-width digits (epoch ms has 13 until the year 2286). */
const sequence = (at: number, index: number) =>
  `${String(at).padStart(15, '0')}.${String(index).padStart(6, '0')}`;

export class DynamoDatasetStore implements DatasetStore, DatasetVersionStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async createDataset(record: DatasetRecord): Promise<void> {
    await this.claimName(record.project_id, record.name, record.id);
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { ...datasetKey(record.project_id, record.id), doc: { S: JSON.stringify(record) } },
      }),
    );
  }

  async getDataset(projectId: string, datasetId: string): Promise<DatasetRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: datasetKey(projectId, datasetId),
        ConsistentRead: true,
      }),
    );
    return Item?.doc?.S ? (JSON.parse(Item.doc.S) as DatasetRecord) : undefined;
  }

  async findDatasetByName(projectId: string, name: string): Promise<DatasetRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: nameKey(projectId, name), ConsistentRead: true }),
    );
    const id = Item?.dataset_id?.S;
    return id === undefined ? undefined : this.getDataset(projectId, id);
  }

  async listDatasets(projectId: string): Promise<DatasetRecord[]> {
    const items = await this.query(projectId, 'ds#');
    return items
      .map((item) => JSON.parse(item.doc?.S ?? '{}') as DatasetRecord)
      .sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
  }

  async updateDataset(record: DatasetRecord, previousName: string): Promise<void> {
    if (record.name !== previousName) await this.claimName(record.project_id, record.name, record.id);
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { ...datasetKey(record.project_id, record.id), doc: { S: JSON.stringify(record) } },
      }),
    );
    if (record.name !== previousName) await this.releaseName(record.project_id, previousName, record.id);
  }

  async deleteDataset(projectId: string, datasetId: string): Promise<void> {
    const dataset = await this.getDataset(projectId, datasetId);
    await this.removeMembers(projectId, datasetId, await this.members(projectId, datasetId));
    // Its versions' records first, then their contents: no version is left without its datapoints.
    for (const prefix of [`ver#${datasetId}#`, `vc#${datasetId}#`]) {
      const items = await this.query(projectId, prefix);
      await this.batchWrite(items.map((item) => ({ DeleteRequest: { Key: keyOf(item) } })));
    }
    await this.client.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: datasetKey(projectId, datasetId) }),
    );
    if (dataset) await this.releaseName(projectId, dataset.name, datasetId);
  }

  async members(projectId: string, datasetId: string): Promise<string[]> {
    const items = await this.query(projectId, `m#${datasetId}#`);
    return items
      .map((item) => ({ id: (item.sk?.S ?? '').slice(`m#${datasetId}#`.length), seq: item.seq?.S ?? '' }))
      .sort((a, b) => a.seq.localeCompare(b.seq) || a.id.localeCompare(b.id))
      .map((member) => member.id);
  }

  async addMembers(
    projectId: string,
    datasetId: string,
    datapointIds: readonly string[],
    at: number,
  ): Promise<void> {
    // Order within one call: its position, after everything added before (`at` grows).
    await this.batchWrite(
      datapointIds.map((id, index) => ({
        PutRequest: { Item: { ...memberKey(projectId, datasetId, id), seq: { S: sequence(at, index) } } },
      })),
    );
    for (const id of datapointIds) await this.link(projectId, id, datasetId, 'ADD');
  }

  async insertMembers(
    projectId: string,
    datasetId: string,
    records: readonly DatapointRecord[],
    at: number,
  ): Promise<void> {
    // New datapoints are written already linked (no other request knows them): two batched writes a
    // chunk instead of one UpdateItem a datapoint. Each chunk's memberships first, then its datapoints.
    try {
      for (let start = 0; start < records.length; start += INSERT_CHUNK) {
        const chunk = records.slice(start, start + INSERT_CHUNK);
        await this.batchWrite(
          chunk.map((record, index) => ({
            PutRequest: {
              Item: {
                ...memberKey(projectId, datasetId, record.id),
                seq: { S: sequence(at, start + index) },
              },
            },
          })),
        );
        await this.putDatapoints(chunk.map((record) => ({ ...record, linked_datasets: [datasetId] })));
      }
    } catch (error) {
      await this.batchWrite(
        records.flatMap((record) => [
          { DeleteRequest: { Key: datapointKey(projectId, record.id) } },
          { DeleteRequest: { Key: memberKey(projectId, datasetId, record.id) } },
        ]),
      ).catch(() => undefined);
      throw error;
    }
  }

  async removeMembers(projectId: string, datasetId: string, datapointIds: readonly string[]): Promise<void> {
    for (const id of datapointIds) await this.link(projectId, id, datasetId, 'DELETE');
    await this.batchWrite(
      datapointIds.map((id) => ({ DeleteRequest: { Key: memberKey(projectId, datasetId, id) } })),
    );
  }

  async putDatapoints(records: readonly DatapointRecord[]): Promise<void> {
    await this.batchWrite(
      records.map((record) => {
        const { linked_datasets: linked, ...doc } = record;
        return {
          PutRequest: {
            Item: {
              ...datapointKey(record.project_id, record.id),
              doc: { S: JSON.stringify(doc) },
              ...(linked.length > 0 && { linked: { SS: [...new Set(linked)] } }),
            },
          },
        };
      }),
    );
  }

  async getDatapoints(projectId: string, datapointIds: readonly string[]): Promise<DatapointRecord[]> {
    const found = new Map<string, DatapointRecord>();
    const unique = [...new Set(datapointIds)];
    for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) {
      let keys: Item[] = unique.slice(start, start + BATCH_GET_KEYS).map((id) => datapointKey(projectId, id));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt === MAX_ATTEMPTS)
          throw new Error(`datapoints still unprocessed after ${attempt} attempts`);
        const response = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const item of response.Responses?.[this.tableName] ?? []) {
          const record = {
            ...(JSON.parse(item.doc?.S ?? '{}') as DatapointRecord),
            linked_datasets: item.linked?.SS ?? [],
          };
          found.set(record.id, record);
        }
        keys = response.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return datapointIds.flatMap((id) => found.get(id) ?? []);
  }

  async deleteDatapoint(projectId: string, datapointId: string): Promise<void> {
    const [datapoint] = await this.getDatapoints(projectId, [datapointId]);
    if (!datapoint) return;
    await this.batchWrite(
      datapoint.linked_datasets.map((datasetId) => ({
        DeleteRequest: { Key: memberKey(projectId, datasetId, datapointId) },
      })),
    );
    await this.client.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: datapointKey(projectId, datapointId) }),
    );
  }

  async putVersion(version: DatasetVersionRecord, datapoints: readonly DatapointRecord[]): Promise<void> {
    const prefix = versionPartPrefix(version.dataset_id, version.snapshot_id);
    const parts: WriteRequest[] = packParts(datapoints).map((doc, index) => ({
      PutRequest: {
        Item: {
          pk: pkOf(version.project_id),
          sk: { S: `${prefix}${String(index).padStart(6, '0')}` },
          doc: { S: doc },
        },
      },
    }));
    await this.batchWrite(parts);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...versionKey(version.project_id, version.dataset_id, version.number),
            doc: { S: JSON.stringify(version) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Another snapshot took the number: these parts are nobody's.
      await this.batchWrite(parts.map((part) => ({ DeleteRequest: { Key: keyOf(part.PutRequest?.Item) } })));
      throw new ConflictError(`dataset ${version.dataset_id} already has a version ${version.number}`);
    }
  }

  async listVersions(projectId: string, datasetId: string): Promise<DatasetVersionRecord[]> {
    const items = await this.query(projectId, `ver#${datasetId}#`);
    return items
      .map((item) => JSON.parse(item.doc?.S ?? '{}') as DatasetVersionRecord)
      .sort((a, b) => b.number - a.number);
  }

  async getVersion(
    projectId: string,
    datasetId: string,
    number: number,
  ): Promise<DatasetVersionRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: versionKey(projectId, datasetId, number),
        ConsistentRead: true,
      }),
    );
    return Item?.doc?.S ? (JSON.parse(Item.doc.S) as DatasetVersionRecord) : undefined;
  }

  async versionDatapoints(version: DatasetVersionRecord): Promise<DatapointRecord[]> {
    const items = await this.query(
      version.project_id,
      versionPartPrefix(version.dataset_id, version.snapshot_id),
    );
    return items
      .sort((a, b) => (a.sk?.S ?? '').localeCompare(b.sk?.S ?? ''))
      .flatMap((item) => JSON.parse(item.doc?.S ?? '[]') as Omit<DatapointRecord, 'linked_datasets'>[])
      .map((datapoint) => ({ ...datapoint, linked_datasets: [version.dataset_id] }));
  }

  private async claimName(projectId: string, name: string, datasetId: string): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...nameKey(projectId, name), dataset_id: { S: datasetId } },
          ConditionExpression: 'attribute_not_exists(pk) OR dataset_id = :id',
          ExpressionAttributeValues: { ':id': { S: datasetId } },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new ConflictError(`the project already has a dataset named "${name.slice(0, 200)}"`);
      throw error;
    }
  }

  private async releaseName(projectId: string, name: string, datasetId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: nameKey(projectId, name),
          ConditionExpression: 'dataset_id = :id',
          ExpressionAttributeValues: { ':id': { S: datasetId } },
        }),
      );
    } catch (error) {
      // Claimed again by another dataset meanwhile: not ours to release.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Adds or removes the dataset in the datapoint's `linked` set, if the datapoint exists. */
  private async link(projectId: string, datapointId: string, datasetId: string, action: 'ADD' | 'DELETE') {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: datapointKey(projectId, datapointId),
          UpdateExpression: `${action} linked :dataset`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':dataset': { SS: [datasetId] } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private async query(projectId: string, prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pkOf(projectId), ':prefix': { S: prefix } },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items;
  }

  private async batchWrite(requests: WriteRequest[]): Promise<void> {
    for (let start = 0; start < requests.length; start += BATCH_WRITE_ITEMS) {
      let pending = requests.slice(start, start + BATCH_WRITE_ITEMS);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === MAX_ATTEMPTS)
          throw new Error(`dataset writes still unprocessed after ${attempt} attempts`);
        const response = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        pending = response.UnprocessedItems?.[this.tableName] ?? [];
      }
    }
  }
}

/**
 * A version's datapoints as JSON lists of at most VERSION_PART_BYTES each (a larger datapoint alone).
 * Which datasets a datapoint belongs to is not part of its contents: left out.
 */
function packParts(datapoints: readonly DatapointRecord[]): string[] {
  const parts: string[] = [];
  let part: string[] = [];
  let bytes = 0;
  for (const { linked_datasets: _linked, ...datapoint } of datapoints) {
    const json = JSON.stringify(datapoint);
    const size = Buffer.byteLength(json) + 1;
    if (part.length > 0 && bytes + size > VERSION_PART_BYTES) {
      parts.push(`[${part.join(',')}]`);
      part = [];
      bytes = 0;
    }
    part.push(json);
    bytes += size;
  }
  if (part.length > 0) parts.push(`[${part.join(',')}]`);
  return parts;
}

const keyOf = (item: Item | undefined): Item => ({
  pk: item?.pk as AttributeValue,
  sk: item?.sk as AttributeValue,
});

/** Experiment runs in the same table (sk `run#<run id>`, the record as JSON in `doc`). */
export class DynamoRunStore implements RunStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  private key(projectId: string, runId: string) {
    return { pk: pkOf(projectId), sk: { S: `run#${encodeURIComponent(runId)}` } };
  }

  async putRun(record: RunRecord): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { ...this.key(record.project_id, record.run_id), doc: { S: JSON.stringify(record) } },
      }),
    );
  }

  async getRun(projectId: string, runId: string): Promise<RunRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: this.key(projectId, runId),
        ConsistentRead: true,
      }),
    );
    return Item?.doc?.S ? (JSON.parse(Item.doc.S) as RunRecord) : undefined;
  }

  async listRuns(projectId: string): Promise<RunRecord[]> {
    const runs: RunRecord[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pkOf(projectId), ':prefix': { S: 'run#' } },
        ConsistentRead: true,
      },
    );
    for await (const page of pages)
      for (const item of page.Items ?? []) runs.push(JSON.parse(item.doc?.S ?? '{}') as RunRecord);
    return runs.sort((a, b) => b.created_at - a.created_at || a.run_id.localeCompare(b.run_id));
  }

  async deleteRun(projectId: string, runId: string): Promise<void> {
    await this.client.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: this.key(projectId, runId) }),
    );
  }
}
