/**
 * The console's Datasets pages end to end in Chromium, against the local platform with its control
 * plane: a signed-in admin creates a dataset through the page, adds datapoints (malformed JSON refused
 * in place, nothing sent), edits one, deletes one, imports a JSONL file with a mapping, exports the
 * dataset and saves a version; then adds a stored model event and a session to datasets from their
 * detail ("Add to dataset"), the event's inputs and outputs becoming the datapoint's inputs and ground
 * truth, linked to the event. Every change is read back through the datasets API.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SentSession, sendSession, waitForSession } from '../support/console-browser';
import { consoleRigForFile } from '../support/console-for-file';
import { cellsOf, rowNamed } from '../support/console-tables';
import { readApi } from '../support/read-api-client';

const UI_TIMEOUT = 30_000;
const DATASET = `capitals-${randomUUID().slice(0, 8)}`;
const FROM_EVENTS = `from-events-${randomUUID().slice(0, 8)}`;

const rig = consoleRigForFile({ width: 1280, height: 1000 });
let session: SentSession;
let modelEventId: string;

interface StoredDatapoint {
  _id: string;
  inputs: Record<string, unknown>;
  ground_truth: Record<string, unknown>;
  history: unknown[];
  metadata: Record<string, unknown>;
  linked_event?: string;
  linked_datasets: string[];
}

const api = () => readApi(rig.cp.platform.url, rig.cp.platform.apiKey);

async function datapointsOf(datasetName: string): Promise<StoredDatapoint[]> {
  const response = await api().request(
    'GET',
    `/v1/datapoints?dataset_name=${encodeURIComponent(datasetName)}`,
  );
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { datapoints: StoredDatapoint[] }).datapoints;
}

async function datasetNamed(name: string): Promise<{ _id: string; num_points: number } | undefined> {
  const response = await api().request('GET', '/v1/datasets');
  const { testcases } = (await response.json()) as {
    testcases: { _id: string; name: string; num_points: number }[];
  };
  return testcases.find((dataset) => dataset.name === name);
}

beforeAll(async () => {
  session = await sendSession(rig.cp.platform, 'dataset-source');
  await waitForSession(rig.cp.platform, session.session_id);
  const { body } = await api().session(session.session_id);
  const find = (node: { event_id: string; event_name: string; children?: unknown[] }): string | undefined =>
    node.event_name === session.events.model
      ? node.event_id
      : (node.children as (typeof node)[] | undefined)?.map(find).find((id) => id !== undefined);
  modelEventId = find(body) ?? '';
  expect(modelEventId).not.toBe('');
}, 180_000);

const signedIn = () => rig.tab({ timeout: UI_TIMEOUT });

describe('the Datasets pages in Chromium', () => {
  it('creates a dataset, adds, edits and deletes datapoints, imports, exports and saves a version', async () => {
    const { page, errors } = await signedIn();
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Datasets' }).click();
      await page.getByRole('heading', { name: 'Datasets', level: 1 }).waitFor();
      await page.getByTestId('no-datasets').waitFor();
      await page.screenshot({ path: '/tmp/ui-datasets-empty.png', fullPage: true });

      // A name is required; then created, and its page opens.
      await page.getByRole('button', { name: 'New dataset' }).click();
      await page.getByRole('button', { name: 'Create dataset' }).click();
      await page.getByText('A dataset needs a name.').waitFor();
      await page.getByLabel('Name', { exact: true }).fill(DATASET);
      await page.getByLabel('Description', { exact: true }).fill('Capital cities');
      await page.getByRole('button', { name: 'Create dataset' }).click();
      await page.getByRole('heading', { name: DATASET, level: 1 }).waitFor();
      await page.getByTestId('no-datapoints').waitFor();

      // A datapoint: malformed JSON is refused in place and nothing is sent.
      await page.getByRole('button', { name: 'Add datapoint' }).click();
      await page.getByLabel('Inputs', { exact: true }).fill('{"question": "Capital of France?"');
      await page.getByRole('button', { name: 'Add datapoint' }).last().click();
      await page.getByText('Fix the JSON marked above.').waitFor();
      expect(await page.getByLabel('Inputs', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByText(/^Not valid JSON/).count()).toBe(1);
      await page.getByLabel('Ground truth', { exact: true }).fill('["Paris"]');
      expect(await page.getByText(/^Must be a JSON object/).count()).toBe(1);
      expect(await datapointsOf(DATASET)).toEqual([]);
      await page.getByLabel('Inputs', { exact: true }).fill('{"question": "Capital of France?"}');
      await page.getByLabel('Ground truth', { exact: true }).fill('{"answer": "Paris"}');
      await page.getByLabel('Metadata', { exact: true }).fill('{"topic": "geography"}');
      await page.getByRole('button', { name: 'Add datapoint' }).last().click();
      await page.getByTestId('dataset-notice').getByText('Added a datapoint.').waitFor();
      const table = page.getByRole('table', { name: 'Datapoints' });
      await table.getByRole('rowheader', { name: '1' }).waitFor();

      await page.getByRole('button', { name: 'Add datapoint' }).click();
      await page.getByLabel('Inputs', { exact: true }).fill('{"question": "Capital of Spain?"}');
      await page.getByLabel('Ground truth', { exact: true }).fill('{"answer": "Barcelona"}');
      await page.getByRole('button', { name: 'Add datapoint' }).last().click();
      await table.getByRole('rowheader', { name: '2' }).waitFor();

      // The second one's ground truth was wrong: edited as JSON, saved.
      await page.getByRole('button', { name: 'Edit datapoint 2' }).click();
      await page.getByRole('heading', { name: 'Edit datapoint 2' }).waitFor();
      expect(JSON.parse(await page.getByLabel('Ground truth', { exact: true }).inputValue())).toEqual({
        answer: 'Barcelona',
      });
      await page.getByLabel('Ground truth', { exact: true }).fill('{"answer": "Madrid"}');
      await page.getByLabel('Chat history', { exact: true }).fill('{"role": "user"}');
      await page.getByRole('button', { name: 'Save datapoint' }).click();
      expect(await page.getByText(/^Must be a JSON list of objects/).count()).toBe(1);
      await page
        .getByLabel('Chat history', { exact: true })
        .fill('[{"role": "system", "content": "Be brief."}]');
      await page.getByRole('button', { name: 'Save datapoint' }).click();
      await page.getByTestId('dataset-notice').getByText('Saved datapoint 2.').waitFor();
      const second = rowNamed(table, '2');
      await second.getByText('{"answer":"Madrid"}').waitFor();

      const stored = await datapointsOf(DATASET);
      expect(stored.map((datapoint) => [datapoint.inputs, datapoint.ground_truth])).toEqual([
        [{ question: 'Capital of France?' }, { answer: 'Paris' }],
        [{ question: 'Capital of Spain?' }, { answer: 'Madrid' }],
      ]);
      expect(stored[0]?.metadata).toEqual({ topic: 'geography' });
      expect(stored[1]?.history).toEqual([{ role: 'system', content: 'Be brief.' }]);

      // Import: a JSONL file with a mapping (the other key becomes metadata).
      await page.getByRole('button', { name: 'Import…' }).click();
      await page.getByLabel('File', { exact: true }).setInputFiles({
        name: 'more.jsonl',
        mimeType: 'application/x-ndjson',
        buffer: Buffer.from(
          [
            JSON.stringify({ q: 'Capital of Italy?', a: 'Rome', level: 'easy' }),
            JSON.stringify({ q: 'Capital of Japan?', a: 'Tokyo', level: 'easy' }),
            JSON.stringify({ q: 'Capital of Peru?', a: 'Lima', level: 'hard' }),
          ].join('\n'),
        ),
      });
      await page.getByLabel('Input columns').fill('q');
      await page.getByLabel('Ground truth columns').fill('a');
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByTestId('dataset-notice').getByText('Imported 3 datapoints.').waitFor();
      await table.getByRole('rowheader', { name: '5' }).waitFor();

      // A malformed file: refused in the platform's words, naming the line; nothing inserted.
      await page.getByRole('button', { name: 'Import…' }).click();
      await page
        .getByLabel('Or paste the contents')
        .fill('{"inputs": {"q": "fine"}}\n{"inputs": {"q": "broken"');
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const refused = page.getByRole('alert').filter({ hasText: 'Could not import' });
      await refused.waitFor();
      expect(await refused.textContent()).toMatch(/line 2.*\(HTTP 400\)$/);
      expect(await datapointsOf(DATASET)).toHaveLength(5);
      await page.getByRole('button', { name: 'Close' }).click();

      // Delete one (confirmed first).
      await page.getByRole('button', { name: 'Delete datapoint 4' }).click();
      await page.getByRole('button', { name: 'Delete datapoint 4 for good' }).click();
      await page.getByTestId('dataset-notice').getByText('Deleted datapoint 4.').waitFor();
      await expect.poll(() => table.getByRole('row').count()).toBe(5);
      await expect.poll(() => page.getByTestId('datapoint-count').textContent()).toMatch(/^4 datapoints/);
      const afterImport = await datapointsOf(DATASET);
      expect(afterImport.map((datapoint) => datapoint.inputs)).toEqual([
        { question: 'Capital of France?' },
        { question: 'Capital of Spain?' },
        { q: 'Capital of Italy?' },
        { q: 'Capital of Peru?' },
      ]);
      expect(afterImport[3]).toMatchObject({ ground_truth: { a: 'Lima' }, metadata: { level: 'hard' } });

      // Export: the file the browser saves is the dataset as JSONL.
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export JSONL' }).click();
      const saved = await download;
      expect(saved.suggestedFilename()).toBe(`${DATASET}.jsonl`);
      const lines = (await readFile((await saved.path()) as string, 'utf8'))
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as { inputs: unknown; ground_truth: unknown });
      expect(lines.map((line) => line.ground_truth)).toEqual([
        { answer: 'Paris' },
        { answer: 'Madrid' },
        { a: 'Rome' },
        { a: 'Lima' },
      ]);

      // A version of the dataset as it is now.
      const versions = page.getByRole('region', { name: 'Versions' });
      await versions.getByTestId('no-versions').waitFor();
      await versions.getByLabel('Version description').fill('first cut');
      await versions.getByRole('button', { name: 'Save as version' }).click();
      const versionTable = page.getByRole('table', { name: 'Dataset versions' });
      await rowNamed(versionTable, 'v1').waitFor();
      // Saved, Datapoints, Description, Export.
      expect((await cellsOf(versionTable, 'v1')).slice(1, 3)).toEqual(['4', 'first cut']);
      await page.screenshot({ path: '/tmp/ui-datasets-dataset.png', fullPage: true });

      // The list shows it with its count.
      await page.getByRole('link', { name: '← Datasets' }).click();
      const listed = page.getByRole('table', { name: 'Datasets' });
      await rowNamed(listed, DATASET).waitFor();
      // Read again on arrival (the cached list is shown first, then refreshed).
      await expect.poll(async () => (await cellsOf(listed, DATASET))[0]).toBe('4');

      // A second dataset of the same name: the API's 409 in its words.
      await page.getByRole('button', { name: 'New dataset' }).click();
      await page.getByLabel('Name', { exact: true }).fill(DATASET);
      await page.getByRole('button', { name: 'Create dataset' }).click();
      const conflict = page.getByRole('alert').filter({ hasText: 'Could not create the dataset' });
      await conflict.waitFor();
      expect(await conflict.textContent()).toContain('(HTTP 409)');
      await page.screenshot({ path: '/tmp/ui-datasets-list.png', fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 180_000);

  it('adds an event and a session to datasets from their detail, linked to the event', async () => {
    const { page, errors } = await signedIn();
    try {
      const projectId = rig.cp.platform.projectId;
      await page.goto(
        `${rig.cp.consoleUrl}projects/${projectId}/sessions/${session.session_id}?event=${modelEventId}`,
      );
      const detail = page.getByRole('region', { name: 'Event detail' });
      await detail.getByRole('heading', { name: session.events.model }).waitFor();
      await detail.getByRole('button', { name: 'Add to dataset…' }).click();
      const form = detail.getByRole('form', { name: 'Add to dataset' });
      // A new dataset, named here.
      await form.getByLabel('Dataset', { exact: true }).selectOption({ label: 'New dataset…' });
      await form.getByLabel('New dataset name').fill(FROM_EVENTS);
      await form.getByRole('button', { name: 'Add to dataset' }).click();
      await form.getByTestId('added-to-dataset').getByText(`Added to ${FROM_EVENTS}.`).waitFor();
      await page.screenshot({ path: '/tmp/ui-datasets-add-event.png', fullPage: true });

      const [fromEvent] = await datapointsOf(FROM_EVENTS);
      expect(fromEvent).toMatchObject({
        inputs: { chat_history: [{ role: 'user', content: 'What is the answer for dataset-source?' }] },
        ground_truth: { role: 'assistant', content: session.modelOutput },
        linked_event: modelEventId,
        metadata: { event_type: 'model', event_name: session.events.model, session_id: session.session_id },
      });

      // The session's own event, into the existing dataset.
      await page.goto(
        `${rig.cp.consoleUrl}projects/${projectId}/sessions/${session.session_id}?event=${session.session_id}`,
      );
      await detail.getByRole('button', { name: 'Add to dataset…' }).click();
      await form.getByLabel('Dataset', { exact: true }).selectOption({ label: FROM_EVENTS });
      await form.getByRole('button', { name: 'Add to dataset' }).click();
      await form.getByTestId('added-to-dataset').waitFor();
      await form.getByRole('link', { name: 'Open the dataset' }).click();
      await page.getByRole('heading', { name: FROM_EVENTS, level: 1 }).waitFor();
      const rows = page.getByRole('table', { name: 'Datapoints' }).getByRole('row');
      await expect.poll(() => rows.count()).toBe(3);
      expect(await rows.nth(1).textContent()).toContain(`event ${modelEventId.slice(0, 8)}`);
      expect(await rows.nth(2).textContent()).toContain(`event ${session.session_id.slice(0, 8)}`);
      expect((await datasetNamed(FROM_EVENTS))?.num_points).toBe(2);
      const stored = await datapointsOf(FROM_EVENTS);
      expect(stored[1]).toMatchObject({
        linked_event: session.session_id,
        metadata: { event_type: 'session' },
      });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);
});
