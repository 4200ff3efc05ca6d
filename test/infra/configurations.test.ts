/**
 * The configurations function on the data plane: its routes on the data plane's HTTP API, its
 * environment (the sync-state table it reads, the control plane it forwards writes to, the caller
 * trust) and exactly what it may do (read the synced copy, look up keys; never write the table).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIGURATION_ROUTES } from '../../lambdas/configurations/routes';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { statementsOfRole } from './support/policies';
import { testDataPlane } from './support/test-app';

type Resource = { Properties: Record<string, unknown> };

let stack: DataPlaneStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = testDataPlane());
});

describe('configurations function', () => {
  it('serves every configuration and tool route on the data plane API', () => {
    const routes = template.findResources('AWS::ApiGatewayV2::Route') as Record<string, Resource>;
    const keys = new Set(Object.values(routes).map((route) => route.Properties.RouteKey));
    for (const routeKey of CONFIGURATION_ROUTES) expect(keys.has(routeKey), routeKey).toBe(true);
  });

  it('reads the sync-state table and forwards writes to the configured control plane', () => {
    const fn = stack.resolve(stack.configurationsApi.configurationsFunction.function.functionName) as {
      Ref: string;
    };
    const resource = template.findResources('AWS::Lambda::Function')[fn.Ref] as Resource;
    const variables = (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.SYNC_STATE_TABLE_NAME).toEqual(stack.resolve(stack.syncController.stateTable.tableName));
    expect(variables.CONTROL_PLANE_URL).toBe('https://cp.waggle.test');
    expect(variables.KEY_TABLE_NAME).toEqual(stack.resolve(stack.keyRegistry.table.tableName));
    expect(variables.CONTROL_PLANE_ISSUER).toBe('https://cp.waggle.test');
  });

  it('may read the synced copy and decrypt it through DynamoDB, and never write it', () => {
    const roleRef = stack.resolve(stack.configurationsApi.configurationsFunction.role.roleName) as {
      Ref: string;
    };
    const statements = statementsOfRole(template.toJSON().Resources, roleRef.Ref);
    const bySid = new Map(statements.map((statement) => [statement.Sid, statement]));
    expect(bySid.get('ReadSyncedConfig')?.Action).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(bySid.get('ReadSyncedConfig')?.Resource).toEqual(
      stack.resolve(stack.syncController.stateTable.tableArn),
    );
    expect(bySid.get('DecryptSyncedConfig')?.Action).toBe('kms:Decrypt');
    // The only DynamoDB write it has is the brute-force counter's UpdateItem, never on the state table.
    const stateTable = JSON.stringify(stack.resolve(stack.syncController.stateTable.tableArn));
    const onStateTable = statements.filter((statement) =>
      JSON.stringify(statement.Resource).includes(stateTable),
    );
    const actions = onStateTable.flatMap((statement) => [statement.Action].flat() as string[]);
    expect(actions.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
  });
});
