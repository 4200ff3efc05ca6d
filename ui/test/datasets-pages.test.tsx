import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { DatapointWire, DatasetWire } from '../src/api/experiments';
import { type Call, controlPlaneRoutes, renderApp, scriptedFetch } from './support';

const DATASET: DatasetWire = {
  _id: 'd'.repeat(24),
  project: 'default',
  name: 'capitals',
  description: 'Capital cities',
  type: 'evaluation',
  datapoints: ['a'.repeat(24)],
  num_points: 1,
  created_at: '2026-12-01T00:00:00.000Z',
  updated_at: '2026-12-02T00:00:00.000Z',
};

const DATAPOINT: DatapointWire = {
  _id: 'a'.repeat(24),
  project_id: 'p1',
  inputs: { question: 'Capital of France?' },
  history: [],
  ground_truth: { answer: 'Paris' },
  linked_datasets: [DATASET._id],
  metadata: {},
  created_at: '2026-12-01T00:00:00.000Z',
  updated_at: '2026-12-01T00:00:00.000Z',
};

function datasetRoutes(role = 'member') {
  return {
    ...controlPlaneRoutes(role),
    'GET http://dp.test/v1/datasets': { body: { testcases: [DATASET] } },
    'GET http://dp.test/v1/datapoints': { body: { datapoints: [DATAPOINT] } },
    'GET http://dp.test/v1/datasets/dddddddddddddddddddddddd/versions': { body: { versions: [] } },
    'POST http://dp.test/v1/datapoints': { body: { result: { insertedId: 'b'.repeat(24) } } },
    'PUT http://dp.test/v1/datapoints/aaaaaaaaaaaaaaaaaaaaaaaa': { body: {} },
  };
}

const DATASET_PATH = `/projects/p1/datasets/${DATASET._id}`;

describe('the Datasets list', () => {
  it('says what a dataset is when there is none', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'GET http://dp.test/v1/datasets': { body: { testcases: [] } },
    });
    renderApp({ path: '/projects/p1/datasets', fetch: api.fetch });
    expect((await screen.findByTestId('no-datasets')).textContent).toMatch(/No datasets yet/);
  });

  it("shows the API's refusal in its words", async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'GET http://dp.test/v1/datasets': {
        status: 403,
        body: { success: false, error: 'the key lacks the read scope' },
      },
    });
    renderApp({ path: '/projects/p1/datasets', fetch: api.fetch });
    expect((await screen.findByRole('alert')).textContent).toContain(
      'Could not list datasets: the key lacks the read scope (HTTP 403)',
    );
  });

  it('lists name, datapoint count and description, each opening its dataset', async () => {
    const api = scriptedFetch(datasetRoutes());
    renderApp({ path: '/projects/p1/datasets', fetch: api.fetch });
    const table = await screen.findByRole('table', { name: 'Datasets' });
    const row = within(table).getByRole('row', { name: /capitals/ });
    expect(within(row).getByRole('link', { name: 'capitals' }).getAttribute('href')).toBe(DATASET_PATH);
    expect(within(row).getAllByRole('cell')[0]?.textContent).toContain('1');
  });
});

describe('a dataset', () => {
  it('sends nothing while a box holds malformed JSON, then adds the datapoint to this dataset', async () => {
    const api = scriptedFetch(datasetRoutes());
    renderApp({ path: DATASET_PATH, fetch: api.fetch });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add datapoint' }));
    const inputs = screen.getByLabelText('Inputs');
    await user.type(inputs, '{{"q": 1');
    await user.click(screen.getAllByRole('button', { name: 'Add datapoint' }).at(-1) as HTMLElement);
    expect(inputs.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(inputs.getAttribute('aria-describedby') ?? '')?.textContent).toMatch(
      /^Not valid JSON/,
    );
    expect(api.of('POST', '/v1/datapoints')).toEqual([]);
    await user.clear(inputs);
    await user.type(inputs, '{{"q": "Capital of Spain?"}');
    await user.type(screen.getByLabelText('Ground truth'), '{{"answer": "Madrid"}');
    await user.click(screen.getAllByRole('button', { name: 'Add datapoint' }).at(-1) as HTMLElement);
    await waitFor(() => expect(api.of('POST', '/v1/datapoints')).toHaveLength(1));
    expect((api.of('POST', '/v1/datapoints')[0] as Call).body).toEqual({
      inputs: { q: 'Capital of Spain?' },
      ground_truth: { answer: 'Madrid' },
      history: [],
      metadata: {},
      linked_datasets: [DATASET._id],
    });
    expect((await screen.findByTestId('dataset-notice')).textContent).toContain('Added a datapoint.');
  });

  it('edits a datapoint: its sections shown as JSON, every section sent back', async () => {
    const api = scriptedFetch(datasetRoutes());
    renderApp({ path: DATASET_PATH, fetch: api.fetch });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit datapoint 1' }));
    const truth = screen.getByLabelText('Ground truth');
    expect(JSON.parse((truth as HTMLTextAreaElement).value)).toEqual({ answer: 'Paris' });
    await user.clear(truth);
    await user.type(truth, '{{"answer": "Paris, France"}');
    await user.click(screen.getByRole('button', { name: 'Save datapoint' }));
    await waitFor(() => expect(api.of('PUT', `/v1/datapoints/${DATAPOINT._id}`)).toHaveLength(1));
    expect((api.of('PUT', `/v1/datapoints/${DATAPOINT._id}`)[0] as Call).body).toEqual({
      inputs: DATAPOINT.inputs,
      ground_truth: { answer: 'Paris, France' },
      history: [],
      metadata: {},
    });
  });

  it('shows a long dataset a page at a time, numbering rows through the pages', async () => {
    const many = Array.from({ length: 120 }, (_, index) => ({
      ...DATAPOINT,
      _id: index.toString(16).padStart(24, '0'),
      inputs: { n: index + 1 },
    }));
    const api = scriptedFetch({
      ...datasetRoutes(),
      'GET http://dp.test/v1/datapoints': { body: { datapoints: many } },
    });
    renderApp({ path: DATASET_PATH, fetch: api.fetch });
    const table = await screen.findByRole('table', { name: 'Datapoints' });
    expect(within(table).getAllByRole('row')).toHaveLength(101);
    expect(screen.getByTestId('page-status').textContent).toBe('Page 1 of 2 · 120 datapoints');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Next page' }));
    expect(within(table).getAllByRole('row')).toHaveLength(21);
    expect(within(table).getAllByRole('rowheader')[0]?.textContent).toBe('101');
    expect(screen.getByRole('button', { name: 'Edit datapoint 120' })).not.toBeNull();
  });

  it('is read-only for a viewer: no add, import, edit or delete', async () => {
    const api = scriptedFetch(datasetRoutes('viewer'));
    renderApp({ path: DATASET_PATH, fetch: api.fetch });
    await screen.findByRole('table', { name: 'Datapoints' });
    expect(screen.getByRole('button', { name: 'Export JSONL' })).not.toBeNull();
    for (const name of [
      'Add datapoint',
      'Import…',
      'Edit datapoint 1',
      'Delete datapoint 1',
      'Delete dataset…',
    ])
      expect(screen.queryByRole('button', { name })).toBeNull();
  });

  it('says so when the dataset does not exist', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'GET http://dp.test/v1/datasets': { body: { testcases: [] } },
    });
    renderApp({ path: DATASET_PATH, fetch: api.fetch });
    expect(await screen.findByText(/No dataset d+ in this project/)).not.toBeNull();
  });
});

describe('the Experiments pages', () => {
  it('say how runs are made when there is none', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'GET http://dp.test/v1/runs': { body: { evaluations: [] } },
      'GET http://dp.test/v1/datasets': { body: { testcases: [] } },
    });
    renderApp({ path: '/projects/p1/runs', fetch: api.fetch });
    expect((await screen.findByTestId('no-runs')).textContent).toMatch(/evaluate\(\)/);
    expect((screen.getByRole('button', { name: 'Compare selected' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    expect(new URL(api.of('GET', '/v1/runs')[0]?.url ?? '').searchParams.get('project')).toBe('p1');
  });

  it("show a run's result failing in the API's words", async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'GET http://dp.test/v1/runs/r1': { status: 404, body: { message: 'no run r1 in this project' } },
      'GET http://dp.test/v1/runs/r1/result': { status: 404, body: { message: 'no run r1 in this project' } },
    });
    renderApp({ path: '/projects/p1/runs/r1', fetch: api.fetch });
    const alerts = await screen.findAllByRole('alert');
    expect(alerts.map((alert) => alert.textContent)).toContain(
      "Could not load the run's result: no run r1 in this project (HTTP 404)",
    );
  });
});
