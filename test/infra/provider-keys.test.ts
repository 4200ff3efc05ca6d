/**
 * The provider-key table and function on a data plane: table settings, the two KMS keys, the
 * function's environment, routes and alarm, and exactly the IAM the function and the (future)
 * proxy get.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_SECRET_PURPOSE } from '../../lambdas/domain/providers/record';
import { PROVIDER_KEY_ROUTES } from '../../lambdas/provider-keys/routes';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { ProviderKeyTable } from '../../lib/data-plane/provider-keys';
import { customerKeyTable, viaService } from './support/expected';
import { statementsOfRole } from './support/policies';
import { ACME_ENV, testDataPlane } from './support/test-app';

let stack: DataPlaneStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = testDataPlane());
}, 120_000);

const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);
const arnOf = (construct: { node: { defaultChild?: unknown } }) => ({
  'Fn::GetAtt': [idOf(construct), 'Arn'],
});

const statementsOf = (t: Template, roleId: string) => statementsOfRole(t.toJSON().Resources, roleId);

const secretContext = { StringEquals: { 'kms:EncryptionContext:purpose': PROVIDER_SECRET_PURPOSE } };
const dynamoViaService = viaService('dynamodb', ACME_ENV.region);

describe('the provider-key table', () => {
  it('is keyed by pk and sk, on demand, encrypted with its own key, with PITR, deletion protection and RETAIN', () => {
    const table = template.toJSON().Resources[idOf(stack.providerKeys.table)];
    expect(table.Properties).toMatchObject({
      ...customerKeyTable(arnOf(stack.providerKeys.tableKey)),
      DeletionProtectionEnabled: true,
    });
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties.TimeToLiveSpecification).toBeUndefined();
  });

  it('has two rotating, retained customer keys: one for the table, one that wraps the secrets', () => {
    const keys = template.toJSON().Resources;
    for (const key of [stack.providerKeys.tableKey, stack.providerKeys.secretsKey]) {
      expect(keys[idOf(key)]).toMatchObject({
        Properties: { EnableKeyRotation: true },
        DeletionPolicy: 'Retain',
      });
    }
    expect(idOf(stack.providerKeys.tableKey)).not.toBe(idOf(stack.providerKeys.secretsKey));
  });
});

describe('the provider-keys function', () => {
  const fn = () => stack.providerKeysApi.providerKeysFunction;

  it('is told its table, secrets key, key registry and the proxy-limits table', () => {
    const variables = template.toJSON().Resources[idOf(fn().function)].Properties.Environment.Variables;
    expect(variables).toMatchObject({
      PROVIDER_KEYS_TABLE_NAME: { Ref: idOf(stack.providerKeys.table) },
      PROVIDER_SECRETS_KEY_ARN: arnOf(stack.providerKeys.secretsKey),
      PROXY_LIMITS_TABLE_NAME: { Ref: idOf(stack.proxyLimits.limitsTable) },
      KEY_TABLE_NAME: { Ref: idOf(stack.keyRegistry.table) },
      AUTH_RATE_LIMIT_TABLE_NAME: { Ref: idOf(stack.authRateLimit.table) },
      POWERTOOLS_SERVICE_NAME: 'waggle-provider-keys',
    });
  });

  it('may manage records, seal (never open) secrets, set proxy limits, look up API keys and count failures: nothing else', () => {
    const statements = statementsOf(template, idOf(fn().role));
    const named = statements.filter((statement) => statement.Sid !== undefined);
    expect(named).toEqual([
      {
        Sid: 'ManageProviderKeys',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        Resource: arnOf(stack.providerKeys.table),
      },
      {
        Sid: 'ProviderKeyTableEncryption',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: arnOf(stack.providerKeys.tableKey),
        Condition: dynamoViaService,
      },
      {
        Sid: 'SealProviderSecrets',
        Effect: 'Allow',
        Action: 'kms:GenerateDataKey',
        Resource: arnOf(stack.providerKeys.secretsKey),
        Condition: secretContext,
      },
      {
        Sid: 'ManageProxyLimits',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: arnOf(stack.proxyLimits.limitsTable),
      },
      {
        Sid: 'EncryptProxyLimits',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: arnOf(stack.proxyLimits.key),
        Condition: dynamoViaService,
      },
      expect.objectContaining({ Sid: 'LookUpApiKeys', Action: 'dynamodb:GetItem' }),
      expect.objectContaining({ Sid: 'DecryptApiKeys', Action: 'kms:Decrypt' }),
      ...statements
        .filter((statement) => typeof statement.Sid === 'string' && /RateLimit|Count/i.test(statement.Sid))
        .map((statement) => expect.objectContaining({ Sid: statement.Sid })),
    ]);
    // The rest is the log group and X-Ray every WaggleFunction has.
    for (const statement of statements.filter((s) => s.Sid === undefined)) {
      for (const action of [statement.Action].flat() as string[]) expect(action).toMatch(/^(logs|xray):/);
    }
    // No statement lets it open a secret.
    const decryptsSecrets = statements.some(
      (statement) =>
        JSON.stringify(statement.Resource) === JSON.stringify(arnOf(stack.providerKeys.secretsKey)) &&
        JSON.stringify(statement.Action).includes('kms:Decrypt'),
    );
    expect(decryptsSecrets).toBe(false);
  });

  it('serves exactly PROVIDER_KEY_ROUTES on the data plane API', () => {
    const integrations = Object.entries(template.findResources('AWS::ApiGatewayV2::Integration'))
      .filter(([, integration]) =>
        JSON.stringify(integration.Properties.IntegrationUri).includes(idOf(fn().function)),
      )
      .map(([id]) => id);
    expect(integrations).toHaveLength(1);
    const target = { 'Fn::Join': ['', ['integrations/', { Ref: integrations[0] }]] };
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
      .filter((route) => JSON.stringify(route.Properties.Target) === JSON.stringify(target))
      .map((route) => route.Properties.RouteKey);
    expect(routeKeys.sort()).toEqual([...PROVIDER_KEY_ROUTES].sort());
  });

  it('alarms when an audit entry was not written', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Waggle',
      MetricName: 'AuditWriteFailures',
      Dimensions: [{ Name: 'service', Value: 'waggle-provider-keys' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('grantDecryptForProxy', () => {
  it('lets the proxy read a record and open its secret under the provider-key context only', () => {
    const proxyStack = new Stack(new App(), 'Proxy', { env: ACME_ENV });
    const keys = new ProviderKeyTable(proxyStack, 'ProviderKeys');
    const role = new Role(proxyStack, 'ProxyRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    keys.grantDecryptForProxy(role);
    const t = Template.fromStack(proxyStack);
    const id = (construct: { node: { defaultChild?: unknown } }) =>
      proxyStack.getLogicalId(construct.node.defaultChild as never);
    const arn = (construct: { node: { defaultChild?: unknown } }) => ({
      'Fn::GetAtt': [id(construct), 'Arn'],
    });
    expect(statementsOf(t, id(role))).toEqual([
      { Sid: 'ReadProviderKeys', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: arn(keys.table) },
      {
        Sid: 'DecryptProviderKeyTable',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: arn(keys.tableKey),
        Condition: dynamoViaService,
      },
      {
        Sid: 'OpenProviderSecrets',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: arn(keys.secretsKey),
        Condition: secretContext,
      },
    ]);
  });
});
