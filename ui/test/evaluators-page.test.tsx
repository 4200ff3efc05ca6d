import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { MetricWire, MetricWrite } from '../src/api/client';
import { MetricScores, rulesByName } from '../src/evaluators/MetricScores';
import { EventDetail } from '../src/event/EventDetail';
import { makeEvent } from '../src/session/fixtures';
import { type Call, controlPlaneRoutes, renderApp, scriptedFetch } from './support';

const STORED: MetricWire = {
  _id: 'm1',
  name: 'answer_words',
  type: 'custom',
  code_snippet: 'def answer_words(event):\n    return 3\n',
  return_type: 'float',
  enabled_in_prod: true,
  sampling_percentage: 25,
  threshold: { min: 3 },
  filters: { filterArray: [{ field: 'event_name', operator: 'is', value: 'chat', type: 'string' }] },
  version: 2,
};

function evaluatorsFetch(role = 'member') {
  return scriptedFetch(evaluatorsFetchRoutes(role));
}

function evaluatorsFetchRoutes(role = 'member') {
  const metrics: MetricWire[] = [structuredClone(STORED)];
  return {
    ...controlPlaneRoutes(role),
    'GET http://dp.test/v1/metrics': () => ({ body: metrics }),
    'POST http://dp.test/v1/metrics': (call: Call) => {
      const body = call.body as MetricWrite;
      if (body.name === 'taken')
        return { status: 409, body: { message: 'A metric named "taken" exists in this project' } };
      if (body.code_snippet?.includes('secret'))
        return {
          status: 400,
          body: { success: false, error: 'field code_snippet: keep secrets out of metrics' },
        };
      metrics.push({
        ...(body as unknown as MetricWire),
        _id: 'm2',
        threshold: body.threshold ?? undefined,
        pass_when: body.pass_when ?? undefined,
        event_type: body.event_type ?? undefined,
        event_name: body.event_name ?? undefined,
        version: 1,
      });
      return { body: { inserted: true, metric_id: 'm2', version: 1 } };
    },
    'PUT http://dp.test/v1/metrics': { body: { updated: true, version: 3 } },
    'GET http://dp.test/v1/metrics/m1/versions': {
      body: [
        { ...STORED, version: 1, threshold: { min: 1 }, updated_at: '2026-11-01T00:00:00.000Z' },
        { ...STORED, updated_at: '2026-11-02T00:00:00.000Z' },
      ],
    },
    'POST http://dp.test/v1/metrics/run_metric': {
      body: {
        metric: { id: 'm1', name: 'answer_words', type: 'custom', return_type: 'float', version: 2 },
        event_id: 'e1',
        status: 'ok',
        score: 3,
        passed: true,
        explanation: 'counted',
        error: null,
        cost: null,
        judge_event_id: null,
      },
    },
  };
}

describe('the Evaluators page', () => {
  it('lists the metrics with their type, return type, rule, state, sampling and version', async () => {
    renderApp({ path: '/projects/p1/evaluators', fetch: evaluatorsFetch().fetch });
    const row = (await screen.findByRole('rowheader', { name: 'answer_words' })).closest('tr') as HTMLElement;
    expect(
      within(row)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    ).toEqual(['Python (custom)', 'float', '≥ 3', 'Enabled', '25%', 'v2', 'Edit']);
    expect(screen.getByRole('link', { name: 'Evaluators' }).getAttribute('aria-current')).toBe('page');
  });

  it('creates a Python metric, shows an API refusal in its words, and opens the stored metric', async () => {
    const api = evaluatorsFetch();
    renderApp({ path: '/projects/p1/evaluators', fetch: api.fetch });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New evaluator' }));
    await user.click(screen.getByRole('button', { name: 'Create evaluator' }));
    expect(screen.getByText('A name is required')).toBeTruthy();
    expect(api.of('POST', '/v1/metrics')).toHaveLength(0);

    await user.type(screen.getByLabelText('Name'), 'taken');
    await user.click(screen.getByRole('button', { name: 'Create evaluator' }));
    expect((await screen.findByRole('alert')).textContent).toContain(
      'Could not save: A metric named "taken" exists in this project (HTTP 409)',
    );

    await user.clear(screen.getByLabelText('Name'));
    await user.type(screen.getByLabelText('Name'), 'word_count');
    await user.type(screen.getByLabelText('Passes at least'), '2');
    await user.click(screen.getByLabelText('Enabled in production'));
    await user.click(screen.getByRole('button', { name: 'Create evaluator' }));
    await screen.findByRole('heading', { name: 'Edit word_count (v1)' });
    expect(api.of('POST', '/v1/metrics').at(-1)?.body).toMatchObject({
      name: 'word_count',
      type: 'custom',
      return_type: 'float',
      threshold: { min: 2 },
      enabled_in_prod: true,
      sampling_percentage: 100,
    });
    expect(screen.getByTestId('evaluator-notice').textContent).toBe('Saved word_count as version 1.');
    expect(screen.getByRole('rowheader', { name: 'word_count' })).toBeTruthy();
  });

  it('edits a metric as a new version, lists its versions and dry-runs it by id on an event', async () => {
    const api = evaluatorsFetch();
    renderApp({ path: '/projects/p1/evaluators?metric=m1', fetch: api.fetch });
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'Edit answer_words (v2)' });
    const versions = await screen.findByRole('table', { name: 'Versions' });
    await waitFor(() => expect(within(versions).getAllByRole('row')).toHaveLength(3));
    expect(
      within(versions)
        .getAllByRole('rowheader')
        .map((cell) => cell.textContent),
    ).toEqual(['v2', 'v1']);

    expect(screen.getByTestId('dry-run-source').textContent).toContain('saved version 2');
    await user.type(screen.getByLabelText('Event ID'), 'e1');
    await user.click(screen.getByRole('button', { name: 'Run on event' }));
    expect((await screen.findByTestId('dry-run-score')).textContent).toBe('3');
    expect(screen.getByTestId('dry-run-passed').textContent).toBe('✓ Pass');
    expect(api.of('POST', '/v1/metrics/run_metric')[0]?.body).toEqual({ metric_id: 'm1', event_id: 'e1' });

    // A changed form runs as a definition; saving sends the whole draft with the id.
    await user.clear(screen.getByLabelText('Sampling %'));
    await user.type(screen.getByLabelText('Sampling %'), '10');
    expect(screen.getByTestId('dry-run-source').textContent).toContain('not saved');
    await user.click(screen.getByRole('button', { name: 'Run on event' }));
    await waitFor(() => expect(api.of('POST', '/v1/metrics/run_metric')).toHaveLength(2));
    expect(api.of('POST', '/v1/metrics/run_metric')[1]?.body).toMatchObject({
      metric: { name: 'answer_words', sampling_percentage: 10 },
      event_id: 'e1',
    });
    await user.click(screen.getByRole('button', { name: 'Save as new version' }));
    await screen.findByText('Saved answer_words as version 3.');
    expect(api.of('PUT', '/v1/metrics')[0]?.body).toMatchObject({ metric_id: 'm1', sampling_percentage: 10 });
    // The stored filters are in the form, and the PUT sends them as they were.
    expect((screen.getByLabelText('Field 1') as HTMLInputElement).value).toBe('event_name');
    expect(api.of('PUT', '/v1/metrics')[0]?.body).toMatchObject({
      filters: [{ field: 'event_name', operator: 'is', value: 'chat', type: 'string' }],
    });
  });

  it('creates a composite of the project metrics and a human metric with instructions and a filter', async () => {
    const api = evaluatorsFetch();
    renderApp({ path: '/projects/p1/evaluators', fetch: api.fetch });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New evaluator' }));
    await user.type(screen.getByLabelText('Name'), 'overall');
    await user.selectOptions(screen.getByLabelText('Type'), 'composite');
    expect(screen.queryByLabelText('Python code')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Create evaluator' }));
    expect(screen.getByText('Add at least one child metric')).toBeTruthy();
    expect(api.of('POST', '/v1/metrics')).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Add child metric' }));
    const choices = screen.getByLabelText('Child metric 1') as HTMLSelectElement;
    expect([...choices.options].map((option) => option.textContent)).toEqual([
      'choose a metric…',
      'answer_words (Python (custom), float)',
    ]);
    await user.selectOptions(choices, 'm1');
    await user.clear(screen.getByLabelText('Weight 1'));
    await user.type(screen.getByLabelText('Weight 1'), '2');
    expect(screen.getByTestId('child-share').textContent).toBe('100%');
    await user.click(screen.getByRole('button', { name: 'Create evaluator' }));
    await screen.findByRole('heading', { name: 'Edit overall (v1)' });
    expect(api.of('POST', '/v1/metrics').at(-1)?.body).toMatchObject({
      name: 'overall',
      type: 'composite',
      return_type: 'float',
      child_metrics: [{ id: 'm1', name: 'answer_words', weight: 2 }],
      filters: [],
    });
    expect(api.of('POST', '/v1/metrics').at(-1)?.body).not.toHaveProperty('code_snippet');

    await user.click(screen.getByRole('button', { name: 'New evaluator' }));
    await user.type(screen.getByLabelText('Name'), 'tone');
    await user.selectOptions(screen.getByLabelText('Type'), 'human');
    await user.type(screen.getByLabelText('Instructions for reviewers'), 'Is the answer polite?');
    // run_metric refuses a human metric: no dry run, a pointer to the Review page instead.
    expect(screen.queryByRole('button', { name: 'Run on event' })).toBeNull();
    expect(
      within(screen.getByTestId('human-review-note'))
        .getByRole('link', { name: 'Review' })
        .getAttribute('href'),
    ).toBe('/projects/p1/review');
    await user.selectOptions(screen.getByLabelText('Return type'), 'boolean');
    await user.selectOptions(screen.getByLabelText('Passes when'), 'true');
    await user.click(screen.getByRole('button', { name: 'Add filter' }));
    await user.type(screen.getByLabelText('Field 1'), 'event_name');
    await user.type(screen.getByLabelText('Value 1'), 'chat');
    await user.click(screen.getByRole('button', { name: 'Create evaluator' }));
    await waitFor(() => expect(api.of('POST', '/v1/metrics')).toHaveLength(2));
    expect(api.of('POST', '/v1/metrics').at(-1)?.body).toMatchObject({
      name: 'tone',
      type: 'human',
      criteria: 'Is the answer polite?',
      return_type: 'boolean',
      pass_when: true,
      filters: [{ field: 'event_name', operator: 'is', value: 'chat', type: 'string' }],
    });
  }, 20_000);

  it("edits a metric's filters inside the form: a row without its value is refused in place, then saved", async () => {
    const api = evaluatorsFetch();
    renderApp({ path: '/projects/p1/evaluators?metric=m1', fetch: api.fetch });
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'Edit answer_words (v2)' });
    const filters = screen.getByRole('group', { name: 'Filters' });
    expect((within(filters).getByLabelText('Value 1') as HTMLInputElement).value).toBe('chat');
    await user.click(within(filters).getByRole('button', { name: 'Add filter' }));
    await user.type(within(filters).getByLabelText('Field 2'), 'cost');
    await user.selectOptions(within(filters).getByLabelText('Operator 2'), 'greater than');
    await user.click(screen.getByRole('button', { name: 'Save as new version' }));
    expect(within(filters).getByRole('alert').textContent).toBe('Give a value for cost');
    expect(within(filters).getByText('Filter 2: Give a value for cost')).toBeTruthy();
    expect(api.of('PUT', '/v1/metrics')).toHaveLength(0);

    await user.type(within(filters).getByLabelText('Value 2'), '0.01');
    await user.click(within(filters).getByRole('button', { name: 'Remove filter 1' }));
    // The dry run of the changed draft sends it as a definition, filters included.
    expect(screen.getByTestId('dry-run-source').textContent).toContain('not saved');
    await user.click(screen.getByRole('button', { name: 'Save as new version' }));
    await screen.findByText('Saved answer_words as version 3.');
    expect(api.of('PUT', '/v1/metrics')[0]?.body).toMatchObject({
      metric_id: 'm1',
      filters: [{ field: 'cost', operator: 'greater than', value: 0.01, type: 'number' }],
    });
  }, 20_000);

  it('deletes a metric after a confirmation, shows a refusal in its words, and drops it from the list', async () => {
    let refuse = true;
    const api = scriptedFetch({
      ...evaluatorsFetchRoutes(),
      'DELETE http://dp.test/v1/metrics': () =>
        refuse
          ? { status: 409, body: { message: 'answer_words is a child of overall: remove it there first' } }
          : { body: { deleted: true } },
    });
    renderApp({ path: '/projects/p1/evaluators?metric=m1', fetch: api.fetch });
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'Edit answer_words (v2)' });
    await user.click(screen.getByRole('button', { name: 'Delete…' }));
    await user.click(screen.getByRole('button', { name: 'Delete answer_words for good' }));
    expect((await screen.findByRole('alert')).textContent).toContain('child of overall');
    refuse = false;
    await user.click(screen.getByRole('button', { name: 'Delete answer_words for good' }));
    await waitFor(() =>
      expect(screen.getByTestId('evaluator-notice').textContent).toBe(
        'Deleted answer_words. Its scores stay on the events they were written to.',
      ),
    );
    expect(screen.queryByRole('rowheader', { name: 'answer_words' })).toBeNull();
    expect(
      api.of('DELETE', '/v1/metrics').map((call) => new URL(call.url).searchParams.get('metric_id')),
    ).toEqual(['m1', 'm1']);
  });

  it('shows a viewer the metrics without the means to change them', async () => {
    renderApp({ path: '/projects/p1/evaluators?metric=m1', fetch: evaluatorsFetch('viewer').fetch });
    await screen.findByRole('heading', { name: 'Edit answer_words (v2)' });
    await screen.findByText('Viewers cannot change evaluators: a member or above can.');
    expect(screen.queryByRole('button', { name: 'New evaluator' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Save as new version' })).toBeNull();
    expect(screen.getByLabelText('Name').matches(':disabled')).toBe(true);
    await userEvent.setup().type(screen.getByLabelText('Event ID'), 'e1');
    expect(screen.getByRole('button', { name: 'Run on event' }).matches(':disabled')).toBe(true);
  });
});

describe('metric scores on an event', () => {
  const rules = rulesByName([
    STORED,
    { ...STORED, _id: 'm3', name: 'polite', return_type: 'boolean', threshold: undefined, pass_when: true },
    { ...STORED, _id: 'm4', name: 'tone', return_type: 'string', threshold: undefined },
  ]);

  it('marks each value with a rule Pass or Fail, in words and colour, and leaves the others plain', () => {
    render(
      <MetricScores
        metrics={{ answer_words: 2, polite: true, tone: 'calm', latency_ms: 40 }}
        rules={rules}
      />,
    );
    const entry = (name: string) => screen.getByText(name, { selector: 'dt' }).parentElement as HTMLElement;
    expect(entry('answer_words').className).toContain('wg-score-fail');
    expect(within(entry('answer_words')).getByTestId('metric-verdict').textContent).toBe(
      '✗ Fail (passes at 3 or more)',
    );
    expect(entry('polite').className).toContain('wg-score-pass');
    expect(within(entry('polite')).getByTestId('metric-verdict').textContent).toBe(
      '✓ Pass (passes when true)',
    );
    expect(within(entry('tone')).queryByTestId('metric-verdict')).toBeNull();
    expect(within(entry('latency_ms')).queryByTestId('metric-verdict')).toBeNull();
    expect(entry('latency_ms').textContent).toContain('40');
  });

  it('shows the values without verdicts in an event detail rendered on its own', () => {
    render(<EventDetail event={makeEvent({ metrics: { answer_words: 2 } })} />);
    const section = screen.getByRole('heading', { name: 'Metrics' }).closest('section') as HTMLElement;
    expect(section.textContent).toContain('answer_words');
    expect(within(section).queryByTestId('metric-verdict')).toBeNull();
  });
});
