/**
 * A workflow's executions on AWS (adapters/aws/sfn-workflow.ts), as the experiments API uses them:
 * started by run id with `{run}` as input (a taken name is a conflict), described with the Map Run's
 * counts (failed, timed out and aborted items together), redriven (a refusal is a conflict).
 */
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ExecutionAlreadyExists,
  ExecutionNotRedrivable,
  ListMapRunsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnWorkflow } from '../../../lambdas/adapters/aws/sfn-workflow';
import { ConflictError } from '../../../lambdas/domain/errors';

const sfn = mockClient(SFNClient);
const machine = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ExperimentsWorkflow-x1';
const executionArn = 'arn:aws:states:eu-west-1:123456789012:execution:ExperimentsWorkflow-x1:run-1';
const run = { run_id: 'run-1', project_id: 'p1' };

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
