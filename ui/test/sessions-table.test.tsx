import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SessionSummary } from '../src/api/types';
import { type Call, controlPlaneRoutes, FIRST_SESSION_SEARCH, renderApp, scriptedFetch } from './support';

function session(n: number): SessionSummary {
  return {
    session_id: `s${n}`,
    event_name: `session ${n}`,
    source: 'sdk',
    start_time: Date.UTC(2026, 10, 1, 10, n),
    end_time: Date.UTC(2026, 10, 1, 10, n) + 1500,
    duration: 1500 + n,
    num_events: n + 2,
    cost: 0.0125,
    total_tokens: 1000 + n,
    errors: n % 2,
    user_properties: { user: `u${n}` },
  };
}

/** A fake search: 120 sessions, sorted and paged as asked. */
function searchRoute(all: SessionSummary[]) {
  return (call: Call) => {
    const body = call.body as {
      sortBy: keyof SessionSummary;
      sortOrder: string;
      limit: number;
      page: number;
    };
    const sorted = [...all].sort((a, b) => {
      const order = Number(a[body.sortBy]) - Number(b[body.sortBy]);
      return body.sortOrder === 'asc' ? order : -order;
    });
    const start = (body.page - 1) * body.limit;
    return { body: { sessions: sorted.slice(start, start + body.limit), totalSessions: all.length } };
  };
}

function searches(api: ReturnType<typeof scriptedFetch>) {
  return api.of('POST', '/v1/sessions/search').map((call) => call.body as Record<string, unknown>);
}

function bodyRows(): HTMLElement[] {
  const table = screen.getByTestId('sessions-table');
  return within(table).getAllByRole('row').slice(1);
}

describe('sessions table', () => {
  it('renders the rows the search answers, with all columns', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'POST http://dp.test/v1/sessions/search': searchRoute([session(1), session(2)]),
    });
    renderApp({ path: '/projects/p1/sessions', fetch: api.fetch });
    expect(await screen.findByRole('link', { name: 'session 2' })).toBeTruthy();
    const headers = within(screen.getByTestId('sessions-table'))
      .getAllByRole('columnheader')
      .map((header) => header.textContent?.replace(/[▲▼↕]/g, ''));
    expect(headers).toEqual([
      'Name',
      'Start',
      'Duration',
      'Events',
      'Cost',
      'Tokens',
      'Errors',
      'User properties',
      'Source',
    ]);
    const first = within(bodyRows()[0] as HTMLElement)
      .getAllByRole('cell')
      .map((cell) => cell.textContent);
    // newest first: session 2
    expect(first.slice(1)).toEqual(['1.50 s', '4', '$0.0125', '1,002', '0', 'user: u2', 'sdk']);
    expect(searches(api)[0]).toEqual(FIRST_SESSION_SEARCH);
  });

  it('sorts by a header (aria-sort follows) and pages', async () => {
    const all = Array.from({ length: 120 }, (_, i) => session(i));
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'POST http://dp.test/v1/sessions/search': searchRoute(all),
    });
    renderApp({ path: '/projects/p1/sessions', fetch: api.fetch });
    const user = userEvent.setup();
    await screen.findByRole('link', { name: 'session 119' });
    const start = screen.getByRole('columnheader', { name: /Start/ });
    const events = screen.getByRole('columnheader', { name: /Events/ });
    expect(start.getAttribute('aria-sort')).toBe('descending');
    expect(events.getAttribute('aria-sort')).toBe('none');

    await user.click(within(events).getByRole('button'));
    await screen.findByRole('link', { name: 'session 119' });
    expect(events.getAttribute('aria-sort')).toBe('descending');
    expect(start.getAttribute('aria-sort')).toBe('none');
    await user.click(within(events).getByRole('button'));
    expect(await screen.findByRole('link', { name: 'session 0' })).toBeTruthy();
    expect(events.getAttribute('aria-sort')).toBe('ascending');
    expect(searches(api).at(-1)).toMatchObject({ sortBy: 'num_events', sortOrder: 'asc', page: 1 });

    expect(screen.getByTestId('page-status').textContent).toBe('Page 1 of 3 · 120 sessions');
    expect(screen.getByRole('button', { name: 'Previous page' })).toHaveProperty('disabled', true);
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByRole('link', { name: 'session 50' })).toBeTruthy();
    expect(screen.getByTestId('page-status').textContent).toBe('Page 2 of 3 · 120 sessions');
    expect(searches(api).at(-1)).toMatchObject({
      sortBy: 'num_events',
      sortOrder: 'asc',
      page: 2,
      limit: 50,
    });
    expect(bodyRows()).toHaveLength(50);
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByRole('link', { name: 'session 100' });
    expect(bodyRows()).toHaveLength(20);
    expect(screen.getByRole('button', { name: 'Next page' })).toHaveProperty('disabled', true);

    const before = searches(api).length;
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(searches(api)).toHaveLength(before + 1));
    expect(searches(api).at(-1)).toEqual(searches(api).at(-2));
  });

  it('opens a session from its row', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'POST http://dp.test/v1/sessions/search': searchRoute([session(7)]),
      'GET http://dp.test/v1/sessions/s7': {
        body: { ...session(7), event_id: 's7', event_type: 'session', project: 'default', children: [] },
      },
    });
    const { history } = renderApp({ path: '/projects/p1/sessions', fetch: api.fetch });
    await screen.findByRole('link', { name: 'session 7' });
    await userEvent.setup().click(within(bodyRows()[0] as HTMLElement).getByText('sdk'));
    await waitFor(() => expect(history.location.pathname).toBe('/projects/p1/sessions/s7'));
    await waitFor(() => expect(api.of('GET', '/v1/sessions/s7')).toHaveLength(1));
  });

  it('applies filters to the search, and shows how to send a first trace when there are no sessions', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'POST http://dp.test/v1/sessions/search': { body: { sessions: [], totalSessions: 0 } },
    });
    renderApp({ path: '/projects/p1/sessions', fetch: api.fetch });
    expect((await screen.findByTestId('otlp-endpoint')).textContent).toBe('http://dp.test/v1/traces');
    expect(screen.getByText(/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http:\/\/dp.test\/v1\/traces/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'create an API key in Admin' }).getAttribute('href')).toBe(
      '/projects/p1/admin?tab=keys',
    );

    const user = userEvent.setup();
    await user.click(screen.getByText('Filters'));
    await user.click(screen.getByRole('button', { name: 'Add filter' }));
    await user.type(screen.getByLabelText('Field 1'), 'model');
    await user.type(screen.getByLabelText('Value 1'), 'gpt-4o');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(await screen.findByText(/No sessions match these filters/)).toBeTruthy();
    expect(searches(api).at(-1)?.filters).toEqual([
      { field: 'model', operator: 'is', value: 'gpt-4o', type: 'string' },
    ]);

    await user.selectOptions(screen.getByLabelText('Time range'), '7d');
    await waitFor(() => expect(searches(api).at(-1)?.dateRange).toEqual({ relative: '7d' }));
  });

  it('keeps range, filters, sort and page in the URL: a link reproduces the list, and back from a session restores it', async () => {
    const all = Array.from({ length: 120 }, (_, i) => session(i));
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'POST http://dp.test/v1/sessions/search': searchRoute(all),
      'GET http://dp.test/v1/sessions/s51': { body: { ...session(51), event_id: 's51', children: [] } },
    });
    const filters = [{ field: 'metadata.customer', operator: 'is', value: 'acme', type: 'string' }];
    const { history } = renderApp({
      path: `/projects/p1/sessions?range=7d&sort=num_events&order=asc&page=2&filters=${encodeURIComponent(JSON.stringify(filters))}`,
      fetch: api.fetch,
    });
    await screen.findByRole('link', { name: 'session 51' });
    const expected = {
      filters,
      dateRange: { relative: '7d' },
      sortBy: 'num_events',
      sortOrder: 'asc',
      limit: 50,
      page: 2,
    };
    expect(searches(api)[0]).toEqual(expected);
    expect((screen.getByLabelText('Time range') as HTMLSelectElement).value).toBe('7d');
    expect((screen.getByLabelText('Field 1') as HTMLInputElement).value).toBe('metadata.customer');

    await userEvent.setup().click(screen.getByRole('link', { name: 'session 51' }));
    await waitFor(() => expect(history.location.pathname).toBe('/projects/p1/sessions/s51'));
    history.back();
    await screen.findByRole('link', { name: 'session 51' });
    expect(searches(api).at(-1)).toEqual(expected);
    expect(screen.getByTestId('page-status').textContent).toBe('Page 2 of 3 · 120 sessions');
  });

  it('shows the data plane error in its own words', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'POST http://dp.test/v1/sessions/search': {
        status: 400,
        body: { success: false, error: 'filters[0].field is not readable' },
      },
    });
    renderApp({ path: '/projects/p1/sessions', fetch: api.fetch });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Could not load sessions: filters[0].field is not readable (HTTP 400)');
    expect(screen.queryByRole('link', { name: 'Events page' })).toBeNull();
  });

  it('points to the events of a data plane without session search', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'POST http://dp.test/v1/sessions/search': { status: 405, body: { message: 'Method Not Allowed' } },
    });
    renderApp({ path: '/projects/p1/sessions', fetch: api.fetch });
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Could not load sessions: Method Not Allowed (HTTP 405)',
    );
    expect(screen.getByRole('link', { name: 'Events page' }).getAttribute('href')).toBe(
      '/projects/p1/events',
    );
  });
});
