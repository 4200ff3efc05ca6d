/**
 * A workflow run as the APIs see it, whatever runs it: on AWS an execution of a Standard state
 * machine with a Distributed Map over an item list in S3 (adapters/aws/sfn-workflow.ts), locally the
 * same definition in an ASL interpreter (local/workflow-runner.ts). Backfills and server-side
 * experiments are both such workflows; each names its executions by its run id.
 */

/** Step Functions' execution statuses. */
export type WorkflowStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** The Distributed Map's items (batches): what its Map Run counts. */
export interface WorkflowItemCounts {
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
}

export interface WorkflowExecution<Run> {
  /** The execution's name: the run's id. */
  id: string;
  status: WorkflowStatus;
  /** The `run` of the execution's input. */
  run: Run;
  started_at: number;
  stopped_at?: number;
  /** The execution's output, once it succeeded. */
  output?: unknown;
  /** The map's items, once it started. */
  items?: WorkflowItemCounts;
  /** Why it failed. */
  error?: string;
  redrive_count: number;
}

/** Starts, reads and redrives the executions of one workflow (one state machine). */
export interface WorkflowRunner<Run> {
  /** Starts an execution named `id` with the input `{run}`; ConflictError when the name is taken. */
  start(id: string, run: Run): Promise<void>;
  /** Undefined when there is no such execution. */
  describe(id: string): Promise<WorkflowExecution<Run> | undefined>;
  /** Reruns the failed items of a failed execution; ConflictError when it cannot be redriven. */
  redrive(id: string): Promise<void>;
}
