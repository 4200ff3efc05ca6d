/**
 * HoneyHive's datasets and datapoints API on the local platform, through HoneyHive's own client
 * (honeyhive@1.0.42), which validates every answer with its zod schemas: create a dataset, add
 * datapoints with a field mapping, read them back by dataset name and by id, edit, unlink and delete;
 * and hostile requests refused with a clear error and nothing stored.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_DATAPOINT_BYTES } from '../../lambdas/domain/datasets/requests';
import { honeyHiveClient, type RecordingClient } from '../support/honeyhive-client';
import { readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const PROJECT = 'default';
const local = platformForFile('waggle-datasets-', { projectName: PROJECT });
let honeyhive: RecordingClient;

beforeAll(() => {
  honeyhive = honeyHiveClient(local.platform.url, local.platform.apiKey);
});

describe('datasets and datapoints through the honeyhive client', () => {
  it('creates a dataset, adds mapped datapoints, reads, edits and deletes them', async () => {
    const { client } = honeyhive;
    const created = await client.datasets.createDataset({
      project: PROJECT,
      name: 'capitals',
      description: 'Questions about capitals',
      type: 'evaluation',
      pipelineType: 'event',
    });
    expect(created.inserted).toBe(true);
    const datasetId = created.result?.insertedId as string;
    expect(datasetId).toMatch(/^[0-9a-f]{24}$/);

    const added = await client.datasets.addDatapoints(
      {
        project: PROJECT,
        data: [
          {
            question: 'Capital of France?',
            answer: 'Paris',
            chat: [{ role: 'user', content: 'hi' }],
            note: 'easy',
          },
          { question: 'Capital of Peru?', answer: 'Lima' },
        ],
        mapping: { inputs: ['question'], groundTruth: ['answer'], history: ['chat'] },
      },
      datasetId,
    );
    expect(added.inserted).toBe(true);
    expect(added.datapointIds).toHaveLength(2);
    const [france, peru] = added.datapointIds as [string, string];

    const listed = await client.datasets.getDatasets(PROJECT);
    expect(listed.testcases).toHaveLength(1);
    expect(listed.testcases?.[0]).toMatchObject({
      name: 'capitals',
      project: PROJECT,
      datapoints: [france, peru],
      numPoints: 2,
      pipelineType: 'event',
    });
    expect((honeyhive.lastBody() as { testcases: { _id: string }[] }).testcases[0]?._id).toBe(datasetId);

    const byName = await client.datapoints.getDatapoints(PROJECT, undefined, 'capitals');
    expect(byName.datapoints?.map((datapoint) => datapoint.id)).toEqual([france, peru]);
    expect(byName.datapoints?.[0]).toMatchObject({
      inputs: { question: 'Capital of France?' },
      groundTruth: { answer: 'Paris' },
      history: [{ role: 'user', content: 'hi' }],
      metadata: { note: 'easy' },
      linkedDatasets: [datasetId],
    });
    const byIds = await client.datapoints.getDatapoints(PROJECT, [peru, 'f'.repeat(24)]);
    expect(byIds.datapoints?.map((datapoint) => datapoint.id)).toEqual([peru]);

    const single = await client.datapoints.createDatapoint({
      project: PROJECT,
      inputs: { question: 'Capital of Japan?' },
      groundTruth: { answer: 'Tokyo' },
      linkedDatasets: [datasetId],
    });
    const japan = single.result?.insertedId as string;
    const fetched = await client.datapoints.getDatapoint(japan);
    expect(fetched.datapoint?.[0]).toMatchObject({
      inputs: { question: 'Capital of Japan?' },
      linkedDatasets: [datasetId],
    });

    await client.datapoints.updateDatapoint({ groundTruth: { answer: 'Tōkyō' } }, japan);
    expect((await client.datapoints.getDatapoint(japan)).datapoint?.[0]?.groundTruth).toEqual({
      answer: 'Tōkyō',
    });

    // The dataset's list replaces its members: Peru leaves it (and is unlinked), the order is kept.
    await client.datasets.updateDataset({ datasetId, name: 'world capitals', datapoints: [france, japan] });
    const renamed = await client.datasets.getDatasets(PROJECT, undefined, datasetId);
    expect(renamed.testcases?.[0]).toMatchObject({
      name: 'world capitals',
      datapoints: [france, japan],
      numPoints: 2,
    });
    expect((await client.datapoints.getDatapoint(peru)).datapoint?.[0]?.linkedDatasets).toEqual([]);

    const deleted = await client.datapoints.deleteDatapoint(france);
    expect(deleted.deleted).toBe(true);
    expect((await client.datasets.getDatasets(PROJECT)).testcases?.[0]?.datapoints).toEqual([japan]);

    await client.datasets.deleteDataset(datasetId);
    expect((await client.datasets.getDatasets(PROJECT)).testcases).toEqual([]);
    // Its datapoints stay, unlinked.
    expect((await client.datapoints.getDatapoint(japan)).datapoint?.[0]?.linkedDatasets).toEqual([]);
  }, 60_000);

  it('refuses bad requests with a clear error and stores nothing', async () => {
    const api = readApi(local.platform.url, local.platform.apiKey);
    const first = await honeyhive.client.datasets.createDataset({ project: PROJECT, name: 'unique' });
    const datasetId = first.result?.insertedId as string;
    const cases: [string, string, unknown, number, RegExp][] = [
      [
        'POST',
        '/datasets',
        { project: PROJECT, name: 'unique' },
        409,
        /already has a dataset named ..unique/,
      ],
      ['POST', '/datasets', { project: 'someone-else', name: 'x' }, 400, /other than the API key's project/],
      ['POST', '/datasets', { project: PROJECT }, 400, /name is required/],
      ['POST', '/datasets', { project: PROJECT, name: 'y', type: 'training' }, 400, /type must be one of/],
      [
        'POST',
        '/datasets',
        { project: PROJECT, name: 'z', datapoints: ['a'.repeat(24)] },
        400,
        /datapoints not in this project/,
      ],
      ['POST', '/datasets', { project: PROJECT, name: 'w', surprise: 1 }, 400, /unknown fields: surprise/],
      ['PUT', '/datasets', { dataset_id: 'nope' }, 400, /dataset_id is not a dataset id/],
      ['PUT', '/datasets', { dataset_id: 'b'.repeat(24) }, 404, /no dataset/],
      [
        'POST',
        `/datasets/${datasetId}/datapoints`,
        { project: PROJECT, data: [], mapping: {} },
        400,
        /data is empty/,
      ],
      [
        'POST',
        `/datasets/${datasetId}/datapoints`,
        { project: PROJECT, data: [{ a: 1 }] },
        400,
        /mapping is required/,
      ],
      [
        'POST',
        `/datasets/${datasetId}/datapoints`,
        {
          project: PROJECT,
          data: [{ h: 'not a list' }],
          mapping: { inputs: [], ground_truth: [], history: ['h'] },
        },
        400,
        /data\[0\]\.h is mapped to history but is not a list/,
      ],
      [
        'POST',
        '/datapoints',
        { project: PROJECT, inputs: { text: 'x'.repeat(MAX_DATAPOINT_BYTES) } },
        413,
        /above 358400 \(a datapoint is one DynamoDB item/,
      ],
      ['POST', '/datapoints', { project: PROJECT }, 400, /inputs is required/],
      ['GET', '/datapoints?project=default', undefined, 400, /datapoint_ids or dataset_name/],
      ['GET', '/datapoints?dataset_name=nothing', undefined, 404, /no dataset named ..nothing/],
      ['GET', '/datapoints/..%2F..%2Fsecrets', undefined, 404, /no datapoint/],
      ['DELETE', '/datasets', undefined, 400, /dataset_id is required/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const response = await api.request(method, path, body);
      const text = await response.text();
      expect(response.status, `${method} ${path}: ${text}`).toBe(status);
      expect(text, `${method} ${path}`).toMatch(message);
    }
    // Nothing of the refused requests was stored: one dataset, empty.
    const datasets = await honeyhive.client.datasets.getDatasets(PROJECT);
    expect(datasets.testcases?.map((dataset) => [dataset.name, dataset.numPoints])).toEqual([['unique', 0]]);
    const noKey = await fetch(`${local.platform.url}/datasets?project=default`);
    expect(noKey.status).toBe(401);
  }, 60_000);

  it('creates, lists, reads, completes and deletes experiment runs through the honeyhive client', async () => {
    const { client } = honeyhive;
    const dataset = await client.datasets.createDataset({ project: PROJECT, name: 'runs-dataset' });
    const datasetId = dataset.result?.insertedId as string;
    const created = await client.experiments.createRun({
      project: PROJECT,
      name: 'baseline',
      eventIds: [],
      datasetId,
      configuration: { model: 'gpt-4o-mini', temperature: 0 },
      metadata: { commit: 'abc123' },
      status: 'pending',
    });
    const runId = created.runId as string;
    expect(created.evaluation).toMatchObject({ runId, name: 'baseline', status: 'pending', datasetId });
    expect(created.evaluation?.createdAt).toBeInstanceOf(Date);

    const completed = await client.experiments.updateRun(
      { eventIds: ['session-1', 'session-2'], datapointIds: ['d'.repeat(24)], status: 'completed' },
      runId,
    );
    expect(completed.evaluation).toMatchObject({
      event_ids: ['session-1', 'session-2'],
      status: 'completed',
    });
    const read = await client.experiments.getRun(runId);
    expect(read.evaluation).toMatchObject({
      runId,
      eventIds: ['session-1', 'session-2'],
      datapointIds: ['d'.repeat(24)],
      configuration: { model: 'gpt-4o-mini', temperature: 0 },
      status: 'completed',
    });
    const second = await client.experiments.createRun({ project: PROJECT, name: 'candidate', eventIds: [] });
    const listed = await client.experiments.getRuns(PROJECT);
    expect(listed.evaluations?.map((run) => run.runId)).toEqual([second.runId, runId]);

    const deleted = await client.experiments.deleteRun(runId);
    expect(deleted).toEqual({ id: runId, deleted: true });
    await expect(client.experiments.getRun(runId)).rejects.toThrow();

    const api = readApi(local.platform.url, local.platform.apiKey);
    const refusals: [string, string, unknown, number, RegExp][] = [
      ['POST', '/runs', { project: PROJECT, event_ids: [] }, 400, /name is required/],
      ['POST', '/runs', { project: PROJECT, name: 'x' }, 400, /event_ids is required/],
      [
        'POST',
        '/runs',
        { project: PROJECT, name: 'x', event_ids: [], dataset_id: 'EXT-xyz' },
        400,
        /not a dataset id/,
      ],
      [
        'POST',
        '/runs',
        { project: PROJECT, name: 'x', event_ids: [], status: 'finished' },
        400,
        /status must be one of/,
      ],
      [
        'POST',
        '/runs',
        { project: PROJECT, name: 'x', event_ids: [], dataset_id: 'e'.repeat(24) },
        400,
        /names no dataset/,
      ],
      [
        'POST',
        '/runs',
        { project: PROJECT, name: 'x', event_ids: Array.from({ length: 5_001 }, (_, i) => `s-${i}`) },
        413,
        /more than 5000 ids/,
      ],
      ['PUT', `/runs/${second.runId}`, { project: 'other' }, 400, /unknown fields: project/],
      ['GET', '/runs/not-a-run', undefined, 404, /no run not-a-run/],
    ];
    for (const [method, path, body, status, message] of refusals) {
      const response = await api.request(method, path, body);
      const text = await response.text();
      expect(response.status, `${method} ${path}: ${text}`).toBe(status);
      expect(text).toMatch(message);
    }
    expect((await client.experiments.getRuns(PROJECT)).evaluations?.map((run) => run.name)).toEqual([
      'candidate',
    ]);
  }, 60_000);
});
