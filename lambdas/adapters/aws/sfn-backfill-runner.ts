/**
 * Backfill runs on AWS: each is an execution of the backfill state machine named by its backfill id,
 * its input `{run}`; its state is DescribeExecution's (the run's tenant checked against the input)
 * with the Map Run's item counts; a redrive is RedriveExecution, which reruns the failed items of
 * its Distributed Map only.
 */
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  ListMapRunsCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ConflictError } from '../../domain/errors';
import type { BackfillRun } from '../../domain/evaluators/backfill/request';
import {
  type BackfillItemCounts,
  type BackfillRunner,
  type BackfillState,
  type BackfillStatus,
  belongsTo,
} from '../../domain/evaluators/backfill/runs';
import type { BackfillTotals } from '../../domain/evaluators/backfill/steps';
import type { Tenant } from '../../domain/events/event';

export class SfnBackfillRunner implements BackfillRunner {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  /** arn:aws:states:<region>:<account>:stateMachine:<name> -> ...:execution:<name>:<execution>. */
  executionArn(backfillId: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${backfillId}`;
  }

  async start(run: BackfillRun): Promise<void> {
    await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn,
        name: run.backfill_id,
        input: JSON.stringify({ run }),
      }),
    );
  }

  async describe(tenant: Tenant, backfillId: string): Promise<BackfillState | undefined> {
    const executionArn = this.executionArn(backfillId);
    let execution: Awaited<ReturnType<typeof this.describeExecution>>;
    try {
      execution = await this.describeExecution(executionArn);
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
    const run = (JSON.parse(execution.input ?? '{}') as { run?: BackfillRun }).run;
    if (!run || !belongsTo(run, tenant)) return undefined;
    const state: BackfillState = {
      backfill_id: backfillId,
      status: (execution.status ?? 'RUNNING') as BackfillStatus,
      run,
      started_at: execution.startDate?.getTime() ?? run.requested_at,
      redrive_count: execution.redriveCount ?? 0,
    };
    if (execution.stopDate) state.stopped_at = execution.stopDate.getTime();
    if (execution.status === 'SUCCEEDED' && execution.output)
      state.totals = JSON.parse(execution.output) as BackfillTotals;
    if (execution.error) state.error = `${execution.error}: ${execution.cause ?? ''}`.slice(0, 1_000);
    const items = await this.itemCounts(executionArn);
    if (items) state.items = items;
    return state;
  }

  async redrive(tenant: Tenant, backfillId: string): Promise<void> {
    if (!(await this.describe(tenant, backfillId))) throw new ConflictError(`no backfill ${backfillId}`);
    try {
      await this.sfn.send(new RedriveExecutionCommand({ executionArn: this.executionArn(backfillId) }));
    } catch (error) {
      if (error instanceof ExecutionNotRedrivable)
        throw new ConflictError(`backfill ${backfillId} cannot be redriven: ${error.message}`);
      throw error;
    }
  }

  private describeExecution(executionArn: string) {
    return this.sfn.send(new DescribeExecutionCommand({ executionArn }));
  }

  /** The Distributed Map's item counts; undefined before the map started. */
  private async itemCounts(executionArn: string): Promise<BackfillItemCounts | undefined> {
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
