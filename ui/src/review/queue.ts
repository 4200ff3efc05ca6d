/**
 * Human review (annotation queues): a `human` metric's queue is the project's events its selectors
 * and filters pick that carry no value of the metric yet; a reviewer's score is written as the
 * event's metric (HoneyHive's `PUT /events`, the path every score takes) with the reviewer, the time
 * and an optional comment under `feedback["<metric>"]`. Pure helpers; the page is ReviewPage.tsx.
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

/** The events still to review (a name the grammar cannot filter on is checked here). */
export function unreviewed(events: readonly WaggleEvent[], metricName: string): WaggleEvent[] {
  return events.filter((event) => {
    const metrics = event.metrics;
    return !(typeof metrics === 'object' && metrics !== null && metricName in metrics);
  });
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

/** The update a review writes: the metric's value, and who reviewed when (with the comment) under feedback. */
export function reviewUpdate(
  metric: Pick<MetricWire, 'name'>,
  eventId: string,
  value: boolean | number | string,
  review: { reviewer?: string; comment?: string; at: number },
): EventUpdate {
  const comment = review.comment?.trim();
  return {
    event_id: eventId,
    metrics: { [metric.name]: value },
    feedback: {
      [metric.name]: {
        reviewed_by: review.reviewer ?? 'unknown',
        reviewed_at: new Date(review.at).toISOString(),
        ...(comment ? { comment } : {}),
      },
    },
  };
}
