/**
 * Backfills on the local platform: the backfill workflow's own definition
 * (lambdas/backfill-steps/definition.ts) run by the local workflow runner (workflow-runner.ts, shared
 * with server-side experiments), which rewrites its Distributed Map for the ASL interpreter and
 * redrives only the failed batches. This module adds the backfill's view: runs by backfill id, seen
 * only from their own project.
 */
import type { BackfillSteps } from '../backfill-steps/app';
import { backfillDefinition } from '../backfill-steps/definition';
import { ConflictError } from '../domain/errors';
import type { BackfillRun } from '../domain/evaluators/backfill/request';
import {
  type BackfillRunner,
  type BackfillState,
  backfillState,
  belongsTo,
} from '../domain/evaluators/backfill/runs';
import type { Tenant } from '../domain/events/event';
import type { ObjectStore } from '../domain/ports';
import type { StateMachineDefinition } from '../domain/workflows/asl';
import type { WorkflowExecution } from '../domain/workflows/workflow';
import { localWorkflowDefinition, openLocalWorkflow, type WorkflowShape } from './workflow-runner';

export interface BackfillRunnerOptions {
  dir: string;
  steps: BackfillSteps;
  /** The object store the prepare step writes item lists to. */
  items: ObjectStore;
  clock?: () => number;
  /** Milliseconds each retry of a state waits (the definition's intervals when absent; tests pass 0). */
  retryIntervalMs?: number;
  onFinished?: (state: BackfillState) => void;
}

export interface LocalBackfillRunner extends BackfillRunner {
  /** Resolves when the run's current execution has ended (tests and the CLI wait on it). */
  settled(backfillId: string): Promise<void>;
}

export const BACKFILL_SHAPE: WorkflowShape = {
  definition: backfillDefinition,
  prepareState: 'Prepare',
  mapState: 'ScoreBatches',
  itemState: 'ScoreBatch',
};

export async function openBackfillRunner(options: BackfillRunnerOptions): Promise<LocalBackfillRunner> {
  const workflow = await openLocalWorkflow<BackfillRun>({
    shape: BACKFILL_SHAPE,
    dir: options.dir,
    steps: options.steps as (input: never) => Promise<unknown>,
    items: options.items,
    ...(options.clock && { clock: options.clock }),
    ...(options.retryIntervalMs !== undefined && { retryIntervalMs: options.retryIntervalMs }),
    onFinished: (execution) =>
      options.onFinished?.(backfillState(execution as WorkflowExecution<BackfillRun>)),
  });
  async function own(tenant: Tenant, backfillId: string) {
    const execution = await workflow.describe(backfillId);
    return execution && belongsTo(execution.run, tenant) ? execution : undefined;
  }
  return {
    start: (run) => workflow.start(run.backfill_id, run),
    async describe(tenant, backfillId) {
      const execution = await own(tenant, backfillId);
      return execution && backfillState(execution);
    },
    async redrive(tenant, backfillId) {
      if (!(await own(tenant, backfillId))) throw new ConflictError(`no backfill ${backfillId}`);
      await workflow.redrive(backfillId);
    },
    settled: (backfillId) => workflow.settled(backfillId),
  };
}

/** The definition as the interpreter runs it: for a run, and for a redrive (from the map, on the failed items). */
export function localDefinition(redrive: boolean): StateMachineDefinition {
  return localWorkflowDefinition(BACKFILL_SHAPE, redrive);
}
