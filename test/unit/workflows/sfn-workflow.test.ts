/**
 * Workflow runs on AWS, against a mocked Step Functions client. SfnWorkflow (adapters/aws/sfn-workflow.ts),
 * as the experiments API uses it: started by run id with `{run}` as input (a taken name is a conflict),
 * described with the Map Run's counts (failed, timed out and aborted items together), redriven (a
 * refusal is a conflict). SfnBackfillRunner on top of it: a backfill's state reads its execution and
 * Map Run, another project's backfill is not found, a refused redrive is a conflict.
 */
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  ListMapRunsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnBackfillRunner } from '../../../lambdas/adapters/aws/sfn-backfill-runner';
import { SfnWorkflow } from '../../../lambdas/adapters/aws/sfn-workflow';
import { ConflictError } from '../../../lambdas/domain/errors';
import type { BackfillRun } from '../../../lambdas/domain/evaluators/backfill/request';
import { EVALUATOR_TENANT as tenant } from '../../support/evaluator-definition';

const sfn = mockClient(SFNClient);
const machine = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ExperimentsWorkflow-x1';
const executionArn = 'arn:aws:states:eu-west-1:123456789012:execution:ExperimentsWorkflow-x1:run-1';
const run = { run_id: 'run-1', project_id: 'p1' };

const backfillMachine = 'arn:aws:states:eu-west-1:123456789012:stateMachine:BackfillsWorkflow-x1';
const backfill: BackfillRun = {
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
const backfillExecutionArn =
  'arn:aws:states:eu-west-1:123456789012:execution:BackfillsWorkflow-x1:bf_abc_xyz123';

beforeEach(() => sfn.reset());

describe('SfnWorkflow', () => {
  it('starts an execution named by the run id; a taken name is a conflict', async () => {
    sfn
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn, startDate: new Date() })
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const workflow = new SfnWorkflow<typeof run>(new SFNClient({}), machine);
    await workflow.start('run-1', run);
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: machine,
      name: 'run-1',
      input: JSON.stringify({ run }),
    });
    await expect(workflow.start('run-1', run)).rejects.toBeInstanceOf(ConflictError);
  });

  it("describes a failed execution with its Map Run's counts and a bounded error", async () => {
    sfn.on(DescribeExecutionCommand, { executionArn }).resolves({
      status: 'FAILED',
      input: JSON.stringify({ run }),
      startDate: new Date(1_000),
      stopDate: new Date(3_000),
      error: 'States.ExceedToleratedFailureThreshold',
      cause: 'x'.repeat(5_000),
    } as never);
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [{ mapRunArn: 'arn:map' } as never] });
    sfn.on(DescribeMapRunCommand).resolves({
      itemCounts: { total: 10, succeeded: 7, failed: 1, timedOut: 1, aborted: 1, pending: 0, running: 0 },
    } as never);
    const state = await new SfnWorkflow<typeof run>(new SFNClient({}), machine).describe('run-1');
    expect(state).toMatchObject({
      id: 'run-1',
      status: 'FAILED',
      run,
      started_at: 1_000,
      stopped_at: 3_000,
      items: { total: 10, succeeded: 7, failed: 3, pending: 0 },
    });
    expect(state?.error?.startsWith('States.ExceedToleratedFailureThreshold: x')).toBe(true);
    expect(state?.error?.length).toBe(1_000);
    expect(state?.output).toBeUndefined();
  });

  it('redrives; an execution Step Functions will not redrive is a conflict', async () => {
    sfn
      .on(RedriveExecutionCommand)
      .resolvesOnce({ redriveDate: new Date() })
      .rejects(new ExecutionNotRedrivable({ message: 'it succeeded', $metadata: {} }));
    const workflow = new SfnWorkflow<typeof run>(new SFNClient({}), machine);
    await workflow.redrive('run-1');
    expect(sfn.commandCalls(RedriveExecutionCommand)[0]?.args[0].input).toEqual({ executionArn });
    await expect(workflow.redrive('run-1')).rejects.toThrow(/cannot be redriven: it succeeded/);
  });
});

describe('SfnBackfillRunner', () => {
  it('starts an execution named by the backfill id, the backfill as its run input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: backfillExecutionArn, startDate: new Date() });
    await new SfnBackfillRunner(new SFNClient({}), backfillMachine).start(backfill);
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: backfillMachine,
      name: backfill.backfill_id,
      input: JSON.stringify({ run: backfill }),
    });
  });

  it("describes a backfill from its execution and its Map Run's item counts", async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: backfillExecutionArn }).resolves({
      executionArn: backfillExecutionArn,
      stateMachineArn: backfillMachine,
      status: 'SUCCEEDED',
      input: JSON.stringify({ run: backfill }),
      output: JSON.stringify({ events: 40, batches: 2, scored: 39, errors: 1 }),
      startDate: new Date(1_000),
      stopDate: new Date(2_000),
      redriveCount: 1,
    });
    sfn.on(ListMapRunsCommand).resolves({
      mapRuns: [
        {
          mapRunArn: 'arn:map',
          executionArn: backfillExecutionArn,
          stateMachineArn: backfillMachine,
          startDate: new Date(),
        },
      ],
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
    const state = await new SfnBackfillRunner(new SFNClient({}), backfillMachine).describe(
      tenant,
      backfill.backfill_id,
    );
    expect(state).toEqual({
      backfill_id: backfill.backfill_id,
      status: 'SUCCEEDED',
      run: backfill,
      started_at: 1_000,
      stopped_at: 2_000,
      redrive_count: 1,
      totals: { events: 40, batches: 2, scored: 39, errors: 1 },
      items: { total: 2, succeeded: 1, failed: 1, pending: 0 },
    });
  });

  it("finds neither an unknown backfill nor another project's", async () => {
    const runner = new SfnBackfillRunner(new SFNClient({}), backfillMachine);
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));
    expect(await runner.describe(tenant, 'bf_nope_abcdef')).toBeUndefined();
    sfn.reset();
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ status: 'RUNNING', input: JSON.stringify({ run: backfill }) } as never);
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [] });
    expect(await runner.describe({ ...tenant, project_id: 'p2' }, backfill.backfill_id)).toBeUndefined();
    await expect(
      runner.redrive({ ...tenant, project_id: 'p2' }, backfill.backfill_id),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  it('redrives a failed run; one Step Functions will not redrive is a conflict', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ status: 'FAILED', input: JSON.stringify({ run: backfill }) } as never);
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [] });
    sfn
      .on(RedriveExecutionCommand)
      .resolvesOnce({ redriveDate: new Date() })
      .rejects(new ExecutionNotRedrivable({ message: 'the execution succeeded', $metadata: {} }));
    const runner = new SfnBackfillRunner(new SFNClient({}), backfillMachine);
    await runner.redrive(tenant, backfill.backfill_id);
    expect(sfn.commandCalls(RedriveExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: backfillExecutionArn,
    });
    await expect(runner.redrive(tenant, backfill.backfill_id)).rejects.toThrow(
      /cannot be redriven: the execution succeeded/,
    );
  });
});
