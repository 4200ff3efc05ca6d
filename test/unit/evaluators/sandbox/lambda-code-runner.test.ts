/**
 * LambdaCodeRunner, the AWS path of Python code metrics: it invokes the evaluator executor with the
 * project as tenant id and reads the outcome from the facts handler.py reports. The real handler.py
 * runs here in python3 (test/support/executor-handler-client.ts); the SDK's failures come from
 * aws-sdk-client-mock.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaCodeRunner } from '../../../../lambdas/adapters/aws/lambda-code-runner';
import { DEFAULT_CODE_LIMITS } from '../../../../lambdas/domain/evaluators/code-limits';
import { evaluationInput } from '../../../support/evaluation-input';
import { ExecutorHandlerClient, invokePayload } from '../../../support/executor-handler-client';

const input = evaluationInput({ metadata: { tier: 'gold' }, ground_truth: '4' });

const lambda = mockClient(LambdaClient);
afterEach(() => lambda.reset());

function runnerOnHandler(): { runner: LambdaCodeRunner; client: ExecutorHandlerClient } {
  const client = new ExecutorHandlerClient();
  return { runner: new LambdaCodeRunner(client.asLambdaClient(), 'waggle-evaluator-executor'), client };
}

describe('LambdaCodeRunner on handler.py', () => {
  it('scores with the first function of the snippet, invoking with the project as tenant id', async () => {
    const { runner, client } = runnerOnHandler();
    const code =
      'import re\n\ndef contains_truth(event):\n    return event["ground_truth"] in event["outputs"]["content"]\n\ndef other(event):\n    return False\n';
    const outcome = await runner.run({ projectId: 'project-7', code, returnType: 'boolean', input });
    expect(outcome).toMatchObject({ status: 'ok', value: true });
    expect(client.invocations).toEqual([
      { tenantId: 'project-7', functionName: 'waggle-evaluator-executor' },
    ]);
  });

  it('converts to the return type and reports the code’s own faults as code errors', async () => {
    const { runner } = runnerOnHandler();
    const length = 'def m(event):\n    return len(event["outputs"]["content"])\n';
    expect(await runner.run({ projectId: 'p', code: length, returnType: 'float', input })).toMatchObject({
      status: 'ok',
      value: 8,
    });
    const raising = 'def m(event):\n    raise ValueError("no answer here")\n';
    const outcome = await runner.run({ projectId: 'p', code: raising, returnType: 'float', input });
    expect(outcome).toMatchObject({ status: 'error', error: { kind: 'code-error' } });
    expect(outcome.status === 'error' && outcome.error.message).toMatch(/no answer here/);
  });

  it('stops an endless loop at the wall clock', async () => {
    const client = new ExecutorHandlerClient();
    const runner = new LambdaCodeRunner(client.asLambdaClient(), 'executor', {
      wallClockMs: 800,
      cpuSeconds: 5,
    });
    const outcome = await runner.run({
      projectId: 'p',
      code: 'import time\ndef m(event):\n    while True:\n        time.sleep(0.01)\n',
      returnType: 'float',
      input,
    });
    expect(outcome).toMatchObject({ status: 'error', error: { kind: 'timeout' } });
  });
});

describe('LambdaCodeRunner before and around the invocation', () => {
  it('refuses code over the size limit without invoking', async () => {
    const runner = new LambdaCodeRunner(new LambdaClient({ region: 'us-east-1' }), 'executor');
    const code = `def m(event):\n    return ${JSON.stringify('x'.repeat(DEFAULT_CODE_LIMITS.codeBytes))}\n`;
    expect(await runner.run({ projectId: 'p', code, returnType: 'string', input })).toMatchObject({
      status: 'error',
      error: { kind: 'code-too-large' },
    });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('refuses an event over the sandbox input limit (kept under Lambda’s 6 MB request payload)', async () => {
    expect(DEFAULT_CODE_LIMITS.inputBytes).toBeLessThan(6 * 1024 * 1024);
    const runner = new LambdaCodeRunner(new LambdaClient({ region: 'us-east-1' }), 'executor');
    const big = { ...input, outputs: { content: 'y'.repeat(DEFAULT_CODE_LIMITS.inputBytes) } };
    const outcome = await runner.run({
      projectId: 'p',
      code: 'def m(e):\n    return 1\n',
      returnType: 'float',
      input: big,
    });
    expect(outcome).toMatchObject({ status: 'error', error: { kind: 'sandbox-error' } });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('refuses a project id Lambda would not take as a tenant id', async () => {
    const runner = new LambdaCodeRunner(new LambdaClient({ region: 'us-east-1' }), 'executor');
    const outcome = await runner.run({
      projectId: 'a'.repeat(257),
      code: 'def m(e):\n    return 1\n',
      returnType: 'float',
      input,
    });
    expect(outcome).toMatchObject({ status: 'error', error: { kind: 'sandbox-error' } });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('reports throttling, a function error and a malformed answer as retryable sandbox errors', async () => {
    const runner = new LambdaCodeRunner(new LambdaClient({ region: 'us-east-1' }), 'executor');
    const run = () =>
      runner.run({ projectId: 'p', code: 'def m(e):\n    return 1\n', returnType: 'float', input });

    lambda
      .on(InvokeCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    const throttled = await run();
    expect(throttled).toMatchObject({ status: 'error', error: { kind: 'sandbox-error' } });
    expect(throttled.status === 'error' && throttled.error.message).toMatch(/Rate exceeded/);

    lambda.on(InvokeCommand).resolves({
      FunctionError: 'Unhandled',
      Payload: invokePayload({ errorType: 'Runtime.ExitError', errorMessage: 'signal: killed' }),
    });
    const failed = await run();
    expect(failed.status === 'error' && failed.error).toMatchObject({
      kind: 'sandbox-error',
      message: /signal: killed/,
    });

    lambda.on(InvokeCommand).resolves({ Payload: invokePayload({ stdout: 3 }) });
    expect(await run()).toMatchObject({ status: 'error', error: { kind: 'sandbox-error' } });
    expect(lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input.TenantId)).toEqual([
      'p',
      'p',
      'p',
    ]);
  });
});
