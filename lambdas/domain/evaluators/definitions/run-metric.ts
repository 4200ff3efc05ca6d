/**
 * HoneyHive's `POST /metrics/run_metric`: one metric run once on one event, and its score answered,
 * nothing stored. The metric is a definition in the body (`metric`, read like a new metric) or, a
 * Waggle extension, a stored one (`metric_id`, its latest synced version); the event is a payload in
 * the body (`event`) or, also Waggle's, an event of the project read through the read path
 * (`event_id`). The run is one evaluation as online evaluation makes it (../online/evaluate-event.ts):
 * Python metrics in the sandbox, judges through the provider layer, composites over their stored
 * children. The metric's own failures (its code raised, its judge gave no rating) are answered as an
 * error score; a sandbox that failed is UnavailableError (retry), and what cannot run here (a human
 * metric, a judge where no provider layer is wired) a ValidationError saying so.
 */

import { NotFoundError, UnavailableError, ValidationError } from '../../errors';
import {
  EVENT_TYPES,
  type EventType,
  type JsonObject,
  plainEvent,
  type Tenant,
  type WaggleEvent,
} from '../../events/event';
import type { ObjectStore } from '../../ports';
import type { EventQueryService } from '../../query/types';
import { eventWithFullPayloads } from '../../read-api/full-payloads';
import {
  type CodeMetricRunner,
  EVALUATION_INPUT_SECTIONS,
  type EvaluatorDefinition,
  type JudgeRunner,
  type ScoreRecord,
} from '../evaluator';
import { evaluateEvent, RetryableEvaluationError } from '../online/evaluate-event';
import type { SyncedEvaluatorCatalog } from './catalog';
import { newMetricContent, readMetricPatch } from './metric-input';

/**
 * A run's request body at most: the event travels to the sandbox with the code, which takes 4 MiB
 * (DEFAULT_CODE_LIMITS.inputBytes), within Lambda's 6 MB synchronous payload for the executor; the
 * body itself arrives within the same 6 MB limit of the function serving the route.
 */
export const RUN_METRIC_BODY_LIMITS = {
  maxBodyBytes: 4 * 1024 * 1024,
  maxDecompressedBytes: 4 * 1024 * 1024,
};

const BODY_FIELDS = ['metric', 'metric_id', 'event', 'event_id', 'ground_truth'];

/**
 * Bytes of full inputs/outputs put back into an event read for a run (those kept beside its row):
 * the event goes to the sandbox with the code, within DEFAULT_CODE_LIMITS.inputBytes (4 MiB).
 */
const FULL_PAYLOAD_BYTES = 3 * 1024 * 1024;

/** An event of the project as the read API returns it (newest version, full payloads put back). */
export function runEventReader(
  queries: Pick<EventQueryService, 'getEvent'>,
  payloadStore?: ObjectStore,
): RunMetricDeps['readEvent'] {
  return async (tenant, eventId) => {
    const event = await queries.getEvent(tenant, eventId);
    if (!event || !payloadStore) return event;
    return eventWithFullPayloads(event, payloadStore, tenant, { maxAddedBytes: FULL_PAYLOAD_BYTES });
  };
}

export interface RunMetricDeps {
  catalog: SyncedEvaluatorCatalog;
  /** An event of the project as reads return it (newest version), or undefined. */
  readEvent(tenant: Tenant, eventId: string): Promise<WaggleEvent | undefined>;
  code: CodeMetricRunner;
  /** Absent where no provider layer is wired: model metrics are then refused. */
  judge?: JudgeRunner;
  clock?: () => number;
  newId?: () => string;
}

export interface RunMetricResult {
  metric: { id?: string; name: string; type: string; return_type: string; version?: number };
  event_id: string;
  status: 'ok' | 'error';
  /** The value, of the metric's return type; null when it failed. */
  score: ScoreRecord['value'];
  passed: boolean | null;
  explanation: string | null;
  /** `<kind>: <message>` when it failed (code-error, invalid-return, timeout, judge-error...). */
  error: string | null;
  cost: number | null;
  judge_event_id: string | null;
}

export async function runMetric(
  tenant: Tenant,
  body: Record<string, unknown>,
  deps: RunMetricDeps,
  requestId: string,
): Promise<RunMetricResult> {
  for (const key of Object.keys(body))
    if (!BODY_FIELDS.includes(key)) throw new ValidationError(`unknown field "${key}"`);
  const metric = await metricOf(tenant, body, deps);
  if (metric.type === 'human')
    throw new ValidationError('a human metric is scored by reviewers; there is nothing to run');
  if (!deps.judge && usesJudge(metric))
    throw new ValidationError(
      'LLM judges (model metrics) cannot run on this data plane: no judge runner is configured here',
    );
  const { event, groundTruth } = await eventOf(tenant, body, deps);
  let score: ScoreRecord;
  try {
    score = await evaluateEvent(
      metric,
      event,
      {
        code: deps.code,
        ...(deps.judge && { judge: deps.judge }),
        child: (_parent, reference) => deps.catalog.child(tenant, reference),
        ...(deps.clock && { clock: deps.clock }),
        ...(deps.newId && { newId: deps.newId }),
      },
      { source: 'run_metric', requestId, ...(groundTruth !== undefined && { groundTruth }) },
    );
  } catch (error) {
    if (error instanceof RetryableEvaluationError)
      throw new UnavailableError(`The metric sandbox failed (not the metric): ${error.message}; try again`);
    throw error;
  }
  return {
    metric: {
      ...(metric.id !== '' && { id: metric.id, version: metric.version }),
      name: metric.name,
      type: metric.type,
      return_type: metric.returnType,
    },
    event_id: score.event_id,
    status: score.status,
    score: score.value,
    passed: score.passed,
    explanation: score.explanation,
    error: score.error,
    cost: score.cost,
    judge_event_id: score.judge_event_id,
  };
}

function usesJudge(metric: EvaluatorDefinition): boolean {
  return metric.type === 'model';
}

async function metricOf(
  tenant: Tenant,
  body: Record<string, unknown>,
  deps: RunMetricDeps,
): Promise<EvaluatorDefinition> {
  const { metric, metric_id: metricId } = body;
  if ((metric === undefined) === (metricId === undefined))
    throw new ValidationError('give either metric (a definition) or metric_id (a stored metric)');
  if (metricId !== undefined) {
    if (typeof metricId !== 'string' || metricId.trim() === '')
      throw new ValidationError('metric_id must be a non-empty string');
    const stored = await deps.catalog.get(tenant, metricId.trim());
    if (!stored) throw new NotFoundError(`No metric ${metricId} in this project`);
    return stored;
  }
  if (typeof metric !== 'object' || metric === null || Array.isArray(metric))
    throw new ValidationError('metric must be a JSON object');
  const { task: _task, project: _project, ...definition } = metric as Record<string, unknown>;
  const content = newMetricContent(readMetricPatch(checkedFields(definition)));
  const now = (deps.clock ?? Date.now)();
  // Not stored: no id, and the version it would have as a new metric.
  return { ...content, id: '', projectId: tenant.project_id, version: 1, createdAt: now, updatedAt: now };
}

/** The fields of a metric to run: those of a new metric (readMetricPatch reads them). */
function checkedFields(definition: Record<string, unknown>): Record<string, unknown> {
  if (definition._id !== undefined || definition.id !== undefined)
    throw new ValidationError('to run a stored metric, give metric_id instead of metric');
  return definition;
}

async function eventOf(
  tenant: Tenant,
  body: Record<string, unknown>,
  deps: RunMetricDeps,
): Promise<{ event: WaggleEvent; groundTruth?: unknown }> {
  const { event, event_id: eventId } = body;
  if ((event === undefined) === (eventId === undefined))
    throw new ValidationError('give either event (the event itself) or event_id (an event of the project)');
  let groundTruth = body.ground_truth;
  if (eventId !== undefined) {
    if (typeof eventId !== 'string' || eventId.trim() === '')
      throw new ValidationError('event_id must be a non-empty string');
    const stored = await deps.readEvent(tenant, eventId.trim());
    if (!stored) throw new NotFoundError(`No event ${eventId} in this project (it may not be written yet)`);
    return { event: stored, ...(groundTruth !== undefined && { groundTruth }) };
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw new ValidationError('event must be a JSON object');
  const given = event as Record<string, unknown>;
  if (given.ground_truth !== undefined) {
    if (groundTruth !== undefined)
      throw new ValidationError('ground_truth is given twice (in event and beside it)');
    groundTruth = given.ground_truth;
  }
  return { event: eventFromPayload(tenant, given), ...(groundTruth !== undefined && { groundTruth }) };
}

/**
 * An event given in the body, with what a stored event would hold: its sections (objects), its type,
 * name, ids, model and provider. Other fields of an exported event are accepted and not used.
 */
export function eventFromPayload(tenant: Tenant, given: Record<string, unknown>): WaggleEvent {
  const sections = {} as Record<(typeof EVALUATION_INPUT_SECTIONS)[number], JsonObject>;
  for (const section of EVALUATION_INPUT_SECTIONS) {
    const value = given[section];
    if (value === undefined || value === null) sections[section] = {};
    else if (typeof value !== 'object' || Array.isArray(value))
      throw new ValidationError(`event.${section} must be a JSON object`);
    else sections[section] = value as JsonObject;
  }
  const eventType = given.event_type ?? 'model';
  if (!(EVENT_TYPES as readonly unknown[]).includes(eventType))
    throw new ValidationError(`event.event_type must be one of ${EVENT_TYPES.join(', ')}`);
  const text = (field: string, fallback: string | null): string | null => {
    const value = given[field];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string') throw new ValidationError(`event.${field} must be a string`);
    return value;
  };
  const eventId = text('event_id', 'run_metric') as string;
  return plainEvent(tenant, {
    event_id: eventId,
    version: 0,
    session_id: text('session_id', eventId) as string,
    event_type: eventType as EventType,
    event_name: text('event_name', '') as string,
    source: 'run_metric',
    start_time: 0,
    end_time: 0,
    duration: 0,
    model: text('model', null),
    provider: text('provider', null),
    ...sections,
    ingested_at: 0,
  });
}
