/**
 * The backfill workflow's three steps (the state machine is lambdas/backfill-steps/definition.ts):
 *
 * - prepare: lists the run's events (the read path's export, in pages, oldest first), keeps the
 *   sampled ones, refuses the run when they are more than its cap, and writes the map's item list
 *   (batches of event references) as one JSON array to the items store, where the map reads it;
 * - score: one item (a batch): each event is read, evaluated and its score published as a metrics
 *   update, as online evaluation does. An evaluator's own failure (its code raised, the judge
 *   refused) is a score with an error, not a failed item; an item fails, and is retried, then
 *   counted against the tolerated failures and rerun by a redrive, only when an event cannot be
 *   read, the sandbox failed, or the scores could not be published;
 * - finalize: sums the items' results.
 */
import { ValidationError } from '../../errors';
import type { Tenant, WaggleEvent } from '../../events/event';
import type { ObjectStore } from '../../ports';
import type { EventQueryService } from '../../query/types';
import { runWithConcurrency } from '../../run-with-concurrency';
import type { EvaluatorCatalog, ScoreRecord } from '../evaluator';
import { JUDGE_EVENT_SOURCE } from '../judge/judge-runner';
import { type EvaluateEventDeps, evaluateEvent } from '../online/evaluate-event';
import { isSampled } from '../online/select';
import { BACKFILL_BATCH_SIZE, type BackfillRun } from './request';

/** One map item: a batch of events, each `[event_id, start_time]`. */
export interface BackfillItem {
  batch: number;
  events: [string, number][];
}

export interface PreparedBackfill {
  /** The item list's key in the items store (the map's ItemReader reads it). */
  items_key: string;
  events: number;
  batches: number;
}

export interface BatchResult {
  batch: number;
  scored: number;
  errors: number;
}

export interface BackfillTotals {
  events: number;
  batches: number;
  scored: number;
  errors: number;
}

/** Rows one export page reads (the read API's largest page). */
const EXPORT_PAGE = 7_500;
/** Events of one batch evaluated at once (each may hold a Python process or a judge call). */
export const BACKFILL_BATCH_CONCURRENCY = 4;

export class BackfillCapError extends ValidationError {}

export interface PrepareDeps {
  queries: Pick<EventQueryService, 'exportEvents'>;
  items: ObjectStore;
}

/** Where item lists are written in the items store (an S3 prefix the steps function may write under). */
export const BACKFILL_ITEMS_PREFIX = 'backfills/';

export function itemsKey(run: Pick<BackfillRun, 'project_id' | 'backfill_id'>): string {
  return `${BACKFILL_ITEMS_PREFIX}${run.project_id}/${run.backfill_id}/items.json`;
}

export async function prepareBackfill(run: BackfillRun, deps: PrepareDeps): Promise<PreparedBackfill> {
  const tenant = tenantOf(run);
  const refs: [string, number][] = [];
  for (let page = 1; ; page++) {
    const result = await deps.queries.exportEvents(tenant, {
      filters: run.filters,
      dateRange: { from: run.from, to: run.to },
      projections: ['event_id', 'start_time', 'source'],
      limit: EXPORT_PAGE,
      page,
      sortBy: 'start_time',
      sortOrder: 'asc',
    });
    for (const event of result.events) {
      // A judge's own call is a model event: scoring it would call the judge again.
      if (event.source === JUDGE_EVENT_SOURCE) continue;
      if (typeof event.event_id !== 'string' || typeof event.start_time !== 'number') continue;
      if (!isSampled(event.event_id, run.evaluator_id, run.sampling_percentage)) continue;
      refs.push([event.event_id, event.start_time]);
      if (refs.length > run.max_events)
        throw new BackfillCapError(
          `backfill ${run.backfill_id} matches more than max_events (${run.max_events}) events: narrow the range or filters`,
        );
    }
    if (result.events.length < EXPORT_PAGE || page * EXPORT_PAGE >= result.totalEvents) break;
  }
  const items: BackfillItem[] = [];
  for (let start = 0; start < refs.length; start += BACKFILL_BATCH_SIZE)
    items.push({ batch: items.length, events: refs.slice(start, start + BACKFILL_BATCH_SIZE) });
  const key = itemsKey(run);
  await deps.items.put(key, new TextEncoder().encode(JSON.stringify(items)), {
    contentType: 'application/json',
  });
  return { items_key: key, events: refs.length, batches: items.length };
}

export interface ScoreBatchDeps {
  catalog: Pick<EvaluatorCatalog, 'get'>;
  queries: Pick<EventQueryService, 'getEvent'>;
  evaluate: EvaluateEventDeps;
  /** Resolves once the scores are durable (on the events queue as metrics updates). */
  saveScores(scores: ScoreRecord[]): Promise<void>;
}

export async function scoreBackfillBatch(
  run: BackfillRun,
  item: BackfillItem,
  deps: ScoreBatchDeps,
): Promise<BatchResult> {
  checkItem(item);
  const tenant = tenantOf(run);
  const evaluator = await deps.catalog.get(tenant, run.evaluator_id, run.evaluator_version);
  // The version was read when the run started; versions are immutable, so it is gone only if deleted.
  if (!evaluator) return { batch: item.batch, scored: 0, errors: 0 };
  const scores: ScoreRecord[] = [];
  await runWithConcurrency(item.events, BACKFILL_BATCH_CONCURRENCY, async ([eventId]) => {
    const event: WaggleEvent | undefined = await deps.queries.getEvent(tenant, eventId);
    if (!event) throw new Error(`event ${eventId} cannot be read`);
    scores.push(
      await evaluateEvent(evaluator, event, deps.evaluate, {
        source: `backfill:${run.backfill_id}`,
        requestId: `${run.backfill_id}-${item.batch}-${eventId}`,
      }),
    );
  });
  await deps.saveScores(scores);
  const errors = scores.filter((score) => score.status === 'error').length;
  return { batch: item.batch, scored: scores.length - errors, errors };
}

/** Sums the items' results; an entry that is not a BatchResult (a failed item's) counts nothing. */
export function finalizeBackfill(prepared: PreparedBackfill, results: readonly unknown[]): BackfillTotals {
  let scored = 0;
  let errors = 0;
  for (const result of results) {
    if (typeof result !== 'object' || result === null) continue;
    const { scored: ok, errors: failed } = result as Partial<BatchResult>;
    if (typeof ok === 'number') scored += ok;
    if (typeof failed === 'number') errors += failed;
  }
  return { events: prepared.events, batches: prepared.batches, scored, errors };
}

function checkItem(item: BackfillItem): void {
  if (
    !Number.isInteger(item?.batch) ||
    !Array.isArray(item.events) ||
    item.events.length > BACKFILL_BATCH_SIZE ||
    !item.events.every(
      (ref) => Array.isArray(ref) && typeof ref[0] === 'string' && Number.isSafeInteger(ref[1]),
    )
  )
    throw new ValidationError('a backfill item is not {batch, events: [[event_id, start_time], ...]}');
}

function tenantOf(run: BackfillRun): Tenant {
  return { org_id: run.org_id, workspace_id: run.workspace_id, project_id: run.project_id };
}
