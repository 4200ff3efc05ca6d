/**
 * A monitor's definition: what the API takes (`POST/PATCH /v1/projects/{project_id}/monitors`),
 * what the control plane stores and what the sync carries to data planes. Every field is checked
 * here, so a refused request changes nothing, and a synced payload is held to the same rules.
 *
 * Filters use HoneyHive's grammar (the read API's parser), but only filters the per-minute rollups
 * can answer are taken: `event_name`, `source` and `model` with `is` / `is not`, and `error` with
 * `exists` / `not exists`. Any other filter would need the events themselves, scanned per monitor
 * per minute, which is what rollups exist to avoid; it is refused with a 400 saying so.
 */
import { ValidationError } from '../../errors';
import { EVENT_TYPES, type EventType } from '../../events/event';
import { isJsonObject } from '../../honeyhive/fields';
import { parseFilters } from '../../read-api/filters';
import {
  AGGREGATIONS,
  type Aggregation,
  MAX_METRIC_NAME_CHARS,
  type MonitorField,
  ROLLUP_FIELDS,
  type RollupDimension,
} from './rollup';

export const CONDITIONS = ['above', 'below', 'drift'] as const;
export type Condition = (typeof CONDITIONS)[number];

export const MIN_WINDOW_MINUTES = 5;
/** 31 days: a month. */
export const MAX_WINDOW_MINUTES = 31 * 24 * 60;
export const MAX_MONITOR_NAME_CHARS = 200;
/** A monitor notifies a few channels; more is a mistake, and keeps the sync payload small. */
export const MAX_MONITOR_CHANNELS = 20;
export const MAX_MONITOR_FILTERS = 10;
const MAX_CHANNEL_ID_CHARS = 128;
const MAX_FILTER_VALUE_CHARS = 256;

/** A filter the rollups answer. */
export type RollupFilter =
  | { field: RollupDimension; operator: 'is' | 'is not'; value: string }
  | { field: 'error'; operator: 'exists' | 'not exists' };

export interface MonitorContent {
  name: string;
  event_type: EventType;
  filters: RollupFilter[];
  aggregation: Aggregation;
  /** `duration`, `cost`, `tokens`, `errors` or `metrics.<name>`. */
  field: string;
  window_minutes: number;
  warning: number | null;
  critical: number | null;
  condition: Condition;
  channels: string[];
  paused: boolean;
}

export const MONITOR_CONTENT_FIELDS = [
  'name',
  'event_type',
  'filters',
  'aggregation',
  'field',
  'window_minutes',
  'warning',
  'critical',
  'condition',
  'channels',
  'paused',
] as const;

/** The field a monitor names, parsed; throws ValidationError for anything else. */
export function monitorField(field: string): MonitorField {
  if (field === 'errors') return { kind: 'errors' };
  if (Object.hasOwn(ROLLUP_FIELDS, field))
    return { kind: 'field', field: field as keyof typeof ROLLUP_FIELDS };
  if (field.startsWith('metrics.')) {
    const name = field.slice('metrics.'.length);
    if (name.length === 0 || name.length > MAX_METRIC_NAME_CHARS)
      throw new ValidationError(
        `field metrics.<name>: the name must be 1 to ${MAX_METRIC_NAME_CHARS} characters`,
      );
    return { kind: 'metric', name };
  }
  throw new ValidationError(
    `field must be duration, cost, tokens, errors or metrics.<name> (a metric or evaluator score); got ${JSON.stringify(field).slice(0, 80)}`,
  );
}

/** A whole definition from a create request; unknown fields are refused (a typo would be silently ignored). */
export function parseMonitorInput(body: unknown): MonitorContent {
  if (!isJsonObject(body)) throw new ValidationError('the body must be a JSON object');
  refuseUnknown(body);
  for (const required of ['name', 'event_type', 'aggregation', 'field', 'window_minutes', 'channels'])
    if (body[required] === undefined) throw new ValidationError(`${required} is required`);
  return checkMonitorContent({
    name: body.name,
    event_type: body.event_type,
    filters: body.filters ?? [],
    aggregation: body.aggregation,
    field: body.field,
    window_minutes: body.window_minutes,
    warning: body.warning ?? null,
    critical: body.critical ?? null,
    condition: body.condition ?? 'above',
    channels: body.channels,
    paused: body.paused ?? false,
  });
}

/** A definition with a PATCH body's fields over it, checked whole. */
export function applyMonitorPatch(current: MonitorContent, body: unknown): MonitorContent {
  if (!isJsonObject(body)) throw new ValidationError('the body must be a JSON object');
  refuseUnknown(body);
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(body)) next[key] = value;
  return checkMonitorContent(next);
}

function refuseUnknown(body: Record<string, unknown>): void {
  const unknown = Object.keys(body).find(
    (key) => !(MONITOR_CONTENT_FIELDS as readonly string[]).includes(key),
  );
  if (unknown !== undefined)
    throw new ValidationError(
      `unknown field ${JSON.stringify(unknown).slice(0, 80)}; a monitor has ${MONITOR_CONTENT_FIELDS.join(', ')}`,
    );
}

/** Checks every field (the API's input and a synced payload alike) and returns the normalized content. */
export function checkMonitorContent(value: Record<string, unknown>): MonitorContent {
  const name = value.name;
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_MONITOR_NAME_CHARS)
    throw new ValidationError(
      `name must be a non-empty string of at most ${MAX_MONITOR_NAME_CHARS} characters`,
    );
  if (!(EVENT_TYPES as readonly unknown[]).includes(value.event_type))
    throw new ValidationError(`event_type must be one of ${EVENT_TYPES.join(', ')}`);
  if (!(AGGREGATIONS as readonly unknown[]).includes(value.aggregation))
    throw new ValidationError(`aggregation must be one of ${AGGREGATIONS.join(', ')}`);
  const aggregation = value.aggregation as Aggregation;
  if (typeof value.field !== 'string') throw new ValidationError('field must be a string');
  const field = monitorField(value.field);
  if (field.kind === 'errors' && !['count', 'sum', 'avg'].includes(aggregation))
    throw new ValidationError(
      'field errors takes count (the number of errors), sum (the same) or avg (the error rate, 0 to 1)',
    );
  const windowMinutes = value.window_minutes;
  if (
    typeof windowMinutes !== 'number' ||
    !Number.isInteger(windowMinutes) ||
    windowMinutes < MIN_WINDOW_MINUTES ||
    windowMinutes > MAX_WINDOW_MINUTES
  )
    throw new ValidationError(
      `window_minutes must be a whole number of minutes from ${MIN_WINDOW_MINUTES} to ${MAX_WINDOW_MINUTES} (31 days)`,
    );
  if (!(CONDITIONS as readonly unknown[]).includes(value.condition))
    throw new ValidationError(`condition must be one of ${CONDITIONS.join(', ')}`);
  const condition = value.condition as Condition;
  const warning = threshold(value.warning, 'warning');
  const critical = threshold(value.critical, 'critical');
  if (warning === null && critical === null) throw new ValidationError('give warning, critical or both');
  if (condition === 'drift' && ((warning ?? 0) < 0 || (critical ?? 0) < 0))
    throw new ValidationError(
      'drift thresholds are percentages of change (either way) and cannot be negative',
    );
  if (warning !== null && critical !== null) {
    const beyond = condition === 'below' ? critical < warning : critical > warning;
    if (!beyond)
      throw new ValidationError(
        condition === 'below'
          ? 'critical must be below warning (condition below)'
          : `critical must be above warning (condition ${condition})`,
      );
  }
  if (typeof value.paused !== 'boolean') throw new ValidationError('paused must be true or false');
  return {
    name: name.trim(),
    event_type: value.event_type as EventType,
    filters: rollupFilters(value.filters),
    aggregation,
    field: value.field,
    window_minutes: windowMinutes,
    warning,
    critical,
    condition,
    channels: channelIds(value.channels),
    paused: value.paused,
  };
}

function threshold(value: unknown, name: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ValidationError(`${name} must be a number or null`);
  return value;
}

function channelIds(value: unknown): string[] {
  if (!Array.isArray(value)) throw new ValidationError('channels must be an array of channel ids');
  if (value.length > MAX_MONITOR_CHANNELS)
    throw new ValidationError(`channels takes at most ${MAX_MONITOR_CHANNELS} channel ids`);
  const ids = value.map((id, index) => {
    if (typeof id !== 'string' || id === '' || id.length > MAX_CHANNEL_ID_CHARS)
      throw new ValidationError(`channels[${index}] must be a channel id`);
    return id;
  });
  if (new Set(ids).size !== ids.length) throw new ValidationError('channels names one channel twice');
  return ids;
}

/**
 * HoneyHive filters narrowed to what the rollups hold; anything else is refused naming the filter
 * and why. A stored (already narrowed) filter passes again unchanged, so a synced payload re-checks.
 */
export function rollupFilters(value: unknown): RollupFilter[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ValidationError('filters must be an array of HoneyHive filters');
  if (value.length > MAX_MONITOR_FILTERS)
    throw new ValidationError(`filters takes at most ${MAX_MONITOR_FILTERS} filters`);
  const parsed = parseFilters(
    value.map((filter) =>
      // A stored error filter has no type; the read API's parser wants one for `error`.
      isJsonObject(filter) && filter.field === 'error' && filter.type === undefined
        ? { ...filter, type: 'string' }
        : filter,
    ),
  );
  return parsed.map((filter, index): RollupFilter => {
    const where = `filters[${index}]`;
    if (filter.field === 'error') {
      if (filter.operator === 'exists' || filter.operator === 'not exists')
        return { field: 'error', operator: filter.operator };
      throw new ValidationError(
        `${where}: error takes exists or not exists in a monitor (rollups keep error or not, not its text)`,
      );
    }
    if (filter.field === 'event_name' || filter.field === 'source' || filter.field === 'model') {
      if ((filter.operator === 'is' || filter.operator === 'is not') && typeof filter.value === 'string') {
        if (filter.value.length > MAX_FILTER_VALUE_CHARS)
          throw new ValidationError(`${where}.value is longer than ${MAX_FILTER_VALUE_CHARS} characters`);
        return { field: filter.field, operator: filter.operator, value: filter.value };
      }
      throw new ValidationError(
        `${where}: ${filter.field} takes is or is not with a text value in a monitor (rollups keep whole values, so contains cannot be answered)`,
      );
    }
    throw new ValidationError(
      `${where}: a monitor cannot filter on ${JSON.stringify(filter.field).slice(0, 80)}. Monitors read per-minute rollups, which keep event_type, event_name, source, model and whether there was an error; filters on other fields would scan every event for every monitor every minute`,
    );
  });
}
