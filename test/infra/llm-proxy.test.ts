/**
 * The LLM proxy on the data plane: a function URL that streams (RESPONSE_STREAM; the HTTP API
 * cannot), its environment, and exactly what it may do: read and open provider keys, admit against
 * budgets and use the response cache, read configurations, send model events, park oversize ones,
 * invoke Bedrock models; never write provider keys nor seal secrets.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { type PolicyStatement, statementsOfRole as statementsOfRoleId } from './support/policies';
import { testDataPlane } from './support/test-app';

type Resource = { Properties: Record<string, unknown> };

let stack: DataPlaneStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = testDataPlane());
});

function statementsOfRole(): Map<unknown, PolicyStatement> {
  const roleRef = stack.resolve(stack.llmProxy.proxyFunction.role.roleName) as { Ref: string };
  const statements = statementsOfRoleId(template.toJSON().Resources, roleRef.Ref);
  return new Map(statements.map((statement) => [statement.Sid, statement]));
}

describe('LLM proxy', () => {
  it('is served by a streaming function URL that the app authenticates', () => {
    const fn = stack.resolve(stack.llmProxy.proxyFunction.function.functionName) as { Ref: string };
    template.hasResourceProperties('AWS::Lambda::Url', {
      InvokeMode: 'RESPONSE_STREAM',
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [fn.Ref, 'Arn'] },
    });
  });

  it('knows its tables, key, queue and bucket from its environment', () => {
    const fn = stack.resolve(stack.llmProxy.proxyFunction.function.functionName) as { Ref: string };
    const resource = template.findResources('AWS::Lambda::Function')[fn.Ref] as Resource;
    const variables = (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.PROVIDER_KEYS_TABLE_NAME).toEqual(stack.resolve(stack.providerKeys.table.tableName));
    expect(variables.PROVIDER_SECRETS_KEY_ARN).toEqual(stack.resolve(stack.providerKeys.secretsKey.keyArn));
    expect(variables.PROXY_LIMITS_TABLE_NAME).toEqual(stack.resolve(stack.proxyLimits.limitsTable.tableName));
    expect(variables.RESPONSE_CACHE_TABLE_NAME).toEqual(
      stack.resolve(stack.proxyLimits.cacheTable.tableName),
    );
    expect(variables.SYNC_STATE_TABLE_NAME).toEqual(stack.resolve(stack.syncController.stateTable.tableName));
    expect(variables.EVENTS_QUEUE_URL).toEqual(stack.resolve(stack.eventsQueue.queue.queueUrl));
    expect(variables.OVERFLOW_BUCKET).toEqual(stack.resolve(stack.rawArchive.bucket.bucketName));
    expect(resource.Properties.Timeout).toBe(300);
  });

  it('may open provider keys, send events and invoke Bedrock, and never seal or write provider keys', () => {
    const bySid = statementsOfRole();
    expect(bySid.get('ReadProviderKeys')?.Action).toBe('dynamodb:GetItem');
    expect(bySid.get('OpenProviderSecrets')?.Action).toBe('kms:Decrypt');
    expect(bySid.get('SendEvents')?.Action).toBe('sqs:SendMessage');
    expect(bySid.get('WriteOverflowEvents')?.Action).toBe('s3:PutObject');
    expect(bySid.get('InvokeBedrockModels')?.Action).toEqual([
      'bedrock:InvokeModel',
      'bedrock:InvokeModelWithResponseStream',
    ]);
    // The secrets key: Decrypt only (sealing is the provider-keys function's).
    const secretsKey = JSON.stringify(stack.resolve(stack.providerKeys.secretsKey.keyArn));
    const onSecretsKey = [...bySid.values()].filter((statement) =>
      JSON.stringify(statement.Resource ?? '').includes(secretsKey),
    );
    expect(onSecretsKey.length).toBeGreaterThan(0);
    for (const statement of onSecretsKey) expect(statement.Action).toBe('kms:Decrypt');
    const keysTable = JSON.stringify(stack.resolve(stack.providerKeys.table.tableArn));
    for (const statement of bySid.values()) {
      if (JSON.stringify(statement.Resource ?? '').includes(keysTable)) {
        expect(JSON.stringify(statement.Action)).not.toMatch(/PutItem|UpdateItem|DeleteItem|TransactWrite/);
      }
    }
  });
});
