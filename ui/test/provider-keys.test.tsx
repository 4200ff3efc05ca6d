import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ProviderKeyView } from '../src/api/client';
import { type Call, controlPlaneRoutes, renderApp, scriptedFetch } from './support';

const SECRET = 'sk-proj-SECRETSECRETSECRETSECRETwxyz';

function view(provider: ProviderKeyView['provider'], scope: ProviderKeyView['scope'], extra = {}) {
  return {
    provider,
    scope,
    last4: 'abcd',
    updated_at: '2026-11-01T10:00:00.000Z',
    updated_by: 'user:u1',
    ...extra,
  } as ProviderKeyView;
}

/** A fake provider-key store behind the data plane's routes. */
function providerKeyRoutes() {
  const keys: ProviderKeyView[] = [
    view('anthropic', 'workspace'),
    view('azure', 'project', { base_url: 'https://acme.openai.azure.com', last4: 'azk1' }),
    view('bedrock', 'project', { last4: null, region: 'eu-west-1' }),
  ];
  return {
    keys,
    routes: {
      'GET http://dp.test/v1/provider-keys': () => ({
        body: { provider_keys: keys.map((key) => ({ ...key })) },
      }),
      'GET http://dp.test/v1/provider-keys/audit': {
        body: {
          entries: [
            {
              provider: 'azure',
              scope: 'project',
              action: 'put',
              actor: 'user:u1',
              at: '2026-11-01T10:00:00.000Z',
              version: 1,
            },
          ],
        },
      },
      'PUT http://dp.test/v1/provider-keys/openai': (call: Call) => {
        const body = call.body as { api_key: string; scope: ProviderKeyView['scope'] };
        const saved = view('openai', body.scope, {
          last4: body.api_key.slice(-4),
          updated_at: '2026-11-02T10:00:00.000Z',
        });
        keys.push(saved);
        return { status: 201, body: saved };
      },
      'DELETE http://dp.test/v1/provider-keys/anthropic': (call: Call) => {
        const scope = new URL(call.url).searchParams.get('scope');
        keys.splice(
          keys.findIndex((key) => key.provider === 'anthropic' && key.scope === scope),
          1,
        );
        return { body: { success: true, deleted: 'anthropic', scope } };
      },
    },
  };
}

describe('provider keys', () => {
  it("lists the project's and the workspace's keys and the recent changes", async () => {
    const { routes } = providerKeyRoutes();
    const api = scriptedFetch({ ...controlPlaneRoutes('admin'), ...routes });
    renderApp({ path: '/projects/p1/admin?tab=provider-keys', fetch: api.fetch });
    expect(await screen.findByRole('heading', { name: 'Provider keys' })).toBeTruthy();
    const table = await screen.findByTestId('provider-keys-table');
    expect(
      within(table)
        .getAllByRole('rowheader')
        .map((cell) => cell.textContent),
    ).toEqual(['anthropic', 'azure', 'bedrock']);
    const azure = screen.getByTestId('provider-key-azure-project');
    expect(within(azure).getByText('…azk1')).toBeTruthy();
    expect(within(azure).getByText('https://acme.openai.azure.com')).toBeTruthy();
    expect(within(screen.getByTestId('provider-key-bedrock-project')).getByText('eu-west-1')).toBeTruthy();
    expect(within(await screen.findByTestId('provider-keys-audit')).getByText('put')).toBeTruthy();
    // Data-plane calls carry the data-plane token.
    expect(api.of('GET', '/v1/provider-keys')[0]?.headers.authorization).toBe('Bearer dp-token-p1');
    expect(new URL(api.of('GET', '/v1/provider-keys/audit')[0]?.url ?? '').searchParams.get('limit')).toBe(
      '20',
    );
  });

  it('saves a key with the right body, clears the secret field and never shows the secret', async () => {
    const { routes } = providerKeyRoutes();
    const api = scriptedFetch({ ...controlPlaneRoutes('owner'), ...routes });
    renderApp({ path: '/projects/p1/admin?tab=provider-keys', fetch: api.fetch });
    const user = userEvent.setup();
    await screen.findByTestId('provider-keys-table');
    const secretField = screen.getByLabelText('API key') as HTMLInputElement;
    expect(secretField.type).toBe('password');
    await user.type(secretField, SECRET);
    await user.click(screen.getByRole('radio', { name: 'The whole workspace' }));
    await user.click(screen.getByRole('button', { name: 'Save provider key' }));

    await screen.findByTestId('provider-key-openai-workspace');
    expect(api.of('PUT', '/v1/provider-keys/openai')).toHaveLength(1);
    const put = api.of('PUT', '/v1/provider-keys/openai')[0];
    expect(put?.body).toEqual({ scope: 'workspace', api_key: SECRET });
    expect(put?.headers.authorization).toBe('Bearer dp-token-p1');
    await waitFor(() => expect((screen.getByLabelText('API key') as HTMLInputElement).value).toBe(''));
    expect(within(screen.getByTestId('provider-key-openai-workspace')).getByText('…wxyz')).toBeTruthy();
    expect(document.body.innerHTML).not.toContain(SECRET);
    // The list and audit were read again after the change.
    expect(api.of('GET', '/v1/provider-keys').length).toBeGreaterThanOrEqual(2);
  });

  it('asks for a base URL for azure and a region (no key) for bedrock', async () => {
    const { routes } = providerKeyRoutes();
    const api = scriptedFetch({
      ...controlPlaneRoutes('admin'),
      ...routes,
      'PUT http://dp.test/v1/provider-keys/bedrock': (call: Call) => ({
        body: view('bedrock', 'project', { last4: null, ...(call.body as object) }),
      }),
    });
    renderApp({ path: '/projects/p1/admin?tab=provider-keys', fetch: api.fetch });
    const user = userEvent.setup();
    const provider = await screen.findByRole('combobox', { name: 'Provider' });
    expect(screen.getByLabelText('Base URL (optional)')).toBeTruthy();
    await user.selectOptions(provider, 'azure');
    expect((screen.getByLabelText('Base URL') as HTMLInputElement).required).toBe(true);
    await user.selectOptions(provider, 'bedrock');
    expect(screen.queryByLabelText('API key')).toBeNull();
    expect(screen.queryByLabelText(/Base URL/)).toBeNull();
    await user.type(screen.getByLabelText('Region (optional)'), 'us-east-1');
    await user.click(screen.getByRole('button', { name: 'Save provider key' }));
    await waitFor(() => expect(api.of('PUT', '/v1/provider-keys/bedrock')).toHaveLength(1));
    expect(api.of('PUT', '/v1/provider-keys/bedrock')[0]?.body).toEqual({
      scope: 'project',
      region: 'us-east-1',
    });
  });

  it('deletes a key after confirmation, with its scope', async () => {
    const { routes } = providerKeyRoutes();
    const api = scriptedFetch({ ...controlPlaneRoutes('admin'), ...routes });
    renderApp({ path: '/projects/p1/admin?tab=provider-keys', fetch: api.fetch });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete key anthropic (workspace)' }));
    expect(api.of('DELETE', '/v1/provider-keys/anthropic')).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Confirm delete key anthropic (workspace)' }));
    await waitFor(() => expect(screen.queryByTestId('provider-key-anthropic-workspace')).toBeNull());
    const calls = api.of('DELETE', '/v1/provider-keys/anthropic');
    expect(calls).toHaveLength(1);
    expect(new URL(calls[0]?.url ?? '').searchParams.get('scope')).toBe('workspace');
  });

  it('shows a 400 from the data plane in its own words and keeps what was typed', async () => {
    const { routes } = providerKeyRoutes();
    const api = scriptedFetch({
      ...controlPlaneRoutes('admin'),
      ...routes,
      'PUT http://dp.test/v1/provider-keys/openai-compatible': {
        status: 400,
        body: { success: false, error: 'base_url must be an absolute https URL' },
      },
    });
    renderApp({ path: '/projects/p1/admin?tab=provider-keys', fetch: api.fetch });
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByRole('combobox', { name: 'Provider' }), 'openai-compatible');
    await user.type(screen.getByLabelText('API key'), 'local-model-key');
    await user.type(screen.getByLabelText('Base URL'), 'ftp://models.internal');
    await user.click(screen.getByRole('button', { name: 'Save provider key' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Could not save the provider key: base_url must be an absolute https URL (HTTP 400)',
    );
    expect(api.of('PUT', '/v1/provider-keys/openai-compatible')[0]?.body).toEqual({
      scope: 'project',
      api_key: 'local-model-key',
      base_url: 'ftp://models.internal',
    });
  });

  it.each(['viewer', 'member'])(
    'a %s does not see the tab, and the data plane is never asked',
    async (role) => {
      const { routes } = providerKeyRoutes();
      const api = scriptedFetch({ ...controlPlaneRoutes(role), ...routes });
      renderApp({ path: '/projects/p1/admin?tab=provider-keys', fetch: api.fetch });
      await screen.findByTestId('role');
      await waitFor(() => expect(screen.getAllByRole('tab').length).toBeGreaterThan(0));
      expect(screen.queryByRole('tab', { name: 'Provider keys' })).toBeNull();
      expect(screen.queryByRole('heading', { name: 'Provider keys' })).toBeNull();
      expect(api.of('GET', '/v1/provider-keys')).toHaveLength(0);
      expect(api.of('GET', '/v1/provider-keys/audit')).toHaveLength(0);
    },
  );

  it('an admin sees the tab beside the others', async () => {
    const api = scriptedFetch({ ...controlPlaneRoutes('admin'), ...providerKeyRoutes().routes });
    renderApp({ path: '/projects/p1/admin', fetch: api.fetch });
    await screen.findByTestId('role');
    expect(screen.getAllByRole('tab').map((tab) => tab.textContent)).toEqual([
      'API keys',
      'Members',
      'Projects',
      'Provider keys',
    ]);
  });
});
