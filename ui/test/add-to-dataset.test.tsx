import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { DatasetWire } from '../src/api/experiments';
import { makeEvent } from '../src/session/fixtures';
import { type Call, controlPlaneRoutes, renderApp, scriptedFetch, stubLayout } from './support';

const DATASET = {
  _id: 'd'.repeat(24),
  name: 'capitals',
  num_points: 0,
  datapoints: [],
} as unknown as DatasetWire;

describe('Add to dataset on an event in the console', () => {
  // The session view's tree is virtualized: give it a view to render rows into.
  stubLayout();
  const answer = makeEvent({
    event_id: 'm1',
    session_id: 's1',
    event_type: 'model',
    event_name: 'generate',
    inputs: { question: 'Capital of France?' },
    outputs: { answer: 'Paris' },
  });
  const tree = makeEvent({ event_id: 's1', session_id: 's1', event_type: 'session', children: [answer] });

  function app(role = 'member', datapoint: { status?: number; body?: unknown } = {}) {
    return scriptedFetch({
      ...controlPlaneRoutes(role),
      'GET http://dp.test/v1/sessions/s1': { body: tree },
      'GET http://dp.test/v1/metrics': { body: [] },
      'GET http://dp.test/v1/datasets': { body: { testcases: [DATASET] } },
      'POST http://dp.test/v1/datasets': { body: { inserted: true, result: { insertedId: 'e'.repeat(24) } } },
      'POST http://dp.test/v1/datapoints': { body: { result: { insertedId: 'a'.repeat(24) } }, ...datapoint },
    });
  }

  /** The event's detail in the console, its Add to dataset form open with the datasets listed. */
  async function openForm(api: ReturnType<typeof app>) {
    renderApp({ path: '/projects/p1/sessions/s1?event=m1', fetch: api.fetch });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add to dataset…' }));
    const form = screen.getByRole('form', { name: 'Add to dataset' });
    await within(form).findByRole('option', { name: 'capitals' });
    return { user, form };
  }

  it('makes the event a datapoint of the chosen dataset, its outputs the ground truth', async () => {
    const api = app();
    const { user, form } = await openForm(api);
    await user.click(within(form).getByRole('button', { name: 'Add to dataset' }));
    await waitFor(() => expect(api.of('POST', '/v1/datapoints')).toHaveLength(1));
    expect((api.of('POST', '/v1/datapoints')[0] as Call).body).toEqual({
      inputs: { question: 'Capital of France?' },
      ground_truth: { answer: 'Paris' },
      linked_event: 'm1',
      linked_datasets: [DATASET._id],
      metadata: { event_type: 'model', event_name: 'generate', session_id: 's1' },
    });
    expect((await within(form).findByTestId('added-to-dataset')).textContent).toMatch(/^Added to capitals\./);
    // Added once: the button says so until another dataset is chosen.
    expect(within(form).getByRole('button', { name: 'Added' }).matches(':disabled')).toBe(true);
    expect(api.of('POST', '/v1/datasets')).toEqual([]);
  });

  it('creates a dataset named in the form first, and needs the name', async () => {
    const api = app();
    const { user, form } = await openForm(api);
    await user.selectOptions(within(form).getByLabelText('Dataset'), 'New dataset…');
    const add = within(form).getByRole('button', { name: 'Add to dataset' });
    expect(add.matches(':disabled')).toBe(true);
    await user.type(within(form).getByLabelText('New dataset name'), ' geography ');
    await user.click(add);
    await waitFor(() => expect(api.of('POST', '/v1/datapoints')).toHaveLength(1));
    expect(api.of('POST', '/v1/datasets')[0]?.body).toEqual({ name: 'geography' });
    expect(
      ((api.of('POST', '/v1/datapoints')[0] as Call).body as { linked_datasets: string[] }).linked_datasets,
    ).toEqual(['e'.repeat(24)]);
  });

  it("shows the API's refusal in its words", async () => {
    const api = app('member', {
      status: 413,
      body: { success: false, error: 'the datapoint is larger than 358400 bytes' },
    });
    const { user, form } = await openForm(api);
    await user.click(within(form).getByRole('button', { name: 'Add to dataset' }));
    expect((await within(form).findByRole('alert')).textContent).toBe(
      'Could not add the event to the dataset: the datapoint is larger than 358400 bytes (HTTP 413)',
    );
  });

  it('is not offered to a viewer', async () => {
    const api = app('viewer');
    const { services } = renderApp({ path: '/projects/p1/sessions/s1?event=m1', fetch: api.fetch });
    await screen.findByRole('region', { name: 'Event detail' });
    // The role is known (the button would show now for a member).
    await waitFor(() => expect(services.queryClient.getQueryData(['role', 'local', 'p1'])).toBe('viewer'));
    expect(screen.queryByRole('button', { name: 'Add to dataset…' })).toBeNull();
  });
});
