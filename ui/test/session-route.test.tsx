import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, it } from 'vitest';
import type { SessionNode } from '../src/api/types';
import { controlPlaneRoutes, renderApp, scriptedFetch, stubLayout } from './support';

// The session view's tree is virtualized: give it a view to render rows into.
stubLayout();

function node(
  id: string,
  type: SessionNode['event_type'],
  name: string,
  children: SessionNode[] = [],
): SessionNode {
  return {
    project: 'default',
    event_id: id,
    session_id: 's1',
    event_type: type,
    event_name: name,
    start_time: Date.UTC(2026, 10, 1, 10),
    end_time: Date.UTC(2026, 10, 1, 10) + 2000,
    duration: 2000,
    children,
  };
}

const TREE: SessionNode = {
  ...node('s1', 'session', 'support chat', [
    node('c1', 'chain', 'answer', [node('m1', 'model', 'generate')]),
  ]),
  metadata: { num_events: 3, total_tokens: 321, cost: 0.0042 },
};

it('loads the session, renders the session view, and keeps the selected event in the URL', async () => {
  const api = scriptedFetch({ ...controlPlaneRoutes(), 'GET http://dp.test/v1/sessions/s1': { body: TREE } });
  const { history } = renderApp({ path: '/projects/p1/sessions/s1?event=c1', fetch: api.fetch });
  const tree = await screen.findByRole('tree', { name: 'Events' });
  expect(api.of('GET', '/v1/sessions/s1')[0]?.headers.authorization).toBe('Bearer dp-token-p1');

  expect(
    within(tree)
      .getByRole('treeitem', { name: /answer/ })
      .getAttribute('aria-selected'),
  ).toBe('true');
  await userEvent.setup().click(within(tree).getByRole('treeitem', { name: /generate/ }));
  await waitFor(() => expect(history.location.search).toBe('?event=m1'));
  expect(history.location.pathname).toBe('/projects/p1/sessions/s1');
});

it('says so when the session does not exist', async () => {
  const api = scriptedFetch({
    ...controlPlaneRoutes(),
    'GET http://dp.test/v1/sessions/nope': {
      status: 404,
      body: { success: false, error: 'Session nope not found' },
    },
  });
  renderApp({ path: '/projects/p1/sessions/nope', fetch: api.fetch });
  expect((await screen.findByRole('alert')).textContent).toBe(
    'Could not load the session: Session nope not found (HTTP 404)',
  );
});
