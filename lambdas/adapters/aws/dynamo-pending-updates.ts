/**
 * PendingUpdateStore on a DynamoDB table (pk, sk strings), one partition per event:
 *   pk = <org>/<workspace>/<project>/<event id> (each part URI-encoded)
 *   sk = `#`                   a marker: the event has (or had) pending updates
 *   sk = <pendingUpdateId>     one pending update, its JSON gzipped in `body`
 * The writer asks about every event it writes, so the common answer ("none") must be cheap: one
 * BatchGetItem of markers per 100 events, and a Query only for the few events that have a marker.
 * An update is put before its marker, so whoever sees the marker finds the update. Markers stay
 * when their updates are folded (a later check then finds an empty partition, which is harmless);
 * nothing expires, so an event that arrives days later still gets its updates.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  paginateQuery,
} from '@aws-sdk/client-dynamodb';
import type { Tenant, WaggleEventUpdate } from '../../domain/events/event';
import {
  inApplyingOrder,
  type PendingUpdateStore,
  pendingUpdateId,
} from '../../domain/store/pending-updates';

export const PENDING_UPDATES_TABLE = { partitionKey: 'pk', sortKey: 'sk' } as const;

const MARKER = '#';
/** DynamoDB items hold at most 400 KB; the keys and attribute names need a little of it. */
const MAX_PENDING_UPDATE_BYTES = 390 * 1024;
const BATCH_GET_KEYS = 100;
const BATCH_WRITE_ITEMS = 25;

/** An update too big for an item even compressed: its message is retried instead (as before pending updates). */
export class PendingUpdateTooLargeError extends Error {
  override readonly name = 'PendingUpdateTooLargeError';
}

interface DynamoPendingUpdatesOptions {
  /** Strongly consistent reads: the writer needs them (it must see an update kept a moment ago). */
  consistentReads?: boolean;
}

export class DynamoPendingUpdates implements PendingUpdateStore {
  private readonly consistent: boolean;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: DynamoPendingUpdatesOptions = {},
  ) {
    this.consistent = options.consistentReads ?? true;
  }

  async add(update: WaggleEventUpdate): Promise<void> {
    const body = gzipSync(JSON.stringify(update));
    if (body.byteLength > MAX_PENDING_UPDATE_BYTES)
      throw new PendingUpdateTooLargeError(
        `update of event ${update.event_id} is ${body.byteLength} bytes compressed; at most ${MAX_PENDING_UPDATE_BYTES} can wait for the event`,
      );
    const pk = partitionKey(update, update.event_id);
    // The update first, then its marker: a reader that sees the marker finds the update.
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { pk: { S: pk }, sk: { S: pendingUpdateId(update) }, body: { B: body } },
      }),
    );
    await this.client.send(
      new PutItemCommand({ TableName: this.tableName, Item: { pk: { S: pk }, sk: { S: MARKER } } }),
    );
  }

  async forEvents(tenant: Tenant, eventIds: readonly string[]): Promise<Map<string, WaggleEventUpdate[]>> {
    const byKey = new Map([...new Set(eventIds)].map((id) => [partitionKey(tenant, id), id]));
    const marked = await this.markedPartitions([...byKey.keys()]);
    const found = new Map<string, WaggleEventUpdate[]>();
    await Promise.all(
      marked.map(async (pk) => {
        const updates = await this.updatesIn(pk);
        if (updates.length > 0) found.set(byKey.get(pk) as string, inApplyingOrder(updates));
      }),
    );
    return found;
  }

  async remove(updates: readonly WaggleEventUpdate[]): Promise<void> {
    const keys = updates.map((update) => ({
      pk: { S: partitionKey(update, update.event_id) },
      sk: { S: pendingUpdateId(update) },
    }));
    const unique = [...new Map(keys.map((key) => [`${key.pk.S}\u0000${key.sk.S}`, key])).values()];
    for (let start = 0; start < unique.length; start += BATCH_WRITE_ITEMS) {
      let requests = unique
        .slice(start, start + BATCH_WRITE_ITEMS)
        .map((Key) => ({ DeleteRequest: { Key } }));
      // Unprocessed deletes (throttling) are sent again a few times; a leftover is folded again later.
      for (let attempt = 0; attempt < 5 && requests.length > 0; attempt++) {
        const response = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (response.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
  }

  private async markedPartitions(pks: string[]): Promise<string[]> {
    const marked: string[] = [];
    for (let start = 0; start < pks.length; start += BATCH_GET_KEYS) {
      let keys: Record<string, AttributeValue>[] = pks
        .slice(start, start + BATCH_GET_KEYS)
        .map((pk) => ({ pk: { S: pk }, sk: { S: MARKER } }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        // Unprocessed keys (throttling) are asked for again; the SDK backs off between calls.
        if (attempt === 10)
          throw new Error(`pending-update markers still unprocessed after ${attempt} attempts`);
        const response = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [this.tableName]: { Keys: keys, ConsistentRead: this.consistent, ProjectionExpression: 'pk' },
            },
          }),
        );
        for (const item of response.Responses?.[this.tableName] ?? []) marked.push(item.pk?.S as string);
        keys = response.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return marked;
  }

  private async updatesIn(pk: string): Promise<WaggleEventUpdate[]> {
    const updates: WaggleEventUpdate[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk > :marker',
        ExpressionAttributeValues: { ':pk': { S: pk }, ':marker': { S: MARKER } },
        ConsistentRead: this.consistent,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const body = item.body?.B;
        if (!body) throw new Error(`pending update ${pk} ${item.sk?.S} has no body`);
        updates.push(JSON.parse(gunzipSync(body).toString('utf8')) as WaggleEventUpdate);
      }
    }
    return updates;
  }
}

function partitionKey(tenant: Tenant, eventId: string): string {
  return [tenant.org_id, tenant.workspace_id, tenant.project_id, eventId].map(encodeURIComponent).join('/');
}
