import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { DatapointResult, ExperimentResult, RunComparison } from '../src/api/experiments';
import { controlPlaneRoutes, renderApp, scriptedFetch } from './support';

const IDS = Array.from({ length: 25 }, (_, index) => (index + 16).toString(16).padEnd(24, '0'));

function result(output: (index: number) => string): ExperimentResult {
  const datapoints: DatapointResult[] = IDS.map((id, index) => ({
    datapoint_id: id,
    session_id: `s-${id}`,
    passed: true,
    metrics: [{ name: 'exact', event_name: 'capitals', event_type: 'session', value: index % 2 === 0 }],
    inputs: {},
    outputs: { answer: output(index) },
    error: null,
  }));
  return {
    status: 'completed',
    success: true,
    passed: IDS,
    failed: [],
    metrics: { aggregation_function: 'average', details: [] },
    datapoints,
    event_details: [],
    truncated: false,
  };
}

const COMPARISON: RunComparison = {
  metrics: [
    {
      metric_name: 'exact',
      metric_type: 'boolean',
      event_name: 'capitals',
      event_type: 'session',
      old_aggregate: 0.4,
      new_aggregate: 0.52,
      found_count: 25,
      improved_count: 1,
      degraded_count: 0,
      same_count: 24,
      improved: [IDS[0] as string],
      degraded: [],
      same: IDS.slice(1),
      old_values: [],
      new_values: [],
    },
  ],
  commonDatapoints: IDS,
  event_details: [],
  new_run: { run_id: 'new', name: 'candidate', status: 'completed' },
  old_run: { run_id: 'old', name: 'baseline', status: 'completed' },
};

function compareFetch() {
  return scriptedFetch({
    ...controlPlaneRoutes(),
    'GET http://dp.test/v1/runs/new/compare-with/old': { body: COMPARISON },
    'GET http://dp.test/v1/runs/new/result': { body: result((index) => `answer ${index}`) },
    'GET http://dp.test/v1/runs/old/result': {
      body: result((index) => (index === 0 ? 'wrong' : `answer ${index}`)),
    },
    'GET http://dp.test/v1/datapoints': (call) => ({
      body: {
        datapoints: (new URL(call.url).searchParams.get('datapoint_ids') ?? '').split(',').map((id) => ({
          _id: id,
          ground_truth: { answer: `answer ${IDS.indexOf(id)}` },
        })),
      },
    }),
  });
}

describe('the comparison of two runs', () => {
  it('reads the ground truth of the datapoints shown only, and diffs each output against it', async () => {
    const api = compareFetch();
    renderApp({ path: '/projects/p1/runs/new/compare/old', fetch: api.fetch });
    const first = await screen.findByRole('listitem', {
      name: `Datapoint ${(IDS[0] as string).slice(0, 8)}`,
    });
    await waitFor(() =>
      expect(within(first).getAllByRole('figure')[0]?.textContent).toBe('Ground truthanswer 0'),
    );
    const [, old, now] = within(first).getAllByRole('figure');
    expect(old?.textContent).toContain('differs from the ground truth');
    expect(old?.querySelector('del')?.textContent).toBe('[missing: answer 0]');
    expect(old?.querySelector('ins')?.textContent).toBe('[added: wrong]');
    expect(now?.textContent).toContain('matches the ground truth');
    expect(within(first).getByText('Improved')).not.toBeNull();
    const asked = () =>
      api
        .of('GET', '/v1/datapoints')
        .flatMap((call) => new URL(call.url).searchParams.get('datapoint_ids')?.split(',') ?? []);
    expect(asked()).toEqual(IDS.slice(0, 20));
    expect(screen.getAllByTestId('datapoint-change')).toHaveLength(20);

    await userEvent.setup().click(screen.getByRole('button', { name: 'Show 5 more of 5' }));
    await waitFor(() => expect(screen.getAllByTestId('datapoint-change')).toHaveLength(25));
    await waitFor(() => expect(new Set(asked())).toEqual(new Set(IDS)));
    const last = screen.getByRole('listitem', { name: `Datapoint ${(IDS[24] as string).slice(0, 8)}` });
    await waitFor(() =>
      expect(within(last).getAllByRole('figure')[0]?.textContent).toBe('Ground truthanswer 24'),
    );
  });

  it('filters the datapoints by their change', async () => {
    renderApp({ path: '/projects/p1/runs/new/compare/old', fetch: compareFetch().fetch });
    const user = userEvent.setup();
    await user.click(await screen.findByLabelText('Improved (1)'));
    expect(screen.getAllByTestId('datapoint-change')).toHaveLength(1);
    await user.click(screen.getByLabelText('Unchanged (24)'));
    expect(screen.getAllByTestId('datapoint-change')).toHaveLength(20);
  });
});
