import { cleanup, screen, within } from '@testing-library/react';
import { expect, it } from 'vitest';
import type { ScoreHistoryEntry } from '../src/api/client';
import type { SessionNode } from '../src/api/types';
import { controlPlaneRoutes, renderApp, scriptedFetch, stubLayout } from './support';

stubLayout();

const START = Date.UTC(2026, 10, 1, 10);
const TREE: SessionNode = {
  project: 'default',
  event_id: 's1',
  session_id: 's1',
  event_type: 'session',
  event_name: 'chat',
  start_time: START,
  end_time: START + 2000,
  duration: 2000,
  metadata: {},
  children: [
    {
      project: 'default',
      event_id: 'm1',
      session_id: 's1',
      event_type: 'model',
      event_name: 'answer',
      start_time: START,
      end_time: START + 1000,
      duration: 1000,
      metrics: { helpful: 0.4 },
      children: [],
    },
  ],
};

function entry(overrides: Partial<ScoreHistoryEntry>): ScoreHistoryEntry {
  return {
    score_id: 'sc-1',
    evaluator_id: 'ev-1',
    evaluator_name: 'helpful',
    evaluator_version: 2,
    value: 0.4,
    passed: false,
    explanation: 'Misses the second question [[0.4]]',
    cost: 0.0004,
    judge_event_id: 'j-2',
    status: 'ok',
    error: null,
    source: 'online',
    scored_at: START + 60_000,
    ...overrides,
  };
}

it("lists every evaluation of the event, newest first, with version, verdict in words, source and the judge's explanation", async () => {
  const api = scriptedFetch({
    ...controlPlaneRoutes(),
    'GET http://dp.test/v1/sessions/s1': { body: TREE },
    'GET http://dp.test/v1/events/m1/scores': {
      body: {
        event_id: 'm1',
        scores: [
          entry({}),
          entry({
            score_id: 'sc-0',
            evaluator_version: 1,
            value: 0.9,
            passed: true,
            explanation: 'Good [[0.9]]',
            source: 'backfill:bf_1_abcdef',
            scored_at: START + 30_000,
          }),
          entry({
            score_id: 'sc-e',
            status: 'error',
            value: null,
            passed: null,
            explanation: null,
            error: 'judge-error: rate limited',
            cost: null,
            judge_event_id: null,
          }),
        ],
      },
    },
  });
  renderApp({ path: '/projects/p1/sessions/s1?event=m1', fetch: api.fetch });
  const section = await screen.findByRole('region', { name: 'Score history' });
  const rows = within(section).getAllByTestId('score-history-row');
  expect(rows).toHaveLength(3);
  expect(rows[0]?.textContent).toContain('helpful v2');
  expect(rows[0]?.textContent).toContain('✗ Fail');
  expect(rows[0]?.textContent).toContain('Misses the second question');
  expect(rows[0]?.textContent).toContain('judge event j-2');
  expect(rows[1]?.textContent).toContain('helpful v1');
  expect(rows[1]?.textContent).toContain('✓ Pass');
  expect(rows[1]?.textContent).toContain('backfill:bf_1_abcdef');
  expect(rows[2]?.textContent).toContain('Error');
  expect(rows[2]?.textContent).toContain('judge-error: rate limited');
});

it('shows nothing when the event has no scores, or the read fails', async () => {
  for (const answer of [
    { body: { event_id: 'm1', scores: [] } },
    { status: 500, body: { message: 'boom' } },
  ]) {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'GET http://dp.test/v1/sessions/s1': { body: TREE },
      'GET http://dp.test/v1/events/m1/scores': answer,
    });
    renderApp({ path: '/projects/p1/sessions/s1?event=m1', fetch: api.fetch });
    await screen.findByRole('tree', { name: 'Events' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(api.of('GET', '/v1/events/m1/scores').length).toBeGreaterThan(0);
    expect(screen.queryByRole('region', { name: 'Score history' })).toBeNull();
    cleanup();
  }
});
