import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { RunWire, ServerExperimentState } from '../src/api/experiments';
import { checkExperimentDraft, EMPTY_DRAFT } from '../src/experiments/new-experiment';
import { type Call, controlPlaneRoutes, renderApp, scriptedFetch } from './support';

const DATASET_ID = 'd'.repeat(24);

describe('the New experiment draft', () => {
  const ready = { ...EMPTY_DRAFT, name: ' nightly ', datasetId: DATASET_ID, configurationId: 'c1' };

  it('builds the API body: one target, evaluators and concurrency only when given', () => {
    expect(checkExperimentDraft(ready)).toEqual({
      errors: {},
      body: { name: 'nightly', dataset_id: DATASET_ID, configuration_id: 'c1' },
    });
    expect(
      checkExperimentDraft({
        ...ready,
        target: 'endpoint',
        url: ' http://127.0.0.1:9000/answer ',
        headers: '{"authorization": "Bearer x"}',
        metricIds: ['m1'],
        maxConcurrency: '4',
      }).body,
    ).toEqual({
      name: 'nightly',
      dataset_id: DATASET_ID,
      endpoint: { url: 'http://127.0.0.1:9000/answer', headers: { authorization: 'Bearer x' } },
      metric_ids: ['m1'],
      max_concurrency: 4,
    });
  });

  it('says what the API would refuse, and builds nothing then', () => {
    expect(Object.keys(checkExperimentDraft(EMPTY_DRAFT).errors).sort()).toEqual([
      'configurationId',
      'datasetId',
      'name',
    ]);
    const endpoint = { ...ready, target: 'endpoint' as const };
    for (const [change, field] of [
      [{ url: 'ftp://x' }, 'url'],
      [{ url: 'http://x', headers: '["a"]' }, 'headers'],
      [{ url: 'http://x', headers: '{"a": 1}' }, 'headers'],
      [{ url: 'http://x', headers: '{"a": "line\\nbreak"}' }, 'headers'],
      [{ url: 'http://x', maxConcurrency: '41' }, 'maxConcurrency'],
      [{ url: 'http://x', maxConcurrency: '1.5' }, 'maxConcurrency'],
      [{ url: 'http://x', maxConcurrency: '0' }, 'maxConcurrency'],
      [{ url: 'http://x', metricIds: Array.from({ length: 21 }, (_, n) => `m${n}`) }, 'metricIds'],
    ] as const) {
      const checked = checkExperimentDraft({ ...endpoint, ...change });
      expect(Object.keys(checked.errors), JSON.stringify(change)).toEqual([field]);
      expect(checked.body).toBeUndefined();
    }
  });
});

const RUN: RunWire = {
  run_id: 'r1',
  project: 'default',
  name: 'nightly',
  created_at: '2026-12-04T10:00:00.000Z',
  event_ids: [],
  dataset_id: DATASET_ID,
  datapoint_ids: ['a'.repeat(24)],
  configuration: {
    type: 'configuration',
    configuration_id: 'c1',
    configuration_name: 'answerer',
    configuration_version: 3,
  },
  metadata: { server_side: { datapoints: 40 } },
  status: 'failed',
};

const FAILED: ServerExperimentState = {
  run_id: 'r1',
  name: 'nightly',
  status: 'failed',
  dataset_id: DATASET_ID,
  dataset_version: 1,
  datapoints: 40,
  sessions: 30,
  execution: {
    status: 'FAILED',
    started_at: Date.parse('2026-12-04T10:00:00.000Z'),
    stopped_at: Date.parse('2026-12-04T10:00:42.000Z'),
    redrive_count: 0,
    items: { total: 4, succeeded: 3, failed: 1, pending: 0 },
    error: 'States.ExceedToleratedFailureThreshold',
  },
  counts: { datapoints: 40, batches: 4, succeeded: 29, errored: 1, failed: 10 },
};

function serverRoutes(role = 'member') {
  return {
    ...controlPlaneRoutes(role),
    'GET http://dp.test/v1/runs': { body: { evaluations: [RUN] } },
    'GET http://dp.test/v1/runs/r1': { body: { evaluation: RUN } },
    'GET http://dp.test/v1/runs/r1/result': {
      body: {
        status: 'failed',
        success: true,
        passed: [],
        failed: [],
        metrics: { aggregation_function: 'average', details: [] },
        datapoints: [],
        event_details: [],
      },
    },
    'GET http://dp.test/v1/experiments/r1': { body: FAILED },
    'POST http://dp.test/v1/experiments/r1/redrive': {
      status: 202,
      body: {
        ...FAILED,
        status: 'running',
        execution: { ...FAILED.execution, status: 'RUNNING', redrive_count: 1 },
      },
    },
    'GET http://dp.test/v1/datasets': {
      body: { testcases: [{ _id: DATASET_ID, name: 'capitals', num_points: 40, datapoints: [] }] },
    },
    'GET http://dp.test/v1/configurations': {
      body: [
        {
          _id: 'c1',
          project: 'default',
          name: 'answerer',
          provider: 'openai',
          parameters: { model: 'gpt-4o-mini' },
        },
      ],
    },
    'GET http://dp.test/v1/metrics': {
      body: [
        {
          _id: 'm1',
          name: 'exact',
          type: 'custom',
          return_type: 'boolean',
          enabled_in_prod: false,
          sampling_percentage: 100,
          version: 1,
        },
        {
          _id: 'h1',
          name: 'tone',
          type: 'human',
          return_type: 'boolean',
          enabled_in_prod: false,
          sampling_percentage: 100,
          version: 1,
        },
      ],
    },
    'POST http://dp.test/v1/experiments': {
      status: 202,
      body: { run_id: 'r1', status: 'running', dataset_id: DATASET_ID, datapoints: 40, max_concurrency: 10 },
    },
  };
}

describe('server-side experiments in the console', () => {
  it('starts one from the Experiments page and opens its run', async () => {
    const api = scriptedFetch(serverRoutes());
    const { history } = renderApp({ path: '/projects/p1/runs', fetch: api.fetch });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New experiment' }));
    const form = screen.getByRole('form', { name: 'New experiment' });
    await user.click(within(form).getByRole('button', { name: 'Start experiment' }));
    expect(within(form).getByLabelText('Run name').getAttribute('aria-invalid')).toBe('true');
    expect(api.of('POST', '/v1/experiments')).toEqual([]);
    await user.type(within(form).getByLabelText('Run name'), 'nightly');
    await user.selectOptions(
      within(form).getByLabelText('Dataset'),
      await within(form).findByRole('option', { name: 'capitals (40)' }),
    );
    await user.selectOptions(
      within(form).getByLabelText('Configuration'),
      await within(form).findByRole('option', { name: 'answerer (openai/gpt-4o-mini)' }),
    );
    // Human metrics are not offered: reviewers score them.
    await within(form).findByLabelText('exact');
    expect(within(form).queryByLabelText('tone')).toBeNull();
    await user.click(within(form).getByLabelText('exact'));
    await user.click(within(form).getByRole('button', { name: 'Start experiment' }));
    await waitFor(() => expect(api.of('POST', '/v1/experiments')).toHaveLength(1));
    expect((api.of('POST', '/v1/experiments')[0] as Call).body).toEqual({
      name: 'nightly',
      dataset_id: DATASET_ID,
      configuration_id: 'c1',
      metric_ids: ['m1'],
    });
    await waitFor(() => expect(history.location.pathname).toBe('/projects/p1/runs/r1'));
  });

  it("shows a failed run's workflow and redrives its failed datapoints", async () => {
    const api = scriptedFetch(serverRoutes());
    renderApp({ path: '/projects/p1/runs/r1', fetch: api.fetch });
    const panel = await screen.findByRole('region', { name: 'Server-side run' });
    expect((await within(panel).findByTestId('execution-status')).textContent).toBe('Failed');
    expect(panel.textContent).toContain('configuration answerer (version 3)');
    expect(panel.textContent).toContain('3 of 4 done, 1 failed');
    expect(within(panel).getByTestId('server-counts').textContent).toBe(
      '29 answered, 1 refused by the target, 10 not answered',
    );
    expect(within(panel).getByRole('note').textContent).toBe('States.ExceedToleratedFailureThreshold');
    await userEvent.setup().click(within(panel).getByRole('button', { name: 'Redrive failed datapoints' }));
    await waitFor(() => expect(within(panel).getByTestId('execution-status').textContent).toBe('Running'));
    expect(api.of('POST', '/v1/experiments/r1/redrive')).toHaveLength(1);
    expect(within(panel).queryByRole('button', { name: 'Redrive failed datapoints' })).toBeNull();
  });

  it('offers a viewer no redrive', async () => {
    const api = scriptedFetch(serverRoutes('viewer'));
    const { services } = renderApp({ path: '/projects/p1/runs/r1', fetch: api.fetch });
    const panel = await screen.findByRole('region', { name: 'Server-side run' });
    await within(panel).findByTestId('execution-status');
    await waitFor(() => expect(services.queryClient.getQueryData(['role', 'local', 'p1'])).toBe('viewer'));
    expect(within(panel).queryByRole('button', { name: 'Redrive failed datapoints' })).toBeNull();
  });
});
