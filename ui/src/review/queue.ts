/**
 * Human review (annotation queues): a `human` metric's queue is the union of the project's events its
 * selectors and filters pick and the events added to it by hand (a marker `{ queued_by, queued_at }`
 * under `feedback["<metric>"]`, written from an event's detail), of those that carry no value of the
 * metric yet. A reviewer's score is written as the event's metric (HoneyHive's `PUT /events`, the
 * path every score takes) with the reviewer, the time and an optional comment under
 * `feedback["<metric>"]`, beside what that entry held (the queue marker). `PUT /events` merges
 * `feedback` key by key, so each write carries the metric's whole entry. Pure helpers; the page is
 * ReviewPage.tsx, the control on an event's detail AddToReview.tsx.
 */
import type { EventUpdate, MetricReturnType, MetricWire } from '../api/client';
import type { EventFilter, WaggleEvent } from '../api/types';

/** A metric name the filter grammar can name as `metrics.<name>` (letters, digits, `_`, `-`, inner spaces; query/fields.ts). */
export function isPathSegment(name: string): boolean {
  return /^(?=.{1,64}$)[A-Za-z0-9_-](?:[A-Za-z0-9_ -]*[A-Za-z0-9_-])?$/.test(name);
}

/** The read API filters of a metric's queue: its selectors, its own filters, and no value yet where the grammar can say so. */
export function queueFilters(metric: MetricWire): EventFilter[] {
  const filters: EventFilter[] = [...(metric.filters?.filterArray ?? [])];
  if (metric.event_type)
    filters.push({ field: 'event_type', operator: 'is', value: metric.event_type, type: 'string' });
  if (metric.event_name)
    filters.push({ field: 'event_name', operator: 'is', value: metric.event_name, type: 'string' });
  if (isPathSegment(metric.name))
    filters.push({ field: `metrics.${metric.name}`, operator: 'not exists', type: 'string' });
  return filters;
}

/** How far back events added by hand are looked for (the filter-selected queue looks at 30 days). */
export const QUEUED_RANGE = '90d';

/**
 * The read API filters of the events added to a metric's queue by hand with no value yet:
 * `feedback.<name>.queued_at exists` where the grammar can name the metric; otherwise the feedback
 * column's JSON text containing "queued_at", each event then checked here (isQueued, unreviewed).
 */
export function queuedFilters(metric: Pick<MetricWire, 'name'>): EventFilter[] {
  if (isPathSegment(metric.name))
    return [
      { field: `feedback.${metric.name}.queued_at`, operator: 'exists', type: 'string' },
      { field: `metrics.${metric.name}`, operator: 'not exists', type: 'string' },
    ];
  return [{ field: 'feedback', operator: 'contains', value: 'queued_at', type: 'string' }];
}

/** The event's feedback entry of the metric as an object (a plain value is kept as `value`). */
export function feedbackEntry(
  event: Pick<WaggleEvent, 'feedback'>,
  metricName: string,
): Record<string, unknown> {
  const feedback = event.feedback;
  if (typeof feedback !== 'object' || feedback === null || Array.isArray(feedback)) return {};
  const entry = (feedback as Record<string, unknown>)[metricName];
  if (entry === undefined || entry === null) return {};
  if (typeof entry === 'object' && !Array.isArray(entry)) return { ...(entry as Record<string, unknown>) };
  return { value: entry };
}

/** Who added the event to the metric's queue by hand, and when (undefined when nobody did). */
export function queuedBy(
  event: Pick<WaggleEvent, 'feedback'>,
  metricName: string,
): { by: string; at: string } | undefined {
  const entry = feedbackEntry(event, metricName);
  if (typeof entry.queued_at !== 'string') return undefined;
  return { by: typeof entry.queued_by === 'string' ? entry.queued_by : 'unknown', at: entry.queued_at };
}

/** Whether the event carries a value of the metric (it has been reviewed). */
export function isReviewed(event: Pick<WaggleEvent, 'metrics'>, metricName: string): boolean {
  const metrics = event.metrics;
  return typeof metrics === 'object' && metrics !== null && metricName in metrics;
}

/** The update adding an event to a metric's queue by hand: the marker beside what the entry held. */
export function queueUpdate(
  metric: Pick<MetricWire, 'name'>,
  event: Pick<WaggleEvent, 'event_id' | 'feedback'>,
  queued: { by?: string; at: number },
): EventUpdate {
  return {
    event_id: event.event_id,
    feedback: {
      [metric.name]: {
        ...feedbackEntry(event, metric.name),
        queued_by: queued.by ?? 'unknown',
        queued_at: new Date(queued.at).toISOString(),
      },
    },
  };
}

/**
 * The queue: the filter-selected events and those added by hand, each once, without a value of the
 * metric yet, the newest first.
 */
export function mergeQueue(
  selected: readonly WaggleEvent[],
  added: readonly WaggleEvent[],
  metricName: string,
): WaggleEvent[] {
  const byId = new Map<string, WaggleEvent>();
  for (const event of added) if (queuedBy(event, metricName)) byId.set(event.event_id, event);
  for (const event of selected) if (!byId.has(event.event_id)) byId.set(event.event_id, event);
  return unreviewed([...byId.values()], metricName).sort((a, b) => b.start_time - a.start_time);
}

/** The events still to review (a name the grammar cannot filter on is checked here). */
export function unreviewed(events: readonly WaggleEvent[], metricName: string): WaggleEvent[] {
  return events.filter((event) => !isReviewed(event, metricName));
}

export type ReviewValue = { ok: true; value: boolean | number | string } | { ok: false; problem: string };

/** A reviewer's entry as the metric's return type. */
export function reviewValue(returnType: MetricReturnType, entry: string): ReviewValue {
  const text = entry.trim();
  if (returnType === 'boolean') {
    if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
    return { ok: false, problem: 'Choose pass or fail' };
  }
  if (returnType === 'float') {
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) return { ok: false, problem: 'Enter a number' };
    return { ok: true, value };
  }
  if (text === '') return { ok: false, problem: 'Enter a value' };
  return { ok: true, value: text };
}
