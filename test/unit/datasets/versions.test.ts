/**
 * Dataset versions (lambdas/domain/datasets/versions.ts) on the DynamoDB store
 * (adapters/aws/dynamo-dataset-store.ts) over dynalite, which enforces DynamoDB's 400 KB item limit:
 * large datapoints are split over parts that each fit, concurrent versions get distinct numbers
 * (a lost claim leaves no parts behind), a run reuses the latest version until the contents change, and a
 * deleted dataset takes its versions with it.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATASETS_TABLE, DynamoDatasetStore } from '../../../lambdas/adapters/aws/dynamo-dataset-store';
import type { DatasetVersionRecord } from '../../../lambdas/domain/datasets/model';
import type { DatasetVersionStore } from '../../../lambdas/domain/datasets/ports';
import { MAX_DATAPOINT_BYTES } from '../../../lambdas/domain/datasets/requests';
import { createDatasetService, type DatasetCaller } from '../../../lambdas/domain/datasets/service';
import { createDatasetVersionService } from '../../../lambdas/domain/datasets/versions';
import { stringKeyedTable, useDynalite } from '../../support/dynalite';

const dynalite = useDynalite();
/** The store's version methods, callable apart from it. */
const bound = (target: DynamoDatasetStore): DatasetVersionStore => ({
  putVersion: (version, points) => target.putVersion(version, points),
  listVersions: (projectId, datasetId) => target.listVersions(projectId, datasetId),
  getVersion: (projectId, datasetId, number) => target.getVersion(projectId, datasetId, number),
  versionDatapoints: (version) => target.versionDatapoints(version),
});
const caller: DatasetCaller = {
  tenant: { org_id: 'o1', workspace_id: 'w1', project_id: 'p1' },
  projectName: 'default',
};
let table: string;
let store: DynamoDatasetStore;
let datasets: ReturnType<typeof createDatasetService>;
let versions: ReturnType<typeof createDatasetVersionService>;

beforeAll(async () => {
  table = await dynalite.createTable(
    stringKeyedTable('datasets', DATASETS_TABLE.partitionKey, DATASETS_TABLE.sortKey),
  );
  store = new DynamoDatasetStore(dynalite.client, table);
  datasets = createDatasetService({ store });
  versions = createDatasetVersionService({ store, versions: store, maxVersionBytes: 2 * 1024 * 1024 });
});

async function dataset(name: string, rows: Record<string, unknown>[]): Promise<string> {
  const created = await datasets.createDataset(caller, { name });
  const id = created.result.insertedId;
  if (rows.length > 0)
    await datasets.addDatapoints(caller, id, { data: rows, mapping: { inputs: ['q'], ground_truth: ['a'] } });
  return id;
}

async function itemsStartingWith(prefix: string) {
  const { Items } = await dynalite.client.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': { S: 'p#p1' }, ':prefix': { S: prefix } },
    }),
  );
  return Items ?? [];
}

describe('dataset versions on DynamoDB', () => {
  it('stores datapoints near the item limit in parts that each fit', async () => {
    // As large as a datapoint may be, then one that shares its part with a small one.
    const largest = 'x'.repeat(MAX_DATAPOINT_BYTES - 200);
    const big = 'x'.repeat(300 * 1024);
    const id = await dataset('large', [{ q: `${largest}1` }, { q: `${big}2` }, { q: 'small', a: 'y' }]);
    const { version } = await versions.createVersion(caller, id, { description: 'large' });
    expect(version).toMatchObject({ number: 1, datapoint_count: 3 });
    const read = await versions.versionDatapoints(caller, { datasetName: 'large', version: 1 });
    expect(read.datapoints.map((datapoint) => String(datapoint.inputs.q).slice(-5))).toEqual([
      'xxxx1',
      'xxxx2',
      'small',
    ]);
    const parts = await itemsStartingWith(`vc#${id}#`);
    expect(parts.map((part) => (JSON.parse(part.doc?.S ?? '') as unknown[]).length)).toEqual([1, 2]);
  });

  it('gives concurrent versions distinct numbers, retrying a number another took', async () => {
    const id = await dataset('concurrent', [{ q: 'a' }]);
    let claims = 0;
    const counted = createDatasetVersionService({
      store,
      versions: {
        ...bound(store),
        putVersion: (version, points) => {
          claims++;
          return store.putVersion(version, points);
        },
      },
    });
    const made = await Promise.all(
      Array.from({ length: 4 }, (_, index) => counted.createVersion(caller, id, { description: `${index}` })),
    );
    expect(made.map((each) => each.version.number).sort()).toEqual([1, 2, 3, 4]);
    expect(claims).toBeGreaterThan(4);
    expect((await versions.listVersions(caller, id)).versions.map((each) => each.number)).toEqual([
      4, 3, 2, 1,
    ]);
    expect(await itemsStartingWith(`vc#${id}#`)).toHaveLength(4);
  });

  it('refuses a number already taken and removes the parts it wrote', async () => {
    const id = await dataset('taken', [{ q: 'a' }]);
    const { version } = await versions.createVersion(caller, id, {});
    const [record] = await store.listVersions('p1', id);
    const points = await store.versionDatapoints(record as DatasetVersionRecord);
    await expect(
      store.putVersion({ ...(record as DatasetVersionRecord), snapshot_id: 'f'.repeat(24) }, points),
    ).rejects.toThrow(`dataset ${id} already has a version ${version.number}`);
    expect(await itemsStartingWith(`vc#${id}#${'f'.repeat(24)}`)).toEqual([]);
    expect(await itemsStartingWith(`vc#${id}#`)).toHaveLength(1);
  });

  it('lets runs reuse the latest version until the contents change', async () => {
    const id = await dataset('for-runs', [{ q: 'a', a: 'b' }]);
    expect(await versions.versionForRun(caller, id, 'r1')).toBe(1);
    expect(await versions.versionForRun(caller, id, 'r2')).toBe(1);
    const [point] = (await datasets.getDatapoints(caller, { datasetName: 'for-runs' })).datapoints;
    // Saved unchanged: still the same contents.
    await datasets.updateDatapoint(caller, point?._id as string, { inputs: { q: 'a' } });
    expect(await versions.versionForRun(caller, id, 'r3')).toBe(1);
    await datasets.updateDatapoint(caller, point?._id as string, { metadata: { reviewed: true } });
    expect(await versions.versionForRun(caller, id, 'r4')).toBe(2);
  });

  it('refuses a version above its size limit, naming it, and stores nothing', async () => {
    const id = await dataset('too-large', [
      { q: 'x'.repeat(300 * 1024) },
      ...Array.from({ length: 6 }, (_, index) => ({ q: `${'y'.repeat(300 * 1024)}${index}` })),
    ]);
    await expect(versions.createVersion(caller, id, {})).rejects.toThrow(
      /bytes of JSON, above 2097152, the most a version holds/,
    );
    expect(await itemsStartingWith(`vc#${id}#`)).toEqual([]);
    expect((await versions.listVersions(caller, id)).versions).toEqual([]);
  });

  it('removes the versions of a deleted dataset', async () => {
    const id = await dataset('deleted', [{ q: 'a' }]);
    await versions.createVersion(caller, id, {});
    await datasets.deleteDataset(caller, id);
    expect(await itemsStartingWith(`ver#${id}#`)).toEqual([]);
    expect(await itemsStartingWith(`vc#${id}#`)).toEqual([]);
  });
});
