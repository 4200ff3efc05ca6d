/**
 * A backfill: one evaluator version run over the stored events of a time range that its selectors,
 * its filters and the request's own filters pick, sampled as online evaluation samples (a hash of
 * event id and evaluator id), capped before anything runs. This module reads the request body
 * (`POST /v1/backfills` and `/v1/backfills/estimate`) and builds the run's input: what the
 * workflow's steps receive, small enough for a Step Functions state (256 KiB) whatever the range.
 */
import { ValidationError } from '../../errors';
import type { Tenant } from '../../events/event';
import { isJsonObject } from '../../honeyhive/fields';
import { MAX_READ_WINDOW_DAYS } from '../../query/read-window';
import type { EventFilter } from '../../query/types';
import { parseFilters, toEpochMs } from '../../read-api/filters';
import type { EvaluatorDefinition } from '../evaluator';

/** Events a backfill scores by default at the most; the caller may lower or raise it to MAX_BACKFILL_EVENTS. */
export const DEFAULT_BACKFILL_MAX_EVENTS = 10_000;
/**
 * At most this many events in one backfill: 2,500 batches of BACKFILL_BATCH_SIZE, whose small
 * results (BatchResult, under 100 bytes each) stay far inside Step Functions' 256 KiB state when the
 * map hands them to the finalize step. A larger range is several backfills.
 */
export const MAX_BACKFILL_EVENTS = 50_000;
/** Events one map item (one invocation of the score step) evaluates. */
export const BACKFILL_BATCH_SIZE = 20;
/** Map items failing (after their retries) that a run tolerates before it fails (redrive reruns them). */
export const BACKFILL_TOLERATED_FAILURE_PERCENTAGE = 5;

/** The body of a backfill request, checked. */
export interface BackfillRequest {
  metricId: string;
  /** Inclusive range on start_time, epoch ms. */
  from: number;
  to: number;
  /** Added to the evaluator's own filters. */
  filters: EventFilter[];
  /** Default: the evaluator's own sampling percentage (the events online evaluation would pick). */
  samplingPercentage?: number;
  maxEvents: number;
  /** Refused when the estimate is above it. */
  maxCostUsd?: number;
}

/** The run's input: everything the steps need, with the evaluator version pinned. */
export interface BackfillRun extends Tenant {
  backfill_id: string;
  evaluator_id: string;
  evaluator_version: number;
  evaluator_name: string;
  from: number;
  to: number;
  /** Selectors (event type and name as filters), the evaluator's filters and the request's. */
  filters: EventFilter[];
  sampling_percentage: number;
  max_events: number;
  requested_at: number;
}

const FIELDS = new Set([
  'metric_id',
  'start_time',
  'end_time',
  'filters',
  'sampling_percentage',
  'max_events',
  'max_cost_usd',
]);

export function parseBackfillRequest(body: unknown): BackfillRequest {
  if (!isJsonObject(body)) throw new ValidationError('the body must be a JSON object');
  const unknown = Object.keys(body).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) throw new ValidationError(`unknown fields: ${unknown.join(', ')}`);
  const metricId = body.metric_id;
  if (typeof metricId !== 'string' || metricId.trim() === '' || metricId.length > 256)
    throw new ValidationError('metric_id is required: the id of the metric to run');
  const from = toEpochMs(body.start_time);
  const to = toEpochMs(body.end_time);
  if (from === undefined || to === undefined)
    throw new ValidationError('start_time and end_time are required (ISO 8601 or epoch milliseconds)');
  if (to <= from) throw new ValidationError('end_time must be after start_time');
  if (to - from > MAX_READ_WINDOW_DAYS * 86_400_000)
    throw new ValidationError(`a backfill covers at most ${MAX_READ_WINDOW_DAYS} days`);
  const samplingPercentage = optionalNumber(body.sampling_percentage, 'sampling_percentage', 0, 100);
  const maxEvents = optionalNumber(body.max_events, 'max_events', 1, MAX_BACKFILL_EVENTS);
  if (maxEvents !== undefined && !Number.isInteger(maxEvents))
    throw new ValidationError('max_events must be a whole number');
  return {
    metricId,
    from,
    to,
    filters: parseFilters(body.filters),
    samplingPercentage,
    maxEvents: maxEvents ?? DEFAULT_BACKFILL_MAX_EVENTS,
    maxCostUsd: optionalNumber(body.max_cost_usd, 'max_cost_usd', 0, Number.MAX_SAFE_INTEGER),
  };
}

function optionalNumber(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw new ValidationError(`${name} must be a number from ${min} to ${max}`);
  return value;
}

/** What a backfill of this evaluator may run: reviewers score human metrics, so no backfill does. */
export function checkBackfillable(evaluator: EvaluatorDefinition): void {
  if (evaluator.type === 'human')
    throw new ValidationError(`${evaluator.name} is a human metric: reviewers score it, not a backfill`);
}

/** The filters a run's events must match: the evaluator's selectors and filters, then the request's. */
export function backfillFilters(
  evaluator: EvaluatorDefinition,
  extra: readonly EventFilter[],
): EventFilter[] {
  const selectors: EventFilter[] = [];
  if (evaluator.eventType !== undefined)
    selectors.push({ field: 'event_type', operator: 'is', value: evaluator.eventType, type: 'string' });
  if (evaluator.eventName !== undefined)
    selectors.push({ field: 'event_name', operator: 'is', value: evaluator.eventName, type: 'string' });
  return [...selectors, ...evaluator.filters, ...extra];
}

export function backfillRun(
  tenant: Tenant,
  evaluator: EvaluatorDefinition,
  request: BackfillRequest,
  ids: { backfillId: string; now: number },
): BackfillRun {
  return {
    org_id: tenant.org_id,
    workspace_id: tenant.workspace_id,
    project_id: tenant.project_id,
    backfill_id: ids.backfillId,
    evaluator_id: evaluator.id,
    evaluator_version: evaluator.version,
    evaluator_name: evaluator.name,
    from: request.from,
    to: request.to,
    filters: backfillFilters(evaluator, request.filters),
    sampling_percentage: request.samplingPercentage ?? evaluator.samplingPercentage,
    max_events: request.maxEvents,
    requested_at: ids.now,
  };
}
