import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { emptyMonitorForm, monitorBody, previewRequest } from '../src/alerts/monitor-form';
import type { ChannelView, MonitorView, NotificationLogEntry } from '../src/api/alert-calls';
import { type Call, controlPlaneRoutes, renderApp, scriptedFetch } from './support';

// uPlot draws on a canvas, which jsdom lacks: the chart is replaced by its series as text.
vi.mock('../src/dashboard/Chart', () => ({
  cssVar: (_name: string, fallback: string) => fallback,
  TimeChart: ({ series }: { series: { label: string; values: (number | null)[] }[] }) => (
    <ul data-testid="series">
      {series.map((entry) => (
        <li key={entry.label}>
          {entry.label}: {[...new Set(entry.values.filter((value) => value !== null))].join(',')}
        </li>
      ))}
    </ul>
  ),
}));

const SECRET = 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=';
const CP = 'http://cp.test/v1/projects/p1';

function channel(id: string, name: string): ChannelView {
  return {
    id,
    project_id: 'p1',
    type: 'webhook',
    name,
    url: `https://hooks.example.com/${id}`,
    severities: ['critical', 'warning', 'resolution'],
    created_at: '2026-12-01T10:00:00.000Z',
    updated_at: '2026-12-01T10:00:00.000Z',
    created_by: 'u1',
  };
}

function entry(overrides: Partial<NotificationLogEntry>): NotificationLogEntry {
  return {
    notification_id: 'msg_1',
    type: 'monitor.state_changed',
    channel_id: 'c1',
    monitor_id: 'm1',
    monitor_name: 'Model errors',
    severity: 'critical',
    state: 'critical',
    status: 'delivered',
    attempt: 1,
    at: '2026-12-04T10:00:00.000Z',
    ...overrides,
  };
}

describe('the monitor form', () => {
  it('builds the API body, and names what is wrong field by field', () => {
    const form = {
      ...emptyMonitorForm({ field: 'metrics.accuracy', event_type: 'chain' }),
      name: ' Accuracy ',
    };
    expect(monitorBody(form)).toEqual({
      errors: { critical: 'Give a warning level, a critical level or both' },
    });
    const filled = {
      ...form,
      warning: '0.8',
      critical: '0.9',
      window: '60',
      channels: ['c1'],
      filters: [
        { key: 0, field: 'model', operator: 'is', value: 'gpt-4o' },
        { key: 1, field: 'error', operator: 'exists', value: '' },
      ],
    };
    expect(monitorBody(filled)).toEqual({
      body: {
        name: 'Accuracy',
        event_type: 'chain',
        filters: [
          { field: 'model', operator: 'is', value: 'gpt-4o' },
          { field: 'error', operator: 'exists' },
        ],
        aggregation: 'avg',
        field: 'metrics.accuracy',
        window_minutes: 60,
        warning: 0.8,
        critical: 0.9,
        channels: ['c1'],
      },
    });
    const wrong = monitorBody({
      ...filled,
      name: '',
      field: 'metadata.customer',
      window: '4',
      warning: '2',
      critical: '1',
      filters: [
        { key: 3, field: 'metadata.team', operator: 'is', value: 'a' },
        { key: 4, field: 'model', operator: 'contains', value: 'gpt' },
        { key: 5, field: 'model', operator: 'is', value: '' },
      ],
    });
    expect(wrong).toEqual({
      errors: {
        name: 'Give the monitor a name',
        field: 'duration, cost, tokens, errors or metrics.<name>',
        window: 'Whole minutes from 5 to 44640 (31 days)',
        critical: 'Critical must be above warning',
        filters: {
          3: expect.stringMatching(/^Monitors filter on/),
          4: expect.stringMatching(/^Monitors filter on/),
          5: 'Give a value for model',
        },
      },
    });
    for (const window of ['44641', '5.5', 'ten', ''])
      expect(monitorBody({ ...filled, window }), window).toHaveProperty('errors.window');
  });

  it('prefills from a chart or an evaluator, ignoring what it does not know', () => {
    expect(emptyMonitorForm({ field: 'errors' })).toMatchObject({
      field: 'errors',
      aggregation: 'count',
      event_type: 'model',
    });
    expect(emptyMonitorForm({ field: 'duration', aggregation: 'p95', event_type: 'tool' })).toMatchObject({
      aggregation: 'p95',
      event_type: 'tool',
    });
    expect(emptyMonitorForm({ aggregation: 'p50', event_type: 'bogus' })).toMatchObject({
      aggregation: 'count',
      event_type: 'model',
    });
  });

  it('previews through the chart read: event type and filters, the field as a metric, a bucket near the window', () => {
    const now = Date.UTC(2026, 11, 4, 10);
    const base = {
      name: 'm',
      event_type: 'model',
      filters: [{ field: 'source', operator: 'is', value: 'prod' }],
      warning: null,
      critical: 5,
      channels: [],
    };
    expect(previewRequest({ ...base, aggregation: 'sum', field: 'errors', window_minutes: 5 }, now)).toEqual({
      metric: 'duration',
      aggregation: 'count',
      bucket: 'minute',
      filters: [
        { field: 'event_type', operator: 'is', value: 'model', type: 'string' },
        { field: 'source', operator: 'is', value: 'prod', type: 'string' },
        { field: 'error', operator: 'exists', type: 'string' },
      ],
      dateRange: { $gte: new Date(now - 6 * 3_600_000).toISOString(), $lte: new Date(now).toISOString() },
    });
    const tokens = previewRequest(
      { ...base, aggregation: 'median', field: 'tokens', window_minutes: 120 },
      now,
    );
    expect(tokens).toMatchObject({ metric: 'total_tokens', aggregation: 'p50', bucket: 'hour' });
    const score = previewRequest(
      { ...base, aggregation: 'p99', field: 'metrics.accuracy', window_minutes: 1440 },
      now,
    );
    expect(score).toMatchObject({ metric: 'metrics.accuracy', aggregation: 'p99', bucket: 'day' });
  });
});

describe('the channels tab', () => {
  it('adds a webhook channel, shows its secret once, and test-sends it with the outcome from the log', async () => {
    const channels: ChannelView[] = [];
    let logged: NotificationLogEntry[] = [];
    const api = scriptedFetch({
      ...controlPlaneRoutes('admin'),
      [`GET ${CP}/channels`]: () => ({ body: channels.map((item) => ({ ...item })) }),
      [`POST ${CP}/channels`]: (call: Call) => {
        const body = call.body as { name: string; url: string };
        if (body.url.includes('10.0.0.1'))
          return { status: 400, body: { success: false, error: 'url refused: IPv4 private' } };
        const created = { ...channel('c1', body.name), url: body.url };
        channels.push(created);
        return { status: 201, body: { id: 'c1', secret: SECRET, channel: created } };
      },
      [`POST ${CP}/channels/c1/test`]: () => {
        logged = [
          entry({ notification_id: 'msg_t', type: 'channel.test', monitor_name: 'Test notification' }),
        ];
        return { status: 202, body: { queued: true, notification_id: 'msg_t' } };
      },
      [`GET ${CP}/notifications`]: () => ({ body: { entries: logged, next_cursor: null } }),
    });
    renderApp({ path: '/projects/p1/alerts?tab=channels', fetch: api.fetch });
    const user = userEvent.setup();
    await screen.findByText(/No channels yet/);
    const form = screen.getByRole('form', { name: 'Add a channel' });

    await user.type(within(form).getByLabelText('Channel name'), 'bad');
    await user.type(within(form).getByLabelText('Webhook URL'), 'https://10.0.0.1/hook');
    await user.click(within(form).getByRole('button', { name: 'Add channel' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('url refused: IPv4 private');

    await user.clear(within(form).getByLabelText('Channel name'));
    await user.type(within(form).getByLabelText('Channel name'), 'ops hook');
    await user.clear(within(form).getByLabelText('Webhook URL'));
    await user.type(within(form).getByLabelText('Webhook URL'), 'https://hooks.example.com/ops');
    await user.click(within(form).getByRole('checkbox', { name: 'warning' }));
    await user.click(within(form).getByRole('button', { name: 'Add channel' }));
    expect((await screen.findByTestId('channel-secret')).textContent).toBe(SECRET);
    expect(screen.getByText(/you won't see this again/)).toBeTruthy();
    expect(api.of('POST', '/v1/projects/p1/channels')[1]?.body).toEqual({
      type: 'webhook',
      name: 'ops hook',
      url: 'https://hooks.example.com/ops',
      severities: ['critical', 'resolution'],
    });
    await user.click(screen.getByRole('button', { name: 'Done, I have stored the secret' }));
    expect(document.body.textContent).not.toContain(SECRET);

    await user.click(await screen.findByRole('button', { name: 'Send a test notification to ops hook' }));
    await waitFor(() => expect(screen.getByTestId('test-outcome-c1').textContent).toBe('Delivered'));
  });

  it('adds an email channel by its address, with no secret to show', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes('admin'),
      [`GET ${CP}/channels`]: { body: [] },
      [`POST ${CP}/channels`]: (call: Call) => ({
        status: 201,
        body: {
          id: 'c2',
          secret: null,
          channel: {
            ...channel('c2', 'on call'),
            type: 'email',
            url: undefined,
            email: (call.body as { email: string }).email,
          },
        },
      }),
    });
    renderApp({ path: '/projects/p1/alerts?tab=channels', fetch: api.fetch });
    const user = userEvent.setup();
    const form = await screen.findByRole('form', { name: 'Add a channel' });
    await user.selectOptions(within(form).getByLabelText('Type'), 'email');
    await user.type(within(form).getByLabelText('Channel name'), 'on call');
    await user.type(within(form).getByLabelText('Email address'), 'oncall@example.com');
    await user.click(within(form).getByRole('button', { name: 'Add channel' }));
    await waitFor(() => expect(api.of('POST', '/v1/projects/p1/channels')).toHaveLength(1));
    expect(api.of('POST', '/v1/projects/p1/channels')[0]?.body).toEqual({
      type: 'email',
      name: 'on call',
      email: 'oncall@example.com',
      severities: ['critical', 'warning', 'resolution'],
    });
    expect(screen.queryByTestId('new-secret')).toBeNull();
  });

  it('shows members the list without the form or the actions', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes('member'),
      [`GET ${CP}/channels`]: { body: [channel('c1', 'ops hook')] },
    });
    renderApp({ path: '/projects/p1/alerts?tab=channels', fetch: api.fetch });
    await screen.findByText('ops hook');
    expect(screen.queryByRole('form', { name: 'Add a channel' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Send a test/ })).toBeNull();
  });
});

describe('the notification log tab', () => {
  it('lists attempts newest first with their outcome in words, and pages with the cursor', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes('member'),
      [`GET ${CP}/channels`]: { body: [channel('c1', 'ops hook')] },
      [`GET ${CP}/notifications`]: (call: Call) =>
        new URL(call.url).searchParams.get('cursor') === 'next-1'
          ? {
              body: {
                entries: [entry({ notification_id: 'msg_old', monitor_name: 'Old one' })],
                next_cursor: null,
              },
            }
          : {
              body: {
                entries: [
                  entry({ status: 'dropped', error: 'url refused: IPv4 private', channel_id: 'gone' }),
                  entry({ status: 'failed', attempt: 2, error: 'the receiver answered 503' }),
                ],
                next_cursor: 'next-1',
              },
            },
    });
    renderApp({ path: '/projects/p1/alerts?tab=log', fetch: api.fetch });
    const user = userEvent.setup();
    const table = await screen.findByTestId('notification-log');
    await within(table).findByText('ops hook');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringContaining('deleted channel'),
      expect.stringContaining('Failed, will retry: the receiver answered 503'),
    ]);
    expect(rows[0]?.textContent).toContain('Dropped: url refused: IPv4 private');
    await user.click(screen.getByRole('button', { name: 'Older' }));
    await screen.findByText('Old one');
    expect(
      new URL(api.of('GET', '/v1/projects/p1/notifications').at(-1)?.url ?? '').searchParams.get('cursor'),
    ).toBe('next-1');
    await user.click(screen.getByRole('button', { name: 'Newer' }));
    await screen.findByText('Failed, will retry', { exact: false });
  });

  it('says when there is nothing yet', async () => {
    const empty = scriptedFetch({
      ...controlPlaneRoutes('member'),
      [`GET ${CP}/channels`]: { body: [] },
      [`GET ${CP}/notifications`]: { body: { entries: [], next_cursor: null } },
    });
    renderApp({ path: '/projects/p1/alerts?tab=log', fetch: empty.fetch });
    await screen.findByText(/No notifications yet/);
  });

  it('shows the API refusal', async () => {
    const refused = scriptedFetch({
      ...controlPlaneRoutes('member'),
      [`GET ${CP}/channels`]: { body: [] },
      [`GET ${CP}/notifications`]: {
        status: 400,
        body: { success: false, error: 'cursor is not one this API gave' },
      },
    });
    renderApp({ path: '/projects/p1/alerts?tab=log', fetch: refused.fetch });
    expect((await screen.findByRole('alert')).textContent).toContain('cursor is not one this API gave');
  });
});

describe('the monitors tab', () => {
  const monitor: MonitorView = {
    id: 'm1',
    name: 'Model errors',
    event_type: 'model',
    filters: [],
    aggregation: 'count',
    field: 'errors',
    window_minutes: 5,
    warning: null,
    critical: 10,
    channels: ['c1'],
    state: 'critical',
  };

  it('lists monitors with their state, and a viewer gets no form', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes('viewer'),
      [`GET ${CP}/monitors`]: {
        body: [monitor, { ...monitor, id: 'm2', name: 'Slow tools', state: undefined }],
      },
    });
    renderApp({ path: '/projects/p1/alerts', fetch: api.fetch });
    const table = await screen.findByTestId('monitors-table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell')[0]?.textContent)).toEqual([
      'critical',
      'unknown',
    ]);
    expect(screen.queryByRole('link', { name: 'New monitor' })).toBeNull();
    expect(screen.queryByRole('tab', { name: 'Channels' })).toBeNull();
  });

  it('opens a monitor with its history, and says so when the history is not served', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes('member'),
      [`GET ${CP}/monitors`]: { body: [monitor] },
      [`GET ${CP}/channels`]: { body: [channel('c1', 'ops hook')] },
      'GET http://dp.test/v1/metrics': { body: [] },
      'GET http://dp.test/v1/events/chart': { body: { events: [], totalEvents: 0 } },
    });
    renderApp({ path: '/projects/p1/alerts?monitor=m1', fetch: api.fetch });
    const form = await screen.findByRole('form', { name: 'Edit Model errors' });
    expect((within(form).getByLabelText('Critical above') as HTMLInputElement).value).toBe('10');
    await waitFor(() =>
      expect((within(form).getByRole('checkbox', { name: /ops hook/ }) as HTMLInputElement).checked).toBe(
        true,
      ),
    );
    await screen.findByText('This control plane does not serve monitor history.');
    // The preview: the series (no events: 0) and the critical level as a line; no warning level set.
    const series = await screen.findByTestId('series');
    expect([...series.querySelectorAll('li')].map((item) => item.textContent)).toEqual([
      'count of errors: 0',
      'critical: 10',
    ]);
    const chart = api.of('GET', '/v1/events/chart')[0];
    expect(new URL(chart?.url ?? '').searchParams.get('bucket')).toBe('minute');
  });

  it("lists the history newest first, from the data plane's epoch-ms changes", async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes('member'),
      [`GET ${CP}/monitors`]: { body: [monitor] },
      [`GET ${CP}/channels`]: { body: [] },
      [`GET ${CP}/monitors/m1/history`]: {
        body: [
          {
            monitor_id: 'm1',
            at: Date.UTC(2026, 11, 4, 9),
            state: 'critical',
            previous_state: 'ok',
            value: 12,
            threshold: 10,
          },
          {
            monitor_id: 'm1',
            at: Date.UTC(2026, 11, 4, 10),
            state: 'ok',
            previous_state: 'critical',
            value: 2,
            threshold: 10,
          },
        ],
      },
      'GET http://dp.test/v1/metrics': { body: [] },
      'GET http://dp.test/v1/events/chart': { body: { events: [], totalEvents: 0 } },
    });
    renderApp({ path: '/projects/p1/alerts?monitor=m1', fetch: api.fetch });
    const table = await screen.findByTestId('monitor-history');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map((row) => [...row.querySelectorAll('td')].slice(1).map((cell) => cell.textContent)),
    ).toEqual([
      ['critical', 'ok', '2', '10'],
      ['ok', 'critical', '12', '10'],
    ]);
  });

  it('opens prefilled from an evaluator: its score as the field', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes('member'),
      'GET http://dp.test/v1/metrics': {
        body: [
          {
            _id: 'm1',
            name: 'accuracy',
            type: 'custom',
            return_type: 'float',
            enabled_in_prod: true,
            sampling_percentage: 100,
            event_type: 'chain',
            version: 1,
          },
        ],
      },
      'GET http://dp.test/v1/metrics/m1/versions': { body: [] },
      [`GET ${CP}/monitors`]: { body: [] },
      [`GET ${CP}/channels`]: { body: [] },
      'GET http://dp.test/v1/events/chart': { body: { events: [], totalEvents: 0 } },
    });
    renderApp({ path: '/projects/p1/evaluators?metric=m1', fetch: api.fetch });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('link', { name: 'Create a monitor of accuracy' }));
    const form = await screen.findByRole('form', { name: 'New monitor' });
    expect((within(form).getByLabelText('Field') as HTMLInputElement).value).toBe('metrics.accuracy');
    expect((within(form).getByLabelText('Event type') as HTMLSelectElement).value).toBe('chain');
    expect((within(form).getByLabelText('Aggregation') as HTMLSelectElement).value).toBe('avg');
  });

  it('shows a listing failure', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes('member'),
      [`GET ${CP}/monitors`]: { status: 500, body: { success: false, error: 'boom' } },
    });
    renderApp({ path: '/projects/p1/alerts', fetch: api.fetch });
    expect((await screen.findByRole('alert')).textContent).toContain('Could not list monitors');
  });
});
