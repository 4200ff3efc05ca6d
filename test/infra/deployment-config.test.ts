import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../lib/common/project-paths';
import {
  DeploymentConfigError,
  loadDeploymentConfig,
  parseDeploymentConfig,
} from '../../lib/config/deployment-config';
import { collectorTaskSize } from '../../lib/data-plane/otel-collector-config';
import { TWO_DATA_PLANES_CONFIG } from './support/test-app';

type RawPlane = Record<string, unknown>;
interface RawConfig {
  controlPlane?: RawPlane;
  dataPlanes: RawPlane[] | RawPlane;
}

const valid = (): RawConfig => ({
  controlPlane: { account: '111111111111', region: 'us-east-1', url: 'https://cp.example.com' },
  dataPlanes: [{ name: 'eu', account: '222222222222', region: 'eu-west-1', hostingModel: 'dedicated' }],
});

const certificateIn = (region: string) =>
  `arn:aws:acm:${region}:222222222222:certificate/0f0e0d0c-1111-2222-3333-444455556666`;

/** A change to the first data plane: these fields set. */
const onPlane = (fields: RawPlane) => (_c: RawConfig, plane: RawPlane) => Object.assign(plane, fields);
/** A change to the control plane: these fields set. */
const onControlPlane = (fields: RawPlane) => (c: RawConfig) =>
  Object.assign(c.controlPlane as RawPlane, fields);

function problemWith(raw: unknown): string {
  try {
    parseDeploymentConfig(raw, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('deployment config', () => {
  it('loads the checked-in config, which synthesizes offline with placeholder accounts', () => {
    const config = loadDeploymentConfig(projectPath('config/deployment.json'));
    expect(config.controlPlane.account).toMatch(/^\d{12}$/);
    expect(config.dataPlanes.length).toBeGreaterThan(0);
  });

  it('loads the test config with two data planes and defaults the log level to INFO', () => {
    const config = loadDeploymentConfig(TWO_DATA_PLANES_CONFIG);
    expect(config).toEqual({
      controlPlane: {
        account: '100000000001',
        region: 'us-east-1',
        url: 'https://cp.waggle.test',
        authDomainPrefix: 'waggle-test-signin',
        callbackUrls: ['https://app.waggle.test/auth/callback', 'http://localhost:5173/auth/callback'],
        logoutUrls: ['https://app.waggle.test/'],
        identityProviders: [
          {
            name: 'acme-okta',
            type: 'saml',
            metadataUrl: 'https://acme.okta.test/app/exk1/sso/saml/metadata',
          },
          {
            name: 'globex-entra',
            type: 'oidc',
            issuer: 'https://login.globex.test/v2.0',
            clientId: 'waggle-web',
            clientSecretArn: 'arn:aws:secretsmanager:us-east-1:100000000001:secret:waggle/globex-oidc-AbCdEf',
          },
        ],
      },
      dataPlanes: [
        {
          name: 'acme',
          account: '200000000002',
          region: 'eu-central-1',
          hostingModel: 'dedicated',
          logLevel: 'DEBUG',
        },
        {
          name: 'shared-ap',
          account: '300000000003',
          region: 'ap-southeast-2',
          hostingModel: 'multi-tenant',
          logLevel: 'INFO',
          eventWriter: { batchSize: 5000, maxBatchingWindowSeconds: 60, maxConcurrency: 4 },
          athena: { bytesScannedCutoffPerQuery: 1073741824 },
          dataStartDate: '2026-01-01',
          defaultReadWindowDays: 14,
        },
      ],
    });
  });

  it.each<[string, (config: RawConfig, plane: RawPlane) => unknown, RegExp]>([
    ['a short account id', onPlane({ account: '12345' }), /dataPlanes\[0\]\.account must be a 12-digit/],
    [
      'an account id as a number',
      onControlPlane({ account: 111111111111 }),
      /controlPlane\.account must be a non-empty string/,
    ],
    ['a made-up region', onPlane({ region: 'europe' }), /dataPlanes\[0\]\.region must be an AWS region/],
    [
      'an unknown hosting model',
      onPlane({ hostingModel: 'saas' }),
      /dataPlanes\[0\]\.hostingModel must be one of "multi-tenant", "dedicated", "self-hosted", got "saas"/,
    ],
    [
      'a missing hosting model',
      (_c, plane) => delete plane.hostingModel,
      /dataPlanes\[0\]\.hostingModel must be one of/,
    ],
    ['an unknown log level', onPlane({ logLevel: 'TRACE' }), /dataPlanes\[0\]\.logLevel must be one of/],
    [
      'a name unfit for a stack name',
      onPlane({ name: 'EU West' }),
      /dataPlanes\[0\]\.name must be lower-case/,
    ],
    [
      'a misspelt field',
      onPlane({ hostingmodel: 'dedicated' }),
      /dataPlanes\[0\] has unknown field\(s\) hostingmodel/,
    ],
    [
      'a batch size over the SQS event source limit',
      onPlane({ eventWriter: { batchSize: 20000 } }),
      /dataPlanes\[0\]\.eventWriter\.batchSize must be an integer from 1 to 10000, got 20000/,
    ],
    [
      'a batching window over 300 seconds',
      onPlane({ eventWriter: { maxBatchingWindowSeconds: 301 } }),
      /dataPlanes\[0\]\.eventWriter\.maxBatchingWindowSeconds must be an integer from 0 to 300/,
    ],
    [
      'a writer concurrency of 1',
      onPlane({ eventWriter: { maxConcurrency: 1 } }),
      /dataPlanes\[0\]\.eventWriter\.maxConcurrency must be an integer from 2 to 1000/,
    ],
    [
      'a misspelt writer setting',
      onPlane({ eventWriter: { batchsize: 10 } }),
      /dataPlanes\[0\]\.eventWriter has unknown field\(s\) batchsize/,
    ],
    [
      'an evaluation worker concurrency of 1',
      onPlane({ evaluation: { maxConcurrency: 1 } }),
      /dataPlanes\[0\]\.evaluation\.maxConcurrency must be an integer from 2 to 1000/,
    ],
    [
      'a negative judge budget',
      onPlane({ evaluation: { judgeDailyBudgetUsd: -1 } }),
      /dataPlanes\[0\]\.evaluation\.judgeDailyBudgetUsd must be a number of dollars from 0/,
    ],
    [
      'a judge fallback that is not <provider>/<model>',
      onPlane({ evaluation: { judgeFallbacks: { 'openai/gpt-4o-mini': ['gpt-4o'] } } }),
      /dataPlanes\[0\]\.evaluation\.judgeFallbacks .*<provider>\/<model>/,
    ],
    [
      'a misspelt evaluation setting',
      onPlane({ evaluation: { judgeBudget: 3 } }),
      /dataPlanes\[0\]\.evaluation has unknown field\(s\) judgeBudget/,
    ],
    [
      'an Athena scan limit under 10 MB',
      onPlane({ athena: { bytesScannedCutoffPerQuery: 1000 } }),
      /dataPlanes\[0\]\.athena\.bytesScannedCutoffPerQuery must be an integer from 10000000/,
    ],
    ['no data planes', (c) => (c.dataPlanes = []), /dataPlanes must name at least one data plane/],
    ['data planes as an object', (c) => (c.dataPlanes = {}), /dataPlanes must be an array/],
    ['no control plane', (c) => delete c.controlPlane, /controlPlane must be an object/],
    [
      'no control-plane URL',
      (c) => delete (c.controlPlane as RawPlane).url,
      /controlPlane\.url must be a non-empty string/,
    ],
    [
      'a plain-http LLM proxy URL',
      onPlane({ llmProxyUrl: 'http://abc.lambda-url.eu-west-1.on.aws' }),
      /dataPlanes\[0\]\.llmProxyUrl must be an https URL/,
    ],
    [
      'an LLM proxy URL with a trailing slash (the function URL output has one)',
      onPlane({ llmProxyUrl: 'https://abc.lambda-url.eu-west-1.on.aws/' }),
      /dataPlanes\[0\]\.llmProxyUrl must be a base URL without a trailing slash/,
    ],
    [
      'a plain-http control-plane URL',
      onControlPlane({ url: 'http://cp.example.com' }),
      /controlPlane\.url must be an https URL/,
    ],
    [
      'a control-plane URL with a trailing slash',
      onControlPlane({ url: 'https://cp.example.com/' }),
      /controlPlane\.url must be a base URL without a trailing slash/,
    ],
    [
      'an identity provider of an unknown type',
      onControlPlane({ identityProviders: [{ name: 'corp', type: 'ldap' }] }),
      /controlPlane\.identityProviders\[0\]\.type must be one of "saml", "oidc"/,
    ],
    [
      'an OIDC client secret written into the file',
      onControlPlane({
        identityProviders: [
          { name: 'corp', type: 'oidc', issuer: 'https://idp.test', clientId: 'x', clientSecret: 'hunter2' },
        ],
      }),
      /controlPlane\.identityProviders\[0\] has unknown field\(s\) clientSecret/,
    ],
    [
      'an OIDC secret that is not a Secrets Manager ARN',
      onControlPlane({
        identityProviders: [
          {
            name: 'corp',
            type: 'oidc',
            issuer: 'https://idp.test',
            clientId: 'x',
            clientSecretArn: 'hunter2',
          },
        ],
      }),
      /controlPlane\.identityProviders\[0\]\.clientSecretArn must be a Secrets Manager secret ARN/,
    ],
    [
      'a SAML provider whose metadata is not https',
      onControlPlane({
        identityProviders: [{ name: 'corp', type: 'saml', metadataUrl: 'ftp://idp.test/metadata' }],
      }),
      /controlPlane\.identityProviders\[0\]\.metadataUrl must be an https URL/,
    ],
    [
      'identity providers without a sign-in domain',
      onControlPlane({
        identityProviders: [{ name: 'corp', type: 'saml', metadataUrl: 'https://idp.test/metadata' }],
      }),
      /controlPlane\.authDomainPrefix is required when identityProviders are configured/,
    ],
    [
      'identity providers without callback URLs',
      (c) => {
        const controlPlane = c.controlPlane as RawPlane;
        controlPlane.identityProviders = [{ name: 'corp', type: 'saml', metadataUrl: 'https://idp.test/m' }];
        controlPlane.authDomainPrefix = 'corp-signin';
      },
      /controlPlane\.callbackUrls must name at least one URL/,
    ],
    [
      'two identity providers with one name',
      onControlPlane({
        identityProviders: [
          { name: 'corp', type: 'saml', metadataUrl: 'https://idp.test/m' },
          { name: 'corp', type: 'saml', metadataUrl: 'https://idp.test/n' },
        ],
      }),
      /controlPlane\.identityProviders\[1\]\.name "corp" is used more than once/,
    ],
    [
      'source maps as a string',
      onPlane({ sourceMaps: 'yes' }),
      /dataPlanes\[0\]\.sourceMaps must be true or false, got "yes"/,
    ],
    [
      'control-plane source maps as a number',
      onControlPlane({ sourceMaps: 1 }),
      /controlPlane\.sourceMaps must be true or false, got 1/,
    ],
    [
      'an alarm email that is not an address',
      onPlane({ alarmEmails: ['ops at example.com'] }),
      /dataPlanes\[0\]\.alarmEmails\[0\] must be an email address, got "ops at example.com"/,
    ],
    [
      'alarm emails as a string',
      onControlPlane({ alarmEmails: 'ops@example.com' }),
      /controlPlane\.alarmEmails must be an array of email addresses/,
    ],
    [
      'a notification sender that is not an address',
      onControlPlane({ notificationEmailFrom: 'alerts' }),
      /controlPlane\.notificationEmailFrom must be an email address, got "alerts"/,
    ],
    [
      'one alarm email twice',
      onControlPlane({ alarmEmails: ['ops@example.com', 'OPS@example.com'] }),
      /controlPlane\.alarmEmails\[1\] "OPS@example.com" is listed more than once/,
    ],
    [
      'a raw retention of 0 days',
      (_c, plane) => {
        plane.retention = { rawRequestDays: 0 };
      },
      /dataPlanes\[0\]\.retention\.rawRequestDays must be an integer from 1 to 36500, got 0/,
    ],
    [
      'an unknown retention field',
      (_c, plane) => {
        plane.retention = { rawDays: 10 };
      },
      /dataPlanes\[0\]\.retention has unknown field\(s\) rawDays/,
    ],
    [
      'a project retention without days',
      (_c, plane) => {
        plane.retention = { projectEvents: [{ projectId: 'p-1' }] };
      },
      /dataPlanes\[0\]\.retention\.projectEvents\[0\]\.days is required/,
    ],
    [
      'a project retention of a fraction of a day',
      (_c, plane) => {
        plane.retention = { projectEvents: [{ projectId: 'p-1', days: 1.5 }] };
      },
      /projectEvents\[0\]\.days must be an integer from 1 to 36500, got 1\.5/,
    ],
    [
      'one project listed twice',
      (_c, plane) => {
        plane.retention = {
          projectEvents: [
            { projectId: 'p-1', days: 30 },
            { projectId: 'p-1', days: 60 },
          ],
        };
      },
      /projectEvents\[1\]\.projectId "p-1" is listed more than once/,
    ],
    [
      'more projects than S3 has lifecycle rules for',
      (_c, plane) => {
        plane.retention = {
          projectEvents: Array.from({ length: 401 }, (_, i) => ({ projectId: `p-${i}`, days: 30 })),
        };
      },
      /projectEvents must list at most 400 projects/,
    ],
    [
      'an empty project id',
      (_c, plane) => {
        plane.retention = { projectEvents: [{ projectId: '', days: 30 }] };
      },
      /projectEvents\[0\]\.projectId must be a non-empty string/,
    ],
    [
      'a data start date that is no calendar day',
      onPlane({ dataStartDate: '2026-02-30' }),
      /dataPlanes\[0\]\.dataStartDate must be a date YYYY-MM-DD, got "2026-02-30"/,
    ],
    [
      'a data start date before 2000',
      onPlane({ dataStartDate: '1999-12-31' }),
      /dataPlanes\[0\]\.dataStartDate must be 2000-01-01 or later/,
    ],
    [
      'a data start date in the future',
      onPlane({ dataStartDate: '2999-01-01' }),
      /dataPlanes\[0\]\.dataStartDate must not be in the future/,
    ],
    [
      'a default read window of 0 days',
      onPlane({ defaultReadWindowDays: 0 }),
      /dataPlanes\[0\]\.defaultReadWindowDays must be an integer from 1 to 366, got 0/,
    ],
    [
      'a default read window over a year',
      onPlane({ defaultReadWindowDays: 367 }),
      /dataPlanes\[0\]\.defaultReadWindowDays must be an integer from 1 to 366, got 367/,
    ],
    [
      'a gRPC collector without a certificate',
      onPlane({ grpcCollector: { desiredCount: 2 } }),
      /dataPlanes\[0\]\.grpcCollector\.certificateArn is required: the ARN of an ACM certificate in eu-west-1/,
    ],
    [
      'a gRPC collector that is not an object',
      onPlane({ grpcCollector: true }),
      /dataPlanes\[0\]\.grpcCollector must be an object/,
    ],
    [
      'a collector certificate that is not an ACM ARN',
      onPlane({ grpcCollector: { certificateArn: 'arn:aws:iam::222222222222:server-certificate/otlp' } }),
      /grpcCollector\.certificateArn must be an ACM certificate ARN, got "arn:aws:iam::222222222222:server-certificate\/otlp"/,
    ],
    [
      'a collector certificate of another region',
      onPlane({ grpcCollector: { certificateArn: certificateIn('us-east-1') } }),
      /grpcCollector\.certificateArn must be a certificate in the data plane's region eu-west-1 .* got one in us-east-1/,
    ],
    [
      'a collector count of 0',
      onPlane({ grpcCollector: { certificateArn: certificateIn('eu-west-1'), desiredCount: 0 } }),
      /dataPlanes\[0\]\.grpcCollector\.desiredCount must be an integer from 1 to 20, got 0/,
    ],
    [
      'a collector count as a string',
      onPlane({ grpcCollector: { certificateArn: certificateIn('eu-west-1'), desiredCount: '2' } }),
      /grpcCollector\.desiredCount must be an integer from 1 to 20, got "2"/,
    ],
    [
      'a collector CPU Fargate does not offer',
      onPlane({ grpcCollector: { certificateArn: certificateIn('eu-west-1'), cpu: 300 } }),
      /grpcCollector\.cpu must be one of 256, 512, 1024, 2048, 4096 \(Fargate CPU units\), got 300/,
    ],
    [
      'collector memory that does not go with its CPU',
      onPlane({ grpcCollector: { certificateArn: certificateIn('eu-west-1'), cpu: 256, memoryMiB: 4096 } }),
      /grpcCollector\.memoryMiB must be a Fargate memory size for cpu 256: 512 to 2048 \(512, 1024, 2048\), got 4096/,
    ],
    [
      'a collector hosted zone without a domain name',
      onPlane({
        grpcCollector: {
          certificateArn: certificateIn('eu-west-1'),
          hostedZoneId: 'Z0123456789ABC',
        },
      }),
      /grpcCollector\.hostedZoneId needs domainName/,
    ],
    [
      'a collector domain name with a scheme',
      onPlane({
        grpcCollector: {
          certificateArn: certificateIn('eu-west-1'),
          domainName: 'https://otlp.example.com',
        },
      }),
      /grpcCollector\.domainName must be a lower-case DNS name such as otlp\.example\.com, got "https:\/\/otlp\.example\.com"/,
    ],
    [
      'a collector CIDR that is no CIDR',
      onPlane({
        grpcCollector: { certificateArn: certificateIn('eu-west-1'), allowedCidrs: ['10.0.0.0/33'] },
      }),
      /grpcCollector\.allowedCidrs\[0\] must be an IPv4 CIDR such as "203\.0\.113\.0\/24", got "10\.0\.0\.0\/33"/,
    ],
    [
      'a collector CIDR with host bits',
      onPlane({
        grpcCollector: {
          certificateArn: certificateIn('eu-west-1'),
          allowedCidrs: ['203.0.113.0/24', '10.1.2.3/16'],
        },
      }),
      /grpcCollector\.allowedCidrs\[1\] must be written as its network address "10\.1\.0\.0\/16", got "10\.1\.2\.3\/16"/,
    ],
    [
      'an empty collector CIDR list',
      onPlane({ grpcCollector: { certificateArn: certificateIn('eu-west-1'), allowedCidrs: [] } }),
      /grpcCollector\.allowedCidrs must be a non-empty array of IPv4 CIDRs/,
    ],
    [
      'a misspelt collector field',
      onPlane({ grpcCollector: { certificateArn: certificateIn('eu-west-1'), desiredcount: 3 } }),
      /dataPlanes\[0\]\.grpcCollector has unknown field\(s\) desiredcount/,
    ],
    [
      'two data planes with one name',
      (c, plane) => (c.dataPlanes as RawPlane[]).push({ ...plane, region: 'eu-central-1' }),
      /dataPlanes\[1\]\.name "eu" is used by more than one data plane/,
    ],
  ])('rejects %s with a message naming the field', (_case, breakIt, message) => {
    const config = valid();
    breakIt(config, (config.dataPlanes as RawPlane[])[0] as RawPlane);
    const problem = problemWith(config);
    expect(problem).toMatch(/^Invalid deployment config test\.json: /);
    expect(problem).toMatch(message);
  });

  it('accepts the valid base case the rejections start from', () => {
    expect(parseDeploymentConfig(valid()).dataPlanes[0]?.logLevel).toBe('INFO');
  });

  it("keeps a plane's retention, and leaves it unset when not given", () => {
    const config = valid();
    expect(parseDeploymentConfig(config).dataPlanes[0]).not.toHaveProperty('retention');
    ((config.dataPlanes as RawPlane[])[0] as RawPlane).retention = {
      rawRequestDays: 14,
      projectEvents: [{ projectId: 'p 1/x', days: 90 }],
    };
    expect(parseDeploymentConfig(config).dataPlanes[0]?.retention).toEqual({
      rawRequestDays: 14,
      projectEvents: [{ projectId: 'p 1/x', days: 90 }],
    });
  });

  it("keeps each plane's alarm emails", () => {
    const config = valid();
    (config.controlPlane as RawPlane).alarmEmails = ['cp-oncall@example.com'];
    ((config.dataPlanes as RawPlane[])[0] as RawPlane).alarmEmails = ['a@example.com', 'b@example.org'];
    const parsed = parseDeploymentConfig(config);
    expect(parsed.controlPlane.alarmEmails).toEqual(['cp-oncall@example.com']);
    expect(parsed.dataPlanes[0]?.alarmEmails).toEqual(['a@example.com', 'b@example.org']);
  });

  it("keeps a plane's data start date and default read window, both unset unless given", () => {
    const config = valid();
    expect(parseDeploymentConfig(config).dataPlanes[0]).not.toHaveProperty('dataStartDate');
    expect(parseDeploymentConfig(config).dataPlanes[0]).not.toHaveProperty('defaultReadWindowDays');
    const plane = (config.dataPlanes as RawPlane[])[0] as RawPlane;
    plane.dataStartDate = '2000-01-01';
    plane.defaultReadWindowDays = 366;
    expect(parseDeploymentConfig(config).dataPlanes[0]).toMatchObject({
      dataStartDate: '2000-01-01',
      defaultReadWindowDays: 366,
    });
  });

  it("keeps a plane's gRPC collector as written (defaults are the construct's), and none unless asked", () => {
    const config = valid();
    expect(parseDeploymentConfig(config).dataPlanes[0]).not.toHaveProperty('grpcCollector');
    const plane = (config.dataPlanes as RawPlane[])[0] as RawPlane;
    plane.grpcCollector = { certificateArn: certificateIn('eu-west-1') };
    expect(parseDeploymentConfig(config).dataPlanes[0]?.grpcCollector).toEqual({
      certificateArn: certificateIn('eu-west-1'),
    });
    const full = {
      certificateArn: certificateIn('eu-west-1'),
      domainName: 'otlp.eu.example.com',
      hostedZoneId: 'Z0123456789ABC',
      desiredCount: 20,
      cpu: 2048,
      memoryMiB: 16_384,
      image: 'public.ecr.aws/example/otelcol-contrib:0.159.0',
      allowedCidrs: ['0.0.0.0/0', '203.0.113.7/32'],
    };
    plane.grpcCollector = full;
    expect(parseDeploymentConfig(config).dataPlanes[0]?.grpcCollector).toEqual(full);
  });

  it('sizes a collector task from its CPU when the memory is not given', () => {
    expect(collectorTaskSize({})).toEqual({ cpu: 512, memoryMiB: 1024 });
    expect(collectorTaskSize({ cpu: 256 })).toEqual({ cpu: 256, memoryMiB: 1024 });
    expect(collectorTaskSize({ cpu: 2048 })).toEqual({ cpu: 2048, memoryMiB: 4096 });
    expect(collectorTaskSize({ cpu: 1024, memoryMiB: 3072 })).toEqual({ cpu: 1024, memoryMiB: 3072 });
  });

  it('leaves source maps unset unless a plane asks, and keeps the answer of one that does', () => {
    const config = valid();
    expect(parseDeploymentConfig(config).dataPlanes[0]).not.toHaveProperty('sourceMaps');
    (config.controlPlane as RawPlane).sourceMaps = false;
    ((config.dataPlanes as RawPlane[])[0] as RawPlane).sourceMaps = true;
    const parsed = parseDeploymentConfig(config);
    expect(parsed.controlPlane.sourceMaps).toBe(false);
    expect(parsed.dataPlanes[0]?.sourceMaps).toBe(true);
  });

  it('names the file when it is missing or not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'waggle-config-'));
    const missing = join(dir, 'missing.json');
    expect(() => loadDeploymentConfig(missing)).toThrow(`Cannot read deployment config ${missing}`);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "controlPlane": ');
    expect(() => loadDeploymentConfig(broken)).toThrow(`Deployment config ${broken} is not valid JSON`);
  });
});

describe('the web console in the deployment config', () => {
  const withConsole = (console: unknown, planeUrl?: unknown): RawConfig => {
    const config = valid();
    return {
      controlPlane: { ...config.controlPlane, console },
      dataPlanes: [
        { ...(config.dataPlanes as RawPlane[])[0], ...(planeUrl !== undefined && { url: planeUrl }) },
      ],
    };
  };

  it('reads a console origin with its us-east-1 certificate and a data plane URL', () => {
    const certificateArn = certificateIn('us-east-1');
    const config = parseDeploymentConfig(
      withConsole({ url: 'https://console.example.com', certificateArn }, 'https://eu.example.com'),
      'test.json',
    );
    expect(config.controlPlane.console).toEqual({ url: 'https://console.example.com', certificateArn });
    expect(config.dataPlanes[0]?.url).toBe('https://eu.example.com');
  });

  it("reads a data plane's LLM proxy URL", () => {
    const raw = withConsole({ url: 'https://console.example.com' }, 'https://eu.example.com');
    (raw.dataPlanes as RawPlane[])[0] = {
      ...(raw.dataPlanes as RawPlane[])[0],
      llmProxyUrl: 'https://abc.lambda-url.eu-west-1.on.aws',
    };
    expect(parseDeploymentConfig(raw, 'test.json').dataPlanes[0]?.llmProxyUrl).toBe(
      'https://abc.lambda-url.eu-west-1.on.aws',
    );
  });

  it.each([
    [{ url: 'https://console.example.com/app' }, 'controlPlane.console.url must be an origin'],
    [{ url: 'https://console.example.com/' }, 'controlPlane.console.url must be an origin'],
    [{ url: 'http://console.example.com' }, 'controlPlane.console.url must be an https URL'],
    [
      { url: 'https://console.example.com', certificateArn: certificateIn('eu-west-1') },
      'controlPlane.console.certificateArn must be in us-east-1 (CloudFront takes certificates from there only), got eu-west-1',
    ],
    [
      { certificateArn: certificateIn('us-east-1') },
      'controlPlane.console.url is required with certificateArn',
    ],
    [{ url: 'https://console.example.com', certificateArn: 'cert-1' }, 'must be an ACM certificate ARN'],
    [{ url: 'https://console.example.com', domain: 'x' }, 'controlPlane.console'],
  ])('refuses the console %j', (console, problem) => {
    expect(problemWith(withConsole(console))).toContain(problem);
  });

  it('refuses a data plane URL with a trailing slash or that is not https', () => {
    expect(problemWith(withConsole(undefined, 'https://eu.example.com/'))).toContain(
      'dataPlanes[0].url must be a base URL without a trailing slash',
    );
    expect(problemWith(withConsole(undefined, 'http://eu.example.com'))).toContain(
      'dataPlanes[0].url must be an https URL',
    );
  });
});
