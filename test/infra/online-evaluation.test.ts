/**
 * Online evaluation on each data plane (lib/data-plane/evaluations-queue.ts, evaluation-worker.ts):
 * the evaluations queue and its dead-letter queue, the worker's event source and settings, what the
 * worker may do (read events and the synced metrics, invoke the executor, call providers with the
 * proxy's keys and limits, put scores on the events queue) and what it may not (write the synced
 * copy, run in a VPC), and the writer's side (it queues the tasks). One synthesis for the file,
 * bundling skipped.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVALUATION_WORKER_CONCURRENCY } from '../../lambdas/domain/evaluators/online/worker';
import { DEFAULT_MAX_RECEIVE_COUNT } from '../../lambdas/domain/queue-limits';
import { loadDeploymentConfig } from '../../lib/config/deployment-config';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { actionsOf, statementsOfRole, type TemplateResource } from './support/policies';
import { buildTestApp, TWO_DATA_PLANES_CONFIG } from './support/test-app';

let stack: DataPlaneStack;
let resources: Record<string, TemplateResource>;
let tuned: { stack: DataPlaneStack; resources: Record<string, TemplateResource> };

function resourcesOf(of: DataPlaneStack): Record<string, TemplateResource> {
  return Template.fromStack(of).toJSON().Resources as Record<string, TemplateResource>;
}

beforeAll(() => {
  const base = loadDeploymentConfig(TWO_DATA_PLANES_CONFIG);
  [stack] = [...buildTestApp(base).dataPlanes.values()] as [DataPlaneStack];
  resources = resourcesOf(stack);
  const withSettings = {
    ...base,
    dataPlanes: base.dataPlanes.map((plane) => ({
      ...plane,
      evaluation: {
        maxConcurrency: 20,
        judgeDailyBudgetUsd: 12.5,
        judgeFallbacks: { 'openai/gpt-4o-mini': ['anthropic/claude-haiku-4-5'] },
      },
    })),
  };
  const [tunedStack] = [...buildTestApp(withSettings).dataPlanes.values()] as [DataPlaneStack];
  tuned = { stack: tunedStack, resources: resourcesOf(tunedStack) };
}, 180_000);

function logicalId(of: DataPlaneStack, construct: { node: { defaultChild?: unknown } }): string {
  return of.getLogicalId(construct.node.defaultChild as never);
}

function workerProperties(of = { stack, resources }): Record<string, unknown> {
  const id = logicalId(of.stack, of.stack.evaluationWorker.workerFunction.function);
  return (of.resources[id] as TemplateResource).Properties;
}

function eventSourceOfWorker(of = { stack, resources }): Record<string, unknown> {
  const functionId = logicalId(of.stack, of.stack.evaluationWorker.workerFunction.function);
  const mapping = Object.values(of.resources).find(
    (resource) =>
      resource.Type === 'AWS::Lambda::EventSourceMapping' &&
      JSON.stringify(resource.Properties.FunctionName).includes(functionId),
  );
  return (mapping as TemplateResource).Properties;
}

describe('evaluations queue', () => {
  it('is encrypted, refuses plain HTTP, and moves a task that fails every receive to its dead-letter queue', () => {
    const queue = resources[logicalId(stack, stack.evaluationsQueue.queue)] as TemplateResource;
    const deadLetters = logicalId(stack, stack.evaluationsQueue.deadLetterQueue);
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] },
        maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT,
      },
    });
    expect((resources[deadLetters] as TemplateResource).Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    const policies = Object.values(resources).filter((resource) => resource.Type === 'AWS::SQS::QueuePolicy');
    for (const queueId of [logicalId(stack, stack.evaluationsQueue.queue), deadLetters]) {
      const policy = policies.find((candidate) =>
        JSON.stringify(candidate.Properties.Queues).includes(queueId),
      );
      expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it("hides a task for six times the worker's timeout, so a running evaluation is never handed out twice", () => {
    const queue = resources[logicalId(stack, stack.evaluationsQueue.queue)] as TemplateResource;
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * (workerProperties().Timeout as number),
    );
  });

  it('alarms on dead-lettered tasks and on a backlog', () => {
    const alarms = [stack.evaluationsQueue.deadLetterAlarm, stack.evaluationsQueue.oldestTaskAlarm].map(
      (alarm) => (resources[logicalId(stack, alarm)] as TemplateResource).Properties,
    );
    expect(alarms.map((alarm) => alarm.MetricName)).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'ApproximateAgeOfOldestMessage',
    ]);
  });
});

describe('evaluation worker', () => {
  it('consumes the evaluations queue in batches of its concurrency (one round each) with partial batch failures, at most 5 at once by default', () => {
    expect(eventSourceOfWorker()).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack, stack.evaluationsQueue.queue), 'Arn'] },
      BatchSize: EVALUATION_WORKER_CONCURRENCY,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    expect(eventSourceOfWorker(tuned)).toMatchObject({ ScalingConfig: { MaximumConcurrency: 20 } });
  });

  it('is told the executor, the read path, the events queue, the provider keys and the judge settings', () => {
    const variables = (workerProperties().Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({
      EVALUATOR_EXECUTOR_FUNCTION_NAME: { Ref: logicalId(stack, stack.evaluatorExecutor.function) },
      EVENTS_QUEUE_URL: { Ref: logicalId(stack, stack.eventsQueue.queue) },
      SYNC_STATE_TABLE_NAME: { Ref: logicalId(stack, stack.syncController.stateTable) },
      PROVIDER_KEYS_TABLE_NAME: { Ref: logicalId(stack, stack.providerKeys.table) },
      PROVIDER_SECRETS_KEY_ARN: { 'Fn::GetAtt': [logicalId(stack, stack.providerKeys.secretsKey), 'Arn'] },
      PROXY_LIMITS_TABLE_NAME: { Ref: logicalId(stack, stack.proxyLimits.limitsTable) },
    });
    expect(variables.JUDGE_DAILY_BUDGET_USD).toBeUndefined();
    const tunedVariables = (workerProperties(tuned).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(tunedVariables).toMatchObject({
      JUDGE_DAILY_BUDGET_USD: '12.5',
      JUDGE_FALLBACKS: JSON.stringify({ 'openai/gpt-4o-mini': ['anthropic/claude-haiku-4-5'] }),
    });
  });

  it('runs outside any VPC (judges reach providers); Python runs only in the executor, which has no network', () => {
    expect(workerProperties().VpcConfig).toBeUndefined();
  });

  it('may invoke the executor, open provider secrets, admit judge calls and send events; never write the synced copy', () => {
    const statements = statementsOfRole(
      resources,
      logicalId(stack, stack.evaluationWorker.workerFunction.role as never),
    );
    const bySid = new Map(statements.map((statement) => [statement.Sid, statement]));
    expect(actionsOf(bySid.get('InvokeEvaluatorExecutor') ?? ({ Action: [] } as never))).toEqual([
      'lambda:InvokeFunction',
    ]);
    expect(JSON.stringify(bySid.get('InvokeEvaluatorExecutor')?.Resource)).toContain(
      logicalId(stack, stack.evaluatorExecutor.function),
    );
    for (const sid of [
      'ReadProviderKeys',
      'InvokeBedrockModels',
      'AdmitProxyCalls',
      'SendEvents',
      'ReadSyncedConfig',
      'ReadPendingUpdates',
    ])
      expect(bySid.has(sid), sid).toBe(true);
    const stateTable = logicalId(stack, stack.syncController.stateTable);
    const writesToState = statements
      .filter((statement) => JSON.stringify(statement.Resource).includes(stateTable))
      .flatMap(actionsOf)
      .filter((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action));
    expect(writesToState).toEqual([]);
  });
});

describe('writer', () => {
  it('queues the tasks on the evaluations queue and reads the enabled metrics from the synced copy', () => {
    const id = logicalId(stack, stack.eventWriter.writerFunction.function);
    const variables = (
      (resources[id] as TemplateResource).Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(variables).toMatchObject({
      EVALUATIONS_QUEUE_URL: { Ref: logicalId(stack, stack.evaluationsQueue.queue) },
      SYNC_STATE_TABLE_NAME: { Ref: logicalId(stack, stack.syncController.stateTable) },
    });
  });
});
