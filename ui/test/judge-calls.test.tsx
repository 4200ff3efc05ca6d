import { screen, within } from '@testing-library/react';
import { expect, it } from 'vitest';
import type { SessionNode, WaggleEvent } from '../src/api/types';
import { controlPlaneRoutes, renderApp, scriptedFetch, stubLayout } from './support';

stubLayout();

const START = Date.UTC(2026, 10, 1, 10);

function node(id: string, type: SessionNode['event_type'], children: SessionNode[] = []): SessionNode {
  return {
    project: 'default',
    event_id: id,
    session_id: 's1',
    event_type: type,
    event_name: id,
    start_time: START,
    end_time: START + 2000,
    duration: 2000,
    children,
  };
}

const TREE: SessionNode = { ...node('s1', 'session', [node('m1', 'model')]), metadata: {} };

const JUDGE_CALL: WaggleEvent = {
  project: 'default',
  event_id: 'j1',
  session_id: 'judge-session',
  event_type: 'model',
  event_name: 'judge',
  source: 'waggle-judge',
  start_time: START + 60_000,
  end_time: START + 61_000,
  duration: 1000,
  metadata: { evaluator: { id: 'ev-1', name: 'helpfulness', version: 3 }, evaluated_event_id: 'm1' },
  outputs: { content: 'The answer addresses the question directly. Rating: 4' },
};

it("lists the judge calls that scored the event, with the judge's answer and a link to its trace", async () => {
  const api = scriptedFetch({
    ...controlPlaneRoutes(),
    'GET http://dp.test/v1/sessions/s1': { body: TREE },
    'POST http://dp.test/v1/events/export': { body: { events: [JUDGE_CALL], totalEvents: 1 } },
  });
  renderApp({ path: '/projects/p1/sessions/s1?event=m1', fetch: api.fetch });
  const section = await screen.findByRole('region', { name: 'Judged by' });
  const link = within(section).getByRole('link', { name: "helpfulness v3: the judge's call" });
  expect(link.getAttribute('href')).toBe('/projects/p1/sessions/judge-session?event=j1');
  expect(within(section).getByText(/addresses the question directly/)).toBeTruthy();
  const [request] = api.of('POST', '/v1/events/export');
  expect((request as { body: { filters: unknown[] } }).body.filters).toEqual([
    { field: 'source', operator: 'is', value: 'waggle-judge', type: 'string' },
    { field: 'metadata.evaluated_event_id', operator: 'is', value: 'm1', type: 'string' },
  ]);
});

it('shows nothing when the event was never judged, or the read fails', async () => {
  const api = scriptedFetch({
    ...controlPlaneRoutes(),
    'GET http://dp.test/v1/sessions/s1': { body: TREE },
    'POST http://dp.test/v1/events/export': { status: 500, body: { message: 'boom' } },
  });
  renderApp({ path: '/projects/p1/sessions/s1?event=m1', fetch: api.fetch });
  await screen.findByRole('tree', { name: 'Events' });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(api.of('POST', '/v1/events/export').length).toBeGreaterThan(0);
  expect(screen.queryByRole('region', { name: 'Judged by' })).toBeNull();
});
