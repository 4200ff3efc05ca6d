import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { WaggleEvent } from '../src/api/types';
import { EVENT_TABLE_PROJECTIONS } from '../src/pages/EventsPage';
import { type Call, controlPlaneRoutes, renderApp, scriptedFetch, stubLayout } from './support';

function event(n: number): WaggleEvent {
  return {
    project: 'default',
    event_id: `e${n}`,
    session_id: `s${n % 3}`,
    event_type: n % 2 === 0 ? 'model' : 'tool',
    event_name: `call ${n}`,
    start_time: Date.UTC(2026, 10, 1, 10, 0, n),
    end_time: Date.UTC(2026, 10, 1, 10, 0, n) + 200,
    duration: 200,
    model: n % 2 === 0 ? 'gpt-4o' : null,
    provider: n % 2 === 0 ? 'openai' : null,
    total_tokens: n % 2 === 0 ? 120 : null,
    cost: n % 2 === 0 ? 0.002 : null,
  };
}

const ALL = Array.from({ length: 400 }, (_, i) => event(i));

function exportRoute(call: Call) {
  const body = call.body as { filters: { field: string; value?: unknown }[]; limit: number; page: number };
  const type = body.filters.find((filter) => filter.field === 'event_type')?.value;
  const matching = ALL.filter((candidate) => type === undefined || candidate.event_type === type);
  const start = (body.page - 1) * body.limit;
  return { body: { events: matching.slice(start, start + body.limit), totalEvents: matching.length } };
}

function exports(api: ReturnType<typeof scriptedFetch>) {
  return api.of('POST', '/v1/events/export').map((call) => call.body as Record<string, unknown>);
}

// The events scroller reports a 600 px tall view, as in a browser.
stubLayout((element) => element.classList.contains('virtual'));

describe('events page', () => {
  it('virtualizes a long page: only the rows in view are in the DOM', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'POST http://dp.test/v1/events/export': exportRoute,
    });
    renderApp({ path: '/projects/p1/events', fetch: api.fetch });
    expect(await screen.findByRole('link', { name: 'call 0' })).toBeTruthy();
    const table = screen.getByTestId('events-table');
    const rendered = within(table).getAllByRole('link').length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    expect(table.getAttribute('aria-rowcount')).toBe('401');
    expect(screen.getByTestId('page-status').textContent).toBe('Page 1 of 1 · 400 events');
    expect(exports(api)[0]).toEqual({
      filters: [],
      projections: EVENT_TABLE_PROJECTIONS,
      dateRange: { relative: '24h' },
      limit: 500,
      page: 1,
      sortBy: 'start_time',
      sortOrder: 'desc',
    });
    // Pages stay small: the table never asks for the large JSON columns.
    for (const large of ['inputs', 'outputs', 'metadata', 'config'])
      expect(EVENT_TABLE_PROJECTIONS).not.toContain(large);
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((header) => header.textContent?.replace(/[▲▼↕]/g, ''));
    expect(headers).toEqual([
      'Name',
      'Type',
      'Start',
      'Duration',
      'Model',
      'Provider',
      'Tokens',
      'Cost',
      'Error',
    ]);
  });

  it('filters by event type with tabs (keyboard too), sorts, and opens the event in its session', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'POST http://dp.test/v1/events/export': exportRoute,
      'GET http://dp.test/v1/sessions/s2': {
        body: { ...event(2), event_id: 's2', event_type: 'session', children: [] },
      },
    });
    const { history } = renderApp({ path: '/projects/p1/events', fetch: api.fetch });
    const user = userEvent.setup();
    await screen.findByRole('link', { name: 'call 0' });

    await user.click(screen.getByRole('tab', { name: 'Model' }));
    await waitFor(() => expect(history.location.search).toContain('type=model'));
    await waitFor(() =>
      expect(exports(api).at(-1)?.filters).toEqual([
        { field: 'event_type', operator: 'is', value: 'model', type: 'string' },
      ]),
    );
    expect(screen.getByRole('tab', { name: 'Model' }).getAttribute('aria-selected')).toBe('true');
    await waitFor(() => expect(screen.getByTestId('page-status').textContent).toContain('200 events'));
    const row = screen.getByRole('link', { name: 'call 2' }).closest('tr') as HTMLElement;
    expect(within(row).getByText('gpt-4o')).toBeTruthy();
    expect(within(row).getByText('openai')).toBeTruthy();

    screen.getByRole('tab', { name: 'Model' }).focus();
    await user.keyboard('{ArrowRight}');
    await waitFor(() => expect(history.location.search).toContain('type=tool'));
    expect(document.activeElement?.textContent).toBe('Tool');

    await user.click(within(screen.getByRole('columnheader', { name: /Model/ })).getByRole('button'));
    await waitFor(() =>
      expect(exports(api).at(-1)).toMatchObject({ sortBy: 'model', sortOrder: 'asc', page: 1 }),
    );

    await user.click(screen.getByRole('tab', { name: 'All events' }));
    await user.click(await screen.findByRole('link', { name: 'call 2' }));
    await waitFor(() => expect(history.location.pathname).toBe('/projects/p1/sessions/s2'));
    expect(history.location.search).toBe('?event=e2');
  });

  it('shows how to send a first trace when the project has no events', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'POST http://dp.test/v1/events/export': { body: { events: [], totalEvents: 0 } },
    });
    renderApp({ path: '/projects/p1/events', fetch: api.fetch });
    expect((await screen.findByTestId('otlp-endpoint')).textContent).toBe('http://dp.test/v1/traces');
    expect(screen.getByText('No events in the last 24 hours.')).toBeTruthy();
  });
});
