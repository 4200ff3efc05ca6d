/**
 * Backfill runs on AWS, against a mocked Step Functions client: a run is an execution named by its id
 * with `{run}` as input; its state reads the execution and its Map Run's counts; another project's
 * run is not found; a redrive of a run Step Functions will not redrive is a conflict.
 */
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  ListMapRunsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnBackfillRunner } from '../../../../lambdas/adapters/aws/sfn-backfill-runner';
import { ConflictError } from '../../../../lambdas/domain/errors';
import type { BackfillRun } from '../../../../lambdas/domain/evaluators/backfill/request';
import { EVALUATOR_TENANT as tenant } from '../../../support/evaluator-definition';

const sfn = mockClient(SFNClient);
const machine = 'arn:aws:states:eu-west-1:123456789012:stateMachine:BackfillsWorkflow-x1';
const run: BackfillRun = {
  ...tenant,
  backfill_id: 'bf_abc_xyz123',
  evaluator_id: 'ev',
  evaluator_version: 2,
  evaluator_name: 'len',
  from: 0,
  to: 10,
  filters: [],
  sampling_percentage: 100,
  max_events: 100,
  requested_at: 5,
};
const executionArn = 'arn:aws:states:eu-west-1:123456789012:execution:BackfillsWorkflow-x1:bf_abc_xyz123';

beforeEach(() => sfn.reset());

describe('SfnBackfillRunner', () => {
  it('starts an execution named by the backfill id, the run as its input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });
    await new SfnBackfillRunner(new SFNClient({}), machine).start(run);
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: machine,
      name: run.backfill_id,
      input: JSON.stringify({ run }),
    });
  });

  it("describes a run from its execution and its Map Run's item counts", async () => {
    sfn.on(DescribeExecutionCommand, { executionArn }).resolves({
      executionArn,
      stateMachineArn: machine,
      status: 'SUCCEEDED',
      input: JSON.stringify({ run }),
      output: JSON.stringify({ events: 40, batches: 2, scored: 39, errors: 1 }),
      startDate: new Date(1_000),
      stopDate: new Date(2_000),
      redriveCount: 1,
    });
    sfn.on(ListMapRunsCommand).resolves({
      mapRuns: [{ mapRunArn: 'arn:map', executionArn, stateMachineArn: machine, startDate: new Date() }],
    });
    sfn.on(DescribeMapRunCommand).resolves({
      itemCounts: {
        total: 2,
        succeeded: 1,
        failed: 1,
        pending: 0,
        running: 0,
        timedOut: 0,
        aborted: 0,
        resultsWritten: 2,
      },
    } as never);
    const state = await new SfnBackfillRunner(new SFNClient({}), machine).describe(tenant, run.backfill_id);
    expect(state).toEqual({
      backfill_id: run.backfill_id,
      status: 'SUCCEEDED',
      run,
      started_at: 1_000,
      stopped_at: 2_000,
      redrive_count: 1,
      totals: { events: 40, batches: 2, scored: 39, errors: 1 },
      items: { total: 2, succeeded: 1, failed: 1, pending: 0 },
    });
  });

  it("finds neither an unknown run nor another project's", async () => {
    const runner = new SfnBackfillRunner(new SFNClient({}), machine);
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));
    expect(await runner.describe(tenant, 'bf_nope_abcdef')).toBeUndefined();
    sfn.reset();
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: JSON.stringify({ run }) } as never);
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [] });
    expect(await runner.describe({ ...tenant, project_id: 'p2' }, run.backfill_id)).toBeUndefined();
    await expect(runner.redrive({ ...tenant, project_id: 'p2' }, run.backfill_id)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  it('redrives a failed run; one Step Functions will not redrive is a conflict', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', input: JSON.stringify({ run }) } as never);
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [] });
    sfn
      .on(RedriveExecutionCommand)
      .resolvesOnce({ redriveDate: new Date() })
      .rejects(new ExecutionNotRedrivable({ message: 'the execution succeeded', $metadata: {} }));
    const runner = new SfnBackfillRunner(new SFNClient({}), machine);
    await runner.redrive(tenant, run.backfill_id);
    expect(sfn.commandCalls(RedriveExecutionCommand)[0]?.args[0].input).toEqual({ executionArn });
    await expect(runner.redrive(tenant, run.backfill_id)).rejects.toThrow(
      /cannot be redriven: the execution succeeded/,
    );
  });
});
