/**
 * The run-metric function on each data plane (lib/data-plane/run-metric.ts): its routes on the data
 * plane's API, the executor's name in its environment, and what it may do: invoke the evaluator
 * executor (that function's ARN only, and no other function of the plane may), read the synced
 * metrics (never write them), read events. The control plane serves the metric writes and history
 * data planes forward. One synthesis for the file, bundling skipped.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIGURATION_ROUTES } from '../../lambdas/configurations/routes';
import { METRIC_WRITE_ROUTES } from '../../lambdas/control-plane-api/metric-routes';
import { RUN_METRIC_ROUTES } from '../../lambdas/run-metric/routes';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { actionsOf, type PolicyStatement, statementsOfRole, type TemplateResource } from './support/policies';
import { buildTestApp } from './support/test-app';

let stack: DataPlaneStack;
let resources: Record<string, TemplateResource>;
let controlPlaneRoutes: Set<unknown>;

beforeAll(() => {
  const waggle = buildTestApp();
  [stack] = [...waggle.dataPlanes.values()] as [DataPlaneStack];
  resources = Template.fromStack(stack).toJSON().Resources as Record<string, TemplateResource>;
  const cpResources = Template.fromStack(waggle.controlPlane).toJSON().Resources as Record<
    string,
    TemplateResource
  >;
  controlPlaneRoutes = new Set(
    Object.values(cpResources)
      .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
      .map((resource) => resource.Properties.RouteKey),
  );
}, 180_000);

function routeKeys(): Set<unknown> {
  return new Set(
    Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
      .map((resource) => resource.Properties.RouteKey),
  );
}

function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

describe('run-metric function', () => {
  it('serves run_metric beside the metric routes of the configurations function', () => {
    const keys = routeKeys();
    for (const routeKey of [
      ...RUN_METRIC_ROUTES,
      ...CONFIGURATION_ROUTES.filter((key) => key.includes('metrics')),
    ])
      expect(keys.has(routeKey), routeKey).toBe(true);
  });

  it('names the evaluator executor in its environment', () => {
    const fn = resources[logicalId(stack.runMetricApi.runMetricFunction.function)] as TemplateResource;
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.EVALUATOR_EXECUTOR_FUNCTION_NAME).toEqual({
      Ref: logicalId(stack.evaluatorExecutor.function),
    });
    expect(variables.SYNC_STATE_TABLE_NAME).toEqual(stack.resolve(stack.syncController.stateTable.tableName));
    expect(fn.Properties.Timeout).toBe(29);
  });

  it('may invoke the executor, by its ARN only, and read the synced metrics without writing them', () => {
    const role = logicalId(stack.runMetricApi.runMetricFunction.role as never);
    const statements = statementsOfRole(resources, role);
    const invokes = statements.filter((statement) => actionsOf(statement).includes('lambda:InvokeFunction'));
    expect(invokes).toEqual([
      {
        Sid: 'InvokeEvaluatorExecutor',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [logicalId(stack.evaluatorExecutor.function), 'Arn'] },
      },
    ]);
    const actions = statements.flatMap(actionsOf);
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'athena:StartQueryExecution']),
    );
    // The sync-state table is the controller's to write (the rate-limit table's counter is written).
    const stateTable = logicalId(stack.syncController.stateTable as never);
    const onStateTable = statements.filter((statement) =>
      JSON.stringify(statement.Resource).includes(stateTable),
    );
    expect(onStateTable.length).toBeGreaterThan(0);
    expect(
      onStateTable
        .flatMap(actionsOf)
        .filter((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action)),
    ).toEqual([]);
  });

  it('runs model metrics through a judge: provider secrets, the proxy limits, the events queue for its model event', () => {
    const statements = statementsOfRole(
      resources,
      logicalId(stack.runMetricApi.runMetricFunction.role as never),
    );
    const sids = new Set(statements.map((statement) => statement.Sid));
    for (const sid of [
      'ReadProviderKeys',
      'OpenProviderSecrets',
      'AdmitProxyCalls',
      'SendEvents',
      'InvokeBedrockModels',
    ])
      expect(sids.has(sid), sid).toBe(true);
    const id = logicalId(stack.runMetricApi.runMetricFunction.function);
    const variables = (
      (resources[id] as TemplateResource).Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(variables).toMatchObject({
      PROVIDER_KEYS_TABLE_NAME: { Ref: logicalId(stack.providerKeys.table) },
      PROXY_LIMITS_TABLE_NAME: { Ref: logicalId(stack.proxyLimits.limitsTable) },
      EVENTS_QUEUE_URL: { Ref: logicalId(stack.eventsQueue.queue) },
    });
  });

  it('is, with the evaluation worker, the backfill steps and the experiment steps, the only function of the plane that may invoke the executor', () => {
    const executorArn = { 'Fn::GetAtt': [logicalId(stack.evaluatorExecutor.function), 'Arn'] };
    const invokers = Object.entries(resources).filter(
      ([, resource]) =>
        resource.Type === 'AWS::IAM::Policy' &&
        (resource.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement.some(
          (statement) =>
            actionsOf(statement).some((action) => action.startsWith('lambda:Invoke')) &&
            JSON.stringify(statement.Resource).includes(JSON.stringify(executorArn)),
        ),
    );
    const roles = invokers.flatMap(([, policy]) =>
      (policy.Properties.Roles as Array<{ Ref: string }>).map((roleRef) => roleRef.Ref),
    );
    expect(roles.sort()).toEqual(
      [
        logicalId(stack.runMetricApi.runMetricFunction.role as never),
        logicalId(stack.evaluationWorker.workerFunction.role as never),
        logicalId(stack.backfills.stepsFunction.role as never),
        // A server-side experiment scores its run's metrics as it builds each session.
        logicalId(stack.experiments.stepsFunction.role as never),
      ].sort(),
    );
  });

  it('the control plane serves the metric writes and history data planes forward', () => {
    for (const routeKey of METRIC_WRITE_ROUTES) expect(controlPlaneRoutes.has(routeKey), routeKey).toBe(true);
  });
});
