import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ApiKeyView } from '../src/api/client';
import { type Call, controlPlaneRoutes, renderApp, scriptedFetch } from './support';

const SECRET = 'wgl_Zq3xSECRETSECRETSECRETSECRETSECRETSECRETSECR_abc123';

function keyView(id: string, prefix: string, scopes: ApiKeyView['scopes']): ApiKeyView {
  return {
    id,
    project_id: 'p1',
    prefix,
    scopes,
    status: 'active',
    created_at: '2026-11-01T10:00:00.000Z',
    created_by: 'u1',
  };
}

/** A fake key store behind the control-plane routes. */
function keyRoutes() {
  const keys: ApiKeyView[] = [keyView('k1', 'wgl_old1', ['ingest', 'read'])];
  return {
    keys,
    routes: {
      'GET http://cp.test/v1/projects/p1/keys': () => ({ body: keys.map((key) => ({ ...key })) }),
      'POST http://cp.test/v1/projects/p1/keys': (call: Call) => {
        const created = keyView('k2', 'wgl_Zq3x', (call.body as { scopes: ApiKeyView['scopes'] }).scopes);
        keys.push(created);
        return { status: 201, body: { key: SECRET, ...created } };
      },
      'DELETE http://cp.test/v1/projects/p1/keys/k1': () => {
        const key = keys[0] as ApiKeyView;
        key.status = 'revoked';
        key.revoked_at = '2026-11-02T10:00:00.000Z';
        return { body: key };
      },
      'GET http://cp.test/v1/orgs/o1/members': {
        body: [
          { user_id: 'u1', email: 'admin@local', org_id: 'o1', role: 'owner' },
          { user_id: 'u2', email: 'dev@local', org_id: 'o1', role: 'member' },
        ],
      },
    },
  };
}

describe('API keys', () => {
  it('creates a key with the chosen scopes and shows the secret once', async () => {
    const { routes } = keyRoutes();
    const api = scriptedFetch({ ...controlPlaneRoutes('admin'), ...routes });
    renderApp({ path: '/projects/p1/admin?tab=keys', fetch: api.fetch });
    const user = userEvent.setup();

    expect(await screen.findByRole('heading', { name: 'API keys' })).toBeTruthy();
    await screen.findByText('wgl_old1…');
    await user.click(screen.getByRole('checkbox', { name: /^read/ }));
    await user.click(screen.getByRole('checkbox', { name: /^admin/ }));
    await user.click(screen.getByRole('button', { name: 'Create key' }));

    const secret = await screen.findByTestId('new-api-key');
    expect(secret.textContent).toBe(SECRET);
    expect(api.of('POST', '/v1/projects/p1/keys')[0]?.body).toEqual({ scopes: ['ingest', 'admin'] });
    expect(api.of('POST', '/v1/projects/p1/keys')[0]?.headers.authorization).toBe('Bearer id-token');
    expect(screen.getByRole('button', { name: 'Copy key' })).toBeTruthy();
    // The list shows the new key by its prefix only.
    await screen.findByText('wgl_Zq3x…');
    expect(within(screen.getByTestId('keys-table')).queryByText(SECRET)).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Done, I have stored the key' }));
    expect(screen.queryByTestId('new-api-key')).toBeNull();
    expect(document.body.textContent).not.toContain(SECRET);
    // Coming back to the page (refetching the list) never shows it again.
    await user.click(screen.getByRole('tab', { name: 'Members' }));
    await user.click(await screen.findByRole('tab', { name: 'API keys' }));
    await screen.findByText('wgl_Zq3x…');
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it('revokes a key after confirmation', async () => {
    const { routes } = keyRoutes();
    const api = scriptedFetch({ ...controlPlaneRoutes('owner'), ...routes });
    renderApp({ path: '/projects/p1/admin', fetch: api.fetch });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Revoke key wgl_old1' }));
    expect(api.of('DELETE', '/v1/projects/p1/keys/k1')).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Confirm revoke key wgl_old1' }));
    const row = await screen.findByTestId('key-wgl_old1');
    await waitFor(() => expect(within(row).getByText('revoked')).toBeTruthy());
    expect(api.of('DELETE', '/v1/projects/p1/keys/k1')).toHaveLength(1);
    expect(within(row).queryByRole('button', { name: /Revoke/ })).toBeNull();
  });

  it('rotates a key with a grace period and shows the new key once', async () => {
    const { routes } = keyRoutes();
    const api = scriptedFetch({
      ...controlPlaneRoutes('admin'),
      ...routes,
      'POST http://cp.test/v1/projects/p1/keys/k1/rotate': (call) => ({
        status: 201,
        body: {
          key: SECRET,
          ...keyView('k3', 'wgl_Zq3x', ['ingest', 'read']),
          grace: (call.body as { grace_seconds: number }).grace_seconds,
          replaced: {
            ...keyView('k1', 'wgl_old1', ['ingest', 'read']),
            expires_at: '2026-11-03T10:00:00.000Z',
          },
        },
      }),
    });
    renderApp({ path: '/projects/p1/admin', fetch: api.fetch });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Rotate key wgl_old1' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Old key after rotation' }), '86400');
    await user.click(screen.getByRole('button', { name: 'Confirm rotate key wgl_old1' }));
    expect((await screen.findByTestId('new-api-key')).textContent).toBe(SECRET);
    expect(screen.getByRole('heading', { name: 'Rotated: the new API key' })).toBeTruthy();
    expect(api.of('POST', '/v1/projects/p1/keys/k1/rotate')[0]?.body).toEqual({ grace_seconds: 86400 });
  });

  it('shows the API error when the control plane refuses', async () => {
    const { routes } = keyRoutes();
    const api = scriptedFetch({
      ...controlPlaneRoutes('admin'),
      ...routes,
      'POST http://cp.test/v1/projects/p1/keys': {
        status: 403,
        body: { success: false, error: 'Forbidden' },
      },
    });
    renderApp({ path: '/projects/p1/admin?tab=keys', fetch: api.fetch });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Create key' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Could not create the key: Forbidden (HTTP 403)',
    );
    expect(screen.queryByTestId('new-api-key')).toBeNull();
  });
});

describe('role-based hiding', () => {
  it('a member sees keys and members but cannot create, revoke, rotate or change roles', async () => {
    const { routes } = keyRoutes();
    const api = scriptedFetch({ ...controlPlaneRoutes('member'), ...routes });
    renderApp({ path: '/projects/p1/admin', fetch: api.fetch });
    await screen.findByText('wgl_old1…');
    expect(screen.getByTestId('role').textContent).toBe('member');
    expect(screen.queryByRole('button', { name: 'Create key' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Revoke key/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Rotate key/ })).toBeNull();

    const user = userEvent.setup();
    await user.click(screen.getByRole('tab', { name: 'Members' }));
    await screen.findByText('dev@local');
    expect(screen.queryByRole('combobox', { name: /Role of/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Add member' })).toBeNull();
    await user.click(screen.getByRole('tab', { name: 'Projects' }));
    await screen.findByTestId('projects-table');
    expect(screen.queryByRole('button', { name: 'Create project' })).toBeNull();
  });

  it('a viewer sees only projects: no keys or members tabs, and the keys API is never called', async () => {
    const { routes } = keyRoutes();
    const api = scriptedFetch({ ...controlPlaneRoutes('viewer'), ...routes });
    renderApp({ path: '/projects/p1/admin?tab=keys', fetch: api.fetch });
    expect(await screen.findByTestId('projects-table')).toBeTruthy();
    expect(screen.getAllByRole('tab').map((tab) => tab.textContent)).toEqual(['Projects']);
    expect(api.of('GET', '/v1/projects/p1/keys')).toHaveLength(0);
    expect(api.of('GET', '/v1/orgs/o1/members')).toHaveLength(0);
  });

  it('an admin may change roles up to their own, but not an owner', async () => {
    const { routes } = keyRoutes();
    const api = scriptedFetch({
      ...controlPlaneRoutes('admin'),
      ...routes,
      'PUT http://cp.test/v1/orgs/o1/members/u2': (call) => ({
        body: { user_id: 'u2', email: 'dev@local', org_id: 'o1', role: (call.body as { role: string }).role },
      }),
    });
    renderApp({ path: '/projects/p1/admin?tab=members', fetch: api.fetch });
    const select = await screen.findByRole('combobox', { name: 'Role of dev@local' });
    expect([...(select as HTMLSelectElement).options].map((option) => option.value)).toEqual([
      'viewer',
      'member',
      'admin',
    ]);
    expect(screen.queryByRole('combobox', { name: 'Role of admin@local' })).toBeNull();
    expect(screen.getAllByRole('rowheader').map((header) => header.textContent)).toEqual([
      'admin@local (you)',
      'dev@local',
    ]);
    expect(screen.queryByRole('button', { name: 'Remove admin@local' })).toBeNull();
    await userEvent.setup().selectOptions(select, 'viewer');
    await waitFor(() => expect(api.of('PUT', '/v1/orgs/o1/members/u2')).toHaveLength(1));
    expect(api.of('PUT', '/v1/orgs/o1/members/u2')[0]?.body).toEqual({ role: 'viewer', email: 'dev@local' });
  });
});
