import { DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Bucket, BucketEncryption, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { consoleContentSecurityPolicy } from '../../lambdas/config/console-csp';
import { PRIVATE_BUCKET_DEFAULTS } from '../common/encrypted-bucket';
import type { ControlPlaneConfig, DataPlaneConfig } from '../config/deployment-config';

export interface ConsoleHostingProps {
  readonly controlPlane: ControlPlaneConfig;
  readonly dataPlanes: readonly DataPlaneConfig[];
  /** Cognito's managed-login base URL (`https://<prefix>.auth.<region>.amazoncognito.com`). */
  readonly signInDomainUrl: string;
}

export interface ConsolePublishProps {
  /** The built console (ui/dist: index.html and assets/). */
  readonly assetPath: string;
  /** The user-pool client the console signs in with (authorization code with PKCE). */
  readonly clientId: string;
}

/**
 * Rewrites every path that names no file (no extension in its last segment) to /index.html, so that
 * a deep link such as /projects/p1/sessions/s1 loads the app, while a missing asset stays a 404.
 * CloudFront Functions run JavaScript 2.0 at the edge, before the cache.
 */
const SPA_FALLBACK_CODE = `function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/** Hashed build outputs never change under their name; the rest is revalidated on every load. */
const IMMUTABLE = [
  CacheControl.setPublic(),
  CacheControl.maxAge(Duration.days(365)),
  CacheControl.immutable(),
];
const REVALIDATE = [CacheControl.noCache()];

/**
 * The web console on AWS: its files in a private bucket that only this distribution reads (origin
 * access control), served over HTTPS with security headers and a single-page-app fallback, and its
 * `config.json` (where the APIs are, how to sign in) written beside them at deploy time.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** The console's origin: the configured URL, else the distribution's own domain. */
  readonly origin: string;
  private readonly props: ConsoleHostingProps;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    this.props = props;
    const { controlPlane, dataPlanes } = props;
    const hosting = controlPlane.console;

    // Static app files, not data: S3-managed encryption, which CloudFront reads through OAC without
    // a key policy; private, TLS only, and replaced wholesale by every deploy.
    this.bucket = new Bucket(this, 'Files', {
      ...PRIVATE_BUCKET_DEFAULTS,
      encryption: BucketEncryption.S3_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only the console build, the same files for every visitor; requests for them carry no data. Who used the console is in the control-plane API access logs.',
    });

    const connectSources = [
      "'self'",
      new URL(controlPlane.url).origin,
      props.signInDomainUrl,
      ...dataPlanes.flatMap((plane) => (plane.url === undefined ? [] : [new URL(plane.url).origin])),
      // The playground streams from each plane's LLM proxy (a function URL of its own).
      ...dataPlanes.flatMap((plane) =>
        plane.url === undefined || plane.llmProxyUrl === undefined ? [] : [new URL(plane.llmProxyUrl).origin],
      ),
    ];
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Waggle console: CSP, HSTS, no framing, no sniffing, strict referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy(connectSources),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
      },
    });

    const spaFallback = new EdgeFunction(this, 'SpaFallback', {
      comment: 'Waggle console: deep links load index.html',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(SPA_FALLBACK_CODE),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Waggle console',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      ...(hosting?.certificateArn !== undefined &&
        hosting.url !== undefined && {
          domainNames: [new URL(hosting.url).hostname],
          certificate: Certificate.fromCertificateArn(this, 'Certificate', hosting.certificateArn),
          minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
        }),
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: spaFallback, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
    });
    this.origin = hosting?.url ?? `https://${this.distribution.distributionDomainName}`;

    const findings = [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'The console serves the same static files to every country its users sign in from; who may read data is decided by sign-in and the APIs, not by geography.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves only static, cacheable app files; the APIs behind them are throttled and authenticated. Attach a web ACL to the distribution when an organization requires one.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Requests here fetch the same public app files; every request that reads or changes data reaches the control-plane or data-plane HTTP APIs, whose access logs are kept.',
      },
    ];
    if (hosting?.certificateArn === undefined) {
      findings.push({
        id: 'AwsSolutions-CFR4',
        reason:
          "Without a custom domain the distribution uses CloudFront's default *.cloudfront.net certificate, whose minimum protocol CloudFront fixes; set controlPlane.console.certificateArn for TLS 1.2 only.",
      });
    }
    for (const finding of findings) Validations.of(this.distribution).acknowledge(finding);
  }

  /** Uploads the built console and its config.json, and invalidates the two files that are not hashed. */
  publish(props: ConsolePublishProps): BucketDeployment {
    const config = consoleConfigFor({ ...this.props, origin: this.origin, clientId: props.clientId });
    const assets = new BucketDeployment(this, 'Assets', {
      destinationBucket: this.bucket,
      sources: [Source.asset(props.assetPath, { exclude: ['index.html', 'config.json'] })],
      cacheControl: IMMUTABLE,
      prune: false,
    });
    const entry = new BucketDeployment(this, 'Entry', {
      destinationBucket: this.bucket,
      sources: [
        Source.asset(props.assetPath, { exclude: ['**', '!index.html'] }),
        Source.jsonData('config.json', config),
      ],
      cacheControl: REVALIDATE,
      prune: false,
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
    });
    // index.html names the hashed assets: it goes up only after they are there.
    entry.node.addDependency(assets);
    acknowledgeDeploymentFunction(this, this.bucket);
    return entry;
  }
}

/**
 * The console's config.json on AWS (the shape ui/src/api/types.ts reads as ConsoleConfig): the
 * control-plane URL, Cognito's managed login with this client, and the data planes that have a URL.
 */
export function consoleConfigFor(input: {
  controlPlane: ControlPlaneConfig;
  dataPlanes: readonly DataPlaneConfig[];
  signInDomainUrl: string;
  origin: string;
  clientId: string;
}) {
  return {
    controlPlaneUrl: input.controlPlane.url,
    auth: {
      mode: 'cognito',
      domain: input.signInDomainUrl,
      clientId: input.clientId,
      redirectUri: `${input.origin}/auth/callback`,
      logoutUri: `${input.origin}/`,
    },
    dataPlanes: input.dataPlanes.flatMap((plane) =>
      plane.url === undefined
        ? []
        : [
            {
              id: plane.name,
              url: plane.url,
              otlpEndpoint: `${plane.url}/v1/traces`,
              ...(plane.llmProxyUrl !== undefined && { llmProxyUrl: plane.llmProxyUrl }),
              ...(plane.grpcCollector?.domainName !== undefined && {
                grpcEndpoint: `https://${plane.grpcCollector.domainName}:4317`,
              }),
            },
          ],
    ),
  };
}

/**
 * CDK's BucketDeployment runs one singleton Lambda function per stack (a custom resource CDK
 * maintains) with the AWS managed basic-execution policy and the S3 and CloudFront permissions it
 * needs to copy the staged build into the console bucket and invalidate the entry files.
 */
function acknowledgeDeploymentFunction(scope: Construct, bucket: Bucket): void {
  const stack = Stack.of(scope);
  const stagingBucket = `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${stack.account}-${stack.region}`;
  const reasons: Record<string, string> = {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
      "CDK's BucketDeployment custom resource writes its own logs with the AWS managed basic-execution policy.",
    'AwsSolutions-IAM5[Action::s3:GetObject*]':
      'It reads the staged console build (CDK grants the action family).',
    'AwsSolutions-IAM5[Action::s3:GetBucket*]':
      'It reads the staging and console buckets (CDK grants the action family).',
    'AwsSolutions-IAM5[Action::s3:List*]':
      'It lists the console bucket to copy the build (CDK grants the action family).',
    'AwsSolutions-IAM5[Action::s3:DeleteObject*]':
      'It replaces console files on redeploy (CDK grants the action family).',
    'AwsSolutions-IAM5[Action::s3:Abort*]':
      'It aborts its own failed multipart uploads (CDK grants the action family).',
    [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${stagingBucket}/*]`]:
      'The build is staged by cdk deploy in the bootstrap assets bucket under a content hash.',
    [`AwsSolutions-IAM5[Resource::<${stack.getLogicalId(bucket.node.defaultChild as CfnBucket)}.Arn>/*]`]:
      'It writes every console file (index.html, config.json, hashed assets) into the console bucket.',
    'AwsSolutions-L1':
      "The runtime of CDK's BucketDeployment custom resource is chosen, and moved on, by aws-cdk-lib releases.",
    'AwsSolutions-IAM5[Resource::*]':
      'CloudFront invalidations (cloudfront:CreateInvalidation, GetInvalidation) take no resource narrower than *.',
  };
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    for (const [id, reason] of Object.entries(reasons)) Validations.of(child).acknowledge({ id, reason });
  }
}
