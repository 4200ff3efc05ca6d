/**
 * The web console on AWS: a private bucket read only through CloudFront's origin access control,
 * security headers, the single-page-app fallback, Cognito sending the browser back to the console,
 * and every data plane allowing the console's origin (CORS) from the deployment config.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DeploymentConfig, loadDeploymentConfig } from '../../lib/config/deployment-config';
import { consoleConfigFor } from '../../lib/control-plane/console-hosting';
import { PRIVATE_BUCKET } from './support/expected';
import { buildTestApp, type TestWaggleApp, TWO_DATA_PLANES_CONFIG } from './support/test-app';

type Resource = { Properties: Record<string, unknown> };

const base = loadDeploymentConfig(TWO_DATA_PLANES_CONFIG);
/** The fixture with a custom console domain and one data plane that has a public URL. */
const withConsoleDomain: DeploymentConfig = {
  controlPlane: {
    ...base.controlPlane,
    console: {
      url: 'https://console.waggle.test',
      certificateArn: 'arn:aws:acm:us-east-1:100000000001:certificate/0f0e0d0c-aaaa-bbbb-cccc-123456789012',
    },
  },
  dataPlanes: base.dataPlanes.map((plane) =>
    plane.name === 'acme'
      ? {
          ...plane,
          url: 'https://acme.ingest.waggle.test',
          llmProxyUrl: 'https://abc123.lambda-url.us-east-1.on.aws',
        }
      : plane,
  ),
};

/** No console domain, no sign-in domain prefix, no callback URLs: what the defaults give. */
const minimalConfig: DeploymentConfig = {
  controlPlane: { account: '111111111111', region: 'eu-west-1', url: 'https://cp.example.test' },
  dataPlanes: [
    { name: 'eu', account: '111111111111', region: 'eu-west-1', hostingModel: 'dedicated', logLevel: 'INFO' },
  ],
};

let custom: TestWaggleApp;
let customTemplate: Template;
let plain: TestWaggleApp;
let plainTemplate: Template;

// Two apps for the whole file: the fixture with a console domain, and the minimal config.
beforeAll(() => {
  custom = buildTestApp(withConsoleDomain);
  customTemplate = Template.fromStack(custom.controlPlane);
  plain = buildTestApp(minimalConfig);
  plainTemplate = Template.fromStack(plain.controlPlane);
});

function only(template: Template, type: string): Resource {
  const found = Object.values(template.findResources(type)) as Resource[];
  expect(found, type).toHaveLength(1);
  return found[0] as Resource;
}

describe('console files', () => {
  it('live in a private, TLS-only bucket that only the distribution reads (origin access control)', () => {
    customTemplate.hasResourceProperties('AWS::S3::Bucket', PRIVATE_BUCKET);
    customTemplate.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
      }),
    });
    const policy = JSON.stringify(only(customTemplate, 'AWS::S3::BucketPolicy').Properties);
    expect(policy).toContain('cloudfront.amazonaws.com');
    expect(policy).toContain('AWS:SourceArn');
    expect(policy).toContain('"aws:SecureTransport":"false"');
  });

  it('are served over HTTPS only, deep links falling back to index.html through a viewer-request function', () => {
    const distribution = only(customTemplate, 'AWS::CloudFront::Distribution').Properties
      .DistributionConfig as Record<string, unknown>;
    expect(distribution.DefaultRootObject).toBe('index.html');
    const behavior = distribution.DefaultCacheBehavior as Record<string, unknown>;
    expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    const associations = behavior.FunctionAssociations as { EventType: string }[];
    expect(associations.map((association) => association.EventType)).toEqual(['viewer-request']);
    const code = only(customTemplate, 'AWS::CloudFront::Function').Properties.FunctionCode as string;
    // The function as CloudFront would run it: paths with no extension load the app.
    const handler = new Function(`${code}; return handler;`)() as (event: { request: { uri: string } }) => {
      uri: string;
    };
    expect(handler({ request: { uri: '/projects/p1/sessions/s1' } }).uri).toBe('/index.html');
    expect(handler({ request: { uri: '/' } }).uri).toBe('/index.html');
    expect(handler({ request: { uri: '/assets/index-abc123.js' } }).uri).toBe('/assets/index-abc123.js');
    expect(handler({ request: { uri: '/config.json' } }).uri).toBe('/config.json');
  });

  it('carry a content security policy naming exactly the APIs the console calls, HSTS and no framing', () => {
    const config = only(customTemplate, 'AWS::CloudFront::ResponseHeadersPolicy').Properties
      .ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> };
    const headers = config.SecurityHeadersConfig;
    const csp = headers.ContentSecurityPolicy?.ContentSecurityPolicy as string;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    const connect = csp.split('; ').find((directive) => directive.startsWith('connect-src'));
    expect(connect?.split(' ').slice(1).sort()).toEqual(
      [
        "'self'",
        'https://cp.waggle.test',
        'https://waggle-test-signin.auth.us-east-1.amazoncognito.com',
        'https://acme.ingest.waggle.test',
        // The playground's LLM proxy (a function URL of its own).
        'https://abc123.lambda-url.us-east-1.on.aws',
      ].sort(),
    );
    expect(headers.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 63072000,
      Override: true,
    });
    expect(headers.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    expect(headers.ContentTypeOptions).toMatchObject({ Override: true });
  });

  it('use the custom domain with its certificate and TLS 1.2, or the distribution domain without one', () => {
    const customConfig = only(customTemplate, 'AWS::CloudFront::Distribution').Properties
      .DistributionConfig as Record<string, unknown>;
    expect(customConfig.Aliases).toEqual(['console.waggle.test']);
    expect(customConfig.ViewerCertificate).toMatchObject({
      AcmCertificateArn: withConsoleDomain.controlPlane.console?.certificateArn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    const plainConfig = only(plainTemplate, 'AWS::CloudFront::Distribution').Properties
      .DistributionConfig as Record<string, unknown>;
    expect(plainConfig.Aliases).toBeUndefined();
    const origin = JSON.stringify(plain.controlPlane.resolve(plain.controlPlane.console.origin));
    expect(origin).toMatch(
      /^\{"Fn::Join":\["",\["https:\/\/",\{"Fn::GetAtt":\["ConsoleDistribution\w+","DomainName"\]\}\]\]\}$/,
    );
  });

  it('are uploaded with the config.json the console reads, invalidating only the unhashed entry files', () => {
    const deployments = Object.values(
      customTemplate.findResources('Custom::CDKBucketDeployment'),
    ) as Resource[];
    expect(deployments).toHaveLength(2);
    const entry = deployments.find((deployment) => deployment.Properties.DistributionPaths !== undefined);
    expect(entry?.Properties.DistributionPaths).toEqual(['/index.html', '/config.json']);
    expect(entry?.Properties.SystemMetadata).toEqual({ 'cache-control': 'no-cache' });
    const assets = deployments.find((deployment) => deployment !== entry);
    expect(assets?.Properties.SystemMetadata).toEqual({
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });
});

describe('config.json on AWS', () => {
  it('names the control plane, Cognito managed login with the web client, and the planes that have a URL', () => {
    const config = consoleConfigFor({
      controlPlane: withConsoleDomain.controlPlane,
      dataPlanes: withConsoleDomain.dataPlanes,
      signInDomainUrl: 'https://waggle-test-signin.auth.us-east-1.amazoncognito.com',
      origin: 'https://console.waggle.test',
      clientId: 'client123',
    });
    expect(config).toEqual({
      controlPlaneUrl: 'https://cp.waggle.test',
      auth: {
        mode: 'cognito',
        domain: 'https://waggle-test-signin.auth.us-east-1.amazoncognito.com',
        clientId: 'client123',
        redirectUri: 'https://console.waggle.test/auth/callback',
        logoutUri: 'https://console.waggle.test/',
      },
      dataPlanes: [
        {
          id: 'acme',
          url: 'https://acme.ingest.waggle.test',
          otlpEndpoint: 'https://acme.ingest.waggle.test/v1/traces',
          llmProxyUrl: 'https://abc123.lambda-url.us-east-1.on.aws',
        },
      ],
    });
  });
});

describe('sign-in and CORS', () => {
  it('sends the browser back to the console: its callback and logout URLs come first', () => {
    customTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: [
        'https://console.waggle.test/auth/callback',
        'https://app.waggle.test/auth/callback',
        'http://localhost:5173/auth/callback',
      ],
      LogoutURLs: ['https://console.waggle.test/', 'https://app.waggle.test/'],
    });
  });

  it('gives the user pool a managed-login domain even when the config names no prefix', () => {
    plainTemplate.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'waggle-111111111111',
    });
  });

  it('lets the console origin call the control-plane API and every data plane', () => {
    customTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: Match.arrayWith(['https://console.waggle.test', 'https://app.waggle.test']),
        AllowHeaders: ['authorization', 'content-type'],
      }),
    });
    for (const stack of custom.dataPlanes.values()) {
      const api = Object.values(
        Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Api'),
      )[0] as Resource;
      expect(api.Properties.CorsConfiguration).toEqual({
        AllowOrigins: ['https://console.waggle.test', 'https://app.waggle.test', 'http://localhost:5173'],
        AllowHeaders: ['authorization', 'content-type'],
        AllowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
        ExposeHeaders: ['retry-after'],
        MaxAge: 3600,
      });
    }
  });

  it('gives a data plane no CORS rules when the config names no console origin', () => {
    const stack = plain.dataPlanes.get('eu');
    if (!stack) throw new Error('no data plane eu');
    const api = Object.values(
      Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Api'),
    )[0] as Resource;
    expect(api.Properties.CorsConfiguration).toBeUndefined();
  });
});
