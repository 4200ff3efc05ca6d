/**
 * Turns a result row of the event columns back into the event model: JSON text sections parsed,
 * numbers as numbers. Engines already return integers as numbers when safe.
 */
import { type EventType, emptySections, type JsonObject } from '../events/event';
import { JSON_SECTIONS } from './fields';
import type { StoredEvent } from './types';

export function rowToStoredEvent(row: Record<string, unknown>): StoredEvent {
  const event = {
    event_id: text(row.event_id) ?? '',
    version: number(row.version) ?? 0,
    org_id: text(row.org_id) ?? '',
    workspace_id: text(row.workspace_id) ?? '',
    project_id: text(row.project_id) ?? '',
    session_id: text(row.session_id) ?? '',
    parent_id: text(row.parent_id),
    children_ids: stringArray(row.children_ids),
    trace_id: text(row.trace_id),
    span_id: text(row.span_id),
    event_type: (text(row.event_type) ?? 'chain') as EventType,
    event_name: text(row.event_name) ?? '',
    source: text(row.source) ?? '',
    start_time: number(row.start_time) ?? 0,
    end_time: number(row.end_time) ?? 0,
    duration: number(row.duration) ?? 0,
    model: text(row.model),
    provider: text(row.provider),
    prompt_tokens: number(row.prompt_tokens),
    completion_tokens: number(row.completion_tokens),
    total_tokens: number(row.total_tokens),
    cost: number(row.cost),
    error: text(row.error),
    ...emptySections(),
    inputs_ref: text(row.inputs_ref),
    outputs_ref: text(row.outputs_ref),
    ingested_at: number(row.ingested_at) ?? 0,
    deleted: row.deleted === true,
  } satisfies StoredEvent;
  for (const section of JSON_SECTIONS) event[section] = jsonObject(row[section]);
  return event;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : value === null || value === undefined ? null : String(value);
}

/** A numeric result value (engines return numbers, bigints or, from Athena, text) as a number; null otherwise. */
export function number(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

export function jsonObject(value: unknown): JsonObject {
  const parsed = parseJson(value);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as JsonObject)
    : {};
}

export function stringArray(value: unknown): string[] {
  const parsed = parseJson(value);
  return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    // A malformed section reads as empty rather than failing the whole page.
    return undefined;
  }
}
