import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, it } from 'vitest';
import { CONFIG, controlPlaneRoutes, PROJECT, renderApp, scriptedFetch } from './support';

const TWO_PLANES = {
  ...CONFIG,
  dataPlanes: [
    ...CONFIG.dataPlanes,
    { id: 'eu', url: 'http://eu.test', otlpEndpoint: 'http://eu.test/v1/traces' },
  ],
};
const EMPTY = { body: { sessions: [], totalSessions: 0 } };

afterEach(() => {
  delete document.documentElement.dataset.theme;
  localStorage.clear();
});

it('switches projects (remembered) and data planes (tokens and reads go to the chosen plane)', async () => {
  const api = scriptedFetch({
    ...controlPlaneRoutes(),
    'GET http://cp.test/v1/projects': { body: [PROJECT, { ...PROJECT, id: 'p2', name: 'checkout' }] },
    'POST http://dp.test/v1/sessions/search': EMPTY,
    'POST http://eu.test/v1/sessions/search': EMPTY,
  });
  const { history, services } = renderApp({
    path: '/projects/p1/events',
    fetch: api.fetch,
    config: TWO_PLANES,
  });
  const user = userEvent.setup();
  const project = await screen.findByLabelText('Project');
  // The project a page shows is remembered for the next visit.
  await waitFor(() => expect(services.prefs.projectId()).toBe('p1'));
  await waitFor(() => expect((project as HTMLSelectElement).options).toHaveLength(2));
  await user.selectOptions(project, 'p2');
  await waitFor(() => expect(history.location.pathname).toBe('/projects/p2/events'));
  expect(services.prefs.projectId()).toBe('p2');

  await user.click(screen.getByRole('link', { name: 'Sessions' }));
  // A new page takes the focus to its content.
  await waitFor(() => expect(document.activeElement?.id).toBe('main'));
  await waitFor(() => expect(api.of('POST', '/v1/sessions/search')).toHaveLength(1));
  expect(api.calls.filter((call) => call.url.startsWith('http://dp.test/v1/sessions/search'))).toHaveLength(
    1,
  );

  await user.selectOptions(screen.getByLabelText('Data plane'), 'eu');
  await waitFor(() =>
    expect(api.calls.filter((call) => call.url.startsWith('http://eu.test/v1/sessions/search'))).toHaveLength(
      1,
    ),
  );
  expect(api.of('POST', '/v1/tokens').map((call) => call.body)).toContainEqual({
    data_plane_id: 'eu',
    project_id: 'p2',
  });
  expect(services.prefs.dataPlaneId()).toBe('eu');
});

it('shows no data-plane switcher with one plane', async () => {
  const api = scriptedFetch({ ...controlPlaneRoutes(), 'POST http://dp.test/v1/sessions/search': EMPTY });
  renderApp({ path: '/projects/p1/sessions', fetch: api.fetch });
  await screen.findByLabelText('Project');
  expect(screen.queryByLabelText('Data plane')).toBeNull();
});

it('toggles the theme and remembers it', async () => {
  const api = scriptedFetch({ ...controlPlaneRoutes(), 'POST http://dp.test/v1/sessions/search': EMPTY });
  renderApp({ path: '/projects/p1/sessions', fetch: api.fetch });
  const user = userEvent.setup();
  // jsdom has no matchMedia: the system theme reads as light.
  await user.click(await screen.findByRole('button', { name: 'Switch to dark theme' }));
  expect(document.documentElement.dataset.theme).toBe('dark');
  expect(localStorage.getItem('waggle.theme')).toBe('dark');
  await user.click(screen.getByRole('button', { name: 'Switch to light theme' }));
  expect(document.documentElement.dataset.theme).toBe('light');
});

it('stays on the Evaluators and Review pages when switching projects, and leaves a session for the list', async () => {
  const api = scriptedFetch({
    ...controlPlaneRoutes(),
    'GET http://cp.test/v1/projects': { body: [PROJECT, { ...PROJECT, id: 'p2', name: 'checkout' }] },
    'GET http://dp.test/v1/metrics': { body: [] },
    'POST http://dp.test/v1/sessions/search': EMPTY,
  });
  const { history } = renderApp({ path: '/projects/p1/evaluators', fetch: api.fetch });
  const user = userEvent.setup();
  const project = await screen.findByLabelText('Project');
  await waitFor(() => expect((project as HTMLSelectElement).options).toHaveLength(2));
  await user.selectOptions(project, 'p2');
  await waitFor(() => expect(history.location.pathname).toBe('/projects/p2/evaluators'));
  await history.push('/projects/p2/review');
  await user.selectOptions(await screen.findByLabelText('Project'), 'p1');
  await waitFor(() => expect(history.location.pathname).toBe('/projects/p1/review'));
  await history.push('/projects/p1/sessions/s-1');
  await user.selectOptions(await screen.findByLabelText('Project'), 'p2');
  await waitFor(() => expect(history.location.pathname).toBe('/projects/p2/sessions'));
});
