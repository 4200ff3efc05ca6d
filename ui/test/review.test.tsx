import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { MetricWire } from '../src/api/client';
import type { WaggleEvent } from '../src/api/types';
import {
  feedbackEntry,
  isPathSegment,
  mergeQueue,
  queuedBy,
  queuedFilters,
  queueFilters,
  queueUpdate,
  reviewValue,
  unreviewed,
} from '../src/review/queue';
import { controlPlaneRoutes, renderApp, scriptedFetch } from './support';

const HUMAN: MetricWire = {
  _id: 'h1',
  name: 'tone',
  type: 'human',
  criteria: 'Is the answer polite?',
  return_type: 'boolean',
  enabled_in_prod: true,
  sampling_percentage: 100,
  event_type: 'model',
  filters: { filterArray: [{ field: 'event_name', operator: 'is', value: 'chat', type: 'string' }] },
  version: 2,
};

function event(
  id: string,
  metrics: Record<string, unknown> = {},
  feedback?: Record<string, unknown>,
  hour = 10,
): WaggleEvent {
  return {
    ...(feedback && { feedback }),
    project: 'default',
    event_id: id,
    session_id: `s-${id}`,
    event_type: 'model',
    event_name: 'chat',
    start_time: Date.UTC(2026, 10, 1, hour),
    end_time: Date.UTC(2026, 10, 1, hour) + 1000,
    duration: 1000,
    inputs: { question: `question ${id}` },
    outputs: { content: `answer ${id}` },
    metrics,
  };
}

describe('review queues', () => {
  it('pick the events of the metric that have no value of it yet', () => {
    expect(queueFilters(HUMAN)).toEqual([
      { field: 'event_name', operator: 'is', value: 'chat', type: 'string' },
      { field: 'event_type', operator: 'is', value: 'model', type: 'string' },
      { field: 'metrics.tone', operator: 'not exists', type: 'string' },
    ]);
    // A name the filter grammar cannot name is left out of the filters and checked on the events.
    expect(isPathSegment('tone of voice')).toBe(true);
    expect(isPathSegment('tone.of.voice')).toBe(false);
    expect(
      queueFilters({ ...HUMAN, name: 'tone.of.voice', filters: undefined, event_type: undefined }),
    ).toEqual([]);
    expect(
      unreviewed([event('a'), event('b', { 'tone.of.voice': true })], 'tone.of.voice').map(
        (each) => each.event_id,
      ),
    ).toEqual(['a']);
  });

  it('take a value of the metric return type', () => {
    expect(reviewValue('boolean', 'true')).toEqual({ ok: true, value: true });
    expect(reviewValue('boolean', 'yes')).toEqual({ ok: false, problem: 'Choose pass or fail' });
    expect(reviewValue('float', ' 4.5 ')).toEqual({ ok: true, value: 4.5 });
    expect(reviewValue('float', 'four')).toEqual({ ok: false, problem: 'Enter a number' });
    expect(reviewValue('string', '')).toEqual({ ok: false, problem: 'Enter a value' });
  });
});

describe('queues with events added by hand', () => {
  const MARKER = { queued_by: 'bo@example.com', queued_at: '2026-11-02T00:00:00.000Z' };

  it('find the hand-added events by their marker, through the filter grammar where it can name the metric', () => {
    expect(queuedFilters(HUMAN)).toEqual([
      { field: 'feedback.tone.queued_at', operator: 'exists', type: 'string' },
      { field: 'metrics.tone', operator: 'not exists', type: 'string' },
    ]);
    // A name the grammar cannot name: the feedback JSON text is searched, each event checked here.
    expect(queuedFilters({ name: 'tone.of.voice' })).toEqual([
      { field: 'feedback', operator: 'contains', value: 'queued_at', type: 'string' },
    ]);
    expect(queuedBy(event('a', {}, { 'tone.of.voice': MARKER }), 'tone.of.voice')).toEqual({
      by: 'bo@example.com',
      at: MARKER.queued_at,
    });
    expect(queuedBy(event('a', {}, { other: MARKER }), 'tone.of.voice')).toBeUndefined();
  });

  it('write the marker beside what the entry held', () => {
    expect(
      queueUpdate(HUMAN, event('e1', {}, { tone: { note: 'seen' }, rating: 5 }), {
        by: 'bo@example.com',
        at: 0,
      }),
    ).toEqual({
      event_id: 'e1',
      feedback: {
        tone: { note: 'seen', queued_by: 'bo@example.com', queued_at: '1970-01-01T00:00:00.000Z' },
      },
    });
    // A plain value under the metric's name is kept as `value`.
    expect(feedbackEntry(event('e1', {}, { tone: 'meh' }), 'tone')).toEqual({ value: 'meh' });
  });

  it('are the union of the selected and the hand-added events, each once, unreviewed, newest first', () => {
    const selected = [
      event('a', {}, undefined, 9),
      event('b', { tone: true }, undefined, 12),
      event('c', {}, undefined, 11),
    ];
    const added = [
      event('c', {}, { tone: MARKER }, 11),
      event('d', {}, { tone: MARKER }, 8),
      event('e', { tone: false }, { tone: MARKER }, 13),
      // Found by the text search of another metric's marker: not this queue's.
      event('f', {}, { other: MARKER }, 14),
    ];
    const queue = mergeQueue(selected, added, 'tone');
    expect(queue.map((each) => each.event_id)).toEqual(['c', 'a', 'd']);
    expect(queuedBy(queue[0] as WaggleEvent, 'tone')?.by).toBe('bo@example.com');
  });
});

describe('the Review page', () => {
  function reviewFetch(role = 'member') {
    return scriptedFetch({
      ...controlPlaneRoutes(role),
      'GET http://dp.test/v1/metrics': {
        body: [HUMAN, { ...HUMAN, _id: 'c1', name: 'length', type: 'custom', return_type: 'float' }],
      },
      'POST http://dp.test/v1/events/export': {
        body: { events: [event('e1'), event('e2')], totalEvents: 2 },
      },
      'POST http://dp.test/v1/metrics/h1/reviews': { body: { score: {} } },
    });
  }

  it("lists a human metric's queue and writes a reviewer's verdict to the event, which leaves the queue", async () => {
    const api = reviewFetch();
    renderApp({ path: '/projects/p1/review', fetch: api.fetch });
    const queue = await screen.findByRole('region', { name: 'Queue of tone' });
    expect(within(queue).getByText('Is the answer polite?')).toBeTruthy();
    // Only human metrics are queues.
    expect(screen.queryByRole('button', { name: 'length' })).toBeNull();
    const [item] = (await within(queue).findAllByRole('article', { name: 'chat' })) as [HTMLElement];
    expect(within(item).getByText(/question e1/)).toBeTruthy();
    const user = userEvent.setup();
    await user.type(within(item).getByLabelText('Comment'), 'polite enough');
    await user.click(within(item).getByRole('button', { name: '✓ Pass' }));
    await waitFor(() => expect(within(queue).getAllByRole('article')).toHaveLength(1));
    const [review] = api.of('POST', '/v1/metrics/h1/reviews');
    expect(review?.body).toEqual({
      event_id: 'e1',
      value: true,
      comment: 'polite enough',
      reviewer_label: 'admin@local',
    });
    const [read] = api.of('POST', '/v1/events/export');
    expect((read as { body: { filters: unknown[] } }).body.filters).toContainEqual({
      field: 'metrics.tone',
      operator: 'not exists',
      type: 'string',
    });
  }, 20_000);

  it('lists the events added by hand beside the selected ones, and a review keeps who added it', async () => {
    const marker = { queued_by: 'bo@example.com', queued_at: '2026-11-02T00:00:00.000Z' };
    const api = scriptedFetch({
      ...controlPlaneRoutes('member'),
      'GET http://dp.test/v1/metrics': { body: [HUMAN] },
      'POST http://dp.test/v1/events/export': (call) => {
        const filters = (call.body as { filters: { field: string }[] }).filters;
        return filters.some((filter) => filter.field === 'feedback.tone.queued_at')
          ? {
              body: {
                events: [{ ...event('e3', {}, { tone: marker }, 8), event_name: 'search' }],
                totalEvents: 1,
              },
            }
          : { body: { events: [event('e1')], totalEvents: 1 } };
      },
      'POST http://dp.test/v1/metrics/h1/reviews': { body: { score: {} } },
    });
    renderApp({ path: '/projects/p1/review', fetch: api.fetch });
    const queue = await screen.findByRole('region', { name: 'Queue of tone' });
    const added = await within(queue).findByRole('article', { name: 'search' });
    expect(
      within(queue)
        .getAllByRole('article')
        .map((item) => item.getAttribute('aria-label')),
    ).toEqual(['chat', 'search']);
    expect(within(added).getByTestId('queued-by').textContent).toMatch(/^added by bo@example.com/);
    const reads = api.of('POST', '/v1/events/export').map((call) => call.body as { dateRange: unknown });
    expect(reads.map((read) => read.dateRange)).toEqual(
      expect.arrayContaining([{ relative: '30d' }, { relative: '90d' }]),
    );
    await userEvent.setup().click(within(added).getByRole('button', { name: '✗ Fail' }));
    await waitFor(() => expect(within(queue).getAllByRole('article')).toHaveLength(1));
    // The platform keeps the marker beside the review (record-review.ts): the console sends the verdict only.
    expect(api.of('POST', '/v1/metrics/h1/reviews')[0]?.body).toEqual({
      event_id: 'e3',
      value: false,
      reviewer_label: 'admin@local',
    });
  }, 20_000);

  it('shows the queue read-only to a viewer', async () => {
    renderApp({ path: '/projects/p1/review', fetch: reviewFetch('viewer').fetch });
    const queue = await screen.findByRole('region', { name: 'Queue of tone' });
    await within(queue).findAllByRole('article');
    expect(within(queue).queryByRole('button', { name: '✓ Pass' })).toBeNull();
    expect(within(queue).getAllByText('Reviewing needs the member role or above.')).toHaveLength(2);
  });
});
