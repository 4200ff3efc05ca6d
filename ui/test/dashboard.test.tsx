import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { chooseBucket, toSeries } from '../src/dashboard/buckets';
import { controlPlaneRoutes, renderApp, scriptedFetch } from './support';

// uPlot draws on a canvas, which jsdom lacks: the chart is replaced by its series as text.
vi.mock('../src/dashboard/Chart', () => ({
  TimeChart: ({ series }: { series: { label: string; values: (number | null)[] }[] }) => (
    <ul>
      {series.map((entry) => (
        <li key={entry.label}>
          {entry.label}: {entry.values.filter((value) => value !== null && value !== 0).join(',')}
        </li>
      ))}
    </ul>
  ),
}));

describe('buckets', () => {
  it('picks the finest bucket that keeps the chart readable and always under 3000', () => {
    const hour = 3_600_000;
    expect(chooseBucket(hour)).toBe('minute');
    expect(chooseBucket(24 * hour)).toBe('hour');
    expect(chooseBucket(7 * 24 * hour)).toBe('hour');
    expect(chooseBucket(30 * 24 * hour)).toBe('hour');
    expect(chooseBucket(90 * 24 * hour)).toBe('day');
    expect(chooseBucket(10 * 365 * 24 * hour)).toBe('week');
    expect(chooseBucket(48 * hour, 5000)).toBe('minute'); // 2881 buckets: the cap is 3000
    expect(chooseBucket(3 * 24 * hour, 5000)).toBe('hour'); // 4321 minutes would be refused
  });

  it('lays points over the range, one series per group, zero-filled for counts', () => {
    const from = Date.UTC(2026, 10, 1, 10, 0);
    const laid = toSeries(
      [
        { bucket: from, group: 'gpt-4o', value: 3, count: 3 },
        { bucket: from + 120_000, group: 'gpt-4o', value: 1, count: 1 },
        { bucket: from + 120_000, group: null, value: 2, count: 2 },
        { bucket: from + 60_000, group: '__other__', other: true, value: 5, count: 5 },
      ],
      { bucket: 'minute', from: from + 10_000, to: from + 150_000, fill: 0, label: 'events' },
    );
    expect(laid.x).toEqual([from / 1000, from / 1000 + 60, from / 1000 + 120]);
    expect(laid.series).toEqual([
      { label: 'gpt-4o', values: [3, 0, 1] },
      { label: '(none)', values: [0, 0, 2] },
      { label: 'other', values: [0, 5, 0] },
    ]);
    const gaps = toSeries([{ bucket: from, value: 250, count: 4 }], {
      bucket: 'minute',
      from,
      to: from + 60_000,
      fill: null,
      label: 'p95',
    });
    expect(gaps.series).toEqual([{ label: 'p95', values: [250, null] }]);
  });
});

describe('dashboard', () => {
  it('asks the chart API for volume, cost, tokens, latency p50/p95 and errors, and regroups on demand', async () => {
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'GET http://dp.test/v1/events/chart': (call) => {
        const params = new URL(call.url).searchParams;
        const bucket = Date.now() - (Date.now() % 3_600_000);
        const value =
          params.get('aggregation') === 'p95' ? 900 : params.get('aggregation') === 'p50' ? 400 : 7;
        return {
          body: {
            events: [{ bucket, value, count: 7, ...(params.get('groupBy') ? { group: 'gpt-4o' } : {}) }],
            totalEvents: 7,
          },
        };
      },
    });
    renderApp({ path: '/projects/p1/dashboard', fetch: api.fetch });
    expect(await screen.findByRole('heading', { name: 'Dashboard' })).toBeTruthy();
    await waitFor(() => expect(api.of('GET', '/v1/events/chart')).toHaveLength(6));
    const requests = api
      .of('GET', '/v1/events/chart')
      .map((call) => Object.fromEntries(new URL(call.url).searchParams));
    expect(requests).toEqual(
      expect.arrayContaining([
        { metric: 'duration', aggregation: 'count', bucket: 'hour', dateRange: '24h' },
        { metric: 'cost', aggregation: 'sum', bucket: 'hour', dateRange: '24h' },
        { metric: 'total_tokens', aggregation: 'sum', bucket: 'hour', dateRange: '24h' },
        { metric: 'duration', aggregation: 'p50', bucket: 'hour', dateRange: '24h' },
        { metric: 'duration', aggregation: 'p95', bucket: 'hour', dateRange: '24h' },
        {
          metric: 'duration',
          aggregation: 'count',
          bucket: 'hour',
          dateRange: '24h',
          filters: '[{"field":"error","operator":"exists"}]',
        },
      ]),
    );
    expect(await screen.findByText('p95: 900')).toBeTruthy();
    // Counts and sums get a total over the range; the error chart counts only the errors asked for.
    expect(screen.getByTestId('total-volume').textContent?.trim()).toBe('7');
    expect(screen.getByTestId('total-cost').textContent?.trim()).toBe('$7.0000');
    expect(screen.queryByTestId('total-latency')).toBeNull();
    expect(screen.getByText('p50: 400')).toBeTruthy();
    // "Monitor this" prefills the chart's monitor field and its last aggregation.
    const prefill = (title: string) => {
      const href = screen.getByRole('link', { name: `Create a monitor of ${title}` }).getAttribute('href');
      const search = new URL(href ?? '', 'http://console.test').searchParams;
      return [search.get('field'), search.get('aggregation')];
    };
    expect(prefill('Tokens')).toEqual(['tokens', 'sum']);
    expect(prefill('Latency')).toEqual(['duration', 'p95']);
    expect(prefill('Errors')).toEqual(['errors', 'count']);

    await userEvent.setup().selectOptions(screen.getByLabelText('Group by'), 'model');
    await waitFor(() => expect(api.of('GET', '/v1/events/chart').length).toBe(11));
    const grouped = api
      .of('GET', '/v1/events/chart')
      .slice(6)
      .map((call) => Object.fromEntries(new URL(call.url).searchParams));
    expect(grouped.every((request) => request.groupBy === 'model')).toBe(true);
    // Grouped, latency is p95 per group only.
    expect(grouped.filter((request) => request.aggregation === 'p50')).toHaveLength(0);
    expect((await screen.findAllByText('gpt-4o: 900')).length).toBe(1);
  });
});
