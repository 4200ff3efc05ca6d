import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMIT_TABLE } from '../../lambdas/adapters/aws/dynamo-rate-limiter';
import { AUTH_RATE_LIMIT_TABLE_ENV } from '../../lib/data-plane/auth-rate-limit';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { testDataPlane } from './support/test-app';

let stack: DataPlaneStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = testDataPlane());
});

const logicalIdOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

function statementsOfRole(role: { node: { defaultChild?: unknown } }): Record<string, unknown>[] {
  const roleRef = JSON.stringify({ Ref: logicalIdOf(role) });
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === roleRef))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

describe('auth rate-limit table', () => {
  it('is keyed by pk (string), on demand, with the expiresAt TTL, encryption at rest and PITR', () => {
    const tableId = logicalIdOf(stack.authRateLimit.table);
    const table = template.toJSON().Resources[tableId];
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: RATE_LIMIT_TABLE.partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    // Counters that live a minute: nothing to keep when the stack goes.
    expect(table.DeletionPolicy).toBe('Delete');
  });

  // Every function that authenticates API keys counts failures in the one table.
  const authenticating = () => [
    stack.ingestApi.ingestFunction,
    stack.queryApi.queryFunction,
    stack.providerKeysApi.providerKeysFunction,
    stack.configurationsApi.configurationsFunction,
    stack.llmProxy.proxyFunction,
    stack.runMetricApi.runMetricFunction,
    stack.backfills.apiFunction,
    stack.datasetsApi.datasetsFunction,
    stack.experiments.apiFunction,
  ];

  it('names the table to every function that authenticates API keys', () => {
    for (const fn of authenticating()) {
      const variables =
        template.toJSON().Resources[logicalIdOf(fn.function)].Properties.Environment.Variables;
      expect(variables[AUTH_RATE_LIMIT_TABLE_ENV]).toEqual(
        stack.resolve(stack.authRateLimit.table.tableName),
      );
    }
  });

  it('grants the functions that authenticate exactly UpdateItem and GetItem on that table', () => {
    const tableArn = stack.resolve(stack.authRateLimit.table.tableArn);
    for (const fn of authenticating()) {
      const onTable = statementsOfRole(fn.role).filter(
        (statement) => JSON.stringify(statement.Resource) === JSON.stringify(tableArn),
      );
      expect(onTable).toEqual([
        {
          Sid: 'CountAuthFailures',
          Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
          Effect: 'Allow',
          Resource: tableArn,
        },
      ]);
    }
  });

  it('is reachable by no other function of the data plane', () => {
    const tableArn = JSON.stringify(stack.resolve(stack.authRateLimit.table.tableArn));
    const allowed = new Set(authenticating().map((fn) => logicalIdOf(fn.role)));
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      if (!JSON.stringify(policy.Properties.PolicyDocument).includes(tableArn)) continue;
      const roles = (policy.Properties.Roles as { Ref: string }[]).map((role) => role.Ref);
      for (const role of roles) expect(allowed).toContain(role);
    }
  });
});
