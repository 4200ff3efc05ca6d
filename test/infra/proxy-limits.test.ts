/**
 * The proxy's limits and response-cache tables on a data plane: TTL, encryption with their customer
 * key, PITR and removal policies, and exactly what each grant method allows.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { ProxyLimits } from '../../lib/data-plane/proxy-limits';
import { viaService } from './support/expected';
import { ACME_ENV, testDataPlane } from './support/test-app';

let stack: DataPlaneStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = testDataPlane());
}, 120_000);

type Node = { node: { defaultChild?: unknown } };
const dynamoViaService = viaService('dynamodb', ACME_ENV.region);

describe('the proxy-limits tables', () => {
  const idOf = (construct: Node) => stack.getLogicalId(construct.node.defaultChild as never);
  const arnOf = (construct: Node) => ({ 'Fn::GetAtt': [idOf(construct), 'Arn'] });

  it.each([
    ['limitsTable', 'Retain'],
    ['cacheTable', 'Delete'],
  ] as const)('%s: keyed by pk, TTL on expiresAt, on demand, its customer key, PITR, %s', (name, policy) => {
    const table = template.toJSON().Resources[idOf(stack.proxyLimits[name])];
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arnOf(stack.proxyLimits.key) },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(table.DeletionPolicy).toBe(policy);
  });

  it('names both tables in the environment it gives the proxy', () => {
    expect(stack.resolve(stack.proxyLimits.environment())).toEqual({
      PROXY_LIMITS_TABLE_NAME: { Ref: idOf(stack.proxyLimits.limitsTable) },
      RESPONSE_CACHE_TABLE_NAME: { Ref: idOf(stack.proxyLimits.cacheTable) },
    });
  });

  it('has a rotating, retained customer key', () => {
    expect(template.toJSON().Resources[idOf(stack.proxyLimits.key)]).toMatchObject({
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('grant methods', () => {
  function grantedStatements(grant: (limits: ProxyLimits, role: Role) => void) {
    const grantStack = new Stack(new App(), 'Proxy', { env: ACME_ENV });
    const limits = new ProxyLimits(grantStack, 'ProxyLimits');
    const role = new Role(grantStack, 'ProxyRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    grant(limits, role);
    const t = Template.fromStack(grantStack);
    const id = (construct: Node) => grantStack.getLogicalId(construct.node.defaultChild as never);
    const arn = (construct: Node) => ({ 'Fn::GetAtt': [id(construct), 'Arn'] });
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement,
    );
    return { statements, limits, arn };
  }
  const keyStatement = (sid: string, keyArn: unknown) => ({
    Sid: sid,
    Effect: 'Allow',
    Action: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
    Resource: keyArn,
    Condition: dynamoViaService,
  });

  it('grantAdmit: read limits and update counters on the limits table only', () => {
    const { statements, limits, arn } = grantedStatements((l, role) => l.grantAdmit(role));
    expect(statements).toEqual([
      {
        Sid: 'AdmitProxyCalls',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: arn(limits.limitsTable),
      },
      keyStatement('EncryptProxyCounters', arn(limits.key)),
    ]);
  });

  it('grantReadWriteCache: get and put on the cache table only', () => {
    const { statements, limits, arn } = grantedStatements((l, role) => l.grantReadWriteCache(role));
    expect(statements).toEqual([
      {
        Sid: 'ReadWriteResponseCache',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: arn(limits.cacheTable),
      },
      keyStatement('EncryptResponseCache', arn(limits.key)),
    ]);
  });

  it('grantManageLimits: get and put limits documents; combined with the proxy grants, sids stay unique', () => {
    const { statements, limits, arn } = grantedStatements((l, role) => {
      l.grantManageLimits(role);
      l.grantAdmit(role);
      l.grantReadWriteCache(role);
    });
    expect(statements.slice(0, 2)).toEqual([
      {
        Sid: 'ManageProxyLimits',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: arn(limits.limitsTable),
      },
      keyStatement('EncryptProxyLimits', arn(limits.key)),
    ]);
    const sids = statements.map((statement) => statement.Sid);
    expect(new Set(sids).size).toBe(6);
  });
});
