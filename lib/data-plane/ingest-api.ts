import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  HttpApi,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { environmentForIngest } from '../../lambdas/ingest/environment';
import { INGEST_ROUTES } from '../../lambdas/ingest/routes';
import { httpApiAccessLogFormat } from '../common/access-log-format';
import { addFunctionRoutes } from '../common/function-routes';
import { WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import { type CallerAuthProps, callerAuthEnvironment, grantCallerAuth } from './caller-auth';
import type { EventsQueue } from './events-queue';
import { INGEST_FUNCTION_MEMORY_MB, INGEST_FUNCTION_TIMEOUT_SECONDS } from './ingest-function-settings';
import type { RawArchive } from './raw-archive';

/** Every route the ingest function answers: OTLP/HTTP and the HoneyHive-compatible REST intake. */
export interface IngestApiProps extends CallerAuthProps {
  readonly rawArchive: RawArchive;
  readonly eventsQueue: EventsQueue;
  readonly logLevel?: LogLevel;
  /** Steady-state requests per second across the stage. */
  readonly throttleRateLimit?: number;
  readonly throttleBurstLimit?: number;
  /**
   * Browser origins allowed to call the plane (the web console's, consoleOrigins): API Gateway
   * answers their preflight requests itself, before any route. Absent or empty: no CORS.
   */
  readonly corsOrigins?: readonly string[];
}

const ACCESS_LOG_FORMAT = httpApiAccessLogFormat({
  protocol: '$context.protocol',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  requestLength: '$context.requestLength',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
});

/**
 * The front door of a data plane: an HTTP API whose intake routes go to the ingest function, which
 * authenticates each request itself (API key hash against the key registry), archives it and queues
 * its events. The function gets exactly the writes that flow needs and nothing more. The read routes
 * on the same API belong to QueryApi.
 */
export class IngestApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly ingestFunction: WaggleFunction;
  readonly accessLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: IngestApiProps) {
    super(scope, id);
    const { rawArchive, eventsQueue } = props;

    this.ingestFunction = new WaggleFunction(this, 'IngestFunction', {
      entry: 'lambdas/ingest/handler.ts',
      serviceName: 'waggle-ingest',
      description: 'Waggle ingest: authenticates, decodes, archives and queues OTLP and HoneyHive requests',
      memorySize: INGEST_FUNCTION_MEMORY_MB,
      timeout: Duration.seconds(INGEST_FUNCTION_TIMEOUT_SECONDS),
      logLevel: props.logLevel,
      environment: environmentForIngest({
        RAW_ARCHIVE_BUCKET: rawArchive.bucket.bucketName,
        EVENTS_QUEUE_URL: eventsQueue.queue.queueUrl,
        ...callerAuthEnvironment(props),
      }),
    });
    rawArchive.grantWriteArchiveObjects(this.ingestFunction.role);
    eventsQueue.grantSendEvents(this.ingestFunction.role);
    grantCallerAuth(this.ingestFunction.role, props);

    this.api = new HttpApi(this, 'Api', {
      description: 'Waggle data plane ingestion: OTLP/HTTP and HoneyHive-compatible REST',
      createDefaultStage: false,
      ...((props.corsOrigins ?? []).length > 0 && {
        corsPreflight: {
          allowOrigins: [...(props.corsOrigins ?? [])],
          allowHeaders: ['authorization', 'content-type'],
          allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.DELETE],
          // Read answers the console shows or waits on (continueWith is in the body).
          exposeHeaders: ['retry-after'],
          maxAge: Duration.hours(1),
        },
      }),
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit ?? 1000, burstLimit: props.throttleBurstLimit ?? 2000 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
    });

    addFunctionRoutes(this.api, 'IngestIntegration', this.ingestFunction.function, INGEST_ROUTES);

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Clients authenticate with an API key (Authorization: Bearer) that the ingest and query functions check ' +
        'against the key registry themselves (the query function also scopes every read to the key project); ' +
        'an API Gateway authorizer would add a second Lambda call per request. /healthz is public on purpose.',
    });
  }

  /** The base URL clients send to, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/ */
  get url(): string {
    return this.stage.url;
  }
}
