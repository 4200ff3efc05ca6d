/**
 * A workflow's executions on AWS (domain/workflows/workflow.ts): each run is an execution of the
 * state machine named by the run's id with the input `{run}`; its state is DescribeExecution's with
 * the Distributed Map's item counts (its Map Run's); a redrive is RedriveExecution, which reruns the
 * failed items of the Map Run only. Backfills and server-side experiments both run through it.
 */
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  ListMapRunsCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ConflictError } from '../../domain/errors';
import type {
  WorkflowExecution,
  WorkflowItemCounts,
  WorkflowRunner,
  WorkflowStatus,
} from '../../domain/workflows/workflow';

/** Step Functions keeps an execution's failure cause up to 32 KB: the API shows its start. */
const MAX_ERROR_CHARS = 1_000;

export class SfnWorkflow<Run> implements WorkflowRunner<Run> {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  /** arn:aws:states:<region>:<account>:stateMachine:<name> -> ...:execution:<name>:<execution>. */
  executionArn(id: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
  }

  async start(id: string, run: Run): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: id,
          input: JSON.stringify({ run }),
        }),
      );
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) throw new ConflictError(`run ${id} exists`);
      throw error;
    }
  }

  async describe(id: string): Promise<WorkflowExecution<Run> | undefined> {
    const executionArn = this.executionArn(id);
    let execution: Awaited<ReturnType<typeof this.describeExecution>>;
    try {
      execution = await this.describeExecution(executionArn);
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
    const run = (JSON.parse(execution.input ?? '{}') as { run?: Run }).run;
    if (run === undefined) return undefined;
    const state: WorkflowExecution<Run> = {
      id,
      status: (execution.status ?? 'RUNNING') as WorkflowStatus,
      run,
      started_at: execution.startDate?.getTime() ?? 0,
      redrive_count: execution.redriveCount ?? 0,
    };
    if (execution.stopDate) state.stopped_at = execution.stopDate.getTime();
    if (execution.status === 'SUCCEEDED' && execution.output) state.output = JSON.parse(execution.output);
    if (execution.error)
      state.error = `${execution.error}: ${execution.cause ?? ''}`.slice(0, MAX_ERROR_CHARS);
    const items = await this.itemCounts(executionArn);
    if (items) state.items = items;
    return state;
  }

  async redrive(id: string): Promise<void> {
    try {
      await this.sfn.send(new RedriveExecutionCommand({ executionArn: this.executionArn(id) }));
    } catch (error) {
      if (error instanceof ExecutionNotRedrivable)
        throw new ConflictError(`run ${id} cannot be redriven: ${error.message}`);
      throw error;
    }
  }

  private describeExecution(executionArn: string) {
    return this.sfn.send(new DescribeExecutionCommand({ executionArn }));
  }

  /** The Distributed Map's item counts; undefined before the map started. */
  private async itemCounts(executionArn: string): Promise<WorkflowItemCounts | undefined> {
    const listed = await this.sfn.send(new ListMapRunsCommand({ executionArn, maxResults: 1 }));
    const mapRunArn = listed.mapRuns?.[0]?.mapRunArn;
    if (!mapRunArn) return undefined;
    const counts = (await this.sfn.send(new DescribeMapRunCommand({ mapRunArn }))).itemCounts;
    if (!counts) return undefined;
    return {
      total: counts.total ?? 0,
      succeeded: counts.succeeded ?? 0,
      failed: (counts.failed ?? 0) + (counts.timedOut ?? 0) + (counts.aborted ?? 0),
      pending: (counts.pending ?? 0) + (counts.running ?? 0),
    };
  }
}
