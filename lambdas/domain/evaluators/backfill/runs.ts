/**
 * Backfill runs as the API sees them: started, described, redriven. On AWS a run is a Step
 * Functions execution named by its backfill id (its input holds the run, so the tenant is checked
 * against it); locally the backfill runner keeps the same record in a folder.
 */
import type { Tenant } from '../../events/event';
import type { WorkflowExecution, WorkflowItemCounts, WorkflowStatus } from '../../workflows/workflow';
import type { BackfillRun } from './request';
import type { BackfillTotals } from './steps';

/** Step Functions' execution statuses. */
export type BackfillStatus = WorkflowStatus;

export type BackfillItemCounts = WorkflowItemCounts;

export interface BackfillState {
  backfill_id: string;
  status: BackfillStatus;
  run: BackfillRun;
  started_at: number;
  stopped_at?: number;
  /** Once finalized. */
  totals?: BackfillTotals;
  /** The map's items (batches), once it started. */
  items?: BackfillItemCounts;
  /** Why it failed. */
  error?: string;
  redrive_count: number;
}

export interface BackfillRunner {
  start(run: BackfillRun): Promise<void>;
  /** Undefined when there is no such run in the tenant's project. */
  describe(tenant: Tenant, backfillId: string): Promise<BackfillState | undefined>;
  /** Reruns the failed items of a failed run; refuses (ConflictError) a run that has not failed. */
  redrive(tenant: Tenant, backfillId: string): Promise<void>;
}

/** A run id: time-ordered and unique (Step Functions execution names: 1-80 of [A-Za-z0-9_-]). */
export function newBackfillId(now: number, random: () => string): string {
  return `bf_${now.toString(36)}_${random()}`;
}

export function isBackfillId(value: string): boolean {
  return /^bf_[a-z0-9]{1,12}_[A-Za-z0-9]{6,40}$/.test(value);
}

export function belongsTo(run: Pick<BackfillRun, 'org_id' | 'project_id'>, tenant: Tenant): boolean {
  return run.org_id === tenant.org_id && run.project_id === tenant.project_id;
}

/** A backfill's state from its workflow execution: the execution's output is the run's totals. */
export function backfillState(execution: WorkflowExecution<BackfillRun>): BackfillState {
  const { id, output, ...rest } = execution;
  const state: BackfillState = {
    backfill_id: id,
    ...rest,
    started_at: execution.started_at || execution.run.requested_at,
  };
  if (output !== undefined) state.totals = output as BackfillTotals;
  return state;
}
