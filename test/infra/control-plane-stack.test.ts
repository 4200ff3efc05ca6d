import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIGURATION_WRITE_ROUTES } from '../../lambdas/control-plane-api/configuration-routes';
import { CONTROL_PLANE_ROUTES } from '../../lambdas/control-plane-api/routes';
import { TOKEN_ROUTES } from '../../lambdas/control-plane-tokens/routes';
import { CHANNEL_ROUTES } from '../../lambdas/notifications-api/routes';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { buildTestApp, type TestWaggleApp } from './support/test-app';

let waggle: TestWaggleApp;
let template: Template;

beforeAll(() => {
  waggle = buildTestApp();
  template = Template.fromStack(waggle.controlPlane);
});

type Resource = { Properties: Record<string, unknown> } & Record<string, unknown>;

/** Logical ids of the functions that reserve concurrency (a reservation fails on an account with a quota of 10). */
function functionsReservingConcurrency(stackTemplate: Template): string[] {
  const functions = stackTemplate.findResources('AWS::Lambda::Function') as Record<string, Resource>;
  return Object.entries(functions)
    .filter(([, resource]) => resource.Properties.ReservedConcurrentExecutions !== undefined)
    .map(([logicalId]) => logicalId);
}

function policyStatementsOf(roleLogicalId: string): Record<string, unknown>[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies as Record<string, Resource>)
    .filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleLogicalId),
    )
    .flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
}

describe('Cognito user pool', () => {
  it('requires TOTP MFA (no SMS) and a strong password policy', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
        },
      },
      UsernameAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UserPoolTier: 'PLUS',
      // Threat protection enforcing: risky sign-ins and compromised credentials are blocked.
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    const pools = template.findResources('AWS::Cognito::UserPool');
    expect(Object.values(pools)[0]?.DeletionPolicy).toBe('Retain');
  });

  it('federates the SAML and OIDC providers from the config, the OIDC secret by dynamic reference', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'acme-okta',
      ProviderType: 'SAML',
      ProviderDetails: { MetadataURL: 'https://acme.okta.test/app/exk1/sso/saml/metadata' },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'globex-entra',
      ProviderType: 'OIDC',
      ProviderDetails: Match.objectLike({
        client_id: 'waggle-web',
        oidc_issuer: 'https://login.globex.test/v2.0',
        client_secret:
          '{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:100000000001:secret:waggle/globex-oidc-AbCdEf:SecretString:::}}',
      }),
    });
  });

  it('has a public web client (no secret) for password and the configured providers', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_SRP_AUTH']),
      SupportedIdentityProviders: [
        'COGNITO',
        { Ref: Match.stringLikeRegexp('^IdentitySamlacmeokta') },
        { Ref: Match.stringLikeRegexp('^IdentityOidcglobexentra') },
      ],
      AllowedOAuthFlows: ['code'],
      // The console's own callback first (the distribution's domain here), then the configured ones.
      CallbackURLs: [
        Match.anyValue(),
        'https://app.waggle.test/auth/callback',
        'http://localhost:5173/auth/callback',
      ],
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'waggle-test-signin' });
  });
});

describe('control-plane HTTP API', () => {
  it('has a JWT authorizer on the user pool with the web client as audience', () => {
    const stack = waggle.controlPlane;
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [stack.resolve(stack.identity.webClient.userPoolClientId)],
        Issuer: Match.anyValue(),
      },
    });
  });

  it('puts the JWT authorizer on every route except the JWKS and the configuration writes (which carry keys or data-plane tokens)', () => {
    const routes = template.findResources('AWS::ApiGatewayV2::Route') as Record<string, Resource>;
    const byKey = new Map(
      Object.values(routes).map((route) => [route.Properties.RouteKey as string, route.Properties]),
    );
    const expected = [
      ...CONTROL_PLANE_ROUTES,
      ...TOKEN_ROUTES,
      ...CONFIGURATION_WRITE_ROUTES,
      ...CHANNEL_ROUTES,
    ];
    expect([...byKey.keys()].sort()).toEqual([...expected].sort());
    const unauthorized: readonly string[] = ['GET /.well-known/jwks.json', ...CONFIGURATION_WRITE_ROUTES];
    for (const routeKey of expected) {
      const route = byKey.get(routeKey);
      if (unauthorized.includes(routeKey)) {
        expect(route?.AuthorizationType, routeKey).toBe('NONE');
      } else {
        expect(route?.AuthorizationType, routeKey).toBe('JWT');
        expect(route?.AuthorizerId, routeKey).toBeDefined();
      }
    }
  });

  it('routes the token routes to the token function and the rest to the API function', () => {
    const stack = waggle.controlPlane;
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration') as Record<string, Resource>;
    const targetOf = (routeKey: string) => {
      const route = Object.values(
        template.findResources('AWS::ApiGatewayV2::Route') as Record<string, Resource>,
      ).find((candidate) => candidate.Properties.RouteKey === routeKey);
      if (!route) throw new Error(`no route ${routeKey}`);
      const target = route.Properties.Target as { 'Fn::Join': [string, unknown[]] };
      const integrationId = target['Fn::Join'][1][1] as { Ref: string };
      return JSON.stringify(integrations[integrationId.Ref]?.Properties.IntegrationUri);
    };
    const tokenArn = JSON.stringify(stack.resolve(stack.api.tokenFunction.function.functionArn));
    const apiArn = JSON.stringify(stack.resolve(stack.api.apiFunction.function.functionArn));
    expect(targetOf('POST /v1/tokens')).toBe(tokenArn);
    expect(targetOf('GET /.well-known/jwks.json')).toBe(tokenArn);
    expect(targetOf('POST /v1/projects')).toBe(apiArn);
    for (const routeKey of CONFIGURATION_WRITE_ROUTES) expect(targetOf(routeKey), routeKey).toBe(apiArn);
    const channelsArn = JSON.stringify(stack.resolve(stack.notifications.apiFunction.function.functionArn));
    for (const routeKey of CHANNEL_ROUTES) expect(targetOf(routeKey), routeKey).toBe(channelsArn);
  });

  it('gives the API function the issuer, to check data-plane tokens forwarded with configuration writes', () => {
    const stack = waggle.controlPlane;
    const apiFunction = stack.resolve(stack.api.apiFunction.function.functionName);
    const functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    const [, api] = Object.entries(functions).find(([logicalId]) => apiFunction?.Ref === logicalId) ?? [];
    const environment = api?.Properties.Environment as { Variables: Record<string, unknown> } | undefined;
    expect(environment?.Variables.TOKEN_ISSUER).toBe('https://cp.waggle.test');
  });

  it('gives the token function the issuer from the config and the data planes it may issue for', () => {
    const stack = waggle.controlPlane;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TOKEN_ISSUER: 'https://cp.waggle.test',
          DATA_PLANE_IDS: 'acme,shared-ap',
          SIGNING_KEY_KID: stack.resolve(stack.signingKey.key.keyId),
        }),
      },
    });
  });
});

describe('signing key', () => {
  it('is an asymmetric ECC_NIST_P256 SIGN_VERIFY key with an alias, retained', () => {
    const keys = template.findResources('AWS::KMS::Key', {
      Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
    });
    expect(Object.keys(keys)).toHaveLength(1);
    expect(Object.values(keys)[0]?.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/waggle-control-plane-signing' });
  });

  it('lets the token and sync functions sign (ECDSA_SHA_256 only) and read the public key', () => {
    const stack = waggle.controlPlane;
    const keyArn = stack.resolve(stack.signingKey.key.keyArn);
    for (const fn of [stack.api.tokenFunction, stack.api.apiFunction, stack.reconciler.reconcileFunction]) {
      const statements = policyStatementsOf(stack.getLogicalId(fn.role.node.defaultChild as never));
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: 'kms:Sign',
          Resource: keyArn,
          Condition: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } },
        }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: 'kms:GetPublicKey', Resource: keyArn }),
      );
    }
  });
});

describe('control-plane table', () => {
  it('has PITR, a customer key, the by-user GSI, deletion protection and RETAIN', () => {
    const stack = waggle.controlPlane;
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: stack.resolve(stack.table.key.keyArn),
      },
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'by-user',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
        }),
      ],
      DeletionProtectionEnabled: true,
    });
    const tables = template.findResources('AWS::DynamoDB::Table');
    expect(Object.values(tables)[0]?.DeletionPolicy).toBe('Retain');
  });
});

describe('sync senders', () => {
  it('name their roles so that the data planes can trust them, and send to every inbox', () => {
    const stack = waggle.controlPlane;
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'waggle-cp-api-us-east-1' });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'waggle-cp-sync-us-east-1' });
    const statements = policyStatementsOf(
      stack.getLogicalId(stack.reconciler.reconcileFunction.role.node.defaultChild as never),
    );
    const send = statements.find((statement) => statement.Sid === 'SendToDataPlaneInboxes');
    expect(JSON.stringify(send?.Resource)).toContain(
      ':sqs:eu-central-1:200000000002:waggle-acme-inbox.fifo"',
    );
    expect(JSON.stringify(send?.Resource)).toContain(
      ':sqs:ap-southeast-2:300000000003:waggle-shared-ap-inbox.fifo"',
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Condition: {
          StringEquals: { 'kms:ViaService': 'sqs.eu-central-1.amazonaws.com' },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/waggle-acme-inbox' },
        },
      }),
    );
  });

  it('reconcile on a schedule, with no reserved concurrency (an account with a quota of 10 cannot reserve)', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    const stack = waggle.controlPlane;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: stack.resolve(stack.reconciler.reconcileFunction.role.roleArn),
      ReservedConcurrentExecutions: Match.absent(),
    });
    expect(functionsReservingConcurrency(template)).toEqual([]);
  });
});

describe('data-plane inbox and controller, in each data plane account and region', () => {
  const planes: [string, string, string][] = [
    ['acme', '200000000002', 'eu-central-1'],
    ['shared-ap', '300000000003', 'ap-southeast-2'],
  ];

  it.each(planes)('%s: lets only the control plane sender roles send, by an exact queue policy', (name) => {
    const stack = waggle.dataPlanes.get(name) as DataPlaneStack;
    const dataTemplate = Template.fromStack(stack);
    expect(Stack.of(stack).account).toBe(planes.find((plane) => plane[0] === name)?.[1]);
    const queueArn = stack.resolve(stack.syncController.inbox.queue.queueArn);
    const senders = ['waggle-cp-api-us-east-1', 'waggle-cp-sync-us-east-1'].map((role) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::100000000001:role/${role}`]],
    }));
    dataTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [stack.resolve(stack.syncController.inbox.queue.queueUrl)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'ControlPlaneSends',
            Effect: 'Allow',
            Principal: {
              AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::100000000001:root']] },
            },
            Action: 'sqs:SendMessage',
            Resource: queueArn,
            Condition: { ArnEquals: { 'aws:PrincipalArn': senders } },
          },
          {
            Sid: 'OnlyControlPlaneSends',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:SendMessage',
            Resource: queueArn,
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': senders } },
          },
        ]),
      },
    });
    dataTemplate.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: `waggle-${name}-inbox.fifo`,
      FifoQueue: true,
      ContentBasedDeduplication: false,
      DeduplicationScope: 'queue',
      KmsMasterKeyId: Match.anyValue(),
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
    });
    dataTemplate.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: `waggle-${name}-inbox-dlq.fifo`,
      FifoQueue: true,
    });
    dataTemplate.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/waggle-${name}-inbox` });
    dataTemplate.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ControlPlaneSendsThroughSqs',
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Condition: {
              StringEquals: {
                'kms:ViaService': `sqs.${planes.find((plane) => plane[0] === name)?.[2]}.amazonaws.com`,
              },
              ArnEquals: { 'aws:PrincipalArn': senders },
            },
          }),
        ]),
      },
    });
  });

  it.each(planes)(
    '%s: runs the controller on the FIFO inbox with batch failures, reserving no concurrency anywhere',
    (name) => {
      const stack = waggle.dataPlanes.get(name) as DataPlaneStack;
      const dataTemplate = Template.fromStack(stack);
      const controller = stack.syncController.controllerFunction;
      // Ordering comes from the FIFO queue's one message group, not from a reservation.
      expect(functionsReservingConcurrency(dataTemplate)).toEqual([]);
      dataTemplate.hasResourceProperties('AWS::Lambda::Function', {
        Role: stack.resolve(controller.role.roleArn),
        ReservedConcurrentExecutions: Match.absent(),
        Environment: {
          Variables: Match.objectLike({
            DATA_PLANE_ID: name,
            CONTROL_PLANE_JWKS_URL: 'https://cp.waggle.test/.well-known/jwks.json',
          }),
        },
      });
      dataTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: stack.resolve(stack.syncController.inbox.queue.queueArn),
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: Match.absent(),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    },
  );
});
