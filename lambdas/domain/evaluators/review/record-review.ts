/**
 * A reviewer's score of a human metric (`POST /v1/metrics/{metric_id}/reviews`): checked against the
 * metric (it must be a human metric; the value is converted to its return type as any score is,
 * and its threshold or pass_when applied), then written the way every score is: a metrics update of
 * the event (`metrics["<name>"] = value`), with who reviewed when under `feedback["<name>"]` (what
 * the entry held before, a queue marker say, is kept), and a score record for the scores table whose
 * source is `review:<reviewer>`, whose explanation is the comment and whose version is the metric's.
 */
import { NotFoundError, ValidationError } from '../../errors';
import type { EventRecord, JsonObject, Tenant, WaggleEvent } from '../../events/event';
import { isJsonObject } from '../../honeyhive/fields';
import { versionClock } from '../../ingest/version-clock';
import { DEFAULT_CODE_LIMITS } from '../code-limits';
import type { EvaluatorCatalog, ScoreRecord } from '../evaluator';
import { convertScore, withPassed } from '../score';

const MAX_COMMENT_CHARS = 4_000;
const MAX_LABEL_CHARS = 200;

export interface Reviewer {
  /** Who, as the credential says: a console user's id, or an API key. */
  id: string;
  /** How the console names them (an email), when it says. */
  label?: string;
}

export interface RecordReviewDeps {
  catalog: Pick<EvaluatorCatalog, 'get'>;
  readEvent(tenant: Tenant, eventId: string): Promise<WaggleEvent | undefined>;
  /** Puts the update and the score record on the events queue; resolves once they are there. */
  publish(records: EventRecord[]): Promise<void>;
  /** Epoch ms, and the update's version (epoch µs, as intake stamps them). */
  clock?: () => number;
  newId?: () => string;
}

/** One clock per process, so two reviews in the same millisecond still get distinct versions. */
const nextVersion = versionClock();

const FIELDS = new Set(['event_id', 'value', 'comment', 'reviewer_label']);

export async function recordReview(
  tenant: Tenant,
  metricId: string,
  body: unknown,
  reviewer: Reviewer,
  deps: RecordReviewDeps,
): Promise<ScoreRecord> {
  if (!isJsonObject(body)) throw new ValidationError('the body must be a JSON object');
  const unknown = Object.keys(body).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) throw new ValidationError(`unknown fields: ${unknown.join(', ')}`);
  const eventId = body.event_id;
  if (typeof eventId !== 'string' || eventId === '' || eventId.length > 256)
    throw new ValidationError('event_id is required');
  const comment = optionalText(body.comment, 'comment', MAX_COMMENT_CHARS);
  const label = optionalText(body.reviewer_label, 'reviewer_label', MAX_LABEL_CHARS) ?? reviewer.label;

  const metric = await deps.catalog.get(tenant, metricId);
  if (!metric) throw new NotFoundError(`no metric ${metricId.slice(0, 80)} in this project`);
  if (metric.type !== 'human')
    throw new ValidationError(`${metric.name} is a ${metric.type} metric: only human metrics take reviews`);
  const converted = convertScore(body.value, metric.returnType, DEFAULT_CODE_LIMITS.valueChars);
  if (!converted.ok) throw new ValidationError(`value: ${converted.problem}`);
  const event = await deps.readEvent(tenant, eventId);
  if (!event) throw new NotFoundError(`no event ${eventId.slice(0, 80)} in this project`);

  const now = (deps.clock ?? Date.now)();
  const outcome = withPassed({ status: 'ok', value: converted.value, durationMs: 0 }, metric);
  const passed = outcome.status === 'ok' ? (outcome.passed ?? null) : null;
  const score: ScoreRecord = {
    org_id: tenant.org_id,
    workspace_id: tenant.workspace_id,
    project_id: tenant.project_id,
    score_id: deps.newId?.() ?? crypto.randomUUID(),
    event_id: event.event_id,
    session_id: event.session_id,
    event_start_time: event.start_time,
    evaluator_id: metric.id,
    evaluator_name: metric.name,
    evaluator_version: metric.version,
    value: converted.value,
    passed,
    explanation: comment ?? null,
    cost: null,
    judge_event_id: null,
    status: 'ok',
    error: null,
    source: `review:${reviewer.id}`,
    scored_at: now,
  };
  // What the entry held stays (a queue marker); a plain value there is kept as `value`.
  const held = event.feedback[metric.name];
  const before: JsonObject = isJsonObject(held) ? held : held === undefined ? {} : { value: held };
  const feedback: JsonObject = {
    ...before,
    reviewed_by: label ?? reviewer.id,
    reviewer_id: reviewer.id,
    reviewed_at: new Date(now).toISOString(),
    ...(comment !== undefined && { comment }),
  };
  await deps.publish([
    {
      kind: 'update',
      update: {
        ...tenant,
        event_id: event.event_id,
        // Epoch microseconds, as intake versions an update: a later review of the same event wins.
        version: nextVersion(now),
        ingested_at: now,
        patch: { metrics: { [metric.name]: converted.value }, feedback: { [metric.name]: feedback } },
      },
    },
    { kind: 'score', score },
  ]);
  return score;
}

function optionalText(value: unknown, name: string, maxChars: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ValidationError(`${name} must be a string`);
  const text = value.trim();
  if (text.length > maxChars) throw new ValidationError(`${name} is longer than ${maxChars} characters`);
  return text === '' ? undefined : text;
}
