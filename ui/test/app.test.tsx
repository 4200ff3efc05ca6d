import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect, it } from 'vitest';
import { controlPlaneRoutes, renderApp, scriptedFetch } from './support';

const NO_SESSIONS = {
  'POST http://dp.test/v1/sessions/search': { body: { sessions: [], totalSessions: 0 } },
};

it('sends a visitor who is not signed in to sign-in, and back to the page after signing in', async () => {
  const api = scriptedFetch({
    ...controlPlaneRoutes(),
    ...NO_SESSIONS,
    'POST http://cp.test/v1/auth/sign-in': (call) =>
      (call.body as { password: string }).password === 'right'
        ? { body: { id_token: 'fresh-id-token', expires_in: 3600, user: { id: 'u1', email: 'admin@local' } } }
        : { status: 401, body: { success: false, error: 'Wrong email or password' } },
  });
  const { session, history } = renderApp({
    path: '/projects/p1/sessions',
    fetch: api.fetch,
    signedIn: false,
  });
  const user = userEvent.setup();

  await user.type(await screen.findByLabelText('Email'), 'admin@local');
  await user.type(screen.getByLabelText('Password'), 'wrong');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  expect((await screen.findByRole('alert')).textContent).toContain('Wrong email or password');
  expect(session.getItem('waggle.session')).toBeNull();

  await user.clear(screen.getByLabelText('Password'));
  await user.type(screen.getByLabelText('Password'), 'right');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));

  expect(await screen.findByRole('heading', { name: 'Sessions' })).toBeTruthy();
  expect(history.location.pathname).toBe('/projects/p1/sessions');
  expect(JSON.parse(session.getItem('waggle.session') ?? '{}').idToken).toBe('fresh-id-token');
  expect(api.of('POST', '/v1/auth/sign-in')[1]?.body).toEqual({ email: 'admin@local', password: 'right' });
  // The control plane got the new ID token; the data plane a data-plane token.
  expect(api.of('POST', '/v1/tokens')[0]?.headers.authorization).toBe('Bearer fresh-id-token');
  expect(api.of('POST', '/v1/sessions/search')[0]?.headers.authorization).toBe('Bearer dp-token-p1');
});

it('goes to sign-in when the control plane refuses the ID token (401)', async () => {
  const api = scriptedFetch({
    'GET http://cp.test/v1/projects': { status: 401, body: { success: false, error: 'Unauthorized' } },
    'POST http://cp.test/v1/tokens': { status: 401, body: { success: false, error: 'Unauthorized' } },
  });
  const { session, history } = renderApp({ path: '/projects/p1/sessions', fetch: api.fetch });
  expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
  expect(history.location.pathname).toBe('/sign-in');
  expect(new URLSearchParams(history.location.search).get('redirect')).toBe('/projects/p1/sessions');
  expect(session.getItem('waggle.session')).toBeNull();
});

it('opens the remembered project from the home page and signs out', async () => {
  const api = scriptedFetch({ ...controlPlaneRoutes(), ...NO_SESSIONS });
  const { session, history } = renderApp({ path: '/', fetch: api.fetch });
  expect(await screen.findByRole('heading', { name: 'Sessions' })).toBeTruthy();
  await waitFor(() => expect(history.location.pathname).toBe('/projects/p1/sessions'));
  await userEvent.setup().click(screen.getByRole('button', { name: 'Sign out' }));
  await waitFor(() => expect(history.location.pathname).toBe('/sign-in'));
  // Signing out does not bring the next user back to this page.
  expect(history.location.search).toBe('');
  expect(session.getItem('waggle.session')).toBeNull();
});
