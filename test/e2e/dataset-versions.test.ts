/**
 * Dataset versions, and datasets as JSONL and CSV files, on the local platform: versions are immutable
 * snapshots (later edits do not change them), a run over a dataset records the version it used (made
 * when the dataset changed), and a file exported imports back to the same contents. Existing calls go
 * through HoneyHive's own client (honeyhive@1.0.42, which validates every answer); Waggle's own routes
 * through plain fetch (with a fast-check property over hostile contents for the files). Hostile requests
 * are refused with a clear error and change nothing.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMPORT_CONTENT_BYTES, MAX_IMPORTED_ROWS } from '../../lambdas/domain/datasets/file-formats';
import { contentsOf, datapointContents } from '../support/dataset-arbitraries';
import { honeyHiveClient, type RecordingClient } from '../support/honeyhive-client';
import { readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const PROJECT = 'default';
const local = platformForFile('waggle-dataset-versions-', { projectName: PROJECT });
let honeyhive: RecordingClient;
let api: ReturnType<typeof readApi>;

beforeAll(() => {
  honeyhive = honeyHiveClient(local.platform.url, local.platform.apiKey);
  api = readApi(local.platform.url, local.platform.apiKey);
});

interface Datapoint {
  _id: string;
  inputs: Record<string, unknown>;
  ground_truth: Record<string, unknown>;
  history: unknown[];
  metadata: Record<string, unknown>;
}

async function json<T>(method: string, path: string, body?: unknown, status = 200): Promise<T> {
  const response = await api.request(method, path, body);
  const text = await response.text();
  expect(response.status, `${method} ${path}: ${text.slice(0, 500)}`).toBe(status);
  return JSON.parse(text) as T;
}

async function newDataset(name: string): Promise<string> {
  const created = await honeyhive.client.datasets.createDataset({ project: PROJECT, name });
  return created.result?.insertedId as string;
}

const datapointsOf = async (name: string, version?: number) =>
  (
    await json<{ datapoints: Datapoint[] }>(
      'GET',
      `/v1/datapoints?dataset_name=${encodeURIComponent(name)}${version === undefined ? '' : `&version=${version}`}`,
    )
  ).datapoints;

const contents = (datapoint: Datapoint) => ({
  inputs: datapoint.inputs,
  ground_truth: datapoint.ground_truth,
  history: datapoint.history,
  metadata: datapoint.metadata,
});

async function exported(datasetId: string, format: 'jsonl' | 'csv', version?: number) {
  const response = await api.request(
    'GET',
    `/v1/datasets/${datasetId}/export?format=${format}${version === undefined ? '' : `&version=${version}`}`,
  );
  const text = await response.text();
  expect(response.status, text.slice(0, 500)).toBe(200);
  return { text, headers: response.headers };
}

describe('dataset versions', () => {
  it('keeps each version as it was when made, whatever is edited later', async () => {
    const { client } = honeyhive;
    const datasetId = await newDataset('versioned');
    const added = await client.datasets.addDatapoints(
      {
        project: PROJECT,
        data: [
          { question: 'Capital of France?', answer: 'Paris' },
          { question: 'Capital of Peru?', answer: 'Lima' },
        ],
        mapping: { inputs: ['question'], groundTruth: ['answer'], history: [] },
      },
      datasetId,
    );
    const [france, peru] = added.datapointIds as [string, string];
    const first = await json<{ version: Record<string, unknown> }>(
      'POST',
      `/v1/datasets/${datasetId}/versions`,
      {
        description: 'the first two',
      },
    );
    expect(first.version).toEqual({
      number: 1,
      dataset_id: datasetId,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      datapoint_count: 2,
      description: 'the first two',
    });
    const before = await datapointsOf('versioned');

    // Edit a datapoint, drop one, add one: version 1 does not change.
    await client.datapoints.updateDatapoint({ groundTruth: { answer: 'París' } }, france);
    await client.datasets.updateDataset({ datasetId, datapoints: [france] });
    await client.datapoints.createDatapoint({
      project: PROJECT,
      inputs: { question: 'Capital of Japan?' },
      linkedDatasets: [datasetId],
    });
    const second = await json<{ version: { number: number; datapoint_count: number } }>(
      'POST',
      `/datasets/${datasetId}/versions`,
    );
    expect(second.version).toMatchObject({ number: 2, datapoint_count: 2, description: '' });

    const v1 = await datapointsOf('versioned', 1);
    expect(v1.map((datapoint) => datapoint._id)).toEqual([france, peru]);
    expect(v1.map(contents)).toEqual(before.map(contents));
    expect(v1[0]?.ground_truth).toEqual({ answer: 'Paris' });
    const v2 = await datapointsOf('versioned', 2);
    expect(v2[0]?.ground_truth).toEqual({ answer: 'París' });
    expect(v2.map((datapoint) => datapoint.inputs.question)).toEqual([
      'Capital of France?',
      'Capital of Japan?',
    ]);

    // Deleting a datapoint does not reach into a version either.
    await client.datapoints.deleteDatapoint(peru);
    expect((await datapointsOf('versioned', 1)).map((datapoint) => datapoint._id)).toEqual([france, peru]);

    const listed = await json<{ versions: { number: number }[] }>('GET', `/datasets/${datasetId}/versions`);
    expect(listed.versions.map((version) => version.number)).toEqual([2, 1]);

    const file = await exported(datasetId, 'jsonl', 1);
    expect(
      file.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id),
    ).toEqual([france, peru]);
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="versioned-v1.jsonl"');
  }, 60_000);

  it('records on each run the dataset version it used, made when the dataset changed', async () => {
    const { client } = honeyhive;
    const datasetId = await newDataset('run-versions');
    await client.datasets.addDatapoints(
      { project: PROJECT, data: [{ q: 'a' }], mapping: { inputs: ['q'], groundTruth: [], history: [] } },
      datasetId,
    );
    const runVersion = async (name: string) => {
      const created = await client.experiments.createRun({ project: PROJECT, name, eventIds: [], datasetId });
      expect(created.evaluation).toMatchObject({ name, datasetId });
      return (honeyhive.lastBody() as { evaluation: { dataset_version: number } }).evaluation.dataset_version;
    };
    // No version yet: the run makes version 1; unchanged, the next run uses it too.
    expect(await runVersion('first')).toBe(1);
    expect(await runVersion('second')).toBe(1);
    await client.datasets.addDatapoints(
      { project: PROJECT, data: [{ q: 'b' }], mapping: { inputs: ['q'], groundTruth: [], history: [] } },
      datasetId,
    );
    const third = await client.experiments.createRun({
      project: PROJECT,
      name: 'third',
      eventIds: [],
      datasetId,
    });
    const runId = third.runId as string;
    await client.experiments.getRun(runId);
    expect(
      (honeyhive.lastBody() as { evaluation: { dataset_version: number } }).evaluation.dataset_version,
    ).toBe(2);
    const versions = await json<{ versions: { number: number; description: string }[] }>(
      'GET',
      `/v1/datasets/${datasetId}/versions`,
    );
    expect(versions.versions).toMatchObject([
      { number: 2, description: 'made for run "third"', datapoint_count: 2 },
      { number: 1, description: 'made for run "first"', datapoint_count: 1 },
    ]);

    // Runs without a dataset have none; a run moved to another dataset records that one's version.
    await client.experiments.createRun({ project: PROJECT, name: 'no dataset', eventIds: [] });
    expect(
      (honeyhive.lastBody() as { evaluation: { dataset_version: unknown } }).evaluation.dataset_version,
    ).toBe(null);
    const other = await newDataset('run-versions-other');
    await client.experiments.updateRun({ datasetId: other }, runId);
    expect(
      (honeyhive.lastBody() as { evaluation: { dataset_version: number } }).evaluation.dataset_version,
    ).toBe(1);
  }, 60_000);
});

describe('import and export', () => {
  it('imports JSONL and CSV with a mapping as addDatapoints does, and exports them with headers', async () => {
    const datasetId = await newDataset('imported');
    const mapping = { inputs: ['question'], ground_truth: ['answer'], history: ['chat'] };
    const jsonl = await json<{ inserted: boolean; datapoint_ids: string[] }>(
      'POST',
      `/v1/datasets/${datasetId}/import`,
      {
        format: 'jsonl',
        content: `${JSON.stringify({ question: 'q1', answer: 'a1', chat: [{ role: 'user', content: 'hi' }], tag: 'x' })}\n`,
        mapping,
      },
    );
    expect(jsonl.inserted).toBe(true);
    expect(jsonl.datapoint_ids).toHaveLength(1);
    const csv = await json<{ datapoint_ids: string[] }>('POST', `/datasets/${datasetId}/import`, {
      format: 'csv',
      content: 'question,answer,chat,tag\r\n"q2, with a comma",a2,,y\r\n',
      mapping,
    });
    const stored = await datapointsOf('imported');
    expect(stored.map((datapoint) => datapoint._id)).toEqual([...jsonl.datapoint_ids, ...csv.datapoint_ids]);
    expect(stored.map(contents)).toEqual([
      {
        inputs: { question: 'q1' },
        ground_truth: { answer: 'a1' },
        history: [{ role: 'user', content: 'hi' }],
        metadata: { tag: 'x' },
      },
      {
        inputs: { question: 'q2, with a comma' },
        ground_truth: { answer: 'a2' },
        history: [],
        metadata: { tag: 'y' },
      },
    ]);

    const asCsv = await exported(datasetId, 'csv');
    expect(asCsv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(asCsv.headers.get('content-disposition')).toBe('attachment; filename="imported.csv"');
    expect(asCsv.text.split('\n')[0]).toBe('id,inputs.question,ground_truth.answer,history,metadata.tag');
    const asJsonl = await exported(datasetId, 'jsonl');
    expect(asJsonl.headers.get('content-type')).toBe('application/x-ndjson');
    expect(JSON.parse(asJsonl.text.split('\n')[1] as string)).toEqual({
      id: csv.datapoint_ids[0],
      ...contents(stored[1] as Datapoint),
    });
  }, 60_000);

  it('round-trips hostile contents: export, import into another dataset, export again', async () => {
    const hostile = [
      '=1+1',
      '+cmd|"/c calc"!A0',
      '-2+3',
      '@SUM(A1)',
      "'=quoted",
      'a,"b"\r\nc',
      '42',
      'null',
      '{"looks":"like json"}',
      '',
      ' padded ',
      'Ünïcödé 😀 עברית',
      '\ttab',
    ];
    const source = await newDataset('hostile-source');
    await json('POST', `/datasets/${source}/import`, {
      format: 'jsonl',
      content: hostile
        .map((text, index) =>
          JSON.stringify({
            inputs: { [text || 'empty']: text, n: index },
            ground_truth: { answer: text, nested: { list: [text, index, null, true] } },
            history: [{ role: 'user', content: text }],
            metadata: { [`k,${text}`]: text },
          }),
        )
        .join('\n'),
    });
    const original = (await datapointsOf('hostile-source')).map(contents);
    expect(original).toHaveLength(hostile.length);
    for (const [format, name] of [
      ['csv', 'hostile-from-csv'],
      ['jsonl', 'hostile-from-jsonl'],
    ] as const) {
      const file = await exported(source, format);
      const target = await newDataset(name);
      await json('POST', `/v1/datasets/${target}/import`, { format, content: file.text });
      expect((await datapointsOf(name)).map(contents)).toEqual(original);
      const again = await exported(target, format);
      const withoutIds = (text: string) =>
        format === 'jsonl'
          ? text.split('\n').map((line) => (line === '' ? line : { ...JSON.parse(line), id: undefined }))
          : text.split('\n').map((line) => line.replace(/^[0-9a-f]{24},/, ''));
      expect(withoutIds(again.text)).toEqual(withoutIds(file.text));
    }
  }, 60_000);

  it('round-trips any contents through the API: JSONL in, CSV out and in, JSONL out (a property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(datapointContents, { minLength: 1, maxLength: 4 }), async (points) => {
        run++;
        const source = await newDataset(`property-${run}`);
        await json('POST', `/v1/datasets/${source}/import`, {
          format: 'jsonl',
          content: points.map((point) => JSON.stringify(point)).join('\n'),
        });
        expect((await datapointsOf(`property-${run}`)).map(contents)).toEqual(points);
        const csv = await exported(source, 'csv');
        const target = await newDataset(`property-${run}-csv`);
        await json('POST', `/v1/datasets/${target}/import`, { format: 'csv', content: csv.text });
        expect((await datapointsOf(`property-${run}-csv`)).map(contents)).toEqual(points);
        const lines = (await exported(target, 'jsonl')).text.trim().split('\n');
        expect(lines.map((line) => contentsOf(JSON.parse(line)))).toEqual(points);
      }),
      { numRuns: 15 },
    );
  }, 120_000);

  it('imports as many rows as one import takes, over several chunks, in the file order', async () => {
    const datasetId = await newDataset('largest-import');
    const rows = Array.from({ length: MAX_IMPORTED_ROWS }, (_, index) => `question ${index},${index % 7}`);
    const answer = await json<{ datapoint_ids: string[] }>('POST', `/datasets/${datasetId}/import`, {
      format: 'csv',
      content: `q,a\n${rows.join('\n')}\n`,
      mapping: { inputs: ['q'], ground_truth: ['a'] },
    });
    expect(answer.datapoint_ids).toHaveLength(MAX_IMPORTED_ROWS);
    const stored = await datapointsOf('largest-import');
    expect(stored.map((datapoint) => datapoint._id)).toEqual(answer.datapoint_ids);
    expect(stored[MAX_IMPORTED_ROWS - 1]).toMatchObject({
      inputs: { q: `question ${MAX_IMPORTED_ROWS - 1}` },
      ground_truth: { a: String((MAX_IMPORTED_ROWS - 1) % 7) },
      linked_datasets: [datasetId],
    });
  }, 120_000);

  it('refuses bad imports, exports and versions with a clear error and changes nothing', async () => {
    const datasetId = await newDataset('refusals');
    const unknown = 'c'.repeat(24);
    const good = JSON.stringify({ inputs: { q: 1 } });
    const cases: [string, string, unknown, number, RegExp][] = [
      [
        'POST',
        `/datasets/${datasetId}/import`,
        { format: 'xlsx', content: good },
        400,
        /format must be one of: jsonl, csv/,
      ],
      ['POST', `/datasets/${datasetId}/import`, { format: 'jsonl' }, 400, /content is required/],
      [
        'POST',
        `/datasets/${datasetId}/import`,
        { format: 'jsonl', content: `${good}\n${good}\n{"inputs": {` },
        400,
        /line 3 is not JSON/,
      ],
      [
        'POST',
        `/datasets/${datasetId}/import`,
        { format: 'jsonl', content: `${good}\n{"q":1}` },
        400,
        /line 2 has no inputs object: give a mapping/,
      ],
      [
        'POST',
        `/v1/datasets/${datasetId}/import`,
        { format: 'csv', content: 'q,a\n1,2\n', mapping: { inputs: ['question'] } },
        400,
        /mapping.inputs names ..question.., which is no column of the CSV header/,
      ],
      [
        'POST',
        `/datasets/${datasetId}/import`,
        { format: 'csv', content: 'q,a,q\n1,2,3\n', mapping: { inputs: ['q'] } },
        400,
        /CSV header names ..q.. twice/,
      ],
      [
        'POST',
        `/datasets/${datasetId}/import`,
        { format: 'csv', content: 'q,a\n1,2\n3,4,5\n', mapping: { inputs: ['q'] } },
        400,
        /CSV: Invalid Record Length: expect 2, got 3 on line 3/,
      ],
      [
        'POST',
        `/datasets/${datasetId}/import`,
        { format: 'jsonl', content: Array.from({ length: MAX_IMPORTED_ROWS + 1 }, () => good).join('\n') },
        413,
        /more than 10000 rows/,
      ],
      ['POST', `/datasets/${unknown}/import`, { format: 'jsonl', content: good }, 404, /no dataset/],
      ['GET', `/datasets/${datasetId}/export`, undefined, 400, /format must be jsonl or csv/],
      ['GET', `/datasets/${datasetId}/export?format=xml`, undefined, 400, /format must be jsonl or csv/],
      [
        'GET',
        `/datasets/${datasetId}/export?format=csv&version=0`,
        undefined,
        400,
        /version must be a version number/,
      ],
      ['GET', `/datasets/${datasetId}/export?format=csv&version=7`, undefined, 404, /has no version 7/],
      ['GET', `/v1/datasets/${unknown}/export?format=csv`, undefined, 404, /no dataset/],
      ['POST', `/datasets/${datasetId}/versions`, { label: 'x' }, 400, /unknown fields: label/],
      [
        'POST',
        `/datasets/${datasetId}/versions`,
        { description: 'x'.repeat(4_001) },
        400,
        /at most 4000 characters/,
      ],
      ['POST', `/datasets/${unknown}/versions`, {}, 404, /no dataset/],
      ['GET', `/datasets/not-an-id/versions`, undefined, 404, /no dataset/],
      ['GET', '/datapoints?version=1', undefined, 400, /version is read with dataset_name/],
      [
        'GET',
        '/datapoints?dataset_name=refusals&version=-1',
        undefined,
        400,
        /version must be a version number/,
      ],
      ['GET', '/datapoints?dataset_name=refusals&version=3', undefined, 404, /has no version 3/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const response = await api.request(method, path, body);
      const text = await response.text();
      expect(response.status, `${method} ${path}: ${text}`).toBe(status);
      expect(text, `${method} ${path}`).toMatch(message);
    }
    // A file over the size limit, sent gzipped so that it passes the body limit: refused naming the limit.
    const big = gzipSync(
      JSON.stringify({ format: 'jsonl', content: `${good}\n${' '.repeat(MAX_IMPORT_CONTENT_BYTES)}` }),
    );
    const oversized = await fetch(`${local.platform.url}/datasets/${datasetId}/import`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${local.platform.apiKey}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: big,
    });
    expect(oversized.status).toBe(413);
    expect(await oversized.text()).toMatch(/a Lambda request payload is at most 6 MB/);

    // Nothing was stored, and no version was made.
    expect(await datapointsOf('refusals')).toEqual([]);
    expect(await json('GET', `/datasets/${datasetId}/versions`)).toEqual({ versions: [] });
  }, 60_000);

  it('refuses an export larger than a Lambda response can carry, naming the limit', async () => {
    const datasetId = await newDataset('too-big-to-export');
    const text = 'x'.repeat(340_000);
    for (let i = 0; i < 15; i++)
      await json('POST', '/datapoints', {
        project: PROJECT,
        inputs: { text, i },
        linked_datasets: [datasetId],
      });
    const response = await api.request('GET', `/datasets/${datasetId}/export?format=jsonl`);
    expect(response.status).toBe(413);
    expect(await response.text()).toMatch(/above 5000000: a Lambda response is at most 6 MB/);
  }, 60_000);
});
