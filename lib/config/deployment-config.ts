import { readFileSync } from 'node:fs';
import { parseJudgeFallbacks } from '../../lambdas/config/judge';
import { MAX_USD } from '../../lambdas/domain/proxy/limits';
import { MAX_READ_WINDOW_DAYS } from '../../lambdas/domain/query/read-window';
import { dataStartDateProblem } from '../../lambdas/domain/store/projection-window';
import {
  DEFAULT_COLLECTOR_CPU,
  FARGATE_MEMORY_BY_CPU,
  MAX_COLLECTOR_ALLOWED_CIDRS,
  MAX_COLLECTOR_DESIRED_COUNT,
} from '../data-plane/otel-collector-config';

/** How a data plane is operated; it changes who owns the account, never the SDK. */
export const HOSTING_MODELS = ['multi-tenant', 'dedicated', 'self-hosted'] as const;
export type HostingModel = (typeof HOSTING_MODELS)[number];

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface PlaneLocation {
  readonly account: string;
  readonly region: string;
}

export interface DataPlaneConfig extends PlaneLocation {
  /** Short id, unique in the file; becomes the stack name `Waggle-DataPlane-<name>`. */
  readonly name: string;
  readonly hostingModel: HostingModel;
  /** Application log level of the data-plane functions. */
  readonly logLevel: LogLevel;
  /** How the writer consumes the events queue; omitted fields take the defaults of EventWriter. */
  readonly eventWriter?: EventWriterConfig;
  /** Online evaluation's worker and LLM judges; omitted fields take the defaults of EvaluationWorker. */
  readonly evaluation?: EvaluationConfig;
  /** Limits of the data plane's Athena workgroup; omitted fields take the defaults of EventTables. */
  readonly athena?: AthenaConfig;
  /**
   * The plane's first day of data (YYYY-MM-DD, UTC): where the tables' partition projection starts.
   * Absent: 2000-01-01. Events dated earlier stay stored, but Athena never reads them.
   */
  readonly dataStartDate?: string;
  /** Days a read without a dateRange covers, 1-366; absent: 30 (docs/read-api.md). */
  readonly defaultReadWindowDays?: number;
  /** Source-mapped stack traces in the functions' logs; off by default (it slows every cold start). */
  readonly sourceMaps?: boolean;
  /** Who the plane's alarm topic emails (each address confirms its subscription once). */
  readonly alarmEmails?: readonly string[];
  /**
   * The plane's public base URL (https, no trailing slash): its ApiUrl output or a custom domain
   * mapped to its HTTP API. The web console reads from it; absent: the console does not list the plane.
   */
  readonly url?: string;
  /**
   * The plane's LLM proxy base URL (https, no trailing slash): its LlmProxy Url output (a Lambda
   * function URL, which streams; API Gateway cannot), copied here after the plane's first deploy.
   * The console's playground calls it; absent: the playground calls `url`, where the proxy is not.
   */
  readonly llmProxyUrl?: string;
  /** How long archived raw requests and (per project) stored events are kept; S3 lifecycle rules. */
  readonly retention?: RetentionConfig;
  /**
   * An OpenTelemetry Collector on ECS Fargate behind a TLS Network Load Balancer that takes
   * OTLP/gRPC and forwards it to the plane's HTTP API (API Gateway cannot terminate gRPC). Absent:
   * none (and none of its cost).
   */
  readonly grpcCollector?: GrpcCollectorConfig;
}

/** The optional gRPC collector of a data plane (lib/data-plane/grpc-collector.ts); docs/deployment.md. */
export interface GrpcCollectorConfig {
  /** ACM certificate (in the plane's region) the TLS listener presents; it must cover domainName. */
  readonly certificateArn: string;
  /** The name clients use (the certificate's); absent: the load balancer's DNS name. */
  readonly domainName?: string;
  /** A Route 53 public hosted zone in the plane's account to put an alias record for domainName in. */
  readonly hostedZoneId?: string;
  /** Collector tasks, 1-20; absent: 2 (one per Availability Zone). */
  readonly desiredCount?: number;
  /** Task CPU units (256, 512, 1024, 2048, 4096); absent: 512. */
  readonly cpu?: number;
  /** Task memory (MiB), one Fargate allows for the CPU; absent: 1024. */
  readonly memoryMiB?: number;
  /** Collector image; absent: the pinned upstream contrib image (DEFAULT_COLLECTOR_IMAGE). */
  readonly image?: string;
  /** IPv4 ranges that may connect to port 4317; absent: 0.0.0.0/0 (clients authenticate per request). */
  readonly allowedCidrs?: readonly string[];
}

export interface RetentionConfig {
  /** Days archived raw requests (raw/ in the raw archive) are kept; absent: 30 (DEFAULT_RAW_RETENTION_DAYS). */
  readonly rawRequestDays?: number;
  /** Projects whose events expire, by project id (not name); projects not listed keep theirs. */
  readonly projectEvents?: readonly { readonly projectId: string; readonly days: number }[];
}

/** Online evaluation on the plane (lib/data-plane/evaluation-worker.ts); every field has a default. */
export interface EvaluationConfig {
  /** Most concurrent evaluation-worker invocations, 2-1,000 (default 5): caps the executor's and providers' load. */
  readonly maxConcurrency?: number;
  /** Dollars a UTC day an evaluator's LLM judge may spend when its definition names no budget (default 5). */
  readonly judgeDailyBudgetUsd?: number;
  /** What a judge model tries when it fails transiently: {"<provider>/<model>": ["<provider>/<model>", ...]}. */
  readonly judgeFallbacks?: Readonly<Record<string, readonly string[]>>;
}

export interface EventWriterConfig {
  /** Most messages per writer invocation, 1-10,000. */
  readonly batchSize?: number;
  /** Longest wait to fill a batch, 0-300 seconds. */
  readonly maxBatchingWindowSeconds?: number;
  /** Most concurrent writer invocations, 2-1,000. */
  readonly maxConcurrency?: number;
}

export interface AthenaConfig {
  /** Athena cancels a query once it has scanned this many bytes; at least 10,000,000 (10 MB). */
  readonly bytesScannedCutoffPerQuery?: number;
}

export const IDENTITY_PROVIDER_TYPES = ['saml', 'oidc'] as const;
export type IdentityProviderType = (typeof IDENTITY_PROVIDER_TYPES)[number];

/** An organization's own identity provider, federated into the control plane's Cognito user pool. */
export type IdentityProviderConfig =
  | {
      /** Provider name in Cognito and on the sign-in page; unique, 3-32 characters. */
      readonly name: string;
      readonly type: 'saml';
      /** Where Cognito reads the IdP's SAML 2.0 metadata document (https). */
      readonly metadataUrl: string;
    }
  | {
      readonly name: string;
      readonly type: 'oidc';
      /** The OIDC issuer (https); Cognito discovers the endpoints from it. */
      readonly issuer: string;
      readonly clientId: string;
      /** Secrets Manager ARN of the client secret (a plain-text secret); never the secret itself. */
      readonly clientSecretArn: string;
    };

/** The control plane: where it runs, the URL data planes trust, and how users sign in. */
export interface ControlPlaneConfig extends PlaneLocation {
  /**
   * The control plane's public base URL (https, no trailing slash): the `iss` of its tokens, and
   * `<url>/.well-known/jwks.json` is where every data plane fetches the keys that verify tokens and
   * sync messages. Its HTTP API URL (the ApiUrl output) or a custom domain mapped to that API.
   */
  readonly url: string;
  /** Organizations' SAML 2.0 / OIDC providers; absent or empty: email and password only. */
  readonly identityProviders?: readonly IdentityProviderConfig[];
  /** Hosted sign-in domain prefix (`<prefix>.auth.<region>.amazoncognito.com`); required with identity providers. */
  readonly authDomainPrefix?: string;
  /** The web app's OAuth redirect URLs (https, or http on localhost); required with identity providers. */
  readonly callbackUrls?: readonly string[];
  readonly logoutUrls?: readonly string[];
  /** The token/sync signing key ring; absent: `{ current: 'a' }`. A rotation is a change here and a deploy. */
  readonly signingKeys?: SigningKeysConfig;
  /** Source-mapped stack traces in the functions' logs; off by default (it slows every cold start). */
  readonly sourceMaps?: boolean;
  /** Who the plane's alarm topic emails (each address confirms its subscription once). */
  readonly alarmEmails?: readonly string[];
  /** Where the web console is served (lib/control-plane/console-hosting.ts); absent: the distribution's domain. */
  readonly console?: ConsoleHostingConfig;
  /**
   * The address notification emails come from: an SES identity verified in the control plane's
   * region (the address or its domain). Absent: email channels are refused (docs/alerts.md).
   */
  readonly notificationEmailFrom?: string;
}

/**
 * The web console's public address. The control-plane stack always serves the console from S3 behind
 * CloudFront; data planes are separate stacks (often other accounts) and learn its origin only from
 * here, for their CORS rules.
 */
export interface ConsoleHostingConfig {
  /**
   * The console's public origin (`https://host`, no path): a custom domain (with certificateArn), or
   * the distribution's own `https://<id>.cloudfront.net` copied from the ConsoleUrl output after the
   * first deploy. Data planes allow it (CORS) and Cognito redirects to it. Absent: data planes allow
   * no console origin yet, so the console signs in but cannot read.
   */
  readonly url?: string;
  /** ACM certificate for url's host, in us-east-1 (CloudFront takes certificates from there only). */
  readonly certificateArn?: string;
}

/**
 * The control plane's signing keys by name (each name is one KMS key the stack manages). `current`
 * signs tokens and sync messages; `previous`, during a rotation, is only published in the JWKS so
 * that what it signed keeps verifying. See docs/deployment.md, "Rotating the signing key".
 */
export interface SigningKeysConfig {
  readonly current: string;
  readonly previous?: string;
}

export interface DeploymentConfig {
  readonly controlPlane: ControlPlaneConfig;
  readonly dataPlanes: readonly DataPlaneConfig[];
}

export class DeploymentConfigError extends Error {
  override readonly name = 'DeploymentConfigError';
}

const ACCOUNT_PATTERN = /^\d{12}$/;
// Commercial, GovCloud and China partitions: us-east-1, us-gov-west-1, cn-north-1, ap-southeast-5 ...
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
// Used in stack names and resource names, so kept to what CloudFormation accepts everywhere.
const NAME_PATTERN = /^[a-z][a-z0-9-]{0,29}$/;

/** Reads and validates a deployment config file; every error names the file and the bad field. */
export function loadDeploymentConfig(path: string): DeploymentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DeploymentConfigError(`Cannot read deployment config ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DeploymentConfigError(
      `Deployment config ${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
  return parseDeploymentConfig(raw, path);
}

/** Validates an already-parsed config; `source` names where it came from in error messages. */
export function parseDeploymentConfig(raw: unknown, source = 'deployment config'): DeploymentConfig {
  const fail = (field: string, problem: string): never => {
    throw new DeploymentConfigError(`Invalid deployment config ${source}: ${field} ${problem}`);
  };
  const root = requireObject(raw, '(root)', fail);
  rejectUnknownKeys(root, '(root)', ['$comment', 'controlPlane', 'dataPlanes'], fail);

  const controlPlane = parseControlPlane(requireObject(root.controlPlane, 'controlPlane', fail), fail);

  if (!Array.isArray(root.dataPlanes)) fail('dataPlanes', 'must be an array of data planes');
  const entries = root.dataPlanes as unknown[];
  if (entries.length === 0) fail('dataPlanes', 'must name at least one data plane');

  const seenNames = new Set<string>();
  const dataPlanes = entries.map((entry, index) => {
    const field = `dataPlanes[${index}]`;
    const plane = requireObject(entry, field, fail);
    rejectUnknownKeys(
      plane,
      field,
      [
        '$comment',
        'name',
        'account',
        'region',
        'hostingModel',
        'logLevel',
        'eventWriter',
        'evaluation',
        'athena',
        'sourceMaps',
        'alarmEmails',
        'dataStartDate',
        'defaultReadWindowDays',
        'retention',
        'grpcCollector',
        'url',
        'llmProxyUrl',
      ],
      fail,
    );
    const name = requireString(plane.name, `${field}.name`, fail);
    if (!NAME_PATTERN.test(name)) {
      fail(
        `${field}.name`,
        `must be lower-case letters, digits and dashes (1-30, starting with a letter), got "${name}"`,
      );
    }
    if (seenNames.has(name)) fail(`${field}.name`, `"${name}" is used by more than one data plane`);
    seenNames.add(name);
    const hostingModel = requireOneOf(plane.hostingModel, `${field}.hostingModel`, HOSTING_MODELS, fail);
    const logLevel =
      plane.logLevel === undefined
        ? 'INFO'
        : requireOneOf(plane.logLevel, `${field}.logLevel`, LOG_LEVELS, fail);
    const eventWriter =
      plane.eventWriter === undefined
        ? undefined
        : parseEventWriter(
            requireObject(plane.eventWriter, `${field}.eventWriter`, fail),
            `${field}.eventWriter`,
            fail,
          );
    const evaluation =
      plane.evaluation === undefined
        ? undefined
        : parseEvaluation(
            requireObject(plane.evaluation, `${field}.evaluation`, fail),
            `${field}.evaluation`,
            fail,
          );
    const athena =
      plane.athena === undefined
        ? undefined
        : parseAthena(requireObject(plane.athena, `${field}.athena`, fail), `${field}.athena`, fail);
    const sourceMaps = optionalBoolean(plane.sourceMaps, `${field}.sourceMaps`, fail);
    const alarmEmails = optionalEmailList(plane.alarmEmails, `${field}.alarmEmails`, fail);
    const dataStartDate = optionalDataStartDate(plane.dataStartDate, `${field}.dataStartDate`, fail);
    const defaultReadWindowDays = optionalInteger(
      plane.defaultReadWindowDays,
      `${field}.defaultReadWindowDays`,
      1,
      MAX_READ_WINDOW_DAYS,
      fail,
    );
    const retention =
      plane.retention === undefined
        ? undefined
        : parseRetention(
            requireObject(plane.retention, `${field}.retention`, fail),
            `${field}.retention`,
            fail,
          );
    const location = parseLocation(plane, field, fail);
    const grpcCollector =
      plane.grpcCollector === undefined
        ? undefined
        : parseGrpcCollector(
            requireObject(plane.grpcCollector, `${field}.grpcCollector`, fail),
            `${field}.grpcCollector`,
            location.region,
            fail,
          );
    const url = plane.url === undefined ? undefined : requireUrl(plane.url, `${field}.url`, fail);
    if (url !== undefined && (url.endsWith('/') || new URL(url).search !== '' || new URL(url).hash !== '')) {
      fail(`${field}.url`, `must be a base URL without a trailing slash, query or fragment, got "${url}"`);
    }
    const llmProxyUrl =
      plane.llmProxyUrl === undefined
        ? undefined
        : requireUrl(plane.llmProxyUrl, `${field}.llmProxyUrl`, fail);
    if (
      llmProxyUrl !== undefined &&
      (llmProxyUrl.endsWith('/') || new URL(llmProxyUrl).search !== '' || new URL(llmProxyUrl).hash !== '')
    ) {
      fail(
        `${field}.llmProxyUrl`,
        `must be a base URL without a trailing slash, query or fragment, got "${llmProxyUrl}"`,
      );
    }
    return {
      name,
      hostingModel,
      logLevel,
      ...location,
      ...(url !== undefined && { url }),
      ...(llmProxyUrl !== undefined && { llmProxyUrl }),
      ...(eventWriter && { eventWriter }),
      ...(evaluation && { evaluation }),
      ...(athena && { athena }),
      ...(sourceMaps !== undefined && { sourceMaps }),
      ...(alarmEmails && { alarmEmails }),
      ...(dataStartDate !== undefined && { dataStartDate }),
      ...(defaultReadWindowDays !== undefined && { defaultReadWindowDays }),
      ...(retention && { retention }),
      ...(grpcCollector && { grpcCollector }),
    };
  });

  return { controlPlane, dataPlanes };
}

type Fail = (field: string, problem: string) => never;

const CONTROL_PLANE_KEYS = [
  '$comment',
  'account',
  'region',
  'url',
  'identityProviders',
  'authDomainPrefix',
  'callbackUrls',
  'logoutUrls',
  'signingKeys',
  'sourceMaps',
  'alarmEmails',
  'console',
  'notificationEmailFrom',
];
const SIGNING_KEY_NAME_PATTERN = /^[a-z][a-z0-9]{0,15}$/;
// Cognito: provider names are 3-32 characters without spaces at the ends; kept to a safe subset.
const PROVIDER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$/;
const DOMAIN_PREFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const SECRET_ARN_PATTERN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

const ACM_CERTIFICATE_ARN_PATTERN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[A-Za-z0-9-]+$/;

function parseConsoleHosting(value: Record<string, unknown>, fail: Fail): ConsoleHostingConfig {
  const field = 'controlPlane.console';
  rejectUnknownKeys(value, field, ['$comment', 'url', 'certificateArn'], fail);
  const url = value.url === undefined ? undefined : requireUrl(value.url, `${field}.url`, fail);
  if (url !== undefined && new URL(url).origin !== url) {
    fail(
      `${field}.url`,
      `must be an origin such as https://console.example.com (no path or trailing slash), got "${url}"`,
    );
  }
  let certificateArn: string | undefined;
  if (value.certificateArn !== undefined) {
    certificateArn = requireString(value.certificateArn, `${field}.certificateArn`, fail);
    const match = ACM_CERTIFICATE_ARN_PATTERN.exec(certificateArn);
    if (!match) fail(`${field}.certificateArn`, `must be an ACM certificate ARN, got "${certificateArn}"`);
    if (match[1] !== 'us-east-1')
      fail(
        `${field}.certificateArn`,
        `must be in us-east-1 (CloudFront takes certificates from there only), got ${match[1]}`,
      );
    if (url === undefined)
      fail(`${field}.url`, 'is required with certificateArn (the custom domain the certificate covers)');
  }
  return { ...(url !== undefined && { url }), ...(certificateArn !== undefined && { certificateArn }) };
}

function parseControlPlane(value: Record<string, unknown>, fail: Fail): ControlPlaneConfig {
  const field = 'controlPlane';
  rejectUnknownKeys(value, field, CONTROL_PLANE_KEYS, fail);
  const location = parseLocation(value, field, fail);
  const url = requireUrl(value.url, `${field}.url`, fail);
  if (url.endsWith('/') || new URL(url).search !== '' || new URL(url).hash !== '') {
    fail(`${field}.url`, `must be a base URL without a trailing slash, query or fragment, got "${url}"`);
  }
  let identityProviders: IdentityProviderConfig[] | undefined;
  if (value.identityProviders !== undefined) {
    if (!Array.isArray(value.identityProviders))
      fail(`${field}.identityProviders`, 'must be an array of identity providers');
    const seen = new Set<string>();
    identityProviders = (value.identityProviders as unknown[]).map((entry, index) => {
      const provider = parseIdentityProvider(entry, `${field}.identityProviders[${index}]`, fail);
      if (seen.has(provider.name))
        fail(`${field}.identityProviders[${index}].name`, `"${provider.name}" is used more than once`);
      seen.add(provider.name);
      return provider;
    });
  }
  const authDomainPrefix =
    value.authDomainPrefix === undefined
      ? undefined
      : requireString(value.authDomainPrefix, `${field}.authDomainPrefix`, fail);
  if (authDomainPrefix !== undefined && !DOMAIN_PREFIX_PATTERN.test(authDomainPrefix)) {
    fail(
      `${field}.authDomainPrefix`,
      `must be lower-case letters, digits and dashes, got "${authDomainPrefix}"`,
    );
  }
  if (authDomainPrefix?.includes('aws') || authDomainPrefix?.includes('cognito')) {
    fail(`${field}.authDomainPrefix`, 'must not contain "aws" or "cognito" (Cognito refuses it)');
  }
  const callbackUrls = optionalUrlList(value.callbackUrls, `${field}.callbackUrls`, fail);
  const logoutUrls = optionalUrlList(value.logoutUrls, `${field}.logoutUrls`, fail);
  if (identityProviders && identityProviders.length > 0) {
    if (authDomainPrefix === undefined)
      fail(
        `${field}.authDomainPrefix`,
        'is required when identityProviders are configured (the hosted sign-in domain)',
      );
    if (!callbackUrls || callbackUrls.length === 0)
      fail(`${field}.callbackUrls`, 'must name at least one URL when identityProviders are configured');
  }
  const signingKeys =
    value.signingKeys === undefined
      ? undefined
      : parseSigningKeys(requireObject(value.signingKeys, `${field}.signingKeys`, fail), fail);
  const sourceMaps = optionalBoolean(value.sourceMaps, `${field}.sourceMaps`, fail);
  const alarmEmails = optionalEmailList(value.alarmEmails, `${field}.alarmEmails`, fail);
  const notificationEmailFrom =
    value.notificationEmailFrom === undefined
      ? undefined
      : requireString(value.notificationEmailFrom, `${field}.notificationEmailFrom`, fail);
  if (notificationEmailFrom !== undefined && !EMAIL_PATTERN.test(notificationEmailFrom))
    fail(`${field}.notificationEmailFrom`, `must be an email address, got "${notificationEmailFrom}"`);
  const consoleHosting =
    value.console === undefined
      ? undefined
      : parseConsoleHosting(requireObject(value.console, `${field}.console`, fail), fail);
  return {
    ...location,
    url,
    ...(consoleHosting && { console: consoleHosting }),
    ...(signingKeys && { signingKeys }),
    ...(identityProviders && { identityProviders }),
    ...(authDomainPrefix !== undefined && { authDomainPrefix }),
    ...(callbackUrls && { callbackUrls }),
    ...(logoutUrls && { logoutUrls }),
    ...(sourceMaps !== undefined && { sourceMaps }),
    ...(alarmEmails && { alarmEmails }),
    ...(notificationEmailFrom !== undefined && { notificationEmailFrom }),
  };
}

function parseSigningKeys(value: Record<string, unknown>, fail: Fail): SigningKeysConfig {
  const field = 'controlPlane.signingKeys';
  rejectUnknownKeys(value, field, ['$comment', 'current', 'previous'], fail);
  const name = (key: 'current' | 'previous'): string => {
    const text = requireString(value[key], `${field}.${key}`, fail);
    if (!SIGNING_KEY_NAME_PATTERN.test(text))
      fail(
        `${field}.${key}`,
        `must be 1-16 lower-case letters and digits, starting with a letter, got "${text}"`,
      );
    return text;
  };
  const current = name('current');
  if (value.previous === undefined) return { current };
  const previous = name('previous');
  if (previous === current) fail(`${field}.previous`, `must differ from current ("${current}")`);
  return { current, previous };
}

function parseIdentityProvider(entry: unknown, field: string, fail: Fail): IdentityProviderConfig {
  const value = requireObject(entry, field, fail);
  const type = requireOneOf(value.type, `${field}.type`, IDENTITY_PROVIDER_TYPES, fail);
  const name = requireString(value.name, `${field}.name`, fail);
  if (!PROVIDER_NAME_PATTERN.test(name)) {
    fail(`${field}.name`, `must be 3-32 letters, digits, dots, dashes or underscores, got "${name}"`);
  }
  if (type === 'saml') {
    rejectUnknownKeys(value, field, ['$comment', 'name', 'type', 'metadataUrl'], fail);
    return { name, type, metadataUrl: requireUrl(value.metadataUrl, `${field}.metadataUrl`, fail) };
  }
  rejectUnknownKeys(
    value,
    field,
    ['$comment', 'name', 'type', 'issuer', 'clientId', 'clientSecretArn'],
    fail,
  );
  if ('clientSecret' in value) fail(`${field}.clientSecret`, 'must not be in the file; use clientSecretArn');
  const clientSecretArn = requireString(value.clientSecretArn, `${field}.clientSecretArn`, fail);
  if (!SECRET_ARN_PATTERN.test(clientSecretArn)) {
    fail(`${field}.clientSecretArn`, `must be a Secrets Manager secret ARN, got "${clientSecretArn}"`);
  }
  return {
    name,
    type,
    issuer: requireUrl(value.issuer, `${field}.issuer`, fail),
    clientId: requireString(value.clientId, `${field}.clientId`, fail),
    clientSecretArn,
  };
}

/** https anywhere; http only on localhost (a web app under development). */
function requireUrl(value: unknown, field: string, fail: Fail): string {
  const text = requireString(value, field, fail);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(field, `must be a URL, got "${text}"`);
  }
  const local = url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1');
  if (url.protocol !== 'https:' && !local) fail(field, `must be an https URL, got "${text}"`);
  return text;
}

function optionalUrlList(value: unknown, field: string, fail: Fail): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) fail(field, 'must be an array of URLs');
  return (value as unknown[]).map((entry, index) => requireUrl(entry, `${field}[${index}]`, fail));
}

function parseLocation(value: Record<string, unknown>, field: string, fail: Fail): PlaneLocation {
  const account = requireString(value.account, `${field}.account`, fail);
  if (!ACCOUNT_PATTERN.test(account)) {
    fail(`${field}.account`, `must be a 12-digit AWS account id (as a string), got "${account}"`);
  }
  const region = requireString(value.region, `${field}.region`, fail);
  if (!REGION_PATTERN.test(region))
    fail(`${field}.region`, `must be an AWS region such as eu-west-1, got "${region}"`);
  return { account, region };
}

function parseEvaluation(value: Record<string, unknown>, field: string, fail: Fail): EvaluationConfig {
  rejectUnknownKeys(
    value,
    field,
    ['$comment', 'maxConcurrency', 'judgeDailyBudgetUsd', 'judgeFallbacks'],
    fail,
  );
  const budget = value.judgeDailyBudgetUsd;
  if (budget !== undefined && (typeof budget !== 'number' || !(budget >= 0) || budget > MAX_USD)) {
    fail(
      `${field}.judgeDailyBudgetUsd`,
      `must be a number of dollars from 0 to ${MAX_USD}, got ${JSON.stringify(budget)}`,
    );
  }
  let judgeFallbacks: Record<string, string[]> | undefined;
  if (value.judgeFallbacks !== undefined) {
    try {
      judgeFallbacks = parseJudgeFallbacks(value.judgeFallbacks);
    } catch (error) {
      fail(`${field}.judgeFallbacks`, (error as Error).message);
    }
  }
  return {
    maxConcurrency: optionalInteger(value.maxConcurrency, `${field}.maxConcurrency`, 2, 1000, fail),
    ...(budget !== undefined && { judgeDailyBudgetUsd: budget as number }),
    ...(judgeFallbacks && { judgeFallbacks }),
  };
}

function parseEventWriter(value: Record<string, unknown>, field: string, fail: Fail): EventWriterConfig {
  rejectUnknownKeys(
    value,
    field,
    ['$comment', 'batchSize', 'maxBatchingWindowSeconds', 'maxConcurrency'],
    fail,
  );
  return {
    batchSize: optionalInteger(value.batchSize, `${field}.batchSize`, 1, 10_000, fail),
    maxBatchingWindowSeconds: optionalInteger(
      value.maxBatchingWindowSeconds,
      `${field}.maxBatchingWindowSeconds`,
      0,
      300,
      fail,
    ),
    maxConcurrency: optionalInteger(value.maxConcurrency, `${field}.maxConcurrency`, 2, 1000, fail),
  };
}

// S3 allows 1,000 lifecycle rules per bucket; each project takes two (events/ and payloads/).
const MAX_PROJECT_RETENTIONS = 400;
// The longest a project id may be, so its URL-encoded prefix stays well inside S3's 1,024-byte limit.
const MAX_PROJECT_ID_LENGTH = 128;
const MAX_RETENTION_DAYS = 36_500;

function parseRetention(value: Record<string, unknown>, field: string, fail: Fail): RetentionConfig {
  rejectUnknownKeys(value, field, ['$comment', 'rawRequestDays', 'projectEvents'], fail);
  const rawRequestDays = optionalInteger(
    value.rawRequestDays,
    `${field}.rawRequestDays`,
    1,
    MAX_RETENTION_DAYS,
    fail,
  );
  let projectEvents: { projectId: string; days: number }[] | undefined;
  if (value.projectEvents !== undefined) {
    if (!Array.isArray(value.projectEvents))
      fail(`${field}.projectEvents`, 'must be an array of {projectId, days}');
    const entries = value.projectEvents as unknown[];
    if (entries.length > MAX_PROJECT_RETENTIONS)
      fail(
        `${field}.projectEvents`,
        `must list at most ${MAX_PROJECT_RETENTIONS} projects (S3 lifecycle rules per bucket)`,
      );
    const seen = new Set<string>();
    projectEvents = entries.map((entry, index) => {
      const at = `${field}.projectEvents[${index}]`;
      const item = requireObject(entry, at, fail);
      rejectUnknownKeys(item, at, ['$comment', 'projectId', 'days'], fail);
      const projectId = requireString(item.projectId, `${at}.projectId`, fail);
      if (projectId.length > MAX_PROJECT_ID_LENGTH)
        fail(`${at}.projectId`, `must be at most ${MAX_PROJECT_ID_LENGTH} characters`);
      if (seen.has(projectId)) fail(`${at}.projectId`, `"${projectId}" is listed more than once`);
      seen.add(projectId);
      const days = optionalInteger(item.days, `${at}.days`, 1, MAX_RETENTION_DAYS, fail);
      if (days === undefined) fail(`${at}.days`, 'is required');
      return { projectId, days: days as number };
    });
  }
  return {
    ...(rawRequestDays !== undefined && { rawRequestDays }),
    ...(projectEvents && { projectEvents }),
  };
}

const CERTIFICATE_ARN_PATTERN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[A-Za-z0-9-]+$/;
// A DNS name of at least two labels, each 1-63 letters, digits and inner dashes; no wildcard.
const DOMAIN_NAME_PATTERN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const HOSTED_ZONE_ID_PATTERN = /^Z[A-Z0-9]{1,31}$/;
const IPV4_CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function parseGrpcCollector(
  value: Record<string, unknown>,
  field: string,
  region: string,
  fail: Fail,
): GrpcCollectorConfig {
  rejectUnknownKeys(
    value,
    field,
    [
      '$comment',
      'certificateArn',
      'domainName',
      'hostedZoneId',
      'desiredCount',
      'cpu',
      'memoryMiB',
      'image',
      'allowedCidrs',
    ],
    fail,
  );
  if (typeof value.certificateArn !== 'string' || value.certificateArn.length === 0) {
    fail(
      `${field}.certificateArn`,
      `is required: the ARN of an ACM certificate in ${region} for the collector's TLS listener`,
    );
  }
  const certificateArn = value.certificateArn as string;
  const certificateRegion = CERTIFICATE_ARN_PATTERN.exec(certificateArn)?.[1];
  if (certificateRegion === undefined)
    fail(`${field}.certificateArn`, `must be an ACM certificate ARN, got "${certificateArn}"`);
  if (certificateRegion !== region)
    fail(
      `${field}.certificateArn`,
      `must be a certificate in the data plane's region ${region} (a load balancer only uses certificates of its own region), got one in ${certificateRegion}`,
    );

  let domainName: string | undefined;
  if (value.domainName !== undefined) {
    domainName = requireString(value.domainName, `${field}.domainName`, fail);
    if (!DOMAIN_NAME_PATTERN.test(domainName))
      fail(
        `${field}.domainName`,
        `must be a lower-case DNS name such as otlp.example.com, got "${domainName}"`,
      );
  }
  let hostedZoneId: string | undefined;
  if (value.hostedZoneId !== undefined) {
    hostedZoneId = requireString(value.hostedZoneId, `${field}.hostedZoneId`, fail);
    if (!HOSTED_ZONE_ID_PATTERN.test(hostedZoneId))
      fail(
        `${field}.hostedZoneId`,
        `must be a Route 53 hosted zone id such as Z0123456789ABC, got "${hostedZoneId}"`,
      );
    if (domainName === undefined)
      fail(`${field}.hostedZoneId`, 'needs domainName: the record it would hold is named by domainName');
  }

  const desiredCount = optionalInteger(
    value.desiredCount,
    `${field}.desiredCount`,
    1,
    MAX_COLLECTOR_DESIRED_COUNT,
    fail,
  );
  const cpus = Object.keys(FARGATE_MEMORY_BY_CPU).map(Number);
  let cpu: number | undefined;
  if (value.cpu !== undefined) {
    if (typeof value.cpu !== 'number' || !cpus.includes(value.cpu))
      fail(
        `${field}.cpu`,
        `must be one of ${cpus.join(', ')} (Fargate CPU units), got ${JSON.stringify(value.cpu)}`,
      );
    cpu = value.cpu as number;
  }
  let memoryMiB: number | undefined;
  if (value.memoryMiB !== undefined) {
    const forCpu = cpu ?? DEFAULT_COLLECTOR_CPU;
    const allowed = FARGATE_MEMORY_BY_CPU[forCpu] ?? [];
    if (typeof value.memoryMiB !== 'number' || !allowed.includes(value.memoryMiB))
      fail(
        `${field}.memoryMiB`,
        `must be a Fargate memory size for cpu ${forCpu}: ${allowed[0]} to ${allowed.at(-1)}${allowed.length > 4 ? ' in steps of 1024' : ` (${allowed.join(', ')})`}, got ${JSON.stringify(value.memoryMiB)}`,
      );
    memoryMiB = value.memoryMiB as number;
  }

  let image: string | undefined;
  if (value.image !== undefined) {
    image = requireString(value.image, `${field}.image`, fail);
    if (/\s/.test(image)) fail(`${field}.image`, `must be an image reference without spaces, got "${image}"`);
  }

  let allowedCidrs: string[] | undefined;
  if (value.allowedCidrs !== undefined) {
    if (!Array.isArray(value.allowedCidrs) || value.allowedCidrs.length === 0)
      fail(`${field}.allowedCidrs`, 'must be a non-empty array of IPv4 CIDRs such as "203.0.113.0/24"');
    const entries = value.allowedCidrs as unknown[];
    if (entries.length > MAX_COLLECTOR_ALLOWED_CIDRS)
      fail(
        `${field}.allowedCidrs`,
        `must list at most ${MAX_COLLECTOR_ALLOWED_CIDRS} CIDRs (security group rules)`,
      );
    const seen = new Set<string>();
    allowedCidrs = entries.map((entry, index) => {
      const at = `${field}.allowedCidrs[${index}]`;
      const cidr = requireString(entry, at, fail);
      const network = ipv4Network(cidr);
      if (network === undefined) fail(at, `must be an IPv4 CIDR such as "203.0.113.0/24", got "${cidr}"`);
      if (network !== cidr) fail(at, `must be written as its network address "${network}", got "${cidr}"`);
      if (seen.has(cidr)) fail(at, `"${cidr}" is listed more than once`);
      seen.add(cidr);
      return cidr;
    });
  }

  return {
    certificateArn,
    ...(domainName !== undefined && { domainName }),
    ...(hostedZoneId !== undefined && { hostedZoneId }),
    ...(desiredCount !== undefined && { desiredCount }),
    ...(cpu !== undefined && { cpu }),
    ...(memoryMiB !== undefined && { memoryMiB }),
    ...(image !== undefined && { image }),
    ...(allowedCidrs && { allowedCidrs }),
  };
}

/** The network of an IPv4 CIDR (a.b.c.d/n, octets 0-255, n 0-32) with its host bits cleared; undefined if malformed. */
function ipv4Network(text: string): string | undefined {
  const match = IPV4_CIDR_PATTERN.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const block = 2 ** (32 - prefix);
  const base = address - (address % block);
  const network = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join('.');
  return `${network}/${prefix}`;
}

function parseAthena(value: Record<string, unknown>, field: string, fail: Fail): AthenaConfig {
  rejectUnknownKeys(value, field, ['$comment', 'bytesScannedCutoffPerQuery'], fail);
  return {
    bytesScannedCutoffPerQuery: optionalInteger(
      value.bytesScannedCutoffPerQuery,
      `${field}.bytesScannedCutoffPerQuery`,
      10_000_000,
      Number.MAX_SAFE_INTEGER,
      fail,
    ),
  };
}

function optionalInteger(
  value: unknown,
  field: string,
  min: number,
  max: number,
  fail: Fail,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(field, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

// One @, no spaces, a dot in the domain: enough to catch a typo; SNS confirms the address itself.
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const MAX_ALARM_EMAILS = 20;

function optionalEmailList(value: unknown, field: string, fail: Fail): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) fail(field, 'must be an array of email addresses');
  const emails = value as unknown[];
  if (emails.length > MAX_ALARM_EMAILS) fail(field, `must name at most ${MAX_ALARM_EMAILS} addresses`);
  const seen = new Set<string>();
  return emails.map((entry, index) => {
    const email = requireString(entry, `${field}[${index}]`, fail);
    if (!EMAIL_PATTERN.test(email)) fail(`${field}[${index}]`, `must be an email address, got "${email}"`);
    if (seen.has(email.toLowerCase())) fail(`${field}[${index}]`, `"${email}" is listed more than once`);
    seen.add(email.toLowerCase());
    return email;
  });
}

function optionalDataStartDate(value: unknown, field: string, fail: Fail): string | undefined {
  if (value === undefined) return undefined;
  const day = requireString(value, field, fail);
  const problem = dataStartDateProblem(day, Date.now());
  if (problem !== undefined) fail(field, problem);
  return day;
}

function optionalBoolean(value: unknown, field: string, fail: Fail): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') fail(field, `must be true or false, got ${JSON.stringify(value)}`);
  return value as boolean;
}

function requireObject(value: unknown, field: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be an object');
  return value as Record<string, unknown>;
}

function requireString(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string' || value.length === 0) fail(field, 'must be a non-empty string');
  return value as string;
}

function requireOneOf<T extends string>(value: unknown, field: string, allowed: readonly T[], fail: Fail): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(field, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function rejectUnknownKeys(value: Record<string, unknown>, field: string, known: string[], fail: Fail): void {
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  // A typo such as "hostingmodel" would otherwise be silently ignored.
  if (unknown.length > 0)
    fail(field, `has unknown field(s) ${unknown.join(', ')}; allowed: ${known.join(', ')}`);
}
