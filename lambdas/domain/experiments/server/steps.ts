/**
 * The experiment workflow's three steps (the state machine is lambdas/experiment-steps/definition.ts):
 *
 * - prepare: reads the run's datapoint ids (recorded on the run when it started) and writes the
 *   map's item list (batches of EXPERIMENT_BATCH_SIZE ids) as one JSON array to the items store;
 * - run: one item (a batch): each datapoint not already done is run against the run's target
 *   (datapoint-target.ts) and traced as a session of the run, whose id is the same whenever the
 *   datapoint runs again (a rerun's session replaces the earlier one, as a newer version); which
 *   datapoints are done is kept beside the item list, so a retry or a redrive of the batch runs only
 *   the rest. A datapoint whose target refused it (a 4xx, a template variable missing) is done, its
 *   session carrying the error; one whose call failed transiently (a provider down, a timeout) fails
 *   the item, which Step Functions retries, then counts against the tolerance, then a redrive reruns;
 *   a throttled call fails it as ExperimentThrottled, retried longer with full jitter;
 *   The run's metrics score each session as soon as it is built (the session is in hand: no read of
 *   the event store), their scores published as metrics updates as online evaluation publishes them;
 *   online evaluation leaves those metrics to the run (the session's metadata names them);
 * - finalize: reads what each batch did, and marks the run completed with its session ids and counts.
 */

import type { DatapointRecord } from '../../datasets/model';
import type { DatasetStore } from '../../datasets/ports';
import { ValidationError } from '../../errors';
import type { EvaluatorCatalog, EvaluatorDefinition, ScoreRecord } from '../../evaluators/evaluator';
import {
  type EvaluateEventDeps,
  evaluateEvent,
  RetryableEvaluationError,
} from '../../evaluators/online/evaluate-event';
import { RUN_METRICS_KEY } from '../../evaluators/online/select';
import type { EventRecord, JsonObject, Tenant } from '../../events/event';
import { buildEvent } from '../../honeyhive/build-event';
import type { ObjectStore } from '../../ports';
import { runWithConcurrency } from '../../run-with-concurrency';
import type { RunRecord, RunStore } from '../runs';
import type { DatapointTarget } from './datapoint-target';
import { EXPERIMENT_BATCH_CONCURRENCY, EXPERIMENT_BATCH_SIZE, type ExperimentRun } from './request';
import { experimentSessionId } from './session-id';

/** The `source` of an experiment's sessions and model events. */
export const EXPERIMENT_EVENT_SOURCE = 'waggle-experiment';
/** Where item lists, endpoint headers and batch records are written in the items store. */
export const EXPERIMENT_ITEMS_PREFIX = 'experiments/';

/** One map item: a batch of datapoint ids. */
export interface ExperimentItem {
  batch: number;
  datapoints: string[];
}

export interface PreparedExperiment {
  items_key: string;
  datapoints: number;
  batches: number;
}

export interface ExperimentBatchResult {
  batch: number;
  /** Datapoints whose target answered. */
  succeeded: number;
  /** Datapoints whose target refused them: done, their session carries the error. */
  errored: number;
}

export interface ExperimentCounts {
  datapoints: number;
  batches: number;
  succeeded: number;
  errored: number;
  /** Datapoints that never got an answer (their batch failed past its retries); their sessions say why. */
  failed: number;
}

/**
 * What a batch did to each of its datapoints: its session, and whether the target answered (`ok`),
 * refused (`error`: done too) or failed transiently (`failed`: run again by a retry or a redrive).
 */
type BatchRecord = Record<string, { session_id: string; status: 'ok' | 'error' | 'failed' }>;

/** A call the run may retry later (a provider down, a timeout): the datapoint is not done. */
export class TransientDatapointError extends Error {
  override readonly name = 'TransientDatapointError';
}

/** The project's rate limit refused a call: Step Functions retries the item with full jitter. */
export class ExperimentThrottledError extends Error {
  override readonly name = 'ExperimentThrottled';
}

export function experimentPrefix(run: Pick<ExperimentRun, 'project_id' | 'run_id'>): string {
  return `${EXPERIMENT_ITEMS_PREFIX}${run.project_id}/${run.run_id}/`;
}
export const itemsKeyOf = (run: Pick<ExperimentRun, 'project_id' | 'run_id'>) =>
  `${experimentPrefix(run)}items.json`;
export const headersKeyOf = (run: Pick<ExperimentRun, 'project_id' | 'run_id'>) =>
  `${experimentPrefix(run)}endpoint-headers.json`;
const batchKeyOf = (run: ExperimentRun, batch: number) => `${experimentPrefix(run)}batches/${batch}.json`;

export interface ExperimentStepDeps {
  runs: Pick<RunStore, 'getRun' | 'putRun'>;
  datapoints: Pick<DatasetStore, 'getDatapoints'>;
  items: ObjectStore;
  target: DatapointTarget;
  /** Puts records on the events queue (the path every ingested event takes); resolves once queued. */
  publish(records: EventRecord[], requestId: string): Promise<void>;
  /** The run's metrics: their definitions, runners, and where scores go (online evaluation's). */
  metrics?: {
    catalog: Pick<EvaluatorCatalog, 'get'>;
    evaluate: EvaluateEventDeps;
    /** Resolves once the scores are durable (on the events queue as metrics updates). */
    saveScores(scores: ScoreRecord[]): Promise<void>;
  };
  clock?: () => number;
}

export async function prepareExperiment(
  run: ExperimentRun,
  deps: Pick<ExperimentStepDeps, 'runs' | 'items'>,
): Promise<PreparedExperiment> {
  const record = await runRecordOf(run, deps.runs);
  const items: ExperimentItem[] = [];
  for (let start = 0; start < record.datapoint_ids.length; start += EXPERIMENT_BATCH_SIZE)
    items.push({
      batch: items.length,
      datapoints: record.datapoint_ids.slice(start, start + EXPERIMENT_BATCH_SIZE),
    });
  const key = itemsKeyOf(run);
  await putJson(deps.items, key, items);
  return { items_key: key, datapoints: record.datapoint_ids.length, batches: items.length };
}

export async function runExperimentBatch(
  run: ExperimentRun,
  item: ExperimentItem,
  deps: ExperimentStepDeps,
): Promise<ExperimentBatchResult> {
  checkItem(item);
  const clock = deps.clock ?? Date.now;
  const done: BatchRecord = (await getJson<BatchRecord>(deps.items, batchKeyOf(run, item.batch))) ?? {};
  const pending = item.datapoints.filter((id) => done[id] === undefined || done[id].status === 'failed');
  const found = new Map(
    (await deps.datapoints.getDatapoints(run.project_id, pending)).map((datapoint) => [
      datapoint.id,
      datapoint,
    ]),
  );
  const failures: Error[] = [];
  const scores: ScoreRecord[] = [];
  const metrics = await metricsOf(run, deps);
  let version = clock() * 1000;
  await runWithConcurrency(pending, EXPERIMENT_BATCH_CONCURRENCY, async (datapointId) => {
    const sessionId = experimentSessionId(run.run_id, datapointId);
    const datapoint = found.get(datapointId);
    const startedAt = clock();
    let outputs: JsonObject = {};
    let error: string | undefined;
    let transient: Error | undefined;
    if (!datapoint) error = `datapoint ${datapointId} no longer exists`;
    else
      try {
        const answer = await deps.target.call({ run, datapoint, sessionId });
        outputs = answer.outputs;
        error = answer.error;
      } catch (failure) {
        if (!(failure instanceof TransientDatapointError || failure instanceof ExperimentThrottledError))
          throw failure;
        transient = failure;
        error = failure.message;
      }
    version = Math.max(version + 1, clock() * 1000);
    const session = sessionEvent(run, datapointId, datapoint, {
      sessionId,
      outputs,
      error,
      startedAt,
      endedAt: clock(),
      version,
    });
    await deps.publish([{ kind: 'event', event: session }], `${run.run_id}-${item.batch}-${datapointId}`);
    if (!transient && datapoint && deps.metrics)
      try {
        for (const metric of metrics)
          scores.push(
            await evaluateEvent(metric, session, deps.metrics.evaluate, {
              source: `experiment:${run.run_id}`,
              requestId: `${run.run_id}-${datapointId}-${metric.id}`,
              ...(Object.keys(datapoint.ground_truth).length > 0 && { groundTruth: datapoint.ground_truth }),
            }),
          );
      } catch (failure) {
        // The sandbox failed (not the metric's code): the datapoint runs again with its batch.
        if (!(failure instanceof RetryableEvaluationError)) throw failure;
        transient = new TransientDatapointError(failure.message);
      }
    if (transient) failures.push(transient);
    done[datapointId] = {
      session_id: sessionId,
      status: transient ? 'failed' : error === undefined ? 'ok' : 'error',
    };
  });
  if (scores.length > 0) await deps.metrics?.saveScores(scores);
  await putJson(deps.items, batchKeyOf(run, item.batch), done);
  if (failures.some((failure) => failure instanceof ExperimentThrottledError))
    throw new ExperimentThrottledError(`batch ${item.batch}: the project's rate limit refused calls`);
  if (failures.length > 0)
    throw new TransientDatapointError(
      `batch ${item.batch}: ${failures.length} of ${item.datapoints.length} datapoints failed: ${failures[0]?.message ?? ''}`.slice(
        0,
        1_000,
      ),
    );
  const statuses = item.datapoints.map((id) => done[id]?.status);
  return {
    batch: item.batch,
    succeeded: statuses.filter((status) => status === 'ok').length,
    errored: statuses.filter((status) => status === 'error').length,
  };
}

/** Concurrent reads of the batch records when the run finalizes. */
const FINALIZE_READS = 16;

export async function finalizeExperiment(
  run: ExperimentRun,
  prepared: PreparedExperiment,
  deps: Pick<ExperimentStepDeps, 'runs' | 'items' | 'clock'>,
): Promise<ExperimentCounts> {
  const batches = Array.from({ length: prepared.batches }, (_, batch) => batch);
  const records: BatchRecord[] = [];
  await runWithConcurrency(batches, FINALIZE_READS, async (batch) => {
    records[batch] = (await getJson<BatchRecord>(deps.items, batchKeyOf(run, batch))) ?? {};
  });
  const entries = records.flatMap((record) => Object.values(record ?? {}));
  const counts: ExperimentCounts = {
    datapoints: prepared.datapoints,
    batches: prepared.batches,
    succeeded: entries.filter((entry) => entry.status === 'ok').length,
    errored: entries.filter((entry) => entry.status === 'error').length,
    // Failed transiently, or never run (their batch failed before any session was queued).
    failed: prepared.datapoints - entries.filter((entry) => entry.status !== 'failed').length,
  };
  await settleRun(run, deps, {
    status: 'completed',
    event_ids: entries.map((entry) => entry.session_id),
    counts,
  });
  return counts;
}

/** Records the run's end (or a failed execution's) on its record; the client's own metadata is kept beside. */
export async function settleRun(
  run: ExperimentRun,
  deps: Pick<ExperimentStepDeps, 'runs' | 'clock'>,
  end: { status: RunRecord['status']; event_ids?: string[]; counts?: ExperimentCounts },
): Promise<void> {
  const record = await runRecordOf(run, deps.runs);
  const server = isObject(record.metadata.server_side) ? record.metadata.server_side : {};
  await deps.runs.putRun({
    ...record,
    status: end.status,
    ...(end.event_ids && { event_ids: end.event_ids }),
    metadata: {
      ...record.metadata,
      server_side: { ...server, ...(end.counts && { counts: { ...end.counts } }) },
    },
    updated_at: (deps.clock ?? Date.now)(),
  });
}

function sessionEvent(
  run: ExperimentRun,
  datapointId: string,
  datapoint: DatapointRecord | undefined,
  call: {
    sessionId: string;
    outputs: JsonObject;
    error: string | undefined;
    startedAt: number;
    endedAt: number;
    version: number;
  },
) {
  const tenant: Tenant = { org_id: run.org_id, workspace_id: run.workspace_id, project_id: run.project_id };
  const groundTruth = datapoint?.ground_truth ?? {};
  return buildEvent(
    {
      event_type: 'session',
      event_id: call.sessionId,
      session_id: call.sessionId,
      event_name: run.name,
      source: EXPERIMENT_EVENT_SOURCE,
      start_time: call.startedAt,
      end_time: call.endedAt,
      inputs: datapoint?.inputs ?? {},
      outputs: call.outputs,
      // HoneyHive's evaluate() keeps a datapoint's ground truth in its session's feedback.
      ...(Object.keys(groundTruth).length > 0 && { feedback: { ground_truth: groundTruth } }),
      metadata: {
        run_id: run.run_id,
        dataset_id: run.dataset_id,
        datapoint_id: datapointId,
        ...(run.metrics.length > 0 && { [RUN_METRICS_KEY]: run.metrics.map((metric) => metric.id) }),
      },
      config: targetConfig(run),
      ...(call.error !== undefined && { error: call.error }),
    },
    '',
    {
      tenant,
      projectName: run.project_name,
      ingestedAt: call.endedAt,
      version: call.version,
      newId: () => crypto.randomUUID(),
    },
  );
}

/** The run's metrics at their pinned versions; one deleted since the run started is left out. */
async function metricsOf(run: ExperimentRun, deps: ExperimentStepDeps): Promise<EvaluatorDefinition[]> {
  if (!deps.metrics) return [];
  const tenant: Tenant = { org_id: run.org_id, workspace_id: run.workspace_id, project_id: run.project_id };
  const found: EvaluatorDefinition[] = [];
  for (const { id, version } of run.metrics) {
    const metric = await deps.metrics.catalog.get(tenant, id, version);
    if (metric) found.push(metric);
  }
  return found;
}

function targetConfig(run: ExperimentRun): JsonObject {
  return run.target.type === 'configuration'
    ? {
        configuration_id: run.target.configuration_id,
        configuration_name: run.target.configuration_name,
        configuration_version: run.target.configuration_version,
      }
    : { endpoint: run.target.url };
}

async function runRecordOf(run: ExperimentRun, runs: Pick<RunStore, 'getRun'>): Promise<RunRecord> {
  const record = await runs.getRun(run.project_id, run.run_id);
  // The run was deleted while the workflow ran: nothing is left to record results on.
  if (!record) throw new ValidationError(`run ${run.run_id} no longer exists`);
  return record;
}

function checkItem(item: ExperimentItem): void {
  if (
    !Number.isInteger(item?.batch) ||
    !Array.isArray(item.datapoints) ||
    item.datapoints.length > EXPERIMENT_BATCH_SIZE ||
    !item.datapoints.every((id) => typeof id === 'string' && id !== '')
  )
    throw new ValidationError('an experiment item is not {batch, datapoints: [datapoint_id, ...]}');
}

async function putJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await store.put(key, new TextEncoder().encode(JSON.stringify(value)), { contentType: 'application/json' });
}

export async function getJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  const bytes = await store.get(key);
  return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as T) : undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
