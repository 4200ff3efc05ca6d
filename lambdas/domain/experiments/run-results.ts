/**
 * `GET /runs/{run_id}/result` and `GET /runs/{new_run_id}/compare-with/{old_run_id}`: the run from the
 * datasets table, its events from the event store (query/run-events.ts), the result or comparison
 * computed here (results.ts, compare.ts). `project_id` in the query, when sent, must be the key's.
 */
import { checkCallerProject, type DatasetCaller } from '../datasets/caller';
import { TooLargeError, ValidationError } from '../errors';
import type { RunEventsReader } from '../query/run-events';
import type { ReadContext } from '../query/types';
import { RESPONSE_BODY_BUDGET_BYTES, responseCost } from '../read-api/response-budget';
import { type AggregateFunction, parseAggregateFunction } from './aggregate';
import { compareRuns } from './compare';
import { experimentResult } from './results';
import { findRun, type RunRecord, type RunStore } from './runs';

export interface RunResultQuery {
  aggregate_function?: string;
  project_id?: string;
  /** HoneyHive's `filters` are not applied yet; a request that sends them is refused rather than answered unfiltered. */
  filters?: string;
}

/** A run as HoneyHive's ExperimentRunObject (`run_object`, `old_run`, `new_run`); no nulls where the client wants strings. */
export function runObject(run: RunRecord, projectName: string) {
  return {
    id: run.run_id,
    _id: run.run_id,
    run_id: run.run_id,
    project: projectName,
    name: run.name,
    status: run.status,
    metadata: run.metadata,
    results: {},
    event_ids: run.event_ids,
    session_ids: run.event_ids,
    datapoint_ids: run.datapoint_ids,
    configuration: run.configuration,
    is_active: true,
    created_at: new Date(run.created_at).toISOString(),
    updated_at: new Date(run.updated_at).toISOString(),
    scope_type: 'project',
    scope_id: run.project_id,
    ...(run.dataset_id === null ? {} : { dataset_id: run.dataset_id }),
    ...(run.dataset_version == null ? {} : { dataset_version: run.dataset_version }),
  };
}

export function createRunResultService(deps: {
  runs: Pick<RunStore, 'getRun'>;
  readRunEvents: RunEventsReader;
}) {
  const runOf = (caller: DatasetCaller, runId: string) => findRun(deps.runs, caller, runId);

  function checked(caller: DatasetCaller, query: RunResultQuery): AggregateFunction {
    checkCallerProject(caller, query.project_id, 'project_id');
    if (query.filters !== undefined && query.filters !== '' && query.filters !== '[]')
      throw new ValidationError('filters are not supported on run results yet; send none');
    return parseAggregateFunction(query.aggregate_function);
  }

  async function resultOf(
    caller: DatasetCaller,
    run: RunRecord,
    fn: AggregateFunction,
    context?: ReadContext,
  ) {
    return experimentResult(run, await deps.readRunEvents(caller.tenant, run, context), fn);
  }

  return {
    async result(caller: DatasetCaller, runId: string, query: RunResultQuery, context?: ReadContext) {
      const fn = checked(caller, query);
      const run = await runOf(caller, runId);
      const result = await resultOf(caller, run, fn, context);
      return withinResponseBudget({ ...result, run_object: runObject(run, caller.projectName) });
    },

    async compare(
      caller: DatasetCaller,
      newRunId: string,
      oldRunId: string,
      query: RunResultQuery,
      context?: ReadContext,
    ) {
      const fn = checked(caller, query);
      const [newer, older] = await Promise.all([runOf(caller, newRunId), runOf(caller, oldRunId)]);
      const [newResult, oldResult] = await Promise.all([
        resultOf(caller, newer, fn, context),
        resultOf(caller, older, fn, context),
      ]);
      return {
        ...compareRuns(newResult, oldResult),
        truncated: newResult.truncated || oldResult.truncated,
        old_run: runObject(older, caller.projectName),
        new_run: runObject(newer, caller.projectName),
      };
    },
  };
}

/**
 * The result as it fits in Lambda's 6 MB response (response-budget.ts): whole when it does; else
 * without the sessions' inputs and outputs (`payloads_omitted`), which the session read still gives;
 * a run too large even then is refused, naming the limit.
 */
export function withinResponseBudget<T extends { datapoints: { inputs: unknown; outputs: unknown }[] }>(
  result: T,
): T & { payloads_omitted: boolean } {
  const whole = { ...result, payloads_omitted: false };
  if (responseCost(JSON.stringify(whole)) <= RESPONSE_BODY_BUDGET_BYTES) return whole;
  const lean = {
    ...result,
    datapoints: result.datapoints.map((datapoint) => ({ ...datapoint, inputs: {}, outputs: {} })),
    payloads_omitted: true,
  };
  if (responseCost(JSON.stringify(lean)) <= RESPONSE_BODY_BUDGET_BYTES) return lean;
  throw new TooLargeError(
    `the run's result is larger than a response may be (Lambda answers at most 6 MB); split the run into smaller ones`,
  );
}

export type RunResultService = ReturnType<typeof createRunResultService>;
