/**
 * The monitor form's logic, apart from React: the form from a monitor or a prefill, the checks
 * before a save (the API checks again and its refusal is shown), the request body, and the chart
 * read that previews the monitor's series (GET /v1/events/chart).
 */
import {
  MONITOR_AGGREGATIONS,
  type MonitorAggregation,
  type MonitorView,
  type MonitorWrite,
} from '../api/alert-calls';
import type { ChartAggregation, ChartBucket, ChartRequest } from '../api/client';
import type { EventFilter, EventType } from '../api/types';
import type { EditableRow } from '../components/FilterRows';
import { type FieldSuggestion, toFilter, toRow } from '../components/filters';

export const MONITOR_EVENT_TYPES: readonly EventType[] = ['model', 'tool', 'chain', 'session'];
/** The fields every project has; `metrics.<name>` names a metric or an evaluator's score. */
export const MONITOR_FIELDS = ['duration', 'cost', 'tokens', 'errors'] as const;
export const MIN_WINDOW_MINUTES = 5;
export const MAX_WINDOW_MINUTES = 31 * 24 * 60;
export const WINDOW_CHOICES = [5, 15, 30, 60, 360, 1440, 10_080, 43_200];

/** What per-minute rollups answer: these fields and operators only (the API refuses others, saying why). */
export const MONITOR_FILTER_SUGGESTIONS: readonly FieldSuggestion[] = [
  { field: 'event_name', type: 'string' },
  { field: 'source', type: 'string' },
  { field: 'model', type: 'string' },
  { field: 'error', type: 'string' },
];
const VALUE_OPERATORS = ['is', 'is not'];
const EXISTS_OPERATORS = ['exists', 'not exists'];

export interface MonitorForm {
  name: string;
  event_type: EventType;
  field: string;
  aggregation: MonitorAggregation;
  window: string;
  warning: string;
  critical: string;
  channels: string[];
  filters: EditableRow[];
}

export interface MonitorPrefill {
  field?: string;
  event_type?: string;
  aggregation?: string;
}

export function emptyMonitorForm(prefill: MonitorPrefill = {}): MonitorForm {
  const eventType = MONITOR_EVENT_TYPES.find((type) => type === prefill.event_type) ?? 'model';
  const aggregation = MONITOR_AGGREGATIONS.find((name) => name === prefill.aggregation);
  const field = prefill.field?.trim() || 'errors';
  return {
    name: '',
    event_type: eventType,
    field,
    aggregation: aggregation ?? (field === 'errors' ? 'count' : 'avg'),
    window: '5',
    warning: '',
    critical: '',
    channels: [],
    filters: [],
  };
}

export function formFromMonitor(monitor: MonitorView): MonitorForm {
  const aggregation = MONITOR_AGGREGATIONS.find((name) => name === monitor.aggregation) ?? 'avg';
  return {
    name: monitor.name,
    event_type: MONITOR_EVENT_TYPES.find((type) => type === monitor.event_type) ?? 'model',
    field: monitor.field,
    aggregation,
    window: String(monitor.window_minutes),
    warning: monitor.warning === null || monitor.warning === undefined ? '' : String(monitor.warning),
    critical: monitor.critical === null || monitor.critical === undefined ? '' : String(monitor.critical),
    channels: [...(monitor.channels ?? [])],
    filters: (monitor.filters ?? []).map((filter, key) => ({
      ...toRow({ field: filter.field, operator: filter.operator, value: filter.value } as EventFilter),
      key,
    })),
  };
}

export type FormErrors = Partial<Record<'name' | 'field' | 'window' | 'warning' | 'critical', string>> & {
  filters?: Record<number, string>;
};

function number(text: string): number | null | undefined {
  if (text.trim() === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** The request body, or what is wrong with the form (each message beside its field). */
export function monitorBody(form: MonitorForm): { body: MonitorWrite } | { errors: FormErrors } {
  const errors: FormErrors = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'Give the monitor a name';
  else if (name.length > 200) errors.name = 'At most 200 characters';
  const field = form.field.trim();
  if (!(MONITOR_FIELDS as readonly string[]).includes(field) && !/^metrics\.\S.{0,199}$/.test(field))
    errors.field = 'duration, cost, tokens, errors or metrics.<name>';
  const window = Number(form.window);
  if (!Number.isInteger(window) || window < MIN_WINDOW_MINUTES || window > MAX_WINDOW_MINUTES)
    errors.window = `Whole minutes from ${MIN_WINDOW_MINUTES} to ${MAX_WINDOW_MINUTES} (31 days)`;
  const warning = number(form.warning);
  const critical = number(form.critical);
  if (warning === undefined) errors.warning = 'A number, or empty';
  if (critical === undefined) errors.critical = 'A number, or empty';
  if (warning === null && critical === null)
    errors.critical = 'Give a warning level, a critical level or both';
  if (typeof warning === 'number' && typeof critical === 'number' && critical <= warning)
    errors.critical = 'Critical must be above warning';
  const filters: MonitorWrite['filters'] = [];
  const filterErrors: Record<number, string> = {};
  for (const row of form.filters) {
    const built = toFilter(row, MONITOR_FILTER_SUGGESTIONS);
    if ('error' in built) {
      filterErrors[row.key] = built.error;
      continue;
    }
    const { field: name, operator, value } = built.filter;
    const known = MONITOR_FILTER_SUGGESTIONS.some((suggestion) => suggestion.field === name);
    const allowed = name === 'error' ? EXISTS_OPERATORS : VALUE_OPERATORS;
    if (!known || !allowed.includes(operator)) {
      filterErrors[row.key] =
        'Monitors filter on event_name, source or model (is, is not) and error (exists, not exists)';
      continue;
    }
    filters.push(
      value === undefined ? { field: name, operator } : { field: name, operator, value: String(value) },
    );
  }
  if (Object.keys(filterErrors).length > 0) errors.filters = filterErrors;
  if (Object.keys(errors).length > 0) return { errors };
  return {
    body: {
      name,
      event_type: form.event_type,
      filters,
      aggregation: form.aggregation,
      field,
      window_minutes: window,
      warning: warning ?? null,
      critical: critical ?? null,
      channels: form.channels,
    },
  };
}

const CHART_AGGREGATION: Record<MonitorAggregation, ChartAggregation> = {
  count: 'count',
  sum: 'sum',
  avg: 'avg',
  min: 'min',
  max: 'max',
  median: 'p50',
  p90: 'p90',
  p95: 'p95',
  p99: 'p99',
};

/** The chart's bucket nearest the window without exceeding it, and a range that shows ~a day of them. */
export function previewShape(windowMinutes: number): { bucket: ChartBucket; rangeMs: number } {
  if (windowMinutes < 60) return { bucket: 'minute', rangeMs: 6 * 3_600_000 };
  if (windowMinutes < 1440) return { bucket: 'hour', rangeMs: 7 * 86_400_000 };
  return { bucket: 'day', rangeMs: 30 * 86_400_000 };
}

/**
 * The chart read of a monitor's series: its event type and filters, its field as the chart's metric
 * (errors: the count of events with an error), its aggregation, bucketed near its window. The
 * chart's buckets are fixed (a minute, an hour, a day), the monitor's window slides: a preview.
 */
export function previewRequest(body: MonitorWrite, now: number): ChartRequest {
  const { bucket, rangeMs } = previewShape(body.window_minutes);
  const errors = body.field === 'errors';
  const metric = errors ? 'duration' : body.field === 'tokens' ? 'total_tokens' : body.field;
  const filters: EventFilter[] = [
    { field: 'event_type', operator: 'is', value: body.event_type, type: 'string' },
    ...body.filters.map((filter) => ({ ...filter, type: 'string' }) as EventFilter),
    ...(errors ? [{ field: 'error', operator: 'exists', type: 'string' } as EventFilter] : []),
  ];
  return {
    metric,
    aggregation: errors ? 'count' : CHART_AGGREGATION[body.aggregation],
    bucket,
    filters,
    dateRange: { $gte: new Date(now - rangeMs).toISOString(), $lte: new Date(now).toISOString() },
  };
}

/** "p95 of duration over 5 min" */
export function describeMonitor(
  monitor: Pick<MonitorWrite, 'aggregation' | 'field' | 'window_minutes'>,
): string {
  return `${monitor.aggregation} of ${monitor.field} over ${describeWindow(monitor.window_minutes)}`;
}

export function describeWindow(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}
